//! End to end, with real tools (slow; one test binary so CI runs it once): a Debian
//! root filesystem from `debootstrap --variant=minbase bookworm`, images built from it
//! with buildah (one plain, one where a later layer purges a package, hard-links the
//! dpkg database, replaces a folder and adds links), compared with syft's SBOM of the same
//! layout; then pushed to a real registry, read back from it, and an SBOM attached and
//! found through the fallback referrers index.
//!
//! Outside CI the tests skip when debootstrap, buildah or syft is missing, or when not
//! running as root (buildah with `--storage-driver vfs` needs root). The root
//! filesystem is built once and cached in `CARGO_TARGET_TMPDIR` (or taken from
//! `SHIPGATE_TEST_ROOTFS`).

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use test_support::registry::Registry;
use test_support::{require_tool, scrubbed};

use crate::common::run;

/// Runs a command that must succeed; returns its stdout.
fn success(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The tools every test here needs; `None` (skip) outside CI when one is missing.
fn tools() -> Option<()> {
    require_tool("debootstrap")?;
    require_tool("buildah")?;
    require_tool("syft")?;
    if !is_root() {
        assert!(
            !test_support::in_ci(),
            "the end-to-end tests run as root in CI"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipping: buildah with the vfs driver needs root");
        }
        return None;
    }
    Some(())
}

/// The cached Debian bookworm minbase root filesystem.
fn rootfs() -> PathBuf {
    static ROOTFS: OnceLock<PathBuf> = OnceLock::new();
    ROOTFS
        .get_or_init(|| {
            if let Some(given) = std::env::var_os("SHIPGATE_TEST_ROOTFS") {
                return PathBuf::from(given);
            }
            let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bookworm-minbase");
            if cache.join("var/lib/dpkg/status").is_file() {
                return cache;
            }
            let partial = cache.with_extension("partial");
            let _ = fs_err::remove_dir_all(&partial);
            success(
                scrubbed("debootstrap")
                    .args(["--variant=minbase", "bookworm"])
                    .arg(&partial),
            );
            fs_err::rename(&partial, &cache).unwrap();
            cache
        })
        .clone()
}

/// buildah with the settings that work as root without a daemon.
fn buildah(storage: &Path) -> Command {
    let mut command = scrubbed("buildah");
    command
        .arg("--storage-driver")
        .arg("vfs")
        .arg("--root")
        .arg(storage.join("root"))
        .arg("--runroot")
        .arg(storage.join("runroot"));
    command
}

/// One image build at a time: buildah's vfs storage is slow and large.
static BUILDS: Mutex<()> = Mutex::new(());

/// Builds the plain Debian image (uncompressed layer) into `out` as `oci:out:latest`.
fn build_debian(work: &Path, out: &Path) {
    let _single = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let storage = work.join("storage");
    let container = success(buildah(&storage).args(["from", "scratch"]));
    let container = container.trim();
    success(
        buildah(&storage)
            .args(["copy", container])
            .arg(rootfs())
            .arg("/"),
    );
    success(
        buildah(&storage)
            .args(["commit", "--quiet", container])
            .arg(format!("oci:{}:latest", out.display())),
    );
    success(buildah(&storage).args(["rm", container]));
}

/// Builds on top of the Debian image: a second (gzip) layer that purges `tzdata`
/// (whiteouts of its files and a dpkg database without it), turns the database into a
/// hard link, replaces a folder (opaque) and adds links.
fn build_edited(work: &Path, base: &Path, out: &Path) {
    let _single = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let storage = work.join("storage");
    let container = success(
        buildah(&storage)
            .args(["from", "--quiet"])
            .arg(format!("oci:{}:latest", base.display())),
    );
    let container = container.trim();
    let script = "set -e
dpkg --purge --force-all tzdata >/dev/null
mv /var/lib/dpkg/status /var/lib/dpkg/status.real
ln /var/lib/dpkg/status.real /var/lib/dpkg/status
rm -rf /usr/share/man
mkdir -p /usr/share/man
echo new > /usr/share/man/new
ln -s ../usr/lib/os-release /etc/os-release.link
ln /usr/bin/dash /usr/local/bin/dash-hard";
    success(buildah(&storage).args([
        "run",
        "--isolation",
        "chroot",
        container,
        "--",
        "sh",
        "-c",
        script,
    ]));
    success(
        buildah(&storage)
            .args([
                "commit",
                "--quiet",
                "--disable-compression=false",
                container,
            ])
            .arg(format!("oci:{}:latest", out.display())),
    );
    success(buildah(&storage).args(["rm", container]));
}

/// A work folder whose path is lower-case (buildah derives image names from it).
fn workdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("e2e-{}-{name}", std::process::id()))
        .rand_bytes(0)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn ours(source: &str) -> Value {
    let (code, stdout, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", source])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn syft(source: &str, work: &Path) -> Value {
    let out = work.join(format!("syft-{}.json", common::sha256(source.as_bytes())));
    success(
        scrubbed("syft")
            .args(["-q", source, "-o"])
            .arg(format!("cyclonedx-json={}", out.display()))
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false"),
    );
    serde_json::from_slice(&fs_err::read(&out).unwrap()).unwrap()
}

#[test]
fn debian_image_matches_syft_and_attaches_through_a_registry() {
    if tools().is_none() {
        return;
    }
    let work = workdir("registry");
    let layout = work.path().join("debian");
    build_debian(work.path(), &layout);
    let source = format!("oci-dir:{}", layout.display());
    let mine = ours(&source);
    let theirs = syft(&source, work.path());
    let mine_purls = common::deb_purls(&mine);
    assert!(mine_purls.len() > 50, "{mine_purls:?}");
    assert_eq!(mine_purls, common::deb_purls(&theirs));
    // CPEs too, package by package.
    let cpes = |bom: &Value| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                Some((
                    c["purl"].as_str()?.to_owned(),
                    c["cpe"].as_str()?.to_owned(),
                ))
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(cpes(&mine), cpes(&theirs));

    // syft's own SBOM passes our validator.
    let syft_file = work.path().join("syft.cdx.json");
    fs_err::write(&syft_file, serde_json::to_vec(&theirs).unwrap()).unwrap();
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .arg("validate")
        .arg(&syft_file));
    assert_eq!(code, 0, "{stderr}");

    // So do trivy's CycloneDX and SPDX documents of the same layout (offline: the license
    // scanner needs no vulnerability database).
    if let Some(trivy) = require_tool("trivy") {
        for format in ["cyclonedx", "spdx-json"] {
            let out = work.path().join(format!("trivy.{format}.json"));
            success(
                scrubbed(&trivy)
                    .args([
                        "image",
                        "--quiet",
                        "--scanners",
                        "license",
                        "--format",
                        format,
                        "--cache-dir",
                    ])
                    .arg(work.path().join("trivy-cache"))
                    .arg("--output")
                    .arg(&out)
                    .arg("--input")
                    .arg(&layout),
            );
            let (code, _, stderr) = run(test_support::bin("sbom-attach").arg("validate").arg(&out));
            assert_eq!(code, 0, "{format}: {stderr}");
        }
    }

    // The same image as zstd layers and as a `docker save` archive (skopeo converts).
    if let Some(skopeo) = require_tool("skopeo") {
        let zstd = work.path().join("zstd");
        success(
            scrubbed(&skopeo)
                .args(["copy", "--quiet", "--dest-compress-format", "zstd"])
                .arg(format!("oci:{}:latest", layout.display()))
                .arg(format!("oci:{}:latest", zstd.display())),
        );
        let index = fs_err::read_to_string(zstd.join("index.json")).unwrap();
        let manifest: Value = {
            let index: Value = serde_json::from_str(&index).unwrap();
            let digest = index["manifests"][0]["digest"].as_str().unwrap();
            let blob = zstd
                .join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:"));
            serde_json::from_slice(&fs_err::read(blob).unwrap()).unwrap()
        };
        assert!(
            manifest["layers"][0]["mediaType"]
                .as_str()
                .unwrap()
                .ends_with("+zstd"),
            "{manifest}"
        );
        assert_eq!(
            common::deb_purls(&ours(&format!("oci-dir:{}", zstd.display()))),
            mine_purls
        );
        let archive = work.path().join("debian.tar");
        success(
            scrubbed(&skopeo)
                .args(["copy", "--quiet"])
                .arg(format!("oci:{}:latest", layout.display()))
                .arg(format!(
                    "docker-archive:{}:test/debian:12",
                    archive.display()
                )),
        );
        assert_eq!(
            common::deb_purls(&ours(&format!("docker-archive:{}", archive.display()))),
            mine_purls
        );
    }

    // The same image from a real registry.
    let Some(registry) = Registry::start() else {
        return;
    };
    let client = shipgate_oci::Client::new(shipgate_oci::ClientOptions::default()).unwrap();
    let destination =
        shipgate_core::image_ref::parse(&registry.reference("test/debian", "12")).unwrap();
    let opened = shipgate_oci::Layout::open_dir(&layout).unwrap();
    let report = shipgate_oci::push(
        &client,
        &opened,
        Some("latest"),
        std::slice::from_ref(&destination),
        shipgate_oci::PushOptions::default(),
    )
    .unwrap();
    let remote = format!("registry:{}", registry.reference("test/debian", "12"));
    assert_eq!(
        common::deb_purls(&ours(&remote)),
        mine_purls,
        "{}",
        registry.log()
    );

    let pinned = format!("{}/test/debian@{}", registry.host(), report.digest);
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["attach", &pinned, "--generate"])
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(code, 0, "{stderr}\n{}", registry.log());
    assert!(stderr.contains("fallback referrers index"), "{stderr}");
    let subject = shipgate_core::image_ref::Digest::parse(&report.digest).unwrap();
    let index = client
        .fallback_referrers(&destination, &subject)
        .unwrap()
        .expect("a fallback index");
    let types: Vec<String> = index
        .manifests()
        .iter()
        .map(|d| d.artifact_type().as_ref().unwrap().to_string())
        .collect();
    assert_eq!(types, vec!["application/vnd.cyclonedx+json"]);
    let listed = client
        .referrers(
            &destination,
            &subject,
            Some("application/vnd.cyclonedx+json"),
        )
        .unwrap();
    assert_eq!(listed.len(), 1);
    // An SPDX SBOM from a file joins it in the same index.
    let spdx = work.path().join("bom.spdx.json");
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["generate", &remote, "--format", "spdx-json", "-o"])
        .arg(&spdx));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(test_support::bin("sbom-attach")
        .args(["attach", &pinned, "--sbom"])
        .arg(&spdx));
    assert_eq!(code, 0, "{stderr}");
    let all = client.referrers(&destination, &subject, None).unwrap();
    let mut types: Vec<String> = all
        .iter()
        .map(|d| d.artifact_type().as_ref().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        vec!["application/spdx+json", "application/vnd.cyclonedx+json"]
    );
}

#[test]
fn later_layer_edits_match_syft() {
    if tools().is_none() {
        return;
    }
    let work = workdir("edited");
    let base = work.path().join("debian");
    build_debian(work.path(), &base);
    let edited = work.path().join("edited");
    build_edited(work.path(), &base, &edited);
    let source = format!("oci-dir:{}", edited.display());
    let mine = ours(&source);
    let purls = common::deb_purls(&mine);
    assert!(
        !purls
            .iter()
            .any(|p| p.starts_with("pkg:deb/debian/tzdata@")),
        "{purls:?}"
    );
    assert!(purls.iter().any(|p| p.starts_with("pkg:deb/debian/libc6@")));
    assert_eq!(purls, common::deb_purls(&syft(&source, work.path())));
    let before = common::deb_purls(&ours(&format!("oci-dir:{}", base.display())));
    assert_eq!(before.len(), purls.len() + 1);
}
