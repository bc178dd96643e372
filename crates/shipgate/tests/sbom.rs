//! `shipgate sbom` end to end: the real binary on the example repositories, in the spec's
//! SBOM format, with a fixed timestamp. Attaching to a registry is sbom-attach's own
//! end-to-end test; here only the spec's rules around it are checked.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use test_support::{bin, workspace_root};

fn sbom(spec: &str) -> Command {
    let mut command = bin("shipgate");
    command
        .arg("sbom")
        .arg("--spec")
        .arg(format!("examples/{spec}/shipgate.yaml"))
        .current_dir(workspace_root())
        .env("SOURCE_DATE_EPOCH", "1763892000");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_spec_format_is_used_for_a_checkout() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("sbom.json");
    // python-web asks for SPDX 2.3.
    let output = sbom("python-web")
        .args(["dir:examples/python-web", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(document["spdxVersion"], "SPDX-2.3", "{document:#}");
    let again = temp.path().join("again.json");
    let output = sbom("python-web")
        .args(["dir:examples/python-web", "--output"])
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn a_flag_overrides_the_spec_format() {
    let output = sbom("python-web")
        .args([
            "dir:examples/rust-service",
            "--sbom-format",
            "cyclonedx-json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["bomFormat"], "CycloneDX");
    assert!(text(&output.stdout).contains("pkg:cargo/"), "{document:#}");
}

#[test]
fn attaching_against_the_spec_is_refused_before_any_work() {
    let temp = tempfile::tempdir().unwrap();
    // node-app publishes its SBOM as an attestation, not a plain referrer.
    let output = sbom("node-app")
        .args(["dir:examples/node-app", "--output"])
        .arg(temp.path().join("sbom.json"))
        .args([
            "--attach",
            "127.0.0.1:5000/node-app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("sbom.attach"));
    assert!(!temp.path().join("sbom.json").exists());
}

#[test]
fn a_missing_source_is_bad_input() {
    let output = sbom("rust-service")
        .arg("dir:does/not/exist")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}
