//! The legacy cosign signature storage: a manifest under the tag `sha256-<hex>.sig` in the
//! image's repository, one layer per signature.
//!
//! Manifest `application/vnd.oci.image.manifest.v1+json`; config
//! `application/vnd.oci.image.config.v1+json` (`{}`); each layer
//! `application/vnd.dev.cosign.simplesigning.v1+json` whose blob is the simple-signing
//! payload exactly as signed, with the annotation `dev.cosignproject.cosign/signature`
//! (base64 signature over the blob).

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oci_spec::image::{Descriptor, ImageManifest, MediaType};
use sha2::{Digest as _, Sha256};
use shipgate_core::image_ref::Digest;

use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::simple_signing::Payload;

/// The media type of a simple-signing layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The config media type of a `.sig` manifest.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// The layer annotation holding the base64 signature.
pub const ANNOTATION_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// The layer annotation holding a PEM leaf certificate (keyless).
pub const ANNOTATION_CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
/// The layer annotation holding the PEM chain (keyless).
pub const ANNOTATION_CHAIN: &str = "dev.sigstore.cosign/chain";
/// The layer annotation holding the Rekor bundle (SET).
pub const ANNOTATION_BUNDLE: &str = "dev.sigstore.cosign/bundle";

/// The tag of the signatures of `digest`: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &Digest) -> String {
    format!("{}-{}.sig", digest.algorithm(), digest.hex())
}

/// The tag of the attestations of `digest`: `sha256-<hex>.att`.
pub fn attestation_tag(digest: &Digest) -> String {
    format!("{}-{}.att", digest.algorithm(), digest.hex())
}

/// One signature layer: the payload bytes and the signature over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLayer {
    /// The simple-signing payload, exactly as signed (the layer blob).
    pub payload: Vec<u8>,
    /// The base64 signature (the annotation value).
    pub signature: String,
}

impl SignatureLayer {
    /// Signs `payload` with `key`.
    pub fn sign(payload: &Payload, key: &PrivateKey) -> Self {
        let payload = payload.to_bytes();
        let signature = STANDARD.encode(key.sign(&payload));
        Self { payload, signature }
    }

    /// Verifies the signature with `key` and the payload's claims (`digest`,
    /// `annotations`); returns the payload.
    pub fn verify(
        &self,
        key: &PublicKey,
        digest: &Digest,
        annotations: &BTreeMap<String, String>,
        file: &str,
    ) -> Result<Payload> {
        let signature = STANDARD
            .decode(self.signature.trim())
            .map_err(|_| Error::verify("signature", "the signature annotation is not base64"))?;
        key.verify(&self.payload, &signature)?;
        let payload = Payload::parse(&self.payload, file)?;
        payload.check(digest, annotations)?;
        Ok(payload)
    }
}

fn descriptor(media_type: &str, data: &[u8]) -> Descriptor {
    let hex: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let digest: oci_spec::image::Digest = match format!("sha256:{hex}").parse() {
        Ok(digest) => digest,
        Err(_) => unreachable!("a sha256 digest in hex is well formed"),
    };
    Descriptor::new(MediaType::from(media_type), data.len() as u64, digest)
}

/// The `.sig` manifest holding `layers`, and every blob it names (config first) with its
/// descriptor, ready to be stored.
pub fn signature_manifest(
    layers: &[SignatureLayer],
) -> (ImageManifest, Vec<(Descriptor, Vec<u8>)>) {
    let config_bytes = b"{}".to_vec();
    let config = descriptor(CONFIG_MEDIA_TYPE, &config_bytes);
    let mut blobs = vec![(config.clone(), config_bytes)];
    let mut descriptors = Vec::with_capacity(layers.len());
    for layer in layers {
        let mut d = descriptor(SIMPLE_SIGNING_MEDIA_TYPE, &layer.payload);
        d.set_annotations(Some(HashMap::from([(
            ANNOTATION_SIGNATURE.to_owned(),
            layer.signature.clone(),
        )])));
        descriptors.push(d.clone());
        blobs.push((d, layer.payload.clone()));
    }
    let manifest = shipgate_oci::writer::new_manifest(config, descriptors);
    (manifest, blobs)
}

/// The signature layers of a `.sig` manifest, reading each blob with `read_blob`. Layers
/// of another media type are skipped; a simple-signing layer without a signature
/// annotation is malformed.
pub fn read_signature_layers(
    manifest: &ImageManifest,
    file: &str,
    mut read_blob: impl FnMut(&Descriptor) -> Result<Vec<u8>>,
) -> Result<Vec<SignatureLayer>> {
    let mut layers = Vec::new();
    for (n, layer) in manifest.layers().iter().enumerate() {
        if layer.media_type().to_string() != SIMPLE_SIGNING_MEDIA_TYPE {
            continue;
        }
        let Some(signature) = layer
            .annotations()
            .as_ref()
            .and_then(|a| a.get(ANNOTATION_SIGNATURE))
        else {
            return Err(Error::malformed(
                "cosign signature manifest",
                file,
                format!("at $.layers[{n}].annotations: no `{ANNOTATION_SIGNATURE}`"),
            ));
        };
        layers.push(SignatureLayer {
            payload: read_blob(layer)?,
            signature: signature.clone(),
        });
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::keys::tests::{OTHER_KEY, TEST_KEY};

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn tags() {
        let digest = Digest::parse(DIGEST).unwrap();
        assert_eq!(
            signature_tag(&digest),
            "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sig"
        );
        assert!(attestation_tag(&digest).ends_with(".att"));
    }

    #[test]
    fn manifest_layout_matches_cosign() {
        let key = PrivateKey::from_pem(TEST_KEY, "k").unwrap();
        let digest = Digest::parse(DIGEST).unwrap();
        let payload = Payload::new("ghcr.io/acme/app", &digest, &BTreeMap::new());
        let layer = SignatureLayer::sign(&payload, &key);
        let (manifest, blobs) = signature_manifest(std::slice::from_ref(&layer));
        let value = serde_json::to_value(&manifest).unwrap();
        assert_eq!(value["schemaVersion"], 2);
        assert_eq!(
            value["mediaType"],
            "application/vnd.oci.image.manifest.v1+json"
        );
        assert_eq!(
            value["config"],
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                "size": 2
            })
        );
        let layer_json = &value["layers"][0];
        assert_eq!(layer_json["mediaType"], SIMPLE_SIGNING_MEDIA_TYPE);
        assert_eq!(layer_json["size"], layer.payload.len());
        assert_eq!(
            layer_json["annotations"],
            serde_json::json!({ "dev.cosignproject.cosign/signature": layer.signature })
        );
        assert_eq!(blobs.len(), 2);
        assert_eq!(blobs[1].1, payload.to_bytes());

        let read = read_signature_layers(&manifest, "m", |d| {
            Ok(blobs
                .iter()
                .find(|(b, _)| b.digest() == d.digest())
                .unwrap()
                .1
                .clone())
        })
        .unwrap();
        assert_eq!(read, vec![layer.clone()]);
        read[0]
            .verify(&key.public_key(), &digest, &BTreeMap::new(), "m")
            .unwrap();
        let other = PrivateKey::from_pem(OTHER_KEY, "o").unwrap().public_key();
        assert!(
            read[0]
                .verify(&other, &digest, &BTreeMap::new(), "m")
                .is_err()
        );
        let wrong = Digest::parse(&DIGEST.replace("0123", "ffff")).unwrap();
        let error = read[0]
            .verify(&key.public_key(), &wrong, &BTreeMap::new(), "m")
            .unwrap_err();
        assert!(error.to_string().contains("digest"), "{error}");
    }
}
