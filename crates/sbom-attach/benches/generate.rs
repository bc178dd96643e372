//! `sbom-attach generate` against its peers on the same image, in one run: syft
//! (`syft oci-dir:…`), trivy (`trivy image --input LAYOUT --format cyclonedx`, offline:
//! license scanner only, a fresh cache per run so no layer analysis is reused), and the
//! floor: decompressing and digest-checking every layer without looking at a file.
//!
//! The image is `SBOM_BENCH_LAYOUT` (an OCI layout folder) or, when unset, a Debian
//! bookworm minbase image with a gzip layer built here with debootstrap and buildah
//! (root needed; the root filesystem is taken from `SHIPGATE_TEST_ROOTFS` when set).
//! A missing peer is reported and skipped. Each measurement is the median of
//! `SBOM_BENCH_RUNS` runs (default 5), after one warm-up read of the layers.
//!
//! Run with `cargo bench -p sbom-attach --bench generate`.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

fn quiet(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Builds the benchmark image (gzip layer) into `out`; `None` when tools are missing.
fn build_image(work: &Path) -> Option<PathBuf> {
    if !on_path("buildah") {
        eprintln!("skipping: set SBOM_BENCH_LAYOUT or install buildah (and debootstrap)");
        return None;
    }
    let rootfs = match std::env::var_os("SHIPGATE_TEST_ROOTFS") {
        Some(given) => PathBuf::from(given),
        None => {
            if !on_path("debootstrap") {
                eprintln!("skipping: debootstrap is not installed");
                return None;
            }
            let rootfs = work.join("rootfs");
            if !quiet(
                Command::new("debootstrap")
                    .args(["--variant=minbase", "bookworm"])
                    .arg(&rootfs),
            ) {
                eprintln!("skipping: debootstrap failed (root and a package mirror are needed)");
                return None;
            }
            rootfs
        }
    };
    let storage = work.join("storage");
    let buildah = || {
        let mut command = Command::new("buildah");
        command
            .args(["--storage-driver", "vfs", "--root"])
            .arg(storage.join("root"))
            .arg("--runroot")
            .arg(storage.join("runroot"));
        command
    };
    let output = buildah().args(["from", "scratch"]).output().ok()?;
    let container = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if container.is_empty() {
        eprintln!("skipping: buildah could not start a container (root needed)");
        return None;
    }
    let layout = work.join("image");
    let built = quiet(buildah().args(["copy", &container]).arg(&rootfs).arg("/"))
        && quiet(
            buildah()
                .args([
                    "commit",
                    "--quiet",
                    "--disable-compression=false",
                    &container,
                ])
                .arg(format!("oci:{}:latest", layout.display())),
        );
    let _ = quiet(buildah().args(["rm", &container]));
    built.then_some(layout)
}

fn decompress_layers(layout: &Path) {
    let source = shipgate_oci::Source::parse(&format!("oci-dir:{}", layout.display())).unwrap();
    let image = source.open_local(&shipgate_oci::Platform::host()).unwrap();
    for descriptor in image.image.manifest.layers() {
        let mut reader =
            shipgate_oci::layers::LayerReader::open(image.store.as_ref(), descriptor).unwrap();
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        reader.finish().unwrap();
    }
}

fn main() {
    let runs: usize = std::env::var("SBOM_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let work = tempfile::tempdir().unwrap();
    let layout = match std::env::var_os("SBOM_BENCH_LAYOUT") {
        Some(given) => PathBuf::from(given),
        None => match build_image(work.path()) {
            Some(layout) => layout,
            None => return,
        },
    };
    let source = format!("oci-dir:{}", layout.display());
    let size: u64 = fs_err::read_dir(layout.join("blobs/sha256"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "image: {source} ({:.1} MiB of blobs), median of {runs} runs",
        size as f64 / 1048576.0
    );

    decompress_layers(&layout); // warm the page cache
    let floor = measure(runs, || decompress_layers(&layout));
    let mut packages = 0;
    let ours = measure(runs, || {
        let sbom =
            sbom_attach::generate(&source, &sbom_attach::GenerateOptions::default()).unwrap();
        packages = sbom.catalog.packages.len();
        let _ = sbom.render(sbom_attach::Format::CycloneDxJson);
    });
    println!(
        "{:<34} {:>9.1} ms",
        "decompress + digest-check layers",
        floor.as_secs_f64() * 1e3
    );
    println!(
        "{:<34} {:>9.1} ms  ({packages} packages)",
        "sbom-attach generate",
        ours.as_secs_f64() * 1e3
    );
    let ratio = |peer: Duration| peer.as_secs_f64() / ours.as_secs_f64().max(1e-9);
    if on_path("syft") {
        let syft = measure(runs, || {
            assert!(quiet(
                Command::new("syft")
                    .args(["-q", &source, "-o", "cyclonedx-json=/dev/null"])
                    .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            ));
        });
        println!("{:<34} {:>9.1} ms", "syft", syft.as_secs_f64() * 1e3);
        println!("ratio syft / sbom-attach: {:.1}x", ratio(syft));
    } else {
        println!("syft: not installed, skipped");
    }
    if on_path("trivy") {
        let mut run = 0;
        let trivy = measure(runs, || {
            run += 1;
            let cache = work.path().join(format!("trivy-cache-{run}"));
            assert!(quiet(
                Command::new("trivy")
                    .args([
                        "image",
                        "--quiet",
                        "--format",
                        "cyclonedx",
                        "--output",
                        "/dev/null",
                        "--scanners",
                        "license",
                        "--cache-dir"
                    ])
                    .arg(&cache)
                    .arg("--input")
                    .arg(&layout)
            ));
        });
        println!(
            "{:<34} {:>9.1} ms",
            "trivy (offline, fresh cache)",
            trivy.as_secs_f64() * 1e3
        );
        println!("ratio trivy / sbom-attach: {:.1}x", ratio(trivy));
    } else {
        println!("trivy: not installed, skipped");
    }
    println!(
        "ratio sbom-attach / decompression: {:.2}x",
        ours.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );
}
