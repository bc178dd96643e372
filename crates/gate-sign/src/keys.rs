//! ECDSA P-256 keys (cosign's default algorithm), read as PEM: PKCS#8 private keys and
//! SPKI (`PUBLIC KEY`) public keys, from a file or from an environment variable
//! (`env://VAR`). Key material never appears in errors or `Debug` output.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Where a key comes from: `env://VAR` (the PEM text in a variable) or a file path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// The PEM text is in this environment variable.
    Env(String),
    /// The PEM text is in this file.
    File(PathBuf),
    /// PEM text given where a reference was expected (the text itself is dropped, so it
    /// cannot reach a message); reading it is an error.
    Inline,
}

impl KeyRef {
    /// Parses `env://VAR` or a path.
    pub fn parse(text: &str) -> Self {
        if text.contains("-----BEGIN") {
            return Self::Inline;
        }
        match text.strip_prefix("env://") {
            Some(var) => Self::Env(var.to_owned()),
            None => Self::File(PathBuf::from(text)),
        }
    }

    /// How the key is named in messages (never its content).
    pub fn name(&self) -> String {
        match self {
            Self::Env(var) => format!("env://{var}"),
            Self::File(path) => path.display().to_string(),
            Self::Inline => "the key text given inline".to_owned(),
        }
    }

    /// Reads the PEM text.
    fn read(&self) -> Result<String> {
        match self {
            Self::Env(var) => match std::env::var(var) {
                Ok(text) if !text.trim().is_empty() => Ok(text),
                _ => Err(Error::KeyEnv { var: var.clone() }),
            },
            Self::File(path) => fs_err::read_to_string(path).map_err(|source| Error::KeyRead {
                path: path.clone(),
                source,
            }),
            Self::Inline => Err(Error::KeyInline),
        }
    }
}

/// An ECDSA P-256 private key.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// An ECDSA P-256 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

/// The PEM label of the first block in `pem`, if any.
fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &pem[start..];
    rest.find("-----").map(|end| &rest[..end])
}

impl PrivateKey {
    /// Reads a private key from `key` (see [`PrivateKey::from_pem`]).
    pub fn load(key: &KeyRef) -> Result<Self> {
        Self::from_pem(&key.read()?, &key.name())
    }

    /// Parses an unencrypted PKCS#8 PEM (`PRIVATE KEY`) P-256 key; `name` says where it
    /// came from in errors.
    pub fn from_pem(pem: &str, name: &str) -> Result<Self> {
        let invalid = |reason: &str, hint: &str| Error::KeyInvalid {
            source_name: name.to_owned(),
            reason: reason.to_owned(),
            hint: hint.to_owned(),
        };
        match pem_label(pem) {
            Some("PRIVATE KEY") => {}
            Some("ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY") => {
                return Err(invalid(
                    "encrypted cosign keys are not supported yet",
                    "give an unencrypted PKCS#8 PEM key (`-----BEGIN PRIVATE KEY-----`)",
                ));
            }
            Some("EC PRIVATE KEY") => {
                return Err(invalid(
                    "it is a SEC1 key (`EC PRIVATE KEY`), not PKCS#8",
                    "convert it: `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`",
                ));
            }
            Some("PUBLIC KEY") => {
                return Err(invalid(
                    "it is a public key",
                    "signing needs the private key; the public key is for verify",
                ));
            }
            Some(_) | None => {
                return Err(invalid(
                    "it is not a PEM `PRIVATE KEY`",
                    "give an ECDSA P-256 PKCS#8 PEM key (`-----BEGIN PRIVATE KEY-----`)",
                ));
            }
        }
        let key = SigningKey::from_pkcs8_pem(pem.trim()).map_err(|_| {
            invalid(
                "it is not an ECDSA P-256 PKCS#8 key",
                "gate-sign signs with ECDSA P-256 / SHA-256, cosign's default",
            )
        })?;
        Ok(Self { key })
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: *self.key.verifying_key(),
        }
    }

    /// Signs `message` (ECDSA P-256 over its SHA-256; deterministic, RFC 6979) and
    /// returns the ASN.1 DER signature, as cosign writes it.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: DerSignature = self.key.sign(message);
        signature.as_bytes().to_vec()
    }
}

impl PublicKey {
    /// Reads a public key from `key` (see [`PublicKey::from_pem`]).
    pub fn load(key: &KeyRef) -> Result<Self> {
        Self::from_pem(&key.read()?, &key.name())
    }

