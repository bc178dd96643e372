//! Pushes the same multi-layer OCI layout to a fresh real `docker-registry` with
//! `shipgate_oci::push` and with `skopeo copy`, and prints both times and their ratio.
//! Run with `cargo bench -p shipgate-oci`; the goal is shipgate at least as fast as skopeo,
//! and faster on many layers thanks to parallel uploads. Asserts nothing.
//!
//! `cargo test --all-targets` runs bench binaries without `--bench`: then this returns at
//! once.

#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use shipgate_oci::spec::{Descriptor, MediaType};
use shipgate_oci::{Client, ClientOptions, Layout, LayoutWriter, PushOptions, push};
use test_support::registry::Registry;

/// Layers in the image, and the size of each.
const LAYERS: usize = 12;
const LAYER_SIZE: usize = 8 * 1024 * 1024;
const RUNS: usize = 3;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(skopeo) = test_support::require_tool("skopeo") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout_dir = dir.path().join("layout");
    write_layout(&layout_dir);
    let layout = Layout::open(&layout_dir).unwrap();
    let client = Client::new(ClientOptions::default()).unwrap();

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for run in 0..RUNS {
        // A fresh registry per tool and run, so nothing is present or mountable.
        let registry = Registry::start().unwrap();
        let target =
            shipgate_core::image_ref::parse(&registry.reference("bench/app", "v1")).unwrap();
        let started = Instant::now();
        push(&client, &layout, None, &[target], PushOptions::default()).unwrap();
        ours.push(started.elapsed());
        drop(registry);

        let registry = Registry::start().unwrap();
        let started = Instant::now();
        let status = Command::new(&skopeo)
            .args([
                "copy",
                "--quiet",
                "--preserve-digests",
                "--dest-tls-verify=false",
            ])
            .arg(format!("oci:{}:v1", layout_dir.display()))
            .arg(format!(
                "docker://{}",
                registry.reference("bench/app", "v1")
            ))
            .status()
            .unwrap();
        assert!(status.success());
        theirs.push(started.elapsed());
        println!(
            "run {}: shipgate {:>8.3?}  skopeo {:>8.3?}",
            run + 1,
            ours[run],
            theirs[run]
        );
    }
    let best = |times: &[Duration]| times.iter().min().copied().unwrap_or_default();
    let (ours, theirs) = (best(&ours), best(&theirs));
    println!(
        "{LAYERS} layers of {} MiB: shipgate {ours:.3?}, skopeo copy {theirs:.3?}, ratio shipgate/skopeo {:.2}",
        LAYER_SIZE / (1024 * 1024),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

/// A layout with `LAYERS` incompressible layers, tagged `v1`.
fn write_layout(dir: &Path) {
    let mut writer = LayoutWriter::create(dir).unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut layers: Vec<Descriptor> = Vec::new();
    for _ in 0..LAYERS {
        let mut data = Vec::with_capacity(LAYER_SIZE);
        while data.len() < LAYER_SIZE {
            // xorshift64: cheap bytes that no compression shrinks.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            data.extend_from_slice(&state.to_le_bytes());
        }
        layers.push(writer.add_blob(MediaType::ImageLayerGzip, &data).unwrap());
    }
    let config = writer
        .add_blob(
            MediaType::ImageConfig,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
    let manifest = shipgate_oci::writer::new_manifest(config, layers);
    let image = writer.add_manifest(&manifest).unwrap();
    writer.tag(&image, "v1").unwrap();
}
