//! `shipgate scan` end to end: the real binary on the example specs, with gate-scan's
//! report fixtures, the spec's policy (fail-on, only-fixed, ignore, vex) and its Dockerfile.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use test_support::{bin, workspace_root};

fn scan(spec: &str) -> Command {
    let mut command = bin("shipgate");
    command
        .arg("scan")
        .arg("--spec")
        .arg(format!("examples/{spec}/shipgate.yaml"))
        .current_dir(workspace_root())
        .env("SHIPGATE_NOW", "2026-11-23T10:00:00Z");
    command
}

fn report(name: &str) -> String {
    format!("crates/gate-scan/tests/fixtures/{name}")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn verdict(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)))
}

#[test]
fn the_spec_policy_gates_a_report_and_the_dockerfile() {
    let output = scan("python-web")
        .args(["--report", &report("trivy-image.json"), "--format", "json"])
        .output()
        .unwrap();
    let verdict = verdict(&output);
    let roles: Vec<&str> = verdict["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|input| input["role"].as_str().unwrap())
        .collect();
    // The spec's ignore file and VEX document are recorded as inputs too.
    assert_eq!(
        roles,
        ["report", "dockerfile", "policy", "vex"],
        "{verdict:#}"
    );
    // The spec's fail-on (medium) and only-fixed are the policy.
    let policy = &verdict["policy"];
    assert_eq!(policy["fail_on"], "medium", "{verdict:#}");
    assert_eq!(policy["only_fixed"], true, "{verdict:#}");
    // Medium and above, fixable only: the low and the unknown finding do not count, the
    // Dockerfile's unpinned base images (SG-DF-003, medium) do.
    let counted = &verdict["summary"]["counted_by_severity"];
    assert_eq!(counted["low"], 0, "{verdict:#}");
    assert_eq!(counted["unknown"], 0, "{verdict:#}");
    assert!(
        verdict["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["id"] == "SG-DF-003"),
        "{verdict:#}"
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
}

#[test]
fn a_flag_overrides_the_spec() {
    let output = scan("python-web")
        .args([
            "--report",
            &report("trivy-image.json"),
            "--fail-on",
            "none",
            "--no-misconfig",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let verdict = verdict(&output);
    assert_eq!(verdict["policy"]["fail_on"], "none", "{verdict:#}");
    assert!(
        verdict["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|input| input["role"] != "dockerfile"),
        "{verdict:#}"
    );
}

#[test]
fn nothing_to_scan_is_bad_input() {
    let output = scan("rust-service").arg("--no-misconfig").output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("nothing to scan"));
}

#[test]
fn an_unreadable_report_fails_closed() {
    let output = scan("rust-service")
        .args(["--report", "README.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}

#[test]
fn an_image_is_catalogued_and_matched_offline() {
    // A root filesystem with Debian 12's libssl3 from an openssl build the fixture
    // database's DSA-5532-1 fixes later.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.path().join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("var/lib/dpkg/status"),
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n",
    )
    .unwrap();
    let output = scan("rust-service")
        .arg("--image")
        .arg(format!("dir:{}", root.path().display()))
        .args([
            "--osv",
            "crates/gate-scan/tests/fixtures/osv/db",
            "--no-misconfig",
            "--fail-on",
            "unknown",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let verdict = verdict(&output);
    let ids: Vec<&str> = verdict["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"DSA-5532-1"), "{verdict:#}");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
}

#[test]
fn osv_without_an_sbom_is_bad_input() {
    let output = scan("rust-service")
        .args(["--osv", "crates/gate-scan/tests/fixtures/osv/db"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--osv needs an SBOM"));
}
