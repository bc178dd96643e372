//! Signing and verifying images held in an OCI image layout, before they are pushed.
//!
//! Signatures and attestations are written as Sigstore bundle v0.3 referrers of the image
//! (artifact type `application/vnd.dev.sigstore.bundle.v0.3+json`, the annotations cosign v3
//! sets), through shipgate-oci's [`LayoutWriter`], so `shipgate push` uploads them with
//! the image (and keeps the fallback referrers index on registries without the API).

use std::collections::HashMap;
use std::path::Path;

use oci_spec::image::{Descriptor, MediaType};
use shipgate_core::image_ref::Digest;
use shipgate_oci::layout::ContentKind;
use shipgate_oci::{BlobStore as _, Layout, LayoutWriter};

use crate::bundle::{BUNDLE_V03_MEDIA_TYPE, Bundle};
use crate::error::{Error, Result};
use crate::intoto::{COSIGN_SIGN_PREDICATE, Statement, Subject};
use crate::keys::{PrivateKey, PublicKey};

/// The referrer annotation naming the bundle's content (`dsse-envelope`).
pub const ANNOTATION_BUNDLE_CONTENT: &str = "dev.sigstore.bundle.content";
/// The referrer annotation naming the statement's predicate type.
pub const ANNOTATION_PREDICATE_TYPE: &str = "dev.sigstore.bundle.predicateType";
/// The referrer annotation with the creation time.
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
/// buildx's annotation on attestation manifests inside an index.
const DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";

/// How [`sign_layout`] and [`attest_layout`] sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Also sign every platform manifest of a multi-platform index.
    pub recursive: bool,
    /// Seconds since the Unix epoch for the `created` annotation.
    pub created: i64,
}

/// One bundle written into a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The digest signed (the image, or a platform manifest of it).
    pub subject: Digest,
    /// The digest of the referrer manifest holding the bundle.
    pub referrer: Digest,
    /// The statement's predicate type.
    pub predicate_type: String,
}

/// Signs `statement` into a v0.3 bundle (DSSE envelope, public-key hint, no log entry).
pub fn attest(statement: &Statement, key: &PrivateKey) -> Bundle {
    Bundle::sign_statement(statement, key)
}

/// Signs `payload` bytes: the raw ASN.1 DER ECDSA P-256 / SHA-256 signature (not base64).
pub fn sign_payload(payload: &[u8], key: &PrivateKey) -> Vec<u8> {
    key.sign(payload)
}

/// Checks a DER ECDSA P-256 / SHA-256 `signature` over `payload`.
pub fn verify_payload(payload: &[u8], signature: &[u8], key: &PublicKey) -> Result<()> {
    key.verify(payload, signature)
}

/// Parses and verifies a bundle about `digest` with `key` (see [`Bundle::verify`]).
pub fn verify_bundle(
    data: &[u8],
    key: &PublicKey,
    digest: &Digest,
    file: &str,
) -> Result<crate::bundle::Verified> {
    Bundle::parse(data, file)?.verify(key, digest, file)
}

fn digest_of(descriptor: &Descriptor) -> Result<Digest> {
    Ok(LayoutWriter::digest_of(descriptor)?)
}

/// The image of the layout (the entry tagged `tag`, or its only image) and, when it is
/// an index and `recursive`, each platform manifest in it.
fn subjects(layout: &Layout, tag: Option<&str>, recursive: bool) -> Result<Vec<Descriptor>> {
    let (top, _) = shipgate_oci::push::select_image(layout, tag)?;
    let mut out = vec![top.clone()];
    if recursive && ContentKind::of(&top) == ContentKind::Index {
        let index = layout.read_index(&top)?;
        for child in index.manifests() {
            let attestation = child
                .annotations()
                .as_ref()
                .and_then(|a| a.get(DOCKER_REFERENCE_TYPE))
                .is_some_and(|t| t == "attestation-manifest");
            if !attestation && ContentKind::of(child) == ContentKind::Manifest {
                out.push(child.clone());
            }
        }
    }
    Ok(out)
}

fn write_bundles(
    path: &Path,
    tag: Option<&str>,
    options: &SignOptions,
    make: impl Fn(&Digest) -> Statement,
    key: &PrivateKey,
) -> Result<Vec<Signed>> {
    let layout = Layout::open_dir(path)?;
    let subjects = subjects(&layout, tag, options.recursive)?;
    let mut writer = LayoutWriter::create(path)?;
    let mut signed = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let digest = digest_of(&subject)?;
        let statement = make(&digest);
        let bundle = attest(&statement, key);
        let annotations = HashMap::from([
            (
                ANNOTATION_BUNDLE_CONTENT.to_owned(),
                "dsse-envelope".to_owned(),
            ),
            (
                ANNOTATION_PREDICATE_TYPE.to_owned(),
                statement.predicate_type.clone(),
            ),
            (ANNOTATION_CREATED.to_owned(), rfc3339(options.created)),
        ]);
        let bytes = bundle.to_bytes();
        let referrer = writer.add_artifact(
            &subject,
            BUNDLE_V03_MEDIA_TYPE,
            &[(MediaType::from(BUNDLE_V03_MEDIA_TYPE), &bytes)],
            annotations,
        )?;
        signed.push(Signed {
            subject: digest,
            referrer: digest_of(&referrer)?,
            predicate_type: statement.predicate_type,
        });
    }
    Ok(signed)
}

