//! What users read when the input is wrong: exit codes and messages.

use std::path::Path;

use crate::common::{self, run};

fn snapshot(name: &str, dir: &Path, text: &str) {
    let filters = common::tmp_filters(dir);
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn invalid_sbom_lists_problems_with_json_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    fs_err::write(
        &file,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:nope","metadata":{"timestamp":"yesterday"},"components":[{"type":"library"},{"type":"gadget","name":"x","purl":"npm:x"}]}"#,
    )
    .unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach").arg("validate").arg(&file));
    assert_eq!(code, 2);
    snapshot("invalid_cyclonedx", dir.path(), &stderr);
    fs_err::write(
        &file,
        b"{\"spdxVersion\":\"SPDX-2.3\",\n\"packages\":[{\"SPDXID\":\"bad id\"}]}",
    )
    .unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach").arg("validate").arg(&file));
    assert_eq!(code, 2);
    snapshot("invalid_spdx", dir.path(), &stderr);
    fs_err::write(&file, b"{\"bomFormat\": ").unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach").arg("validate").arg(&file));
    assert_eq!(code, 2);
    snapshot("not_json", dir.path(), &stderr);
}

#[test]
fn attach_refuses_a_tag_and_a_large_sbom() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    let manifest = common::debian_like(&layout);
    let (code, _, stderr) = run(test_support::bin("sbom-attach").args([
        "attach",
        "registry.invalid/acme/img:1.0",
        "--generate",
    ]));
    assert_eq!(code, 2);
    snapshot("attach_tag", dir.path(), &stderr);
    let image = format!("registry.invalid/acme/img@{}", manifest.digest());
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args([
            "attach",
            &image,
            "--generate",
            "--max-size",
            "1k",
            "--to",
            &format!("oci-dir:{}", layout.display()),
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 1, "{stderr}");
    snapshot("attach_too_large", dir.path(), &stderr);
    let other = format!("registry.invalid/acme/img@sha256:{}", "0".repeat(64));
    let (code, _, stderr) = run(test_support::bin("sbom-attach").args([
        "attach",
        &other,
        "--sbom",
        "/dev/null",
        "--to",
        &format!("oci-dir:{}", layout.display()),
    ]));
    assert_eq!(code, 2, "{stderr}");
    snapshot("attach_empty_sbom", dir.path(), &stderr);
}

#[test]
fn corrupt_layers_name_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    // A layer whose bytes match its digest but are not gzip.
    let mut writer = shipgate_oci::LayoutWriter::create(&layout).unwrap();
    let config = writer
        .add_blob(
            shipgate_oci::spec::MediaType::ImageConfig,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
    let good = common::gzip(&common::layer_tar(&[common::Member::File(
        "var/lib/dpkg/status",
        common::STATUS_AB,
    )]));
    let truncated = good[..good.len() - 40].to_vec();
    let layer = writer
        .add_blob(shipgate_oci::spec::MediaType::ImageLayerGzip, &truncated)
        .unwrap();
    let manifest = shipgate_oci::writer::new_manifest(config, vec![layer]);
    let descriptor = writer.add_manifest(&manifest).unwrap();
    writer.tag(&descriptor, "latest").unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", &format!("oci-dir:{}", layout.display())]));
    assert_eq!(code, 2, "{stderr}");
    snapshot("truncated_gzip_layer", dir.path(), &stderr);

    // A blob changed after it was written: the digest check names it.
    let dir2 = tempfile::tempdir().unwrap();
    let layout2 = dir2.path().join("img");
    let descriptor = common::write_layout(
        &layout2,
        &[common::layer_tar(&[common::Member::File("a", b"a")])],
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &fs_err::read(
            layout2.join("blobs/sha256").join(
                descriptor
                    .digest()
                    .to_string()
                    .trim_start_matches("sha256:"),
            ),
        )
        .unwrap(),
    )
    .unwrap();
    let layer_digest = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned();
    let blob = layout2.join("blobs/sha256").join(&layer_digest);
    let mut bytes = fs_err::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs_err::write(&blob, bytes).unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", &format!("oci-dir:{}", layout2.display())]));
    assert_eq!(code, 2, "{stderr}");
    snapshot("modified_layer", dir2.path(), &stderr);
}

#[test]
fn malformed_package_database_makes_an_incomplete_sbom() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    common::write_layout(
        &layout,
        &[common::layer_tar(&[
            common::Member::File("etc/os-release", common::OS_RELEASE),
            common::Member::File("var/lib/dpkg/status", b" stray continuation\nPackage: ok\nVersion: 1\nArchitecture: amd64\n\nVersion: 2\nArchitecture: amd64\n"),
        ])],
    );
    let (code, stdout, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", &format!("oci-dir:{}", layout.display())])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 0, "{stderr}");
    snapshot("incomplete_stderr", dir.path(), &stderr);
    let bom: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(bom["compositions"][0]["aggregate"], "incomplete");
    assert_eq!(
        common::deb_purls(&bom),
        vec!["pkg:deb/debian/ok@1?arch=amd64&distro=debian-12"]
    );
}

#[test]
fn bad_flags() {
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", "oci-dir:/nonexistent"])
        .env("SOURCE_DATE_EPOCH", "yesterday"));
    assert_eq!(code, 2);
    insta::assert_snapshot!("bad_source_date_epoch", stderr);
    let (code, _, stderr) =
        run(test_support::bin("sbom-attach").args(["generate", "oci-dir:/nonexistent/layout"]));
    assert_eq!(code, 2);
    insta::assert_snapshot!("missing_layout", stderr);
    let digest = format!("sha256:{}", "a".repeat(64));
    let (code, _, stderr) = run(test_support::bin("sbom-attach").args([
        "attach",
        &format!("registry.invalid/x@{digest}"),
        "--generate",
        "--to",
        "docker:x",
    ]));
    assert_eq!(code, 2);
    insta::assert_snapshot!("bad_to", stderr);
}

/// A tar member written with a raw name (`tar::Builder` refuses `..` and absolute ones).
fn raw_member(tar: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.extend_from_slice(header.as_bytes());
    tar.extend_from_slice(data);
    tar.resize(tar.len().div_ceil(512) * 512, 0);
}

#[test]
fn absolute_and_dot_dot_members_stay_inside_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    let mut tar = Vec::new();
    raw_member(&mut tar, "/etc/os-release", common::OS_RELEASE);
    raw_member(&mut tar, "/var/lib/dpkg/status", common::STATUS_AB);
    raw_member(&mut tar, "../../../../tmp/escaped-by-sbom-attach", b"x");
    raw_member(
        &mut tar,
        "var/lib/dpkg/../../../../etc/passwd",
        b"root:x:0:0\n",
    );
    tar.extend_from_slice(&[0u8; 1024]);
    common::write_layout(&layout, &[tar]);
    let (code, stdout, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", &format!("oci-dir:{}", layout.display())])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 0, "{stderr}");
    let bom: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(common::deb_purls(&bom).len(), 2);
    assert!(!Path::new("/tmp/escaped-by-sbom-attach").exists());
}
