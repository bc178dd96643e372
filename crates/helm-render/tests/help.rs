//! The `--help` users read, and the exit code of a binary whose commands are not built yet.

#[test]
fn help() {
    let output = test_support::bin("helm-render")
        .arg("--help")
        .output()
        .expect("run helm-render");
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn not_implemented_is_an_environment_error() {
    let output = test_support::bin("helm-render")
        .output()
        .expect("run helm-render");
    assert_eq!(output.status.code(), Some(3));
}
