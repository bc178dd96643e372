//! Damaged layouts: every problem is exit 2 and names the file and the digest.

use std::io::Read;

use shipgate_core::exit::{Exit, ExitStatus};
use shipgate_oci::layers::flatten;
use shipgate_oci::{Error, Layout, LayoutWriter, Platform, Source};

use crate::common::{render, simple_layout, tmp_filter};

fn amd64() -> Platform {
    Platform::parse("linux/amd64").unwrap()
}

/// Renders `error`, checks its exit code and snapshots it with the temp folder hidden.
fn snapshot(name: &str, dir: &std::path::Path, error: &Error) {
    assert_eq!(error.exit(), Exit::BadInput, "{error:?}");
    let filters = tmp_filter(dir);
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters, prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, render(error));
    });
}

fn blob_path(
    dir: &std::path::Path,
    descriptor: &shipgate_oci::spec::Descriptor,
) -> std::path::PathBuf {
    let digest = LayoutWriter::digest_of(descriptor).unwrap();
    dir.join("blobs/sha256").join(digest.hex())
}

#[test]
fn malformed_index_json() {
    let dir = tempfile::tempdir().unwrap();
    simple_layout(dir.path());
    fs_err::write(
        dir.path().join("index.json"),
        b"{\"schemaVersion\": 2, \"manifests\": [",
    )
    .unwrap();
    let error = Layout::open(dir.path()).unwrap_err();
    snapshot("malformed_index_json", dir.path(), &error);
}

#[test]
fn malformed_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, _) = simple_layout(dir.path());
    let bad = writer
        .add_blob(
            shipgate_oci::spec::MediaType::ImageManifest,
            b"{\"schemaVersion\": 2, \"layers\": 7}",
        )
        .unwrap();
    writer.tag(&bad, "broken").unwrap();
    let error = writer
        .layout()
        .unwrap()
        .resolve(Some("broken"), &amd64())
        .unwrap_err();
    snapshot("malformed_manifest", dir.path(), &error);
}

#[test]
fn missing_blob() {
    let dir = tempfile::tempdir().unwrap();
    let (_, descriptor) = simple_layout(dir.path());
    fs_err::remove_file(blob_path(dir.path(), &descriptor)).unwrap();
    let error = Layout::open(dir.path())
        .unwrap()
        .resolve(None, &amd64())
        .unwrap_err();
    snapshot("missing_blob", dir.path(), &error);
}

#[test]
fn layer_digest_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, descriptor) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let manifest = layout.read_manifest(&descriptor).unwrap();
    // Same size, different content: the uncompressed second layer.
    let path = blob_path(dir.path(), &manifest.layers()[1]);
    let mut data = fs_err::read(&path).unwrap();
    let position = data.windows(6).position(|w| w == b"hello\n").unwrap();
    data[position] = b'j';
    fs_err::write(&path, data).unwrap();
    let error = flatten(layout.store(), &manifest, |_, _| Ok(())).unwrap_err();
    snapshot("layer_digest_mismatch", dir.path(), &error);
}

#[test]
fn manifest_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (_, descriptor) = simple_layout(dir.path());
    let path = blob_path(dir.path(), &descriptor);
    let mut data = fs_err::read(&path).unwrap();
    data.extend_from_slice(b"\n\n");
    fs_err::write(&path, data).unwrap();
    let error = Layout::open(dir.path())
        .unwrap()
        .resolve(None, &amd64())
        .unwrap_err();
    snapshot("manifest_size_mismatch", dir.path(), &error);
}

#[test]
fn truncated_blob_read_by_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, descriptor) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let manifest = layout.read_manifest(&descriptor).unwrap();
    let path = blob_path(dir.path(), manifest.config());
    let data = fs_err::read(&path).unwrap();
    fs_err::write(&path, &data[..data.len() - 1]).unwrap();
    let mut reader = shipgate_oci::BlobStore::open_blob(layout.store(), manifest.config()).unwrap();
    let mut sink = Vec::new();
    let io_error = reader.read_to_end(&mut sink).unwrap_err();
    assert!(io_error.to_string().contains("size mismatch"), "{io_error}");
}

#[test]
fn unknown_tag_and_platform() {
    let dir = tempfile::tempdir().unwrap();
    simple_layout(dir.path());
    let layout = Layout::open(dir.path()).unwrap();
    snapshot(
        "tag_not_found",
        dir.path(),
        &layout.resolve(Some("v2"), &amd64()).unwrap_err(),
    );
    let source = Source::parse(&format!("oci-dir:{}:v2", dir.path().display())).unwrap();
    assert!(matches!(
        source.open_local(&amd64()),
        Err(Error::TagNotFound { .. })
    ));
}

#[test]
fn not_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    snapshot(
        "not_a_layout",
        dir.path(),
        &Layout::open(dir.path()).unwrap_err(),
    );
    let missing =
        Source::parse(&format!("oci-archive:{}/missing.tar", dir.path().display())).unwrap();
    snapshot(
        "missing_archive",
        dir.path(),
        &missing.open_local(&amd64()).unwrap_err(),
    );
    let file = dir.path().join("notes.txt");
    fs_err::write(&file, "not an image").unwrap();
    snapshot(
        "unknown_file_source",
        dir.path(),
        &Source::parse(file.to_str().unwrap()).unwrap_err(),
    );
}

#[test]
fn no_image_for_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let amd64 = crate::common::write_image(
        &mut writer,
        &[crate::common::Layer::plain(&[crate::common::Member::File(
            "a", b"a",
        )])],
        "linux",
        "amd64",
    );
    let index = shipgate_oci::referrers::fallback_index(None, [amd64]);
    let descriptor = writer.add_index(&index).unwrap();
    writer.tag(&descriptor, "multi").unwrap();
    let error = writer
        .layout()
        .unwrap()
        .resolve(Some("multi"), &Platform::parse("linux/s390x").unwrap())
        .unwrap_err();
    snapshot("no_platform", dir.path(), &error);
}
