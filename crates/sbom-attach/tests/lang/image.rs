//! A real image: artifacts built with pip, npm, go and Debian's jars, put into an OCI
//! archive with buildah, read by `sbom-attach generate` through its layer reader, and
//! compared with syft on the same archive.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{run, syft_source};

/// The syft artifact types and purl types of the language catalogers.
const SYFT_TYPES: [&str; 5] = ["python", "npm", "go-module", "rust-crate", "java-archive"];
const PURL_TYPES: [&str; 5] = ["pypi", "npm", "golang", "cargo", "maven"];

fn buildah(work: &Path, buildah: &Path) -> Command {
    let mut command = Command::new(buildah);
    command
        .arg("--storage-driver")
        .arg("vfs")
        .arg("--root")
        .arg(work.join("storage"))
        .arg("--runroot")
        .arg(work.join("run"));
    command
}

#[test]
fn buildah_image_matches_syft() {
    let Some(buildah_tool) = test_support::require_tool("buildah") else {
        return;
    };
    if test_support::require_tool("syft").is_none() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let rootfs = work.path().join("rootfs");
    fs::create_dir_all(&rootfs).unwrap();
    if let Some(python) = test_support::require_tool("python3") {
        run(Command::new(python)
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(rootfs.join("usr/local/lib/python3.11/site-packages"))
            .args(["requests", "idna", "PyYAML"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"));
    }
    if let Some(npm) = test_support::require_tool("npm") {
        let app = rootfs.join("srv/app");
        fs::create_dir_all(&app).unwrap();
        fs::write(
            app.join("package.json"),
            r#"{"name":"app","version":"1.0.0"}"#,
        )
        .unwrap();
        run(Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&app)
            .args(["debug", "@sindresorhus/is"]));
    }
    let _ = crate::go::build_binaries(&work.path().join("go"), &rootfs.join("usr/local/bin"));
    let lib = rootfs.join("opt/app/lib");
    fs::create_dir_all(&lib).unwrap();
    crate::java::write_fixtures(&lib);

    let archive = work.path().join("image.tar");
    let from = buildah(work.path(), &buildah_tool)
        .args(["from", "scratch"])
        .output()
        .unwrap();
    assert!(
        from.status.success(),
        "{}",
        String::from_utf8_lossy(&from.stderr)
    );
    let container = String::from_utf8(from.stdout).unwrap().trim().to_owned();
    run(buildah(work.path(), &buildah_tool)
        .args(["copy", &container])
        .arg(format!("{}/", rootfs.display()))
        .arg("/"));
    run(buildah(work.path(), &buildah_tool)
        .args(["commit", "--quiet", &container])
        .arg(format!("oci-archive:{}", archive.display())));
    let _ = buildah(work.path(), &buildah_tool)
        .args(["rm", &container])
        .output();

    let source = format!("oci-archive:{}", archive.display());
    let output = test_support::scrubbed(env!("CARGO_BIN_EXE_sbom-attach"))
        .args(["generate", &source, "--format", "cyclonedx-json"])
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ours: BTreeSet<String> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|purl| {
            let kind = purl
                .trim_start_matches("pkg:")
                .split('/')
                .next()
                .unwrap_or_default();
            PURL_TYPES.contains(&kind)
        })
        .map(str::to_owned)
        .collect();
    assert!(ours.contains("pkg:maven/com.example/app@1.0"), "{ours:?}");
    let syft: BTreeSet<String> = syft_source(&source, false, &SYFT_TYPES)
        .unwrap()
        .into_iter()
        .map(|(purl, _)| purl)
        .collect();
    assert_eq!(ours, syft);
}