/// Signs the image of the layout at `path` (the entry tagged `tag`, or its only image) the
/// way cosign v3 does: a Statement v1 with predicate type
/// `https://sigstore.dev/cosign/sign/v1` about the digest, in a DSSE envelope, in a bundle
/// stored as a referrer. With `recursive`, each platform manifest of an index too.
pub fn sign_layout(
    path: &Path,
    tag: Option<&str>,
    key: &PrivateKey,
    options: &SignOptions,
) -> Result<Vec<Signed>> {
    write_bundles(
        path,
        tag,
        options,
        |digest| {
            Statement::new(
                vec![Subject::image(None, digest)],
                COSIGN_SIGN_PREDICATE,
                None,
            )
        },
        key,
    )
}

/// Attests the image of the layout: a Statement v1 with `predicate_type` and `predicate`
/// about its digest, signed into a bundle stored as a referrer.
pub fn attest_layout(
    path: &Path,
    tag: Option<&str>,
    key: &PrivateKey,
    predicate_type: &str,
    predicate: &serde_json::Value,
    options: &SignOptions,
) -> Result<Vec<Signed>> {
    write_bundles(
        path,
        tag,
        options,
        |digest| {
            Statement::new(
                vec![Subject::image(None, digest)],
                predicate_type,
                Some(predicate.clone()),
            )
        },
        key,
    )
}

/// What verifying one bundle referrer gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The referrer manifest.
    pub referrer: Digest,
    /// The predicate type the referrer announces.
    pub predicate_type: Option<String>,
    /// `Ok` or why it did not verify.
    pub outcome: std::result::Result<(), String>,
}

/// The verification of one image in a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The image digest.
    pub subject: Digest,
    /// Every bundle referrer found, verified or not.
    pub bundles: Vec<Checked>,
}

impl Verification {
    /// Whether a signature (predicate type `cosign/sign/v1`) verified.
    pub fn signed(&self) -> bool {
        self.verified_types()
            .iter()
            .any(|t| t == COSIGN_SIGN_PREDICATE)
    }

    /// The predicate types of the bundles that verified.
    pub fn verified_types(&self) -> Vec<String> {
        self.bundles
            .iter()
            .filter(|c| c.outcome.is_ok())
            .filter_map(|c| c.predicate_type.clone())
            .collect()
    }
}

/// Verifies the bundle referrers of the image of the layout at `path` with `key`. Each
/// bundle is checked on its own; a bundle that is malformed or does not verify is
/// reported in [`Checked::outcome`]. A malformed layout is an error.
pub fn verify_layout(path: &Path, tag: Option<&str>, key: &PublicKey) -> Result<Verification> {
    let layout = Layout::open(path)?;
    let (top, _) = shipgate_oci::push::select_image(&layout, tag)?;
    let subject = digest_of(&top)?;
    let mut bundles = Vec::new();
    for listed in layout.referrers(&subject, Some(BUNDLE_V03_MEDIA_TYPE))? {
        let referrer = digest_of(&listed)?;
        let predicate_type = listed
            .annotations()
            .as_ref()
            .and_then(|a| a.get(ANNOTATION_PREDICATE_TYPE))
            .cloned();
        let outcome = check_referrer(&layout, &listed, key, &subject).map_err(|e| e.to_string());
        // The predicate type that counts is the one inside the signed statement.
        let predicate_type = match &outcome {
            Ok(verified) => Some(verified.clone()),
            Err(_) => predicate_type,
        };
        bundles.push(Checked {
            referrer,
            predicate_type,
            outcome: outcome.map(|_| ()),
        });
    }
    Ok(Verification { subject, bundles })
}

fn check_referrer(
    layout: &Layout,
    listed: &Descriptor,
    key: &PublicKey,
    subject: &Digest,
) -> Result<String> {
    let manifest = layout.read_manifest(listed)?;
    let layer = manifest
        .layers()
        .iter()
        .find(|l| l.media_type().to_string() == BUNDLE_V03_MEDIA_TYPE)
        .ok_or_else(|| Error::verify("bundle", "the referrer has no bundle layer"))?;
    let data = layout.read_blob(layer)?;
    let file = layout.blob_file(&digest_of(layer)?);
    let verified = verify_bundle(&data, key, subject, &file)?;
    Ok(verified.statement.predicate_type)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `seconds` since the Unix epoch.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
