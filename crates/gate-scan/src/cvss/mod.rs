//! CVSS base scores computed from vector strings: v2.0, v3.0/v3.1 (the specification's
//! formulas with its `Roundup`) and v4.0 (the MacroVector lookup-table algorithm of the
//! FIRST specification and its reference implementation).

mod v2;
mod v3;
mod v4;
mod v4_table;

/// Why a vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("invalid CVSS vector `{vector}`: {reason}")]
#[diagnostic(code("gate-scan-cvss"))]
pub struct Error {
    /// The vector as given.
    pub vector: String,
    /// What is wrong with it.
    pub reason: String,
}

impl shipgate_core::exit::ExitStatus for Error {
    fn exit(&self) -> shipgate_core::exit::Exit {
        shipgate_core::exit::Exit::BadInput
    }
}

/// The CVSS version of a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// CVSS v2.0 (a bare `AV:N/AC:L/…` vector, or one prefixed `CVSS:2.0/`).
    V2,
    /// CVSS v3.0.
    V30,
    /// CVSS v3.1.
    V31,
    /// CVSS v4.0.
    V40,
}

/// The version a vector string declares (`CVSS:3.1/…`), or v2 for a bare vector.
pub fn version_of(vector: &str) -> Result<Version, Error> {
    let vector = vector.trim();
    let version = if vector.starts_with("CVSS:3.1/") {
        Version::V31
    } else if vector.starts_with("CVSS:3.0/") {
        Version::V30
    } else if vector.starts_with("CVSS:4.0/") {
        Version::V40
    } else if vector.starts_with("CVSS:2.0/")
        || vector.starts_with("AV:")
        || vector.starts_with("(AV:")
    {
        Version::V2
    } else {
        return Err(error(
            vector,
            "unknown CVSS version prefix (expected CVSS:3.0/, CVSS:3.1/, CVSS:4.0/ or a v2 vector)",
        ));
    };
    Ok(version)
}

/// The base score of a CVSS vector of any supported version.
pub fn base_score(vector: &str) -> Result<f64, Error> {
    let trimmed = vector.trim();
    match version_of(trimmed)? {
        Version::V2 => v2::base_score(trimmed),
        Version::V30 | Version::V31 => v3::base_score(trimmed),
        Version::V40 => v4::base_score(trimmed),
    }
}

pub(crate) fn error(vector: &str, reason: impl Into<String>) -> Error {
    Error {
        vector: vector.to_owned(),
        reason: reason.into(),
    }
}

/// Splits `KEY:VALUE/KEY:VALUE…` into pairs, rejecting repeated or empty metrics.
pub(crate) fn metrics<'a>(vector: &str, body: &'a str) -> Result<Vec<(&'a str, &'a str)>, Error> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for part in body.split('/') {
        let Some((key, value)) = part.split_once(':') else {
            return Err(error(vector, format!("`{part}` is not METRIC:VALUE")));
        };
        if key.is_empty() || value.is_empty() {
            return Err(error(vector, format!("`{part}` is not METRIC:VALUE")));
        }
        if seen.iter().any(|(k, _)| *k == key) {
            return Err(error(vector, format!("metric `{key}` is given twice")));
        }
        seen.push((key, value));
    }
    Ok(seen)
}
