//! `generate` on layouts built in the test, and `validate` and `attach --to` on its output.

use serde_json::Value;

use crate::common::{self, run};

fn generate(source: &str, format: &str) -> (i32, String, String) {
    run(test_support::bin("sbom-attach")
        .args(["generate", source, "--format", format])
        .env("SOURCE_DATE_EPOCH", "1700000000"))
}

#[test]
fn later_layers_remove_packages_and_links_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    common::debian_like(&dir.path().join("img"));
    let source = format!("oci-dir:{}", dir.path().join("img").display());
    let (code, stdout, stderr) = generate(&source, "cyclonedx-json");
    assert_eq!(code, 0, "{stderr}");
    let bom: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        common::deb_purls(&bom),
        vec![
            "pkg:deb/debian/alpha@1:1.0-1%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=alpha-src%401.0-1",
            "pkg:deb/debian/beta@2.0-3?arch=all&distro=debian-12",
        ]
    );
    // beta's doc folder links to alpha's: it gets alpha's licenses, as syft does.
    let beta = &bom["components"][1];
    assert_eq!(beta["name"], "beta");
    assert_eq!(beta["licenses"][0]["license"]["id"], "BSD-3-Clause");
    // gamma's file list was whited out; alpha's lists its regular files only.
    assert!(
        bom["dependencies"][0]["dependsOn"][0]
            .as_str()
            .unwrap()
            .starts_with("pkg:deb/debian/beta@")
    );
    let filters = common::tmp_filters(dir.path());
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("debian_like_cyclonedx", stdout);
        insta::assert_snapshot!("debian_like_stderr", stderr);
    });
    let (code, spdx, stderr) = generate(&source, "spdx-json");
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("debian_like_spdx", spdx);
}

#[test]
fn output_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    common::debian_like(&dir.path().join("img"));
    let source = format!("oci-dir:{}", dir.path().join("img").display());
    for format in ["cyclonedx-json", "spdx-json"] {
        let first = generate(&source, format);
        let second = generate(&source, format);
        assert_eq!(first.0, 0);
        assert_eq!(first.1, second.1, "{format}");
    }
    // A different timestamp is a different document, with a different serial number.
    let (_, later, _) = run(test_support::bin("sbom-attach")
        .args(["generate", &source])
        .env("SOURCE_DATE_EPOCH", "1700000001"));
    let (_, first, _) = generate(&source, "cyclonedx-json");
    let serial = |text: &str| serde_json::from_str::<Value>(text).unwrap()["serialNumber"].clone();
    assert_ne!(serial(&later), serial(&first));
}

#[test]
fn own_output_validates_and_attaches_into_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    let manifest = common::debian_like(&layout);
    for (format, file) in [
        ("cyclonedx-json", "bom.cdx.json"),
        ("spdx-json", "bom.spdx.json"),
    ] {
        let path = dir.path().join(file);
        let (code, _, stderr) = run(test_support::bin("sbom-attach")
            .args([
                "generate",
                &format!("oci-dir:{}", layout.display()),
                "--format",
                format,
                "-o",
            ])
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", "1700000000"));
        assert_eq!(code, 0, "{stderr}");
        let (code, _, stderr) = run(test_support::bin("sbom-attach").arg("validate").arg(&path));
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("valid"), "{stderr}");
        let image = format!("registry.invalid/acme/img@{}", manifest.digest());
        let (code, _, stderr) = run(test_support::bin("sbom-attach")
            .args([
                "attach",
                &image,
                "--to",
                &format!("oci-dir:{}", layout.display()),
                "--sbom",
            ])
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", "1700000000"));
        assert_eq!(code, 0, "{stderr}");
    }
    let opened = shipgate_oci::Layout::open_dir(&layout).unwrap();
    let subject = shipgate_core::image_ref::Digest::parse(manifest.digest().as_ref()).unwrap();
    let mut types: Vec<String> = opened
        .referrers(&subject, None)
        .unwrap()
        .iter()
        .map(|d| d.artifact_type().as_ref().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        vec!["application/spdx+json", "application/vnd.cyclonedx+json"]
    );
    // The image itself is still the one the layout resolves to.
    let (code, _, stderr) = generate(&format!("oci-dir:{}", layout.display()), "cyclonedx-json");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn attach_generate_into_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    let manifest = common::debian_like(&layout);
    let image = format!("registry.invalid/acme/img@{}", manifest.digest());
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args([
            "attach",
            &image,
            "--generate",
            "--to",
            &format!("oci-dir:{}", layout.display()),
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("application/vnd.cyclonedx+json"),
        "{stderr}"
    );
}

#[test]
fn dir_sources_resolve_links_inside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    fs_err::create_dir_all(root.join("usr/lib")).unwrap();
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    fs_err::write(root.join("usr/lib/os-release"), common::OS_RELEASE).unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    fs_err::write(root.join("var/lib/dpkg/status"), common::STATUS_AB).unwrap();
    // A loop and a link pointing outside the folder are harmless.
    std::os::unix::fs::symlink("loop-b", root.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", root.join("loop-b")).unwrap();
    fs_err::create_dir_all(root.join("var/lib/dpkg/status.d")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("var/lib/dpkg/status.d/escape")).unwrap();
    let (code, stdout, stderr) = generate(&format!("dir:{}", root.display()), "cyclonedx-json");
    assert_eq!(code, 0, "{stderr}");
    let bom: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(common::deb_purls(&bom).len(), 2);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn oci_archives_give_the_same_sbom() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("img");
    common::debian_like(&layout);
    let archive = dir.path().join("img.tar");
    let file = fs_err::File::create(&archive).unwrap();
    let mut builder = tar::Builder::new(file);
    builder.append_dir_all(".", &layout).unwrap();
    builder.finish().unwrap();
    let (code, from_dir, stderr) =
        generate(&format!("oci-dir:{}", layout.display()), "cyclonedx-json");
    assert_eq!(code, 0, "{stderr}");
    let (code, from_archive, stderr) = generate(
        &format!("oci-archive:{}", archive.display()),
        "cyclonedx-json",
    );
    assert_eq!(code, 0, "{stderr}");
    let purls = |text: &str| common::deb_purls(&serde_json::from_str(text).unwrap());
    assert_eq!(purls(&from_dir), purls(&from_archive));
}
