//! Layer streams (plain, gzip, multi-frame zstd) and the final file list.

use std::io::Read;

use shipgate_oci::layers::{EntryKind, LayerReader, flatten, layer_readers};
use shipgate_oci::{LayoutWriter, Platform};

use crate::common::{Layer, Member, write_image};

#[test]
fn flatten_applies_whiteouts_across_compressed_layers() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let layers = [
        Layer::gzip(&[
            Member::Dir("etc"),
            Member::File("etc/passwd", b"root:x:0:0\n"),
            Member::File("etc/shadow", b"secret"),
            Member::Dir("var/cache"),
            Member::File("var/cache/old", b"old"),
            Member::Symlink("bin", "usr/bin"),
        ]),
        Layer::zstd(&[
            Member::File("etc/.wh.shadow", b""),
            Member::Dir("var/cache"),
            Member::File("var/cache/.wh..wh..opq", b""),
            Member::File("var/cache/new", b"new"),
        ]),
        Layer::plain(&[Member::File("etc/passwd", b"root:x:0:0\napp:x:1000:1000\n")]),
    ];
    let descriptor = write_image(&mut writer, &layers, "linux", "amd64");
    writer.tag(&descriptor, "t").unwrap();
    let layout = writer.layout().unwrap();
    let image = layout
        .resolve(Some("t"), &Platform::parse("linux/amd64").unwrap())
        .unwrap();

    let mut visited = Vec::new();
    let files = flatten(layout.store(), &image.manifest, |entry, reader| {
        let mut content = String::new();
        reader.read_to_string(&mut content).unwrap();
        visited.push((entry.path.clone(), entry.layer, content));
        Ok(())
    })
    .unwrap();
    let listed: Vec<(&str, EntryKind, usize)> = files
        .iter()
        .map(|f| (f.path.as_str(), f.kind, f.layer))
        .collect();
    assert_eq!(
        listed,
        [
            ("bin", EntryKind::Symlink, 0),
            ("etc", EntryKind::Directory, 0),
            ("etc/passwd", EntryKind::File, 2),
            ("var/cache", EntryKind::Directory, 1),
            ("var/cache/new", EntryKind::File, 1),
        ]
    );
    assert_eq!(files[0].link_target.as_deref(), Some("usr/bin"));
    visited.sort();
    assert_eq!(
        visited,
        [
            (
                "etc/passwd".to_owned(),
                2,
                "root:x:0:0\napp:x:1000:1000\n".to_owned()
            ),
            ("var/cache/new".to_owned(), 1, "new".to_owned()),
        ]
    );
}

#[test]
fn each_layer_streams_as_a_tar() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let layers = [
        Layer::plain(&[Member::File("a", b"plain")]),
        Layer::gzip(&[Member::File("b", b"gzip")]),
        Layer::zstd(&[Member::File("c", &[b'z'; 10_000])]),
    ];
    let descriptor = write_image(&mut writer, &layers, "linux", "amd64");
    let layout = writer.layout().unwrap();
    let manifest = layout.read_manifest(&descriptor).unwrap();
    let mut names = Vec::new();
    for item in layer_readers(layout.store(), &manifest) {
        let (index, mut reader) = item.unwrap();
        let mut tar = Vec::new();
        reader.read_to_end(&mut tar).unwrap();
        assert_eq!(tar, layers[index].tar, "layer {index}");
        reader.finish().unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        for entry in archive.entries().unwrap() {
            names.push(entry.unwrap().path().unwrap().display().to_string());
        }
    }
    assert_eq!(names, ["a", "b", "c"]);
    // A reader dropped early can still be checked.
    let reader = LayerReader::open(layout.store(), &manifest.layers()[1]).unwrap();
    reader.finish().unwrap();
}
