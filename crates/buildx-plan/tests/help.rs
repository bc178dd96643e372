//! The `--help` users read, and the exit code of a binary whose commands are not built yet.

#[test]
fn help() {
    let output = test_support::bin("buildx-plan")
        .arg("--help")
        .output()
        .expect("run buildx-plan");
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn not_implemented_is_an_environment_error() {
    let output = test_support::bin("buildx-plan")
        .output()
        .expect("run buildx-plan");
    assert_eq!(output.status.code(), Some(3));
}
