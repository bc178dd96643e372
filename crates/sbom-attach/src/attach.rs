//! Attaching an SBOM to an image as an OCI 1.1 referrer: a manifest with the SBOM's media
//! type as `artifactType`, the SBOM as its one layer, the OCI empty JSON as config and
//! the image as `subject`. Pushed to the image's registry (with the fallback referrers
//! index `sha256-<hex>` on registries without the referrers API), or written into an OCI
//! image layout next to the image so `shipgate push` uploads it with the image.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use shipgate_core::image_ref::{self, Digest, ImageRef};
use shipgate_oci::spec::{Descriptor, MediaType};
use shipgate_oci::{Layout, LayoutWriter};

use crate::error::{Error, Result};
use crate::scan::ScanOptions;

/// The annotation holding the referrer's creation time.
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";

/// The default size limit of an attached SBOM (16 MiB, what GitHub's attestation API
/// accepts).
pub const DEFAULT_MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Where the referrer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The image's registry.
    Registry,
    /// An OCI image layout folder holding the image.
    Layout(PathBuf),
}

/// How [`attach`] runs.
#[derive(Debug, Clone)]
pub struct AttachOptions {
    /// Where the referrer goes.
    pub destination: Destination,
    /// The largest SBOM accepted, in bytes.
    pub max_size: u64,
    /// Seconds since the epoch for the `created` annotation.
    pub timestamp: i64,
    /// Registry access.
    pub scan: ScanOptions,
}

/// What [`attach`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachReport {
    /// The image the SBOM refers to (`NAME@sha256:…`).
    pub subject: String,
    /// The referrer manifest's digest.
    pub referrer: String,
    /// The referrer's artifact type (the SBOM's media type).
    pub artifact_type: String,
    /// The SBOM's size in bytes.
    pub size: u64,
    /// `registry` or the layout folder.
    pub destination: String,
    /// Whether the registry indexed the referrer itself; `false` means the fallback index
    /// `sha256-<hex>` lists it (always `false` for a layout).
    pub indexed_by_registry: bool,
}

/// Parses the image to attach to: a reference that must carry a digest.
pub fn parse_subject(reference: &str) -> Result<ImageRef> {
    let text = reference.strip_prefix("registry:").unwrap_or(reference);
    let image = image_ref::parse(text).map_err(shipgate_oci::Error::from)?;
    if image.digest().is_none() {
        return Err(Error::NeedsDigest {
            reference: reference.to_owned(),
        });
    }
    Ok(image)
}

/// Attaches `sbom` (CycloneDX or SPDX JSON, checked structurally first) to `image`.
pub fn attach(
    image: &ImageRef,
    sbom: &[u8],
    sbom_file: &str,
    options: &AttachOptions,
) -> Result<AttachReport> {
    let Some(digest) = image.digest().cloned() else {
        return Err(Error::NeedsDigest {
            reference: image.to_string(),
        });
    };
    let size = sbom.len() as u64;
    if size > options.max_size {
        return Err(Error::TooLarge {
            size,
            limit: options.max_size,
        });
    }
    let report = crate::validate::validate(sbom, sbom_file)?;
    let artifact_type = report.media_type();
    let annotations = HashMap::from([(
        ANNOTATION_CREATED.to_owned(),
        crate::sbom::rfc3339(options.timestamp),
    )]);
    let blobs = [(MediaType::from(artifact_type), sbom)];
    match &options.destination {
        Destination::Registry => {
            let client = options.scan.client()?;
            let subject = shipgate_oci::remote::fetch(&client, image, &digest.to_string())?;
            let pushed = shipgate_oci::remote::push_artifact(
                &client,
                image,
                &subject.descriptor(),
                artifact_type,
                &blobs,
                annotations,
            )?;
            Ok(AttachReport {
                subject: format!("{}@{digest}", image.name()),
                referrer: pushed.descriptor.digest().to_string(),
                artifact_type: artifact_type.to_owned(),
                size,
                destination: "registry".to_owned(),
                indexed_by_registry: pushed.indexed_by_registry,
            })
        }
        Destination::Layout(path) => {
            let subject = layout_subject(path, &digest)?;
            let mut writer = LayoutWriter::create(path)?;
            let descriptor = writer.add_artifact(&subject, artifact_type, &blobs, annotations)?;
            Ok(AttachReport {
                subject: format!("{}@{digest}", image.name()),
                referrer: descriptor.digest().to_string(),
                artifact_type: artifact_type.to_owned(),
                size,
                destination: path.display().to_string(),
                indexed_by_registry: false,
            })
        }
    }
}

/// The descriptor of the manifest or index `digest` in the layout at `path`: an
/// `index.json` entry, or a manifest blob an index of the layout lists.
fn layout_subject(path: &Path, digest: &Digest) -> Result<Descriptor> {
    let layout = Layout::open_dir(path)?;
    let wanted = digest.to_string();
    let mut queue: Vec<Descriptor> = layout.index().manifests().clone();
    let mut seen = 0usize;
    while let Some(candidate) = queue.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        if candidate.digest().to_string() == wanted {
            let mut plain = candidate.clone();
            plain.set_annotations(None);
            plain.set_platform(None);
            return Ok(plain);
        }
        let media_type = candidate.media_type().to_string();
        if media_type == shipgate_oci::MEDIA_TYPE_OCI_INDEX
            || media_type == shipgate_oci::MEDIA_TYPE_DOCKER_LIST
        {
            queue.extend(layout.read_index(&candidate)?.manifests().clone());
        }
    }
    Err(Error::SubjectMissing {
        layout: path.display().to_string(),
        digest: wanted,
    })
}

/// Parses a size: bytes, or a number with `k`/`KiB`, `M`/`MiB`, `G`/`GiB` (powers of
/// 1024; `KB`, `MB`, `GB` are powers of 1000).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1024,
        "m" | "mib" => 1024 * 1024,
        "g" | "gib" => 1024 * 1024 * 1024,
        "kb" => 1000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return None,
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("16MiB"), Some(16 * 1024 * 1024));
        assert_eq!(parse_size("2k"), Some(2048));
        assert_eq!(parse_size("1MB"), Some(1_000_000));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("1 parsec"), None);
    }

    #[test]
    fn tags_without_digest_are_refused() {
        assert!(matches!(
            parse_subject("ghcr.io/acme/web:1.0"),
            Err(Error::NeedsDigest { .. })
        ));
        let digest = format!("sha256:{}", "a".repeat(64));
        assert!(parse_subject(&format!("ghcr.io/acme/web@{digest}")).is_ok());
    }
}
