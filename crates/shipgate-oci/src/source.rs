//! Image sources, one syntax for every shipgate binary (syft's):
//!
//! | source | meaning |
//! | --- | --- |
//! | `registry:REF` | an image in a registry |
//! | `oci-dir:PATH[:TAG]` | an OCI image layout folder |
//! | `oci-archive:FILE` | a tar of an OCI image layout (`buildx --output type=oci,dest=FILE`) |
//! | `docker-archive:FILE` | `docker save` output |
//! | `dir:PATH` | an unpacked root filesystem |
//!
//! Without a prefix, a path that exists is detected (a folder with `oci-layout` is an
//! `oci-dir`, a tar with `oci-layout` an `oci-archive`, a tar with `manifest.json` a
//! `docker-archive`, any other folder a `dir`) and anything else is a registry reference.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use shipgate_core::image_ref::{self, ImageRef};

use crate::docker_archive::DockerArchive;
use crate::layout::{Image, Layout};
use crate::platform::Platform;
use crate::store::{BlobStore, TarIndex};
use crate::{Error, Result};

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An image in a registry (`registry:REF`).
    Registry(ImageRef),
    /// An OCI image layout folder, optionally one tag in it (`oci-dir:PATH[:TAG]`).
    OciDir {
        /// The layout folder.
        path: PathBuf,
        /// The tag (`org.opencontainers.image.ref.name`) to read.
        tag: Option<String>,
    },
    /// A tar of an OCI image layout (`oci-archive:FILE`).
    OciArchive(PathBuf),
    /// `docker save` output (`docker-archive:FILE`).
    DockerArchive(PathBuf),
    /// An unpacked root filesystem (`dir:PATH`).
    Dir(PathBuf),
}

/// The kind of a source, as its prefix names it.
const PREFIXES: [&str; 5] = [
    "registry",
    "oci-dir",
    "oci-archive",
    "docker-archive",
    "dir",
];

impl Source {
    /// Parses a source: `KIND:VALUE`, or a bare path (detected) or registry reference.
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidSource {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(invalid("it is empty"));
        }
        if let Some((kind, value)) = input.split_once(':')
            && PREFIXES.contains(&kind)
        {
            if value.is_empty() {
                return Err(invalid(&format!("nothing follows `{kind}:`")));
            }
            return match kind {
                "registry" => Ok(Self::Registry(image_ref::parse(value)?)),
                "oci-dir" => Ok(split_oci_dir(value)),
                "oci-archive" => Ok(Self::OciArchive(PathBuf::from(value))),
                "docker-archive" => Ok(Self::DockerArchive(PathBuf::from(value))),
                _ => Ok(Self::Dir(PathBuf::from(value))),
            };
        }
        let path = Path::new(input);
        if path.exists() {
            return Self::detect(path).map_err(|reason| invalid(&reason));
        }
        Ok(Self::Registry(image_ref::parse(input)?))
    }

    /// Detects the kind of an existing path.
    fn detect(path: &Path) -> Result<Self, String> {
        if path.is_dir() {
            return Ok(if path.join("oci-layout").is_file() {
                Self::OciDir {
                    path: path.to_path_buf(),
                    tag: None,
                }
            } else {
                Self::Dir(path.to_path_buf())
            });
        }
        let tar = TarIndex::open(path).map_err(|_| {
            "the file is not a tar archive; prefix a registry reference with `registry:`".to_owned()
        })?;
        if tar.contains("oci-layout") {
            Ok(Self::OciArchive(path.to_path_buf()))
        } else if tar.contains("manifest.json") {
            Ok(Self::DockerArchive(path.to_path_buf()))
        } else {
            Err("the archive has neither `oci-layout` nor `manifest.json`".to_owned())
        }
    }

    /// Whether the source is read without a network.
    pub fn is_local(&self) -> bool {
        !matches!(self, Self::Registry(_))
    }

    /// Opens a local image source (`oci-dir`, `oci-archive`, `docker-archive`) and
    /// resolves it to one image for `platform`.
    pub fn open_local(&self, platform: &Platform) -> Result<LocalImage> {
        match self {
            Self::OciDir { path, tag } => {
                let layout = Layout::open_dir(path)?;
                let image = layout.resolve(tag.as_deref(), platform)?;
                Ok(LocalImage {
                    store: Box::new(layout.clone()),
                    image,
                })
            }
            Self::OciArchive(path) => {
                let layout = Layout::open_archive(path)?;
                let image = layout.resolve(None, platform)?;
                Ok(LocalImage {
                    store: Box::new(layout),
                    image,
                })
            }
            Self::DockerArchive(path) => {
                let archive = DockerArchive::open(path, None)?;
                let image = archive.image().clone();
                Ok(LocalImage {
                    store: Box::new(archive),
                    image,
                })
            }
            Self::Registry(_) => Err(Error::UnsupportedSource {
                source_text: self.to_string(),
                what: "a local image (use the registry client)",
            }),
            Self::Dir(_) => Err(Error::UnsupportedSource {
                source_text: self.to_string(),
                what: "an image (it is a root filesystem)",
            }),
        }
    }
}

