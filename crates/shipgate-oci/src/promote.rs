//! Promoting an image between registries by digest: every manifest of an index, every
//! blob and every referrer (signatures, SBOMs, attestations) is copied with its exact
//! bytes, so the digests are identical on both sides and a signed image arrives signed.

use oci_spec::image::Descriptor;
use shipgate_core::image_ref::{Digest, ImageRef};

use crate::push::{Content, PushOptions, PushReport, copy, destination_for};
use crate::registry::{BlobBody, Client, VerifyingReader};
use crate::{Error, Result, digest};

/// A registry repository as the source of a copy.
struct RegistryContent<'a> {
    client: &'a Client,
    image: ImageRef,
}

impl Content for RegistryContent<'_> {
    fn describe(&self, digest: &Digest) -> String {
        format!("{}@{digest}", self.image.name())
    }

    fn manifest_bytes(&self, descriptor: &Descriptor) -> Result<Vec<u8>> {
        let digest = digest::from_spec(descriptor.digest(), "a descriptor")?;
        let found = self
            .client
            .get_manifest(&self.image, &digest.to_string())?
            .ok_or_else(|| Error::RegistryNotFound {
                reference: self.describe(&digest),
                message: "MANIFEST_UNKNOWN".to_owned(),
            })?;
        Ok(found.bytes)
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<BlobBody> {
        let digest = digest::from_spec(descriptor.digest(), "a descriptor")?;
        let response = self
            .client
            .get_blob(&self.image, &digest, descriptor.size())?;
        Ok(VerifyingReader::body(
            response,
            digest.clone(),
            descriptor.size(),
            self.describe(&digest),
        ))
    }

    fn referrers(&self, subject: &Digest) -> Result<Vec<Descriptor>> {
        self.client.referrers(&self.image, subject, None)
    }

    fn mount_source(&self) -> Option<&ImageRef> {
        Some(&self.image)
    }
}

/// Copies `source` (by tag or digest) to `destination` with every referrer, recursively
/// for indexes; the digest is the same on both sides. The destination's tag, or else the
/// source's, is set last.
pub fn promote(
    client: &Client,
    source: &ImageRef,
    destination: &ImageRef,
    options: PushOptions<'_>,
) -> Result<PushReport> {
    promote_to(client, source, std::slice::from_ref(destination), options)
}

/// [`promote`] to several destinations at once: every destination receives the whole
/// image before any tag is set.
pub fn promote_to(
    client: &Client,
    source: &ImageRef,
    destinations: &[ImageRef],
    options: PushOptions<'_>,
) -> Result<PushReport> {
    let reference = match (source.digest(), source.tag()) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.to_owned(),
        (None, None) => "latest".to_owned(),
    };
    let found =
        client
            .get_manifest(source, &reference)?
            .ok_or_else(|| Error::RegistryNotFound {
                reference: source.to_string(),
                message: "MANIFEST_UNKNOWN: manifest unknown".to_owned(),
            })?;
    for destination in destinations {
        if let Some(wanted) = destination.digest()
            && *wanted != found.digest
        {
            return Err(Error::InvalidSource {
                input: destination.to_string(),
                reason: format!("{source} is {}, not {wanted}", found.digest),
            });
        }
    }
    let root = found.descriptor();
    let content = RegistryContent {
        client,
        image: source.without_tag_or_digest(),
    };
    let destinations: Vec<_> = destinations
        .iter()
        .map(|d| destination_for(d, source.tag()))
        .collect();
    copy(
        client,
        &content,
        source.to_string(),
        &root,
        &destinations,
        options,
    )
}
