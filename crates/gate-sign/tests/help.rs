//! The `--help` users read, and the messages of common failures.
#![allow(clippy::unwrap_used)]

fn help_of(args: &[&str]) -> String {
    let output = test_support::bin("gate-sign")
        .args(args)
        .arg("--help")
        .output()
        .expect("run gate-sign");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help() {
    insta::assert_snapshot!(help_of(&[]));
}

#[test]
fn sign_help() {
    insta::assert_snapshot!(help_of(&["sign"]));
}

#[test]
fn attest_help() {
    insta::assert_snapshot!(help_of(&["attest"]));
}

#[test]
fn verify_help() {
    insta::assert_snapshot!(help_of(&["verify"]));
}

#[test]
fn no_command_is_a_usage_error() {
    let output = test_support::bin("gate-sign")
        .output()
        .expect("run gate-sign");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_missing_signature_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = shipgate_oci::LayoutWriter::create(dir.path()).unwrap();
    let config = writer
        .add_blob(
            shipgate_oci::spec::MediaType::ImageConfig,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
    let manifest = shipgate_oci::writer::new_manifest(config, vec![]);
    let descriptor = writer.add_manifest(&manifest).unwrap();
    writer.tag(&descriptor, "latest").unwrap();
    let key = dir.path().join("cosign.pub");
    fs_err::write(
        &key,
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeGfqzSf0eihRGom6yuFVckhgYtjB\n9awSz1o71YMApapiycI4NFfdgGRmT1omfBgfCsASShDbRVXd9j/inM4Zow==\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let output = test_support::bin("gate-sign")
        .current_dir(dir.path())
        .args(["verify", "--key", "cosign.pub", "oci-dir:."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let digest = descriptor.digest().to_string();
    insta::assert_snapshot!(stderr.replace(&digest, "sha256:<image>"));
}
