//! `docker save` archives read as images: `manifest.json`, the config file and the layer
//! tars, exposed with OCI-typed descriptors (digests computed from the content).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use oci_spec::image::{Descriptor, ImageConfiguration, MediaType};
use serde::Deserialize;
use shipgate_core::image_ref::Digest;

use crate::digest::{self, Hasher};
use crate::layout::{Image, parse_json};
use crate::store::{BlobStore, TarIndex};
use crate::writer::new_manifest;
use crate::{Error, Result, json};

/// One entry of a `docker save` `manifest.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// A `docker save` archive, one image of it selected.
#[derive(Debug, Clone)]
pub struct DockerArchive {
    tar: TarIndex,
    /// Archive member of each blob, by digest.
    members: HashMap<Digest, String>,
    manifest_bytes: Vec<u8>,
    manifest_digest: Digest,
    image: Image,
    repo_tags: Vec<String>,
}

impl DockerArchive {
    /// Opens the archive and selects the image tagged `tag` (`name:tag` as `docker save`
    /// records it, or just the tag), or its only image when `tag` is `None`. Every layer is
    /// read once to compute its digest.
    pub fn open(path: &Path, tag: Option<&str>) -> Result<Self> {
        let tar = TarIndex::open(path)?;
        let file = tar.member_file("manifest.json");
        let bad = |reason: String| Error::DockerArchive {
            file: path.display().to_string(),
            reason,
        };
        let data = tar
            .read("manifest.json")?
            .ok_or_else(|| bad("it has no `manifest.json`".to_owned()))?;
        let entries: Vec<Entry> = parse_json(&data, "docker manifest.json", &file, None)?;
        let all_tags: Vec<String> = entries
            .iter()
            .flat_map(|e| e.repo_tags.clone().unwrap_or_default())
            .collect();
        let entry = match tag {
            Some(tag) => entries
                .iter()
                .find(|e| {
                    e.repo_tags.as_ref().is_some_and(|tags| {
                        tags.iter()
                            .any(|t| t == tag || t.rsplit_once(':').is_some_and(|(_, t)| t == tag))
                    })
                })
                .ok_or_else(|| Error::TagNotFound {
                    layout: path.display().to_string(),
                    tag: tag.to_owned(),
                    available: all_tags.clone(),
                })?,
            None => match entries.as_slice() {
                [only] => only,
                [] => return Err(bad("`manifest.json` lists no image".to_owned())),
                many => {
                    return Err(Error::AmbiguousImage {
                        layout: path.display().to_string(),
                        count: many.len(),
                        available: all_tags,
                    });
                }
            },
        };

        let mut members = HashMap::new();
        let config_member = crate::store::normalize_member(&entry.config);
        let (config_digest, config_size, _) = hash_member(&tar, &config_member)?;
        let config_descriptor = Descriptor::new(
            MediaType::ImageConfig,
            config_size,
            digest::to_spec(&config_digest),
        );
        members.insert(config_digest.clone(), config_member.clone());
        let mut layers = Vec::with_capacity(entry.layers.len());
        for layer in &entry.layers {
            let member = crate::store::normalize_member(layer);
            let (layer_digest, size, magic) = hash_member(&tar, &member)?;
            let media_type = if magic.starts_with(&[0x1f, 0x8b]) {
                MediaType::ImageLayerGzip
            } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                MediaType::ImageLayerZstd
            } else {
                MediaType::ImageLayer
            };
            layers.push(Descriptor::new(
                media_type,
                size,
                digest::to_spec(&layer_digest),
            ));
            members.insert(layer_digest, member);
        }
        let manifest = new_manifest(config_descriptor.clone(), layers);
        let manifest_bytes = json::canonical(&manifest).expect("a manifest serialises");
        let manifest_digest = digest::sha256(&manifest_bytes);
        let descriptor = Descriptor::new(
            MediaType::ImageManifest,
            manifest_bytes.len() as u64,
            digest::to_spec(&manifest_digest),
        );
        let config_data = tar
            .read(&config_member)?
            .ok_or_else(|| bad(format!("the config `{config_member}` is missing")))?;
        let config: ImageConfiguration = parse_json(
            &config_data,
            "image config",
            &tar.member_file(&config_member),
            Some(config_digest.to_string()),
        )?;
        Ok(Self {
            tar,
            members,
            manifest_bytes,
            manifest_digest,
            image: Image {
                descriptor,
                manifest,
                config,
                index: None,
            },
            repo_tags: entry.repo_tags.clone().unwrap_or_default(),
        })
    }

    /// The selected image, with OCI-typed descriptors.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// The `RepoTags` of the selected image.
    pub fn repo_tags(&self) -> &[String] {
        &self.repo_tags
    }

    /// The synthesized OCI manifest, as stored bytes.
    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }
}

/// The digest, size and first bytes of an archive member.
fn hash_member(tar: &TarIndex, member: &str) -> Result<(Digest, u64, Vec<u8>)> {
    let mut reader = tar
        .open_member(member)?
        .ok_or_else(|| Error::DockerArchive {
            file: tar.path().display().to_string(),
            reason: format!("`manifest.json` names `{member}`, which the archive does not hold"),
        })?;
    let mut hasher = Hasher::sha256();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    let mut magic = Vec::new();
    loop {
        let n = reader.read(&mut buffer).map_err(|source| Error::Read {
            path: tar.path().to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        if magic.len() < 4 {
            magic.extend_from_slice(&buffer[..n.min(4 - magic.len())]);
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((digest::parse_own(&hasher.finish()), size, magic))
}

impl BlobStore for DockerArchive {
    fn location(&self) -> String {
        self.tar.path().display().to_string()
    }

    fn blob_file(&self, digest: &Digest) -> String {
        match self.members.get(digest) {
            Some(member) => self.tar.member_file(member),
            None if *digest == self.manifest_digest => {
                format!(
                    "{} (manifest made from manifest.json)",
                    self.tar.path().display()
                )
            }
            None => format!("{} ({digest})", self.tar.path().display()),
        }
    }

    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn Read + '_>> {
        if *digest == self.manifest_digest {
            return Ok(Box::new(self.manifest_bytes.as_slice()));
        }
        let missing = || Error::MissingBlob {
            digest: digest.to_string(),
            file: self.blob_file(digest),
        };
        let member = self.members.get(digest).ok_or_else(missing)?;
        self.tar.open_member(member)?.ok_or_else(missing)
    }
}
