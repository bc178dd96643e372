//! A layout written by `LayoutWriter` pushed to a real registry with skopeo.

use std::process::Command;

use shipgate_oci::{Platform, Source};
use test_support::registry::Registry;
use test_support::{require_tool, scrubbed};

use crate::common::simple_layout;

fn output(command: &mut Command) -> std::process::Output {
    command.output().unwrap()
}

fn success(command: &mut Command) -> String {
    let out = output(command);
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn written_layout_pushes_with_its_digest() {
    let Some(skopeo) = require_tool("skopeo") else {
        return;
    };
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, descriptor) = simple_layout(dir.path());
    let destination = format!("docker://{}", registry.reference("shipgate/x", "v1"));
    success(
        scrubbed(&skopeo)
            .args([
                "copy",
                "--quiet",
                "--preserve-digests",
                "--dest-tls-verify=false",
            ])
            .arg(format!("oci:{}:v1", dir.path().display()))
            .arg(&destination),
    );
    let inspected =
        success(scrubbed(&skopeo).args(["inspect", "--tls-verify=false", &destination]));
    let inspected: serde_json::Value = serde_json::from_str(&inspected).unwrap();
    assert_eq!(
        inspected["Digest"],
        descriptor.digest().to_string(),
        "{}",
        registry.log()
    );

    // And back: the pulled layout resolves to the same manifest.
    let pulled = dir.path().join("pulled");
    success(
        scrubbed(&skopeo)
            .args([
                "copy",
                "--quiet",
                "--preserve-digests",
                "--src-tls-verify=false",
                &destination,
            ])
            .arg(format!("oci:{}:v1", pulled.display())),
    );
    let source = Source::parse(&format!("oci-dir:{}:v1", pulled.display())).unwrap();
    let local = source
        .open_local(&Platform::parse("linux/amd64").unwrap())
        .unwrap();
    assert_eq!(local.image.descriptor.digest(), descriptor.digest());
}

#[test]
fn authenticated_registry_needs_the_credentials() {
    let Some(skopeo) = require_tool("skopeo") else {
        return;
    };
    let Some(registry) = Registry::start_with_auth("shipgate", "correct horse") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    simple_layout(dir.path());
    let source = format!("oci:{}:v1", dir.path().display());
    let destination = format!("docker://{}", registry.reference("private/x", "v1"));
    let auth_file = dir.path().join("auth.json");
    fs_err::write(&auth_file, "{}").unwrap();
    let anonymous = output(
        scrubbed(&skopeo)
            .args(["copy", "--quiet", "--dest-tls-verify=false", "--authfile"])
            .arg(&auth_file)
            .args([&source, &destination]),
    );
    assert!(
        !anonymous.status.success(),
        "an anonymous push was accepted"
    );
    let (user, password) = registry.credentials().unwrap();
    success(
        scrubbed(&skopeo)
            .args(["copy", "--quiet", "--dest-tls-verify=false", "--authfile"])
            .arg(&auth_file)
            .arg("--dest-creds")
            .arg(format!("{user}:{password}"))
            .args([&source, &destination]),
    );
}
