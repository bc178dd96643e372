//! Reading OCI image layouts, as a folder (`oci-dir:`) or a tar of one (`oci-archive:`).

use std::path::{Path, PathBuf};

use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest};
use serde::de::DeserializeOwned;
use shipgate_core::image_ref::Digest;

use crate::platform::Platform;
use crate::referrers;
use crate::store::{ArchiveStore, BlobStore, DirStore, TarIndex};
use crate::{
    ANNOTATION_REF_NAME, Error, MEDIA_TYPE_DOCKER_LIST, MEDIA_TYPE_DOCKER_MANIFEST,
    MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST, Result, digest,
};

/// The annotation buildx puts on attestation manifests in an index.
const DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// How deep indexes may nest before the layout is called malformed.
const MAX_INDEX_DEPTH: usize = 4;

/// What a descriptor points at, judged by its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// An OCI image index or a Docker manifest list.
    Index,
    /// An OCI image manifest or a Docker v2 schema 2 manifest.
    Manifest,
    /// Anything else (a layer, a config, an artifact blob).
    Other,
}

impl ContentKind {
    /// The kind of content `descriptor` points at.
    pub fn of(descriptor: &Descriptor) -> Self {
        match descriptor.media_type().to_string().as_str() {
            MEDIA_TYPE_OCI_INDEX | MEDIA_TYPE_DOCKER_LIST => Self::Index,
            MEDIA_TYPE_OCI_MANIFEST | MEDIA_TYPE_DOCKER_MANIFEST => Self::Manifest,
            _ => Self::Other,
        }
    }
}

/// One image resolved from a layout or archive: its manifest and config.
#[derive(Debug, Clone)]
pub struct Image {
    /// The descriptor of the image manifest.
    pub descriptor: Descriptor,
    /// The image manifest.
    pub manifest: ImageManifest,
    /// The image configuration.
    pub config: ImageConfiguration,
    /// The descriptor of the index the manifest was chosen from, if any.
    pub index: Option<Descriptor>,
}

impl Image {
    /// The manifest's digest.
    pub fn digest(&self) -> Result<Digest> {
        digest::from_spec(self.descriptor.digest(), "the image descriptor")
    }
}

#[derive(Debug, Clone)]
enum Backing {
    Dir(DirStore),
    Archive(ArchiveStore),
}

/// An OCI image layout opened for reading: its `index.json` and its blobs.
#[derive(Debug, Clone)]
pub struct Layout {
    path: PathBuf,
    backing: Backing,
    index: ImageIndex,
}

impl Layout {
    /// Opens a layout folder, or a tar archive of one.
    pub fn open(path: &Path) -> Result<Self> {
        must_exist(path)?;
        if path.is_dir() {
            Self::open_dir(path)
        } else {
            Self::open_archive(path)
        }
    }

