//! DSSE envelopes (Dead Simple Signing Envelope) and their pre-authentication encoding.
//!
//! Envelope: `{"payloadType":"application/vnd.in-toto+json","payload":"<b64>","signatures":[{"keyid":"","sig":"<b64>"}]}`;
//! a signature covers PAE = `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`
//! (lengths in ASCII decimal, the payload as raw bytes).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};

/// The payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The media type of a DSSE envelope blob (legacy `.att` layers).
pub const ENVELOPE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// The pre-authentication encoding of `payload` with `payload_type`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The base64 (standard) payload.
    pub payload: String,
    /// The payload's type.
    pub payload_type: String,
    /// The signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The base64 signature over the PAE.
    pub sig: String,
    /// A key identifier (empty for cosign key-based signatures).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
}

impl Envelope {
    /// Signs `payload` of `payload_type` with `key`.
    pub fn sign(payload_type: &str, payload: &[u8], key: &PrivateKey) -> Self {
        let signature = key.sign(&pae(payload_type, payload));
        Self {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![EnvelopeSignature {
                sig: STANDARD.encode(signature),
                keyid: String::new(),
            }],
        }
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>> {
        STANDARD
            .decode(self.payload.trim())
            .map_err(|_| Error::verify("envelope", "the DSSE payload is not valid base64"))
    }

    /// Checks that at least one signature verifies with `key`; returns the payload.
    pub fn verify(&self, key: &PublicKey) -> Result<Vec<u8>> {
        let payload = self.payload_bytes()?;
        if self.signatures.is_empty() {
            return Err(Error::verify(
                "signature",
                "the DSSE envelope has no signature",
            ));
        }
        let message = pae(&self.payload_type, &payload);
        let mut last = None;
        for signature in &self.signatures {
            let Ok(bytes) = STANDARD.decode(signature.sig.trim()) else {
                last = Some(Error::verify(
                    "signature",
                    "a DSSE signature is not valid base64",
                ));
                continue;
            };
            match key.verify(&message, &bytes) {
                Ok(()) => return Ok(payload),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| Error::verify("signature", "no signature verified")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::keys::tests::TEST_KEY;

    #[test]
    fn pae_matches_the_spec_example() {
        // The example of the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn envelope_json_shape_and_verification() {
        let key = PrivateKey::from_pem(TEST_KEY, "k").unwrap();
        let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}", &key);
        let json = serde_json::to_string(&envelope).unwrap();
        assert!(
            json.starts_with(r#"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":""#),
            "{json}"
        );
        assert_eq!(envelope.verify(&key.public_key()).unwrap(), b"{}");
        let mut tampered = envelope.clone();
        tampered.payload = STANDARD.encode(b"{ }");
        assert!(tampered.verify(&key.public_key()).is_err());
        let mut retyped = envelope;
        retyped.payload_type = "text/plain".into();
        assert!(retyped.verify(&key.public_key()).is_err());
    }
}
