//! The cosign "simple signing" payload: what a legacy `.sig` signature signs.
//!
//! Compact JSON, keys in this order (what cosign writes):
//! `{"critical":{"identity":{"docker-reference":"<registry/repo>"},"image":{"docker-manifest-digest":"sha256:<hex>"},"type":"cosign container image signature"},"optional":null}`;
//! `optional` holds `-a k=v` annotations, else `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shipgate_core::image_ref::Digest;

use crate::error::{Error, Result, parse_json};

/// The `critical.type` of a cosign container image signature.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";

/// A simple-signing payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// What the signature binds.
    pub critical: Critical,
    /// Extra claims (`-a k=v`), or `null`.
    pub optional: Option<BTreeMap<String, serde_json::Value>>,
}

/// The `critical` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Critical {
    /// The repository signed.
    pub identity: Identity,
    /// The manifest digest signed.
    pub image: ImageClaim,
    /// Always [`SIGNATURE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
}

/// `critical.identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `registry/repository` (no tag, no digest).
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

/// `critical.image`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageClaim {
    /// `sha256:<hex>` of the signed manifest.
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl Payload {
    /// The payload for `digest` in `docker_reference` with `annotations` (none: `null`).
    pub fn new(
        docker_reference: &str,
        digest: &Digest,
        annotations: &BTreeMap<String, String>,
    ) -> Self {
        Self {
            critical: Critical {
                identity: Identity {
                    docker_reference: docker_reference.to_owned(),
                },
                image: ImageClaim {
                    docker_manifest_digest: digest.to_string(),
                },
                kind: SIGNATURE_TYPE.to_owned(),
            },
            optional: (!annotations.is_empty()).then(|| {
                annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect()
            }),
        }
    }

    /// The exact bytes that are signed (compact JSON, cosign's key order).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses payload bytes; `file` names them in errors.
    pub fn parse(data: &[u8], file: &str) -> Result<Self> {
        let payload: Self = parse_json(data, "simple-signing payload", file)?;
        if payload.critical.kind != SIGNATURE_TYPE {
            return Err(Error::malformed(
                "simple-signing payload",
                file,
                format!(
                    "at $.critical.type: `{}`, expected `{SIGNATURE_TYPE}`",
                    payload.critical.kind
                ),
            ));
        }
        Ok(payload)
    }

    /// Checks the claims a verifier checks: the manifest digest, and that every one of
    /// `annotations` is in `optional` with the same value. (`docker-reference` is not
    /// checked, like cosign.)
    pub fn check(&self, digest: &Digest, annotations: &BTreeMap<String, String>) -> Result<()> {
        if self.critical.image.docker_manifest_digest != digest.to_string() {
            return Err(Error::verify(
                "digest",
                format!(
                    "the payload signs {}, not {digest}",
                    self.critical.image.docker_manifest_digest
                ),
            ));
        }
        for (key, value) in annotations {
            let found = self
                .optional
                .as_ref()
                .and_then(|o| o.get(key))
                .and_then(|v| v.as_str());
            if found != Some(value.as_str()) {
                return Err(Error::verify(
                    "annotations",
                    format!("the payload does not carry `{key}={value}`"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn bytes_are_cosigns_exact_shape() {
        let digest = Digest::parse(DIGEST).unwrap();
        let payload = Payload::new("ghcr.io/acme/app", &digest, &BTreeMap::new());
        assert_eq!(
            String::from_utf8(payload.to_bytes()).unwrap(),
            format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"ghcr.io/acme/app"}},"image":{{"docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}},"optional":null}}"#
            )
        );
        let annotations = BTreeMap::from([
            ("z".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2".to_owned()),
        ]);
        let payload = Payload::new("ghcr.io/acme/app", &digest, &annotations);
        let text = String::from_utf8(payload.to_bytes()).unwrap();
        assert!(text.ends_with(r#""optional":{"a":"2","z":"1"}}"#), "{text}");
        assert_eq!(Payload::parse(text.as_bytes(), "p").unwrap(), payload);
    }

    #[test]
    fn claims_are_checked() {
        let digest = Digest::parse(DIGEST).unwrap();
        let other = Digest::parse(&DIGEST.replace("0123", "9999")).unwrap();
        let annotations = BTreeMap::from([("env".to_owned(), "prod".to_owned())]);
        let payload = Payload::new("r/x", &digest, &annotations);
        payload.check(&digest, &annotations).unwrap();
        payload.check(&digest, &BTreeMap::new()).unwrap();
        let error = payload.check(&other, &BTreeMap::new()).unwrap_err();
        assert!(error.to_string().contains("digest"), "{error}");
        let wanted = BTreeMap::from([("env".to_owned(), "dev".to_owned())]);
        assert!(payload.check(&digest, &wanted).is_err());
    }

    #[test]
    fn a_wrong_type_is_malformed() {
        let text = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:00"},"type":"other"},"optional":null}"#;
        let error = Payload::parse(text, "p.json").unwrap_err();
        assert!(error.to_string().contains("$.critical.type"), "{error}");
        let error = Payload::parse(br#"{"critical":{}}"#, "p.json").unwrap_err();
        assert!(error.to_string().contains("critical"), "{error}");
    }
}
