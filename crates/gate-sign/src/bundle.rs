//! Sigstore bundles (v0.3, `application/vnd.dev.sigstore.bundle.v0.3+json`) for key-based
//! signatures: `verificationMaterial.publicKey.hint`, no certificate, and no transparency
//! log entries unless a log was used. Content is a DSSE envelope (attestations and cosign v3
//! image signatures) or a message signature.
//!
//! ```json
//! {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
//!  "verificationMaterial":{"publicKey":{"hint":"<b64 sha256 of the SPKI DER>"}},
//!  "dsseEnvelope":{"payload":"<b64>","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"<b64>"}]}}
//! ```

use serde::{Deserialize, Serialize};
use shipgate_core::image_ref::Digest;

use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::error::{Error, Result, parse_json};
use crate::intoto::Statement;
use crate::keys::{PrivateKey, PublicKey};

/// The media type of a v0.3 bundle (and the artifact type of its OCI referrer).
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The media types older bundles use; accepted when reading.
pub const BUNDLE_LEGACY_MEDIA_TYPES: [&str; 3] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
];

/// A Sigstore bundle (the parts a key-based signature uses; the rest is kept as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// The bundle's media type.
    pub media_type: String,
    /// Key, certificate and log evidence.
    pub verification_material: VerificationMaterial,
    /// The DSSE envelope, for statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsse_envelope: Option<Envelope>,
    /// A plain message signature, for blobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_signature: Option<serde_json::Value>,
}

/// `verificationMaterial`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMaterial {
    /// A hint naming the public key (key-based signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyHint>,
    /// A certificate (keyless; not verified by this crate yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<serde_json::Value>,
    /// A certificate chain (bundles before v0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x509_certificate_chain: Option<serde_json::Value>,
    /// Transparency log entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tlog_entries: Vec<serde_json::Value>,
    /// RFC 3161 timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_verification_data: Option<serde_json::Value>,
}

/// `verificationMaterial.publicKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyHint {
    /// The hint.
    #[serde(default)]
    pub hint: String,
}

/// What a verified bundle says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The statement inside the envelope.
    pub statement: Statement,
}

impl Bundle {
    /// Signs `statement` with `key` into a v0.3 bundle with a DSSE envelope.
    pub fn sign_statement(statement: &Statement, key: &PrivateKey) -> Self {
        let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &statement.to_bytes(), key);
        Self {
            media_type: BUNDLE_V03_MEDIA_TYPE.to_owned(),
            verification_material: VerificationMaterial {
                public_key: Some(PublicKeyHint {
                    hint: key.public_key().hint(),
                }),
                ..VerificationMaterial::default()
            },
            dsse_envelope: Some(envelope),
            message_signature: None,
        }
    }

    /// The bundle as stored (compact JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses a bundle; `file` names it in errors. A media type that is not a Sigstore
    /// bundle's is malformed input.
    pub fn parse(data: &[u8], file: &str) -> Result<Self> {
        let bundle: Self = parse_json(data, "Sigstore bundle", file)?;
        if bundle.media_type != BUNDLE_V03_MEDIA_TYPE
            && !BUNDLE_LEGACY_MEDIA_TYPES.contains(&bundle.media_type.as_str())
        {
            return Err(Error::malformed(
                "Sigstore bundle",
                file,
                format!(
                    "at $.mediaType: unknown bundle media type `{}`",
                    bundle.media_type
                ),
            ));
        }
        Ok(bundle)
    }

    /// Verifies a key-based bundle about an image: the DSSE signature with `key`, the
    /// payload type, and that the statement's subject is `digest`. Transparency log
    /// entries are not required (key-based signing) and not checked yet.
    pub fn verify(&self, key: &PublicKey, digest: &Digest, file: &str) -> Result<Verified> {
        if self.verification_material.certificate.is_some()
            || self.verification_material.x509_certificate_chain.is_some()
        {
            return Err(Error::verify(
                "key",
                "the bundle is signed with a certificate (keyless), not with a key",
            ));
        }
        let Some(envelope) = &self.dsse_envelope else {
            return Err(Error::verify(
                "content",
                "the bundle holds no DSSE envelope (message signatures are not about an image)",
            ));
        };
        if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
            return Err(Error::verify(
                "payload type",
                format!(
                    "`{}`, expected `{IN_TOTO_PAYLOAD_TYPE}`",
                    envelope.payload_type
                ),
            ));
        }
        let payload = envelope.verify(key)?;
        let statement = Statement::parse(&payload, &format!("{file} (DSSE payload)"))?;
        statement.check_subject(digest)?;
        Ok(Verified { statement })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::intoto::{COSIGN_SIGN_PREDICATE, Subject};
    use crate::keys::tests::{OTHER_KEY, TEST_KEY};

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn signed() -> (Bundle, PrivateKey, Digest) {
        let key = PrivateKey::from_pem(TEST_KEY, "k").unwrap();
        let digest = Digest::parse(DIGEST).unwrap();
        let statement = Statement::new(
            vec![Subject::image(None, &digest)],
            COSIGN_SIGN_PREDICATE,
            None,
        );
        (Bundle::sign_statement(&statement, &key), key, digest)
    }

    #[test]
    fn bundle_json_shape() {
        let (bundle, key, _) = signed();
        let value: serde_json::Value = serde_json::from_slice(&bundle.to_bytes()).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["mediaType", "verificationMaterial", "dsseEnvelope"]);
        assert_eq!(value["mediaType"], BUNDLE_V03_MEDIA_TYPE);
        assert_eq!(
            value["verificationMaterial"],
            serde_json::json!({"publicKey": {"hint": key.public_key().hint()}})
        );
        assert_eq!(
            value["dsseEnvelope"]["payloadType"],
            "application/vnd.in-toto+json"
        );
        assert_eq!(
            value["dsseEnvelope"]["signatures"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn verification_checks_key_digest_and_content() {
        let (bundle, key, digest) = signed();
        let parsed = Bundle::parse(&bundle.to_bytes(), "b.json").unwrap();
        let verified = parsed.verify(&key.public_key(), &digest, "b.json").unwrap();
        assert_eq!(verified.statement.predicate_type, COSIGN_SIGN_PREDICATE);

        let other = Digest::parse(&DIGEST.replace("0123", "ffff")).unwrap();
        let error = parsed.verify(&key.public_key(), &other, "b").unwrap_err();
        assert!(error.to_string().contains("digest"), "{error}");

        let other_key = PrivateKey::from_pem(OTHER_KEY, "other").unwrap();
        let error = parsed
            .verify(&other_key.public_key(), &digest, "b")
            .unwrap_err();
        assert!(error.to_string().contains("signature"), "{error}");
    }

    #[test]
    fn truncated_and_foreign_bundles_are_malformed() {
        let (bundle, _, _) = signed();
        let bytes = bundle.to_bytes();
        let error = Bundle::parse(&bytes[..bytes.len() / 2], "b.json").unwrap_err();
        assert!(error.to_string().starts_with("b.json"), "{error}");
        let error = Bundle::parse(
            br#"{"mediaType":"text/plain","verificationMaterial":{}}"#,
            "b.json",
        )
        .unwrap_err();
        assert!(error.to_string().contains("$.mediaType"), "{error}");
        let old = br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2","verificationMaterial":{}}"#;
        assert!(Bundle::parse(old, "b").is_ok());
    }
}
