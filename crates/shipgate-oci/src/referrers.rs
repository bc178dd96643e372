//! Referrers: descriptors of artifacts (signatures, SBOMs, attestations) whose manifest
//! names an image in its `subject`, and the OCI 1.1 fallback index a registry without the
//! referrers API keeps under the tag `sha256-<hex>`.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use shipgate_core::image_ref::Digest;

use crate::digest;
use crate::layout::parse_json;
use crate::{MEDIA_TYPE_OCI_INDEX, Result};

/// The tag of the fallback referrers index for `subject`: `sha256-<hex>`.
pub fn fallback_tag(subject: &Digest) -> String {
    format!("{}-{}", subject.algorithm(), subject.hex())
}

/// Whether `tag` has the form of a fallback referrers tag (`sha256-<64 hex>`).
pub fn is_fallback_tag(tag: &str) -> bool {
    tag.split_once('-').is_some_and(|(algorithm, hex)| {
        let length = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => return false,
        };
        hex.len() == length && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The descriptor a referrers list holds for a referrer manifest: the digest and size of
/// `bytes` (the manifest exactly as stored), the manifest's `artifactType` (or else its
/// config media type) and a copy of every manifest annotation.
pub fn descriptor_for(media_type: MediaType, bytes: &[u8], manifest: &ImageManifest) -> Descriptor {
    let digest = digest::sha256(bytes);
    let mut descriptor = Descriptor::new(media_type, bytes.len() as u64, digest::to_spec(&digest));
    let artifact_type = manifest
        .artifact_type()
        .clone()
        .unwrap_or_else(|| manifest.config().media_type().clone());
    descriptor.set_artifact_type(Some(artifact_type));
    descriptor.set_annotations(manifest.annotations().clone().filter(|a| !a.is_empty()));
    descriptor
}

/// Parses referrer manifest bytes and returns its referrers-list descriptor (see
/// [`descriptor_for`]); `file` names the bytes in errors.
pub fn descriptor_from_bytes(bytes: &[u8], file: &str) -> Result<Descriptor> {
    let manifest: ImageManifest = parse_json(bytes, "image manifest", file, None)?;
    let media_type = manifest
        .media_type()
        .clone()
        .unwrap_or(MediaType::ImageManifest);
    Ok(descriptor_for(media_type, bytes, &manifest))
}

/// The fallback referrers index: `existing` (the index currently under the fallback tag,
/// if any) with `referrers` added. A referrer already listed (same digest) is replaced, so
/// its artifact type and annotations are the new ones; the order is kept otherwise.
pub fn fallback_index(
    existing: Option<&ImageIndex>,
    referrers: impl IntoIterator<Item = Descriptor>,
) -> ImageIndex {
    let mut manifests: Vec<Descriptor> =
        existing.map(|i| i.manifests().clone()).unwrap_or_default();
    for referrer in referrers {
        match manifests
            .iter_mut()
            .find(|d| d.digest() == referrer.digest())
        {
            Some(slot) => *slot = referrer,
            None => manifests.push(referrer),
        }
    }
    let mut index = ImageIndex::default();
    index.set_schema_version(2);
    index.set_media_type(Some(MediaType::from(MEDIA_TYPE_OCI_INDEX)));
    index.set_manifests(manifests);
    index.set_annotations(None);
    index
}

/// The fallback index serialised as it is pushed (compact JSON, sorted keys).
pub fn fallback_index_bytes(index: &ImageIndex) -> Vec<u8> {
    crate::json::canonical(index).expect("an image index always serialises")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn referrer(
        artifact_type: Option<&str>,
        annotations: &[(&str, &str)],
    ) -> (Vec<u8>, ImageManifest) {
        let config = Descriptor::new(
            MediaType::EmptyJSON,
            2,
            digest::to_spec(&digest::sha256(b"{}")),
        );
        let mut manifest = crate::writer::new_manifest(config, vec![]);
        manifest.set_artifact_type(artifact_type.map(MediaType::from));
        let annotations: HashMap<String, String> = annotations
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        manifest.set_annotations(Some(annotations));
        (crate::json::canonical(&manifest).unwrap(), manifest)
    }

    #[test]
    fn fallback_tag_is_the_digest_with_a_dash() {
        let digest = digest::sha256(b"x");
        let tag = fallback_tag(&digest);
        assert_eq!(tag, format!("sha256-{}", digest.hex()));
        assert!(is_fallback_tag(&tag));
        assert!(!is_fallback_tag("latest"));
        assert!(!is_fallback_tag("sha256-abc"));
    }

    #[test]
    fn descriptors_copy_artifact_type_and_annotations() {
        let (bytes, manifest) = referrer(
            Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
            &[(
                "dev.sigstore.bundle.predicateType",
                "https://slsa.dev/provenance/v1",
            )],
        );
        let descriptor = descriptor_for(MediaType::ImageManifest, &bytes, &manifest);
        assert_eq!(
            descriptor.artifact_type().as_ref().unwrap().to_string(),
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert_eq!(
            descriptor.annotations().as_ref().unwrap()["dev.sigstore.bundle.predicateType"],
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(descriptor.size(), bytes.len() as u64);
        assert_eq!(
            descriptor.digest().to_string(),
            digest::sha256(&bytes).to_string()
        );
    }

    #[test]
    fn artifact_type_falls_back_to_the_config_media_type() {
        let (bytes, manifest) = referrer(None, &[]);
        let descriptor = descriptor_from_bytes(&bytes, "x").unwrap();
        assert_eq!(
            descriptor.artifact_type().as_ref().unwrap().to_string(),
            "application/vnd.oci.empty.v1+json"
        );
        assert!(descriptor.annotations().is_none());
        assert_eq!(
            descriptor,
            descriptor_for(MediaType::ImageManifest, &bytes, &manifest)
        );
    }

    #[test]
    fn fallback_index_merges_by_digest() {
        let (a_bytes, a) = referrer(Some("application/a"), &[("k", "1")]);
        let (b_bytes, b) = referrer(Some("application/b"), &[]);
        let a = descriptor_for(MediaType::ImageManifest, &a_bytes, &a);
        let b = descriptor_for(MediaType::ImageManifest, &b_bytes, &b);
        let first = fallback_index(None, [a.clone()]);
        let second = fallback_index(Some(&first), [b.clone(), a.clone()]);
        assert_eq!(second.manifests(), &vec![a, b]);
        insta::assert_snapshot!(String::from_utf8(fallback_index_bytes(&second)).unwrap());
    }
}
