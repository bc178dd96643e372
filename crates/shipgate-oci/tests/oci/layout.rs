//! Layouts written with `LayoutWriter` and read back with `Layout`.

use std::collections::HashMap;

use shipgate_oci::referrers::{fallback_index, fallback_tag};
use shipgate_oci::spec::MediaType;
use shipgate_oci::{Layout, LayoutWriter, Platform, Source};

use crate::common::{Layer, Member, simple_layout, write_image};

#[test]
fn written_layout_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (_writer, descriptor) = simple_layout(dir.path());
    let layout = Layout::open(dir.path()).unwrap();
    assert_eq!(layout.tags(), vec!["v1".to_owned()]);
    let amd64 = Platform::parse("linux/amd64").unwrap();
    let image = layout.resolve(Some("v1"), &amd64).unwrap();
    assert_eq!(image.descriptor.digest(), descriptor.digest());
    assert_eq!(image.manifest.layers().len(), 2);
    assert_eq!(image.config.architecture().to_string(), "amd64");
    // Without a tag, the only image is chosen.
    let untagged = layout.resolve(None, &amd64).unwrap();
    assert_eq!(untagged.descriptor.digest(), descriptor.digest());
    // The same layout as a source.
    let source = Source::parse(&format!("oci-dir:{}:v1", dir.path().display())).unwrap();
    let local = source.open_local(&amd64).unwrap();
    assert_eq!(local.image.descriptor.digest(), descriptor.digest());
}

#[test]
fn written_layouts_are_reproducible() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let (_, a) = simple_layout(first.path());
    let (_, b) = simple_layout(second.path());
    assert_eq!(a.digest(), b.digest());
    assert_eq!(
        fs_err::read(first.path().join("index.json")).unwrap(),
        fs_err::read(second.path().join("index.json")).unwrap()
    );
}

#[test]
fn tagging_again_moves_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, _) = simple_layout(dir.path());
    let other = write_image(
        &mut writer,
        &[Layer::plain(&[Member::File("b", b"b")])],
        "linux",
        "amd64",
    );
    writer.tag(&other, "v1").unwrap();
    let layout = writer.layout().unwrap();
    assert_eq!(layout.tags(), vec!["v1".to_owned()]);
    assert_eq!(layout.find_tag("v1").unwrap().digest(), other.digest());
}

#[test]
fn multi_platform_index_resolves_per_platform() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let amd64 = write_image(
        &mut writer,
        &[Layer::plain(&[Member::File("arch", b"amd64")])],
        "linux",
        "amd64",
    );
    let arm64 = write_image(
        &mut writer,
        &[Layer::plain(&[Member::File("arch", b"arm64")])],
        "linux",
        "arm64",
    );
    let index = shipgate_oci::referrers::fallback_index(None, [amd64.clone(), arm64.clone()]);
    let index_descriptor = writer.add_index(&index).unwrap();
    writer.tag(&index_descriptor, "multi").unwrap();
    let layout = writer.layout().unwrap();
    for (platform, expected) in [
        ("linux/amd64", &amd64),
        ("linux/arm64", &arm64),
        ("linux/arm64/v8", &arm64),
    ] {
        let image = layout
            .resolve(Some("multi"), &Platform::parse(platform).unwrap())
            .unwrap();
        assert_eq!(image.descriptor.digest(), expected.digest(), "{platform}");
        assert_eq!(
            image.index.as_ref().unwrap().digest(),
            index_descriptor.digest()
        );
    }
}

#[test]
fn index_json_listing_platforms_is_an_index() {
    // `index.json` itself holding one manifest per platform (as some tools write it).
    let dir = tempfile::tempdir().unwrap();
    let mut writer = LayoutWriter::create(dir.path()).unwrap();
    let amd64 = write_image(
        &mut writer,
        &[Layer::plain(&[Member::File("a", b"1")])],
        "linux",
        "amd64",
    );
    let arm64 = write_image(
        &mut writer,
        &[Layer::plain(&[Member::File("a", b"2")])],
        "linux",
        "arm64",
    );
    writer.add_untagged(&amd64).unwrap();
    writer.add_untagged(&arm64).unwrap();
    let layout = writer.layout().unwrap();
    let image = layout
        .resolve(None, &Platform::parse("linux/arm64").unwrap())
        .unwrap();
    assert_eq!(image.descriptor.digest(), arm64.digest());
}

