//! `--help` of the binary and of each command.

#[test]
fn help() {
    for args in [
        vec!["--help"],
        vec!["generate", "--help"],
        vec!["validate", "--help"],
        vec!["attach", "--help"],
    ] {
        let output = test_support::bin("sbom-attach")
            .args(&args)
            .output()
            .expect("run sbom-attach");
        assert!(output.status.success(), "{args:?}");
        let name = format!("help_{}", args[0].trim_start_matches('-'));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
    }
}

#[test]
fn no_command_is_a_usage_error() {
    let output = test_support::bin("sbom-attach")
        .output()
        .expect("run sbom-attach");
    assert_eq!(output.status.code(), Some(2));
}