    /// Parses an SPKI PEM (`PUBLIC KEY`) P-256 key; `name` says where it came from.
    pub fn from_pem(pem: &str, name: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::KeyInvalid {
            source_name: name.to_owned(),
            reason: reason.to_owned(),
            hint:
                "give an ECDSA P-256 public key PEM (`-----BEGIN PUBLIC KEY-----`), like cosign.pub"
                    .to_owned(),
        };
        if pem_label(pem) != Some("PUBLIC KEY") {
            return Err(invalid("it is not a PEM `PUBLIC KEY`"));
        }
        let key = VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|_| invalid("it is not an ECDSA P-256 public key"))?;
        Ok(Self { key })
    }

    /// The key as SPKI DER.
    pub fn to_der(&self) -> Vec<u8> {
        self.key
            .to_public_key_der()
            .map(|document| document.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// The key as SPKI PEM.
    pub fn to_pem(&self) -> String {
        self.key
            .to_public_key_pem(p256::pkcs8::LineEnding::LF)
            .unwrap_or_default()
    }

    /// The key hint a Sigstore bundle carries: base64 of the SHA-256 of the SPKI DER.
    pub fn hint(&self) -> String {
        STANDARD.encode(Sha256::digest(self.to_der()))
    }

    /// Checks an ASN.1 DER ECDSA signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let signature = DerSignature::from_bytes(signature).map_err(|_| {
            Error::verify(
                "signature",
                "the signature is not an ASN.1 DER ECDSA P-256 signature",
            )
        })?;
        self.key
            .verify(message, &signature)
            .map_err(|_| Error::verify("signature", "the signature does not match the key"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A fixed test key (generated with openssl, PKCS#8).
    pub(crate) const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvgOK0A8hPDLUA1cf
aZ7TU5mn1pG9cBhDhTTxCWj5e1yhRANCAAR4Z+rNJ/R6KFEaibrK4VVySGBi2MH1
rBLPWjvVgwClqmLJwjg0V92AZGZPWiZ8GB8KwBJKENtFVd32P+Kczhmj
-----END PRIVATE KEY-----
";

    /// A second fixed test key.
    pub(crate) const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3jGHLOkRy5MfDKIG
pbm5z6sebap7zXeHE8gTx14ZxhShRANCAAQH3EjI2iFN/p2Fvvm+LF2efAEWm7Jl
A86b8HN9iDQ8t/iWSI/DJ3HxSS3mY66GUBQiso+fT3HyLfUsSQSg86oS
-----END PRIVATE KEY-----
";

    #[test]
    fn sign_and_verify_round_trip() {
        let key = PrivateKey::from_pem(TEST_KEY, "test").unwrap();
        let public = PublicKey::from_pem(&key.public_key().to_pem(), "test.pub").unwrap();
        let signature = key.sign(b"hello");
        public.verify(b"hello", &signature).unwrap();
        let error = public.verify(b"hellO", &signature).unwrap_err();
        assert!(error.to_string().contains("does not match"), "{error}");
        assert!(public.verify(b"hello", b"junk").is_err());
        assert_eq!(format!("{key:?}"), "PrivateKey(<redacted>)");
    }

    #[test]
    fn hint_is_base64_sha256_of_the_spki_der() {
        let key = PrivateKey::from_pem(TEST_KEY, "test").unwrap().public_key();
        let der = key.to_der();
        assert_eq!(der.len(), 91);
        assert_eq!(key.hint(), STANDARD.encode(Sha256::digest(&der)));
    }

    #[test]
    fn wrong_kinds_of_keys_are_named() {
        let encrypted = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nxx\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
        let error = PrivateKey::from_pem(encrypted, "cosign.key").unwrap_err();
        assert!(error.to_string().contains("encrypted"), "{error}");
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nxx\n-----END EC PRIVATE KEY-----\n";
        assert!(
            PrivateKey::from_pem(sec1, "k")
                .unwrap_err()
                .to_string()
                .contains("SEC1")
        );
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let error = PrivateKey::from_pem(garbage, "k").unwrap_err();
        assert!(!error.to_string().contains("AAAA"));
        assert!(PublicKey::from_pem(TEST_KEY, "k").is_err());
    }

    #[test]
    fn key_refs() {
        assert_eq!(KeyRef::parse("env://K"), KeyRef::Env("K".into()));
        let inline = KeyRef::parse("-----BEGIN PRIVATE KEY-----\nMIG...\n");
        assert_eq!(inline, KeyRef::Inline);
        let error = inline.read().unwrap_err().to_string();
        assert!(!error.contains("MIG"), "{error}");
        assert_eq!(
            KeyRef::parse("cosign.key"),
            KeyRef::File("cosign.key".into())
        );
    }
}
