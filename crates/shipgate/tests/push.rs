//! `shipgate push` and `shipgate promote` end to end against a real `docker-registry`.

// Test helpers may panic: a failed expectation is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use shipgate_oci::LayoutWriter;
use shipgate_oci::spec::{Descriptor, MediaType};
use test_support::bin;
use test_support::registry::Registry;

/// A layout with one tiny image tagged `v1` and a signature referring to it.
fn layout(dir: &Path) -> Descriptor {
    let mut writer = LayoutWriter::create(dir).unwrap();
    let config = writer
        .add_blob(
            MediaType::ImageConfig,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
    let layer = writer
        .add_blob(MediaType::ImageLayer, b"not really a tar, never unpacked")
        .unwrap();
    let manifest = shipgate_oci::writer::new_manifest(config, vec![layer]);
    let image = writer.add_manifest(&manifest).unwrap();
    writer.tag(&image, "v1").unwrap();
    writer
        .add_artifact(
            &image,
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            &[(MediaType::Other("application/json".to_owned()), b"{}")],
            HashMap::from([("purpose".to_owned(), "test".to_owned())]),
        )
        .unwrap();
    image
}

fn shipgate(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = bin("shipgate");
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn push_then_promote_report_the_same_digest_with_referrers() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let image = layout(dir.path());
    let source = format!("oci-dir:{}:v1", dir.path().display());
    let destination = registry.reference("team/app", "1.0");
    let pushed = json(&shipgate(
        &[
            "push",
            &source,
            &format!("registry:{destination}"),
            "--format",
            "json",
        ],
        &[],
    ));
    assert_eq!(pushed["digest"], image.digest().to_string());
    let target = &pushed["destinations"][0];
    assert_eq!(target["tags"], serde_json::json!(["1.0"]));
    assert_eq!(target["referrers"][0]["annotations"]["purpose"], "test");
    assert_eq!(
        target["referrers"][0]["artifact_type"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    // Config, layer and the empty JSON (which is also the signature's one blob).
    assert_eq!(target["blobs"]["uploaded"], 3);

    let promoted = json(&shipgate(
        &[
            "promote",
            &destination,
            &registry.reference("prod/app", "stable"),
            "--format",
            "json",
        ],
        &[],
    ));
    assert_eq!(promoted["digest"], pushed["digest"]);
    assert_eq!(
        promoted["destinations"][0]["tags"],
        serde_json::json!(["stable"])
    );
    assert_eq!(
        promoted["destinations"][0]["referrers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(promoted["destinations"][0]["blobs"]["mounted"], 3);
}

#[test]
fn a_refused_password_is_exit_3_with_the_registry_text() {
    let Some(registry) = Registry::start_with_auth("ci", "right-password") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path());
    let source = dir.path().display().to_string();
    let destination = registry.reference("team/app", "1.0");
    let refused = shipgate(
        &["push", &source, &destination],
        &[
            ("SHIPGATE_REGISTRY_USERNAME", "ci"),
            ("SHIPGATE_REGISTRY_PASSWORD", "hunter2-wrong"),
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&refused.stderr).replace(&registry.host(), "[REGISTRY]");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    insta::assert_snapshot!(stderr);

    let accepted = shipgate(
        &["push", &source, &destination],
        &[
            ("SHIPGATE_REGISTRY_USERNAME", "ci"),
            ("SHIPGATE_REGISTRY_PASSWORD", "right-password"),
        ],
    );
    assert_eq!(
        accepted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
}

#[test]
fn bad_destinations_and_sources_are_exit_2_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path());
    let source = dir.path().display().to_string();
    let bad_destination = shipgate(&["push", &source, "Not A Reference"], &[]);
    assert_eq!(bad_destination.status.code(), Some(2));
    let missing = shipgate(
        &["push", "oci-dir:/nonexistent/layout", "127.0.0.1:1/x:1"],
        &[],
    );
    assert_eq!(missing.status.code(), Some(2));
    let unreachable = shipgate(&["push", &source, "127.0.0.1:1/x:1", "--retries", "0"], &[]);
    assert_eq!(unreachable.status.code(), Some(3));
}

#[test]
fn docker_config_auths_and_credential_helpers_are_used() {
    let Some(registry) = Registry::start_with_auth("ci", "right-password") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout_dir = dir.path().join("layout");
    layout(&layout_dir);
    let source = layout_dir.display().to_string();
    let destination = registry.reference("team/app", "1.0");
    let config_dir = dir.path().join("docker");
    std::fs::create_dir_all(&config_dir).unwrap();
    let run = |config: &str, path: &str| {
        std::fs::write(config_dir.join("config.json"), config).unwrap();
        shipgate(
            &["push", &source, &destination],
            &[
                ("DOCKER_CONFIG", config_dir.to_str().unwrap()),
                ("PATH", path),
            ],
        )
    };
    let system_path = std::env::var("PATH").unwrap();

    // `auths` with base64 `user:password` ("ci:right-password").
    let auths = format!(
        r#"{{"auths":{{"{}":{{"auth":"Y2k6cmlnaHQtcGFzc3dvcmQ="}}}}}}"#,
        registry.host()
    );
    let pushed = run(&auths, &system_path);
    assert_eq!(
        pushed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );

    // `credsStore`: docker-credential-shipgatetest answers the protocol on stdin/stdout.
    let bin_dir = dir.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let helper = bin_dir.join("docker-credential-shipgatetest");
    std::fs::write(
        &helper,
        "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n\
         printf '{\"ServerURL\":\"%s\",\"Username\":\"ci\",\"Secret\":\"right-password\"}' \"$server\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{system_path}", bin_dir.display());
    let pushed = run(r#"{"credsStore":"shipgatetest"}"#, &path);
    assert_eq!(
        pushed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );

    // A helper that is not installed: exit 3 naming it.
    let missing = run(r#"{"credHelpers":{"127.0.0.1":"nothere"}}"#, &system_path);
    let keyed = run(
        &format!(r#"{{"credHelpers":{{"{}":"nothere"}}}}"#, registry.host()),
        &system_path,
    );
    assert_eq!(
        missing.status.code(),
        Some(3),
        "only the exact host:port key applies"
    );
    assert_eq!(keyed.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&keyed.stderr).contains("docker-credential-nothere"));
}
