//! Writing OCI image layouts: blobs (content-addressed, written atomically), manifests,
//! tags, and referrers kept in `index.json` so signatures and SBOMs can sit next to the
//! image before it is pushed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use shipgate_core::image_ref::Digest;

use crate::digest::{self, Hasher};
use crate::layout::{Layout, parse_json, ref_name};
use crate::{ANNOTATION_REF_NAME, Error, MEDIA_TYPE_OCI_INDEX, Result, json, referrers};

/// The content of the `oci-layout` file.
const LAYOUT_MARKER: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;
/// The OCI empty JSON blob, used as the config of artifacts.
pub const EMPTY_JSON: &[u8] = b"{}";

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes into an OCI image layout folder, creating it when needed. Every change to
/// `index.json` is written at once (atomically), so the layout is valid between calls.
/// One writer per layout at a time: `index.json` is read when the writer is created.
#[derive(Debug)]
pub struct LayoutWriter {
    root: PathBuf,
    index: ImageIndex,
}

impl LayoutWriter {
    /// Opens the layout at `root` for writing, creating the folder, `oci-layout`,
    /// `index.json` and `blobs/sha256/` when they do not exist.
    pub fn create(root: &Path) -> Result<Self> {
        let write_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        let blobs = root.join("blobs").join("sha256");
        fs_err::create_dir_all(&blobs).map_err(write_error(&blobs))?;
        let marker = root.join("oci-layout");
        if !marker.exists() {
            write_atomic(&marker, LAYOUT_MARKER)?;
        }
        let index_path = root.join("index.json");
        let index = if index_path.exists() {
            let data = fs_err::read(&index_path).map_err(|source| Error::Read {
                path: index_path.clone(),
                source,
            })?;
            parse_json(&data, "index.json", &index_path.display().to_string(), None)?
        } else {
            let index = empty_index();
            write_atomic(
                &index_path,
                &json::pretty(&index).expect("an index serialises"),
            )?;
            index
        };
        Ok(Self {
            root: root.to_path_buf(),
            index,
        })
    }

    /// The layout folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The layout's `index.json` as written so far.
    pub fn index(&self) -> &ImageIndex {
        &self.index
    }

    /// Opens what has been written for reading.
    pub fn layout(&self) -> Result<Layout> {
        Layout::open_dir(&self.root)
    }

    /// Adds a blob and returns its descriptor.
    pub fn add_blob(&mut self, media_type: MediaType, data: &[u8]) -> Result<Descriptor> {
        self.add_blob_from(media_type, data)
    }

    /// Adds a blob streamed from `reader`, hashing it on the way, and returns its
    /// descriptor. A blob already present is left as it is.
    pub fn add_blob_from(
        &mut self,
        media_type: MediaType,
        mut reader: impl Read,
    ) -> Result<Descriptor> {
        let dir = self.root.join("blobs").join("sha256");
        let temp = temp_path(&dir);
        let write_error = |source| Error::Write {
            path: temp.clone(),
            source,
        };
        let mut file = fs_err::File::create(&temp).map_err(write_error)?;
        let mut hasher = Hasher::sha256();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        let copied = (|| -> std::io::Result<()> {
            loop {
                let n = reader.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
                size += n as u64;
                file.write_all(&buffer[..n])?;
            }
            file.sync_all()
        })();
        drop(file);
        if let Err(source) = copied {
            let _ = fs_err::remove_file(&temp);
            return Err(Error::Write { path: temp, source });
        }
        let digest = digest::parse_own(&hasher.finish());
        let target = dir.join(digest.hex());
        if target.exists() {
            let _ = fs_err::remove_file(&temp);
        } else {
            fs_err::rename(&temp, &target).map_err(|source| Error::Write {
                path: target.clone(),
                source,
            })?;
        }
        Ok(Descriptor::new(media_type, size, digest::to_spec(&digest)))
    }

    /// Adds an image manifest blob (not listed in `index.json`; see [`LayoutWriter::tag`]).
    pub fn add_manifest(&mut self, manifest: &ImageManifest) -> Result<Descriptor> {
        let media_type = manifest
            .media_type()
            .clone()
            .unwrap_or(MediaType::ImageManifest);
        let bytes = json::canonical(manifest).expect("a manifest serialises");
        self.add_blob(media_type, &bytes)
    }

    /// Adds an image index blob (not listed in `index.json`; see [`LayoutWriter::tag`]).
    pub fn add_index(&mut self, index: &ImageIndex) -> Result<Descriptor> {
        let media_type = index.media_type().clone().unwrap_or(MediaType::ImageIndex);
        let bytes = json::canonical(index).expect("an index serialises");
        self.add_blob(media_type, &bytes)
    }

    /// Lists `descriptor` in `index.json` under `tag`, replacing the entry that had the tag.
    pub fn tag(&mut self, descriptor: &Descriptor, tag: &str) -> Result<()> {
        if !valid_tag(tag) {
            return Err(Error::InvalidTag {
                tag: tag.to_owned(),
            });
        }
        let mut entry = descriptor.clone();
        let mut annotations = entry.annotations().clone().unwrap_or_default();
        annotations.insert(ANNOTATION_REF_NAME.to_owned(), tag.to_owned());
        entry.set_annotations(Some(annotations));
        let mut manifests: Vec<Descriptor> = self
            .index
            .manifests()
            .iter()
            .filter(|d| ref_name(d) != Some(tag))
            .cloned()
            .collect();
        manifests.push(entry);
        self.index.set_manifests(manifests);
        self.save_index()
    }

