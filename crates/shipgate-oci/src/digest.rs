//! Hashing content into OCI digests.

use sha2::{Digest as _, Sha256, Sha512};
use shipgate_core::image_ref::Digest;

/// A running hash for one of the digest algorithms OCI content uses.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A hasher for `algorithm` (`sha256` or `sha512`, as [`Digest`] guarantees).
    pub(crate) fn for_algorithm(algorithm: &str) -> Self {
        if algorithm == "sha512" {
            Self::Sha512(Sha512::new())
        } else {
            Self::Sha256(Sha256::new())
        }
    }

    /// A sha256 hasher, the algorithm everything written here uses.
    pub(crate) fn sha256() -> Self {
        Self::Sha256(Sha256::new())
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// The digest, as `algorithm:hex`.
    pub(crate) fn finish(self) -> String {
        match self {
            Self::Sha256(h) => format!("sha256:{}", hex(&h.finalize())),
            Self::Sha512(h) => format!("sha512:{}", hex(&h.finalize())),
        }
    }
}

/// The sha256 digest of `data`.
pub(crate) fn sha256(data: &[u8]) -> Digest {
    let mut hasher = Hasher::sha256();
    hasher.update(data);
    parse_own(&hasher.finish())
}

/// Parses a digest this crate computed itself (always well formed).
pub(crate) fn parse_own(text: &str) -> Digest {
    Digest::parse(text).expect("a digest computed by Hasher is well formed")
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Converts an oci-spec digest into the project's digest type.
pub(crate) fn from_spec(digest: &oci_spec::image::Digest, file: &str) -> crate::Result<Digest> {
    Digest::parse(digest.as_ref()).map_err(|_| crate::Error::BadDigest {
        digest: digest.to_string(),
        file: file.to_owned(),
    })
}

/// Converts the project's digest into an oci-spec digest.
pub(crate) fn to_spec(digest: &Digest) -> oci_spec::image::Digest {
    digest
        .to_string()
        .parse()
        .expect("every digest shipgate-core accepts is one oci-spec accepts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256(b"").to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn sha512_is_supported() {
        let mut hasher = Hasher::for_algorithm("sha512");
        hasher.update(b"abc");
        assert!(hasher.finish().starts_with("sha512:ddaf35a193617aba"));
    }

    #[test]
    fn spec_round_trip() {
        let digest = sha256(b"{}");
        assert_eq!(from_spec(&to_spec(&digest), "x").unwrap(), digest);
    }
}
