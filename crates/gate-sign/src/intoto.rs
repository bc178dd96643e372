//! in-toto Statement v1: `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":…,"digest":{"sha256":…}}],"predicateType":…,"predicate":{…}}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shipgate_core::image_ref::Digest;

use crate::error::{Error, Result, parse_json};

/// `_type` of a Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of a Statement v0.1 (cosign's legacy attestations); accepted when reading.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The predicate type cosign v3 uses for a plain image signature in a bundle.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// An in-toto statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The statement type.
    #[serde(rename = "_type")]
    pub kind: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// The predicate's type (a URI).
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The predicate (absent for a cosign v3 signature statement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<serde_json::Value>,
}

/// A subject of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The name (cosign v3 signature statements have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Digests by algorithm (`sha256` → hex).
    pub digest: BTreeMap<String, String>,
    /// Annotations (cosign `-a k=v`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl Subject {
    /// A subject for an image digest.
    pub fn image(name: Option<&str>, digest: &Digest) -> Self {
        Self {
            name: name.map(str::to_owned),
            digest: BTreeMap::from([(digest.algorithm().to_owned(), digest.hex().to_owned())]),
            annotations: None,
        }
    }

    /// Whether this subject names `digest`.
    pub fn matches(&self, digest: &Digest) -> bool {
        self.digest
            .get(digest.algorithm())
            .is_some_and(|hex| hex.eq_ignore_ascii_case(digest.hex()))
    }
}

impl Statement {
    /// A Statement v1 about `subject` with `predicate_type` and `predicate`.
    pub fn new(
        subject: Vec<Subject>,
        predicate_type: &str,
        predicate: Option<serde_json::Value>,
    ) -> Self {
        Self {
            kind: STATEMENT_V1.to_owned(),
            subject,
            predicate_type: predicate_type.to_owned(),
            predicate,
        }
    }

    /// The statement as signed (compact JSON, field order as declared).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses a statement (v1 or v0.1); `file` names it in errors.
    pub fn parse(data: &[u8], file: &str) -> Result<Self> {
        let statement: Self = parse_json(data, "in-toto statement", file)?;
        if statement.kind != STATEMENT_V1 && statement.kind != STATEMENT_V01 {
            return Err(Error::malformed(
                "in-toto statement",
                file,
                format!("at $._type: unknown statement type `{}`", statement.kind),
            ));
        }
        Ok(statement)
    }

    /// Checks that a subject names `digest`.
    pub fn check_subject(&self, digest: &Digest) -> Result<()> {
        if self.subject.iter().any(|s| s.matches(digest)) {
            Ok(())
        } else {
            let listed: Vec<String> = self
                .subject
                .iter()
                .flat_map(|s| s.digest.iter().map(|(a, h)| format!("{a}:{h}")))
                .collect();
            Err(Error::verify(
                "digest",
                format!(
                    "the statement is about {}, not {digest}",
                    if listed.is_empty() {
                        "nothing".to_owned()
                    } else {
                        listed.join(", ")
                    }
                ),
            ))
        }
    }
}

/// The predicate type URI for a cosign `--type` name; any URI is taken as it is.
pub fn predicate_type_for(name: &str) -> Option<&str> {
    Some(match name {
        "cyclonedx" => "https://cyclonedx.org/bom",
        "spdx" | "spdxjson" => "https://spdx.dev/Document",
        "slsaprovenance" | "slsaprovenance02" => "https://slsa.dev/provenance/v0.2",
        "slsaprovenance1" | "slsa-provenance" => "https://slsa.dev/provenance/v1",
        "vuln" => "https://cosign.sigstore.dev/attestation/vuln/v1",
        "openvex" => "https://openvex.dev/ns",
        "custom" => "https://cosign.sigstore.dev/attestation/v1",
        uri if uri.contains("://") => uri,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn statement_shape() {
        let digest = Digest::parse(DIGEST).unwrap();
        let statement = Statement::new(
            vec![Subject::image(Some("ghcr.io/acme/app"), &digest)],
            "https://cyclonedx.org/bom",
            Some(serde_json::json!({"bomFormat": "CycloneDX"})),
        );
        assert_eq!(
            String::from_utf8(statement.to_bytes()).unwrap(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"ghcr.io/acme/app","digest":{"sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}],"predicateType":"https://cyclonedx.org/bom","predicate":{"bomFormat":"CycloneDX"}}"#
        );
        let signature = Statement::new(
            vec![Subject::image(None, &digest)],
            COSIGN_SIGN_PREDICATE,
            None,
        );
        let text = String::from_utf8(signature.to_bytes()).unwrap();
        assert!(
            text.contains(r#""subject":[{"digest":{"sha256":"#),
            "{text}"
        );
        assert!(!text.contains("predicate\""), "{text}");
        let parsed = Statement::parse(text.as_bytes(), "s").unwrap();
        parsed.check_subject(&digest).unwrap();
        let other = Digest::parse(&DIGEST.replace("0123", "ffff")).unwrap();
        assert!(parsed.check_subject(&other).is_err());
    }

    #[test]
    fn unknown_statement_types_are_refused() {
        let error = Statement::parse(
            br#"{"_type":"x","subject":[],"predicateType":"p"}"#,
            "s.json",
        )
        .unwrap_err();
        assert!(error.to_string().contains("$._type"), "{error}");
    }

    #[test]
    fn cosign_type_names() {
        assert_eq!(
            predicate_type_for("cyclonedx"),
            Some("https://cyclonedx.org/bom")
        );
        assert_eq!(
            predicate_type_for("slsaprovenance1"),
            Some("https://slsa.dev/provenance/v1")
        );
        assert_eq!(
            predicate_type_for("https://x.dev/p"),
            Some("https://x.dev/p")
        );
        assert_eq!(predicate_type_for("nope"), None);
    }
}
