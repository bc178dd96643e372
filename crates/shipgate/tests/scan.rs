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
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}", text(&output.stderr));
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