/// An image opened from a local source: its blobs and its resolved manifest and config.
pub struct LocalImage {
    /// Where the blobs are.
    pub store: Box<dyn BlobStore>,
    /// The image.
    pub image: Image,
}

impl fmt::Debug for LocalImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalImage")
            .field("store", &self.store.location())
            .field("image", &self.image.descriptor)
            .finish()
    }
}

/// `PATH[:TAG]`: the tag is what follows the last `:` when the whole value is not an
/// existing path and that part is a valid tag.
fn split_oci_dir(value: &str) -> Source {
    let whole = || Source::OciDir {
        path: PathBuf::from(value),
        tag: None,
    };
    if Path::new(value).exists() {
        return whole();
    }
    match value.rsplit_once(':') {
        Some((path, tag))
            if !path.is_empty()
                && !tag.is_empty()
                && tag.len() <= image_ref::MAX_TAG_LENGTH
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) =>
        {
            Source::OciDir {
                path: PathBuf::from(path),
                tag: Some(tag.to_owned()),
            }
        }
        _ => whole(),
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Registry(reference) => write!(f, "registry:{reference}"),
            Self::OciDir { path, tag: None } => write!(f, "oci-dir:{}", path.display()),
            Self::OciDir {
                path,
                tag: Some(tag),
            } => write!(f, "oci-dir:{}:{tag}", path.display()),
            Self::OciArchive(path) => write!(f, "oci-archive:{}", path.display()),
            Self::DockerArchive(path) => write!(f, "docker-archive:{}", path.display()),
            Self::Dir(path) => write!(f, "dir:{}", path.display()),
        }
    }
}

impl FromStr for Source {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_choose_the_kind() {
        let cases = [
            ("registry:alpine", "registry:docker.io/library/alpine"),
            ("registry:127.0.0.1:5000/x:t", "registry:127.0.0.1:5000/x:t"),
            ("oci-dir:/no/such/out", "oci-dir:/no/such/out"),
            ("oci-dir:/no/such/out:v1", "oci-dir:/no/such/out:v1"),
            ("oci-archive:img.tar", "oci-archive:img.tar"),
            ("docker-archive:img.tar", "docker-archive:img.tar"),
            ("dir:/rootfs", "dir:/rootfs"),
        ];
        for (input, shown) in cases {
            assert_eq!(Source::parse(input).unwrap().to_string(), shown, "{input}");
        }
    }

    #[test]
    fn oci_dir_tag_split() {
        assert_eq!(
            Source::parse("oci-dir:/no/such/out:v1").unwrap(),
            Source::OciDir {
                path: PathBuf::from("/no/such/out"),
                tag: Some("v1".to_owned())
            }
        );
        assert_eq!(
            Source::parse("oci-dir:/no/such:dir/out").unwrap(),
            Source::OciDir {
                path: PathBuf::from("/no/such:dir/out"),
                tag: None
            }
        );
    }

    #[test]
    fn bare_references_are_registry_sources() {
        assert_eq!(
            Source::parse("ghcr.io/acme/web:1.0").unwrap(),
            Source::Registry(image_ref::parse("ghcr.io/acme/web:1.0").unwrap())
        );
        assert!(!Source::parse("alpine").unwrap().is_local());
    }

    #[test]
    fn bare_paths_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let rootfs = dir.path().join("rootfs");
        fs_err::create_dir(&rootfs).unwrap();
        assert_eq!(
            Source::parse(rootfs.to_str().unwrap()).unwrap(),
            Source::Dir(rootfs.clone())
        );
        let layout = dir.path().join("layout");
        crate::LayoutWriter::create(&layout).unwrap();
        assert!(matches!(
            Source::parse(layout.to_str().unwrap()).unwrap(),
            Source::OciDir { tag: None, .. }
        ));
    }

    #[test]
    fn bad_sources_are_errors() {
        for bad in ["", "registry:", "registry:bad ref", "oci-dir:"] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }
}
