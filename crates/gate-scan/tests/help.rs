//! The `--help` users read, for the binary and each command.

fn help(args: &[&str]) -> String {
    let output = test_support::bin("gate-scan")
        .args(args)
        .arg("--help")
        .output()
        .expect("run gate-scan");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_top() {
    insta::assert_snapshot!("help", help(&[]));
}

#[test]
fn help_report() {
    insta::assert_snapshot!(help(&["report"]));
}

#[test]
fn help_sbom() {
    insta::assert_snapshot!(help(&["sbom"]));
}

#[test]
fn help_versions_compare() {
    insta::assert_snapshot!(help(&["versions", "compare"]));
}

#[test]
fn help_dockerfile() {
    insta::assert_snapshot!(help(&["dockerfile"]));
}

#[test]
fn help_manifests() {
    insta::assert_snapshot!(help(&["manifests"]));
}

#[test]
fn no_command_is_a_usage_error() {
    let output = test_support::bin("gate-scan")
        .output()
        .expect("run gate-scan");
    assert_eq!(output.status.code(), Some(2));
}
