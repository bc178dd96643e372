//! Images built in tests: layer tars, compression, and layouts written with
//! `LayoutWriter`.

use std::path::Path;

use shipgate_oci::LayoutWriter;
use shipgate_oci::spec::{Descriptor, ImageManifest, MediaType, Platform as SpecPlatform};

pub(crate) use test_support::layers::{Member, gzip, layer_tar, sha256};

/// zstd in two frames, to check multi-frame streams.
pub(crate) fn zstd_two_frames(data: &[u8]) -> Vec<u8> {
    let (first, second) = data.split_at(data.len() / 2);
    let mut out =
        ruzstd::encoding::compress_to_vec(first, ruzstd::encoding::CompressionLevel::Fastest);
    out.extend(ruzstd::encoding::compress_to_vec(
        second,
        ruzstd::encoding::CompressionLevel::Fastest,
    ));
    out
}

/// A layer: its media type, stored bytes and uncompressed tar.
pub(crate) struct Layer {
    pub(crate) media_type: MediaType,
    pub(crate) stored: Vec<u8>,
    pub(crate) tar: Vec<u8>,
}

impl Layer {
    pub(crate) fn plain(members: &[Member<'_>]) -> Self {
        let tar = layer_tar(members);
        Self {
            media_type: MediaType::ImageLayer,
            stored: tar.clone(),
            tar,
        }
    }

    pub(crate) fn gzip(members: &[Member<'_>]) -> Self {
        let tar = layer_tar(members);
        Self {
            media_type: MediaType::ImageLayerGzip,
            stored: gzip(&tar),
            tar,
        }
    }

    pub(crate) fn zstd(members: &[Member<'_>]) -> Self {
        let tar = layer_tar(members);
        Self {
            media_type: MediaType::ImageLayerZstd,
            stored: zstd_two_frames(&tar),
            tar,
        }
    }
}

/// Writes an image (config + layers + manifest) for `os/arch` and returns the manifest's
/// descriptor, with its platform set, not yet listed in `index.json`.
pub(crate) fn write_image(
    writer: &mut LayoutWriter,
    layers: &[Layer],
    os: &str,
    arch: &str,
) -> Descriptor {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(&l.tar)).collect();
    let config = serde_json::json!({
        "architecture": arch,
        "os": os,
        "config": {"Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config = writer
        .add_blob(
            MediaType::ImageConfig,
            &serde_json::to_vec(&config).unwrap(),
        )
        .unwrap();
    let layer_descriptors = layers
        .iter()
        .map(|l| writer.add_blob(l.media_type.clone(), &l.stored).unwrap())
        .collect();
    let manifest: ImageManifest = shipgate_oci::writer::new_manifest(config, layer_descriptors);
    let mut descriptor = writer.add_manifest(&manifest).unwrap();
    let platform: SpecPlatform =
        serde_json::from_value(serde_json::json!({"os": os, "architecture": arch})).unwrap();
    descriptor.set_platform(Some(platform));
    descriptor
}

/// A layout with one small linux/amd64 image tagged `v1`.
pub(crate) fn simple_layout(dir: &Path) -> (LayoutWriter, Descriptor) {
    let mut writer = LayoutWriter::create(dir).unwrap();
    let layers = [
        Layer::gzip(&[
            Member::Dir("etc"),
            Member::File("etc/os-release", b"ID=test\n"),
        ]),
        Layer::plain(&[Member::File("hello.txt", b"hello\n")]),
    ];
    let descriptor = write_image(&mut writer, &layers, "linux", "amd64");
    writer.tag(&descriptor, "v1").unwrap();
    (writer, descriptor)
}

/// A tar of the folder `dir` (its content at the archive root).
pub(crate) fn tar_folder(dir: &Path, out: &Path) {
    let file = fs_err::File::create(out).unwrap();
    let mut builder = tar::Builder::new(file);
    builder.append_dir_all(".", dir).unwrap();
    builder.finish().unwrap();
}

/// Insta filters replacing a temporary folder by `[TMP]`.
pub(crate) fn tmp_filter(dir: &Path) -> Vec<(String, String)> {
    vec![(regex_escape(&dir.display().to_string()), "[TMP]".to_owned())]
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The rendered error text, as a user reads it.
pub(crate) fn render(error: &shipgate_oci::Error) -> String {
    shipgate_core::diagnostic::render(error)
}
