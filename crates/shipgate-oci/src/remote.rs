//! Images read straight from a registry (a [`BlobStore`] over the distribution API, so
//! [`crate::layers::flatten`] streams layers without a local copy), and artifacts pushed
//! to a registry as OCI 1.1 referrers of an image (an SBOM, a signature bundle), with the
//! fallback referrers index maintained on registries without the referrers API.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest, MediaType};
use shipgate_core::image_ref::{Digest, ImageRef};

use crate::layout::{ContentKind, Image, parse_json, select_platform};
use crate::platform::Platform;
use crate::registry::{BlobBody, Client};
use crate::store::BlobStore;
use crate::writer::{EMPTY_JSON, new_manifest};
use crate::{Error, Result, digest, json, referrers};

/// How deep indexes may nest before the registry's answer is called malformed.
const MAX_INDEX_DEPTH: usize = 4;

/// The blobs of one registry repository, read over HTTP as they are needed.
pub struct RegistryStore<'a> {
    client: &'a Client,
    image: ImageRef,
}

impl std::fmt::Debug for RegistryStore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryStore")
            .field("image", &self.image.name())
            .finish_non_exhaustive()
    }
}

impl<'a> RegistryStore<'a> {
    /// The repository of `image` (its tag or digest is ignored) through `client`.
    pub fn new(client: &'a Client, image: &ImageRef) -> Self {
        Self {
            client,
            image: image.without_tag_or_digest(),
        }
    }
}

impl BlobStore for RegistryStore<'_> {
    fn location(&self) -> String {
        self.image.name()
    }

    fn blob_file(&self, digest: &Digest) -> String {
        format!("{}@{digest}", self.image.name())
    }

    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn Read + '_>> {
        // The size is only used for the transfer timeout here; the caller's BlobReader
        // checks the real size and digest.
        let response = self.client.get_blob(&self.image, digest, 0)?;
        Ok(Box::new(response))
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<crate::BlobReader<'_>> {
        let digest = digest::from_spec(descriptor.digest(), &self.location())?;
        let response = self
            .client
            .get_blob(&self.image, &digest, descriptor.size())?;
        Ok(crate::BlobReader::new(
            Box::new(response),
            digest.clone(),
            descriptor.size(),
            self.blob_file(&digest),
        ))
    }
}

/// Resolves `image` (by digest, tag, or `latest`) in its registry to one image manifest
/// for `platform`, with its config.
pub fn resolve(client: &Client, image: &ImageRef, platform: &Platform) -> Result<Image> {
    let reference = match (image.digest(), image.tag()) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.to_owned(),
        (None, None) => "latest".to_owned(),
    };
    let store = RegistryStore::new(client, image);
    let mut found = fetch(client, image, &reference)?;
    let mut parent = None;
    for _ in 0..=MAX_INDEX_DEPTH {
        let descriptor = found.descriptor();
        let file = format!("{}@{}", image.name(), found.digest);
        match ContentKind::of(&descriptor) {
            ContentKind::Manifest => {
                let manifest: ImageManifest = parse_json(
                    &found.bytes,
                    "image manifest",
                    &file,
                    Some(found.digest.to_string()),
                )?;
                let config_bytes = store.read_blob(manifest.config())?;
                let config_file = format!("{}@{}", image.name(), manifest.config().digest());
                let config: ImageConfiguration =
                    parse_json(&config_bytes, "image config", &config_file, None)?;
                return Ok(Image {
                    descriptor,
                    manifest,
                    config,
                    index: parent,
                });
            }
            ContentKind::Index => {
                let index: ImageIndex = parse_json(
                    &found.bytes,
                    "image index",
                    &file,
                    Some(found.digest.to_string()),
                )?;
                let chosen = select_platform(index.manifests(), platform, &file)?;
                let chosen_digest = digest::from_spec(chosen.digest(), &file)?;
                parent = Some(descriptor);
                found = fetch(client, image, &chosen_digest.to_string())?;
            }
            ContentKind::Other => {
                return Err(Error::UnsupportedMediaType {
                    file,
                    media_type: found.media_type.clone(),
                    what: "an image",
                });
            }
        }
    }
    Err(Error::UnsupportedMediaType {
        file: format!("{}@{}", image.name(), found.digest),
        media_type: found.media_type,
        what: "an index nested this deep",
    })
}