#[test]
fn referrers_are_stored_next_to_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, image) = simple_layout(dir.path());
    let subject = LayoutWriter::digest_of(&image).unwrap();
    let bundle_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let sbom_type = "application/vnd.cyclonedx+json";
    let bundle = writer
        .add_artifact(
            &image,
            bundle_type,
            &[(
                MediaType::from(bundle_type),
                br#"{"mediaType":"bundle"}"#.as_slice(),
            )],
            HashMap::from([
                (
                    "dev.sigstore.bundle.content".to_owned(),
                    "dsse-envelope".to_owned(),
                ),
                (
                    "dev.sigstore.bundle.predicateType".to_owned(),
                    "https://sigstore.dev/cosign/sign/v1".to_owned(),
                ),
            ]),
        )
        .unwrap();
    writer
        .add_artifact(
            &image,
            sbom_type,
            &[(
                MediaType::from(sbom_type),
                br#"{"bomFormat":"CycloneDX"}"#.as_slice(),
            )],
            HashMap::new(),
        )
        .unwrap();

    let layout = writer.layout().unwrap();
    let all = layout.referrers(&subject, None).unwrap();
    assert_eq!(all.len(), 2);
    let bundles = layout.referrers(&subject, Some(bundle_type)).unwrap();
    assert_eq!(bundles, vec![bundle.clone()]);
    assert_eq!(
        bundles[0].annotations().as_ref().unwrap()["dev.sigstore.bundle.predicateType"],
        "https://sigstore.dev/cosign/sign/v1"
    );
    // The referrer's manifest points at the image.
    let manifest = layout.read_manifest(&bundle).unwrap();
    assert_eq!(
        manifest.subject().as_ref().unwrap().digest(),
        image.digest()
    );
    assert_eq!(manifest.config().media_type(), &MediaType::EmptyJSON);
    // Referrers do not make the layout ambiguous.
    let host = Platform::parse("linux/amd64").unwrap();
    assert_eq!(
        layout.resolve(None, &host).unwrap().descriptor.digest(),
        image.digest()
    );
    // Nothing refers to the referrer itself.
    assert!(
        layout
            .referrers(&LayoutWriter::digest_of(&bundle).unwrap(), None)
            .unwrap()
            .is_empty()
    );

    // The fallback index a registry without the referrers API gets.
    let index = fallback_index(None, all);
    assert_eq!(fallback_tag(&subject), format!("sha256-{}", subject.hex()));
    let types: Vec<String> = index
        .manifests()
        .iter()
        .map(|d| d.artifact_type().as_ref().unwrap().to_string())
        .collect();
    assert_eq!(types, vec![bundle_type.to_owned(), sbom_type.to_owned()]);
    assert_eq!(
        index.manifests()[0].annotations().as_ref().unwrap()["dev.sigstore.bundle.content"],
        "dsse-envelope"
    );
}

#[test]
fn a_manifest_without_subject_is_not_a_referrer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, image) = simple_layout(dir.path());
    let layout = writer.layout().unwrap();
    let manifest = layout.read_manifest(&image).unwrap();
    let error = writer.add_referrer(&manifest).unwrap_err();
    assert!(matches!(error, shipgate_oci::Error::NotAReferrer));
}

#[test]
fn untyped_referrers_in_index_json_do_not_hide_the_image() {
    // Another tool listed a referrer in index.json without an artifactType.
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, image) = simple_layout(dir.path());
    let config = writer.add_blob(MediaType::EmptyJSON, b"{}").unwrap();
    let mut manifest = shipgate_oci::writer::new_manifest(config, vec![]);
    manifest.set_subject(Some(image.clone()));
    let stored = writer.add_manifest(&manifest).unwrap();
    writer.add_untagged(&stored).unwrap();
    let layout = writer.layout().unwrap();
    let host = Platform::parse("linux/amd64").unwrap();
    assert_eq!(
        layout.resolve(None, &host).unwrap().descriptor.digest(),
        image.digest()
    );
    let subject = LayoutWriter::digest_of(&image).unwrap();
    let found = layout.referrers(&subject, None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].artifact_type().as_ref().unwrap().to_string(),
        "application/vnd.oci.empty.v1+json"
    );
}
