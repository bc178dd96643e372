//! `oci-archive` and `docker-archive` sources.

use shipgate_oci::docker_archive::DockerArchive;
use shipgate_oci::layers::flatten;
use shipgate_oci::{Layout, Platform, Source};

use crate::common::{Member, gzip, layer_tar, sha256, simple_layout, tar_folder};

#[test]
fn oci_archive_reads_like_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let layout_dir = dir.path().join("layout");
    let (_, descriptor) = simple_layout(&layout_dir);
    let archive = dir.path().join("image.tar");
    tar_folder(&layout_dir, &archive);

    let source = Source::parse(archive.to_str().unwrap()).unwrap();
    assert_eq!(source, Source::OciArchive(archive.clone()));
    let amd64 = Platform::parse("linux/amd64").unwrap();
    let local = source.open_local(&amd64).unwrap();
    assert_eq!(local.image.descriptor.digest(), descriptor.digest());
    let files = flatten(local.store.as_ref(), &local.image.manifest, |_, _| Ok(())).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["etc", "etc/os-release", "hello.txt"]);

    let layout = Layout::open(&archive).unwrap();
    assert_eq!(layout.tags(), vec!["v1".to_owned()]);
}

/// A `docker save` archive: manifest.json, `<hex>.json` config, `<id>/layer.tar` layers.
fn docker_save(path: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let layer_a = layer_tar(&[
        Member::Dir("app"),
        Member::File("app/run.sh", b"#!/bin/sh\n"),
    ]);
    let layer_b = gzip(&layer_tar(&[
        Member::File("app/.wh.run.sh", b""),
        Member::File("app/main", b"bin"),
    ]));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "arm64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [sha256(&layer_a)]},
    }))
    .unwrap();
    let config_name = format!("{}.json", &sha256(&config)[7..]);
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name,
        "RepoTags": ["example.com/app:1.0"],
        "Layers": ["aaa/layer.tar", "bbb/layer.tar"],
    }]))
    .unwrap();
    let file = fs_err::File::create(path).unwrap();
    let mut builder = tar::Builder::new(file);
    for (name, data) in [
        ("manifest.json", &manifest),
        (config_name.as_str(), &config),
        ("aaa/layer.tar", &layer_a),
        ("bbb/layer.tar", &layer_b),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, name, data.as_slice())
            .unwrap();
    }
    builder.finish().unwrap();
    (config, layer_b)
}

#[test]
fn docker_archive_reads_as_an_oci_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.tar");
    let (config, layer_b) = docker_save(&path);
    let source = Source::parse(path.to_str().unwrap()).unwrap();
    assert_eq!(source, Source::DockerArchive(path.clone()));

    let local = source
        .open_local(&Platform::parse("linux/arm64").unwrap())
        .unwrap();
    let manifest = &local.image.manifest;
    assert_eq!(manifest.config().digest().to_string(), sha256(&config));
    assert_eq!(
        manifest.layers()[1].media_type().to_string(),
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    assert_eq!(manifest.layers()[1].digest().to_string(), sha256(&layer_b));
    // The synthesized manifest is a blob of the store like any other.
    let bytes = local.store.read_blob(&local.image.descriptor).unwrap();
    assert_eq!(sha256(&bytes), local.image.descriptor.digest().to_string());

    let mut read = Vec::new();
    let files = flatten(local.store.as_ref(), manifest, |entry, reader| {
        let mut content = String::new();
        reader.read_to_string(&mut content).unwrap();
        read.push((entry.path.clone(), content));
        Ok(())
    })
    .unwrap();
    let paths: Vec<(&str, usize)> = files.iter().map(|f| (f.path.as_str(), f.layer)).collect();
    assert_eq!(paths, [("app", 0), ("app/main", 1)]);
    assert_eq!(read, vec![("app/main".to_owned(), "bin".to_owned())]);

    let archive = DockerArchive::open(&path, Some("1.0")).unwrap();
    assert_eq!(archive.repo_tags(), ["example.com/app:1.0"]);
    assert!(DockerArchive::open(&path, Some("2.0")).is_err());
}