    /// Opens a layout folder.
    pub fn open_dir(path: &Path) -> Result<Self> {
        must_exist(path)?;
        if !path.is_dir() {
            return Err(Error::NotALayout {
                path: path.to_path_buf(),
                reason: "it is not a folder".to_owned(),
            });
        }
        let read = |name: &str| -> Result<Option<Vec<u8>>> {
            let file = path.join(name);
            match fs_err::read(&file) {
                Ok(data) => Ok(Some(data)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(Error::Read { path: file, source }),
            }
        };
        let shown = |name: &str| path.join(name).display().to_string();
        let marker = read("oci-layout")?;
        let index = read("index.json")?;
        let index = Self::parse_header(
            path,
            marker,
            index,
            &shown("oci-layout"),
            &shown("index.json"),
        )?;
        Ok(Self {
            path: path.to_path_buf(),
            backing: Backing::Dir(DirStore::new(path)),
            index,
        })
    }

    /// Opens a tar archive of a layout (what `buildx --output type=oci,dest=x.tar` writes).
    pub fn open_archive(path: &Path) -> Result<Self> {
        must_exist(path)?;
        let tar = TarIndex::open(path)?;
        let marker = tar.read("oci-layout")?;
        let index = tar.read("index.json")?;
        let index = Self::parse_header(
            path,
            marker,
            index,
            &tar.member_file("oci-layout"),
            &tar.member_file("index.json"),
        )?;
        Ok(Self {
            path: path.to_path_buf(),
            backing: Backing::Archive(ArchiveStore::new(tar)),
            index,
        })
    }

    fn parse_header(
        path: &Path,
        marker: Option<Vec<u8>>,
        index: Option<Vec<u8>>,
        marker_file: &str,
        index_file: &str,
    ) -> Result<ImageIndex> {
        let Some(marker) = marker else {
            return Err(Error::NotALayout {
                path: path.to_path_buf(),
                reason: "it has no `oci-layout` file".to_owned(),
            });
        };
        let marker: serde_json::Value = parse_json(&marker, "oci-layout file", marker_file, None)?;
        match marker.get("imageLayoutVersion").and_then(|v| v.as_str()) {
            Some(version) if version.starts_with("1.") => {}
            Some(version) => {
                return Err(Error::NotALayout {
                    path: path.to_path_buf(),
                    reason: format!(
                        "unsupported imageLayoutVersion `{version}` (1.x is supported)"
                    ),
                });
            }
            None => {
                return Err(Error::MalformedJson {
                    what: "oci-layout file",
                    file: marker_file.to_owned(),
                    digest: None,
                    message: "`imageLayoutVersion` is missing".to_owned(),
                });
            }
        }
        let Some(index) = index else {
            return Err(Error::NotALayout {
                path: path.to_path_buf(),
                reason: "it has no `index.json`".to_owned(),
            });
        };
        parse_json(&index, "index.json", index_file, None)
    }

    /// The folder or archive.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The layout's `index.json`.
    pub fn index(&self) -> &ImageIndex {
        &self.index
    }

    /// The blobs, as a [`BlobStore`].
    pub fn store(&self) -> &dyn BlobStore {
        match &self.backing {
            Backing::Dir(store) => store,
            Backing::Archive(store) => store,
        }
    }

    /// The tags of `index.json` (`org.opencontainers.image.ref.name`), in order.
    pub fn tags(&self) -> Vec<String> {
        self.index
            .manifests()
            .iter()
            .filter_map(ref_name)
            .map(str::to_owned)
            .collect()
    }

    /// The `index.json` entry tagged `tag`.
    pub fn find_tag(&self, tag: &str) -> Result<&Descriptor> {
        self.index
            .manifests()
            .iter()
            .find(|d| ref_name(d) == Some(tag))
            .ok_or_else(|| Error::TagNotFound {
                layout: self.path.display().to_string(),
                tag: tag.to_owned(),
                available: self.tags(),
            })
    }

    /// Reads and parses an image manifest blob.
    pub fn read_manifest(&self, descriptor: &Descriptor) -> Result<ImageManifest> {
        self.read_json(descriptor, "image manifest")
    }

    /// Reads and parses an image index blob.
    pub fn read_index(&self, descriptor: &Descriptor) -> Result<ImageIndex> {
        self.read_json(descriptor, "image index")
    }

    /// Reads and parses an image configuration blob.
    pub fn read_config(&self, descriptor: &Descriptor) -> Result<ImageConfiguration> {
        self.read_json(descriptor, "image config")
    }

    fn read_json<T: DeserializeOwned>(
        &self,
        descriptor: &Descriptor,
        what: &'static str,
    ) -> Result<T> {
        read_json(self.store(), descriptor, what)
    }

    /// Resolves one image: the entry tagged `tag` (or the layout's only image), and
    /// within an index the manifest for `platform`.
    pub fn resolve(&self, tag: Option<&str>, platform: &Platform) -> Result<Image> {
        let top = match tag {
            Some(tag) => self.find_tag(tag)?.clone(),
            None => match self.default_entry()? {
                Some(descriptor) => descriptor,
                None => {
                    let index_file = self.index_file();
                    let chosen = select_platform(self.index.manifests(), platform, &index_file)?;
                    return self.resolve_descriptor(chosen, platform, None, 0);
                }
            },
        };
        self.resolve_descriptor(top, platform, None, 0)
    }

    /// The single image entry of `index.json`; `None` when `index.json` itself is a
    /// multi-platform index (several entries, each with a platform).
    fn default_entry(&self) -> Result<Option<Descriptor>> {
        let mut candidates: Vec<&Descriptor> = self
            .index
            .manifests()
            .iter()
            .filter(|d| d.artifact_type().is_none() && ContentKind::of(d) != ContentKind::Other)
            .filter(|d| !ref_name(d).is_some_and(referrers::is_fallback_tag))
            .collect();
        if candidates.len() > 1 {
            // Referrers other tools listed without an artifactType: drop manifests that
            // have a subject.
            let mut images = Vec::with_capacity(candidates.len());
            for descriptor in candidates {
                let is_referrer = ContentKind::of(descriptor) == ContentKind::Manifest
                    && self.read_manifest(descriptor)?.subject().is_some();
                if !is_referrer {
                    images.push(descriptor);
                }
            }
            candidates = images;
        }
        match candidates.as_slice() {
            [] => Err(Error::EmptyLayout {
                layout: self.path.display().to_string(),
            }),
            [only] => Ok(Some((*only).clone())),
            many if many.iter().all(|d| d.platform().is_some()) => Ok(None),
            many => Err(Error::AmbiguousImage {
                layout: self.path.display().to_string(),
                count: many.len(),
                available: self.tags(),
            }),
        }
    }

    fn index_file(&self) -> String {
        match &self.backing {
            Backing::Dir(_) => self.path.join("index.json").display().to_string(),
            Backing::Archive(store) => store.tar().member_file("index.json"),
        }
    }

    fn resolve_descriptor(
        &self,
        descriptor: Descriptor,
        platform: &Platform,
        parent: Option<Descriptor>,
        depth: usize,
    ) -> Result<Image> {
        match ContentKind::of(&descriptor) {
            ContentKind::Manifest => {
                let manifest = self.read_manifest(&descriptor)?;
                let config = self.read_config(manifest.config())?;
                Ok(Image {
                    descriptor,
                    manifest,
                    config,
                    index: parent,
                })
            }
            ContentKind::Index if depth < MAX_INDEX_DEPTH => {
                let index = self.read_index(&descriptor)?;
                let file = self.describe(&descriptor);
                let chosen = select_platform(index.manifests(), platform, &file)?;
                self.resolve_descriptor(chosen, platform, Some(descriptor), depth + 1)
            }
            kind => Err(Error::UnsupportedMediaType {
                file: self.describe(&descriptor),
                media_type: descriptor.media_type().to_string(),
                what: if kind == ContentKind::Index {
                    "an index nested this deep"
                } else {
                    "an image"
                },
            }),
        }
    }

    fn describe(&self, descriptor: &Descriptor) -> String {
        match digest::from_spec(descriptor.digest(), &self.index_file()) {
            Ok(digest) => format!("{} ({digest})", self.store().blob_file(&digest)),
            Err(_) => descriptor.digest().to_string(),
        }
    }

    /// The referrers of `subject` stored in the layout: every image manifest listed in
    /// `index.json` whose `subject` is `subject`, as a descriptor carrying the
    /// manifest's artifact type and annotations; only those of `artifact_type` when given.
    pub fn referrers(
        &self,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>> {
        let mut found = Vec::new();
        for entry in self.index.manifests() {
            if ContentKind::of(entry) != ContentKind::Manifest {
                continue;
            }
            let data = self.store().read_blob(entry)?;
            let file = self.describe(entry);
            let manifest: ImageManifest = parse_json(
                &data,
                "image manifest",
                &file,
                Some(entry.digest().to_string()),
            )?;
            let Some(manifest_subject) = manifest.subject() else {
                continue;
            };
            if digest::from_spec(manifest_subject.digest(), &file)? != *subject {
                continue;
            }
            let descriptor =
                referrers::descriptor_for(entry.media_type().clone(), &data, &manifest);
            let matches = artifact_type.is_none_or(|wanted| {
                descriptor
                    .artifact_type()
                    .as_ref()
                    .is_some_and(|t| t.to_string() == wanted)
            });
            if matches
                && !found
                    .iter()
                    .any(|d: &Descriptor| d.digest() == descriptor.digest())
            {
                found.push(descriptor);
            }
        }
        Ok(found)
    }
}

impl BlobStore for Layout {
    fn location(&self) -> String {
        self.store().location()
    }

    fn blob_file(&self, digest: &Digest) -> String {
        self.store().blob_file(digest)
    }

    fn open_raw(&self, digest: &Digest) -> Result<Box<dyn std::io::Read + '_>> {
        self.store().open_raw(digest)
    }
}

fn must_exist(path: &Path) -> Result<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(Error::NotALayout {
            path: path.to_path_buf(),
            reason: "it does not exist".to_owned(),
        })
    }
}