    /// Lists `descriptor` in `index.json` without a tag (once per digest).
    pub fn add_untagged(&mut self, descriptor: &Descriptor) -> Result<()> {
        let present = self
            .index
            .manifests()
            .iter()
            .any(|d| d.digest() == descriptor.digest() && ref_name(d).is_none());
        if !present {
            let mut manifests = self.index.manifests().clone();
            manifests.push(descriptor.clone());
            self.index.set_manifests(manifests);
            self.save_index()?;
        }
        Ok(())
    }

    /// Adds a referrer manifest (one with a `subject`) and lists it in `index.json` with its
    /// artifact type and annotations, as a referrers list would.
    pub fn add_referrer(&mut self, manifest: &ImageManifest) -> Result<Descriptor> {
        if manifest.subject().is_none() {
            return Err(Error::NotAReferrer);
        }
        let stored = self.add_manifest(manifest)?;
        let bytes = json::canonical(manifest).expect("a manifest serialises");
        let entry = referrers::descriptor_for(stored.media_type().clone(), &bytes, manifest);
        self.add_untagged(&entry)?;
        Ok(entry)
    }

    /// Stores an artifact that refers to `subject`: each of `blobs` (media type, content)
    /// as a layer, the OCI empty JSON as config, `artifact_type` and `annotations` on the
    /// manifest. Returns the referrer's descriptor as listed in `index.json`.
    pub fn add_artifact(
        &mut self,
        subject: &Descriptor,
        artifact_type: &str,
        blobs: &[(MediaType, &[u8])],
        annotations: HashMap<String, String>,
    ) -> Result<Descriptor> {
        let config = self.add_blob(MediaType::EmptyJSON, EMPTY_JSON)?;
        let mut layers = Vec::with_capacity(blobs.len());
        for (media_type, data) in blobs {
            layers.push(self.add_blob(media_type.clone(), data)?);
        }
        let mut subject = subject.clone();
        // The subject is a plain descriptor: no tag, no platform.
        subject.set_annotations(None);
        subject.set_platform(None);
        let mut manifest = new_manifest(config, layers);
        manifest.set_artifact_type(Some(MediaType::from(artifact_type)));
        manifest.set_subject(Some(subject));
        manifest.set_annotations((!annotations.is_empty()).then_some(annotations));
        self.add_referrer(&manifest)
    }

    /// The digest of a descriptor written by this writer.
    pub fn digest_of(descriptor: &Descriptor) -> Result<Digest> {
        digest::from_spec(descriptor.digest(), "a written descriptor")
    }

    fn save_index(&self) -> Result<()> {
        let bytes = json::pretty(&self.index).expect("an index serialises");
        write_atomic(&self.root.join("index.json"), &bytes)
    }
}

/// An OCI image manifest (schema 2, OCI media type) with `config` and `layers`.
pub fn new_manifest(config: Descriptor, layers: Vec<Descriptor>) -> ImageManifest {
    oci_spec::image::ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(config)
        .layers(layers)
        .build()
        .expect("every required manifest field is set")
}

fn empty_index() -> ImageIndex {
    let mut index = ImageIndex::default();
    index.set_schema_version(2);
    index.set_media_type(Some(MediaType::from(MEDIA_TYPE_OCI_INDEX)));
    index.set_manifests(Vec::new());
    index
}

fn valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    tag.len() <= shipgate_core::image_ref::MAX_TAG_LENGTH
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn temp_path(dir: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".tmp-{}-{n}", std::process::id()))
}

/// Writes `path` through a temporary file in the same folder and a rename.
fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = temp_path(dir);
    let result = (|| -> std::io::Result<()> {
        let mut file = fs_err::File::create(&temp)?;
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        fs_err::rename(&temp, path)
    })();
    result.map_err(|source| {
        let _ = fs_err::remove_file(&temp);
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked() {
        assert!(valid_tag("latest"));
        assert!(valid_tag("v1.2.3-rc_1"));
        assert!(valid_tag("sha256-abc"));
        assert!(!valid_tag(""));
        assert!(!valid_tag("-x"));
        assert!(!valid_tag("a/b"));
        assert!(!valid_tag(&"a".repeat(129)));
    }

    #[test]
    fn blobs_are_content_addressed() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = LayoutWriter::create(dir.path()).unwrap();
        let first = writer.add_blob(MediaType::ImageLayer, b"data").unwrap();
        let again = writer.add_blob(MediaType::ImageLayer, b"data").unwrap();
        assert_eq!(first, again);
        let digest = LayoutWriter::digest_of(&first).unwrap();
        let path = dir.path().join("blobs/sha256").join(digest.hex());
        assert_eq!(fs_err::read(path).unwrap(), b"data");
        let leftovers: Vec<_> = fs_err::read_dir(dir.path().join("blobs/sha256"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