/// The manifest or index `reference` names, or a not-found error.
pub fn fetch(
    client: &Client,
    image: &ImageRef,
    reference: &str,
) -> Result<crate::registry::RemoteManifest> {
    client
        .get_manifest(image, reference)?
        .ok_or_else(|| Error::RegistryNotFound {
            reference: format!("{}:{reference}", image.name()),
            message: "MANIFEST_UNKNOWN: manifest unknown".to_owned(),
        })
}

/// What [`push_artifact`] stored.
#[derive(Debug, Clone)]
pub struct PushedArtifact {
    /// The referrer manifest's descriptor, as a referrers list shows it (artifact type
    /// and annotations copied).
    pub descriptor: Descriptor,
    /// Whether the registry indexed the referrer itself (`OCI-Subject`); otherwise the
    /// fallback index `sha256-<hex>` was updated.
    pub indexed_by_registry: bool,
}

/// Pushes an artifact that refers to `subject` into the repository of `image`: each of
/// `blobs` (media type, content) as a layer, the OCI empty JSON as config, `artifact_type`
/// and `annotations` on the manifest; then adds it to the fallback referrers index when
/// the registry does not index referrers itself.
pub fn push_artifact(
    client: &Client,
    image: &ImageRef,
    subject: &Descriptor,
    artifact_type: &str,
    blobs: &[(MediaType, &[u8])],
    annotations: HashMap<String, String>,
) -> Result<PushedArtifact> {
    let repository = image.without_tag_or_digest();
    let config = upload(client, &repository, MediaType::EmptyJSON, EMPTY_JSON)?;
    let mut layers = Vec::with_capacity(blobs.len());
    for (media_type, data) in blobs {
        layers.push(upload(client, &repository, media_type.clone(), data)?);
    }
    let mut subject = subject.clone();
    subject.set_annotations(None);
    subject.set_platform(None);
    let subject_digest = digest::from_spec(subject.digest(), "the subject descriptor")?;
    let mut manifest = new_manifest(config, layers);
    manifest.set_artifact_type(Some(MediaType::from(artifact_type)));
    manifest.set_subject(Some(subject));
    manifest.set_annotations((!annotations.is_empty()).then_some(annotations));
    let bytes = json::canonical(&manifest).map_err(|e| Error::Write {
        path: "the referrer manifest".into(),
        source: std::io::Error::other(e),
    })?;
    let descriptor = referrers::descriptor_for(MediaType::ImageManifest, &bytes, &manifest);
    let answer = client.put_manifest(
        &repository,
        descriptor.digest().as_ref(),
        &bytes,
        crate::MEDIA_TYPE_OCI_MANIFEST,
    )?;
    if !answer.subject_indexed {
        client.update_fallback_index(&repository, &subject_digest, vec![descriptor.clone()])?;
    }
    Ok(PushedArtifact {
        descriptor,
        indexed_by_registry: answer.subject_indexed,
    })
}

/// Uploads `data` unless the repository has it; returns its descriptor.
fn upload(
    client: &Client,
    image: &ImageRef,
    media_type: MediaType,
    data: &[u8],
) -> Result<Descriptor> {
    let digest = digest::sha256(data);
    let descriptor = Descriptor::new(media_type, data.len() as u64, digest::to_spec(&digest));
    if client.blob_exists(image, &digest)? {
        return Ok(descriptor);
    }
    let owned: Arc<Vec<u8>> = Arc::new(data.to_vec());
    client.upload_blob(image, &digest, data.len() as u64, &|| {
        Ok(BlobBody {
            reader: Box::new(Cursor::new(SharedBytes(owned.clone()))),
            failure: Arc::new(Mutex::new(None)),
        })
    })?;
    Ok(descriptor)
}

/// Shared bytes as a `Cursor` source.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