/// The tag of an `index.json` entry.
pub(crate) fn ref_name(descriptor: &Descriptor) -> Option<&str> {
    descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get(ANNOTATION_REF_NAME))
        .map(String::as_str)
}

/// Reads a blob and parses it as JSON, naming the blob and its digest on failure.
pub(crate) fn read_json<T: DeserializeOwned>(
    store: &dyn BlobStore,
    descriptor: &Descriptor,
    what: &'static str,
) -> Result<T> {
    let data = store.read_blob(descriptor)?;
    let digest = digest::from_spec(descriptor.digest(), &store.location())?;
    parse_json(
        &data,
        what,
        &store.blob_file(&digest),
        Some(digest.to_string()),
    )
}

/// Parses JSON of kind `what` from `file`.
pub(crate) fn parse_json<T: DeserializeOwned>(
    data: &[u8],
    what: &'static str,
    file: &str,
    digest: Option<String>,
) -> Result<T> {
    serde_json::from_slice(data).map_err(|error| {
        let mut message = error.to_string();
        let mut file = file.to_owned();
        if error.line() > 0 {
            let location = format!(" at line {} column {}", error.line(), error.column());
            if let Some(stripped) = message.strip_suffix(&location) {
                message = stripped.to_owned();
            }
            file = format!("{file}:{}:{}", error.line(), error.column());
        }
        Error::MalformedJson {
            what,
            file,
            digest,
            message,
        }
    })
}

/// Picks the entry of `manifests` for `platform`, skipping attestation manifests.
pub(crate) fn select_platform(
    manifests: &[Descriptor],
    platform: &Platform,
    file: &str,
) -> Result<Descriptor> {
    let usable = manifests.iter().filter(|d| {
        d.annotations()
            .as_ref()
            .and_then(|a| a.get(DOCKER_REFERENCE_TYPE))
            .is_none_or(|t| t != "attestation-manifest")
    });
    let mut available = Vec::new();
    for descriptor in usable {
        let Some(candidate) = descriptor.platform().as_ref().map(Platform::from_spec) else {
            continue;
        };
        if platform.matches(&candidate) {
            return Ok(descriptor.clone());
        }
        if candidate.os() != "unknown" {
            available.push(candidate.to_string());
        }
    }
    // An index with a single manifest that names no platform: that is the image.
    if let [only] = manifests
        && only.platform().is_none()
    {
        return Ok(only.clone());
    }
    Err(Error::NoPlatform {
        file: file.to_owned(),
        platform: platform.to_string(),
        available,
    })
}
