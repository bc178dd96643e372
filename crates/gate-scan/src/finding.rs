//! The one finding model every report reader, the OSV matcher, the policy and the verdict
//! writers share.
//!
//! A finding is one (vulnerability, package occurrence) pair. Readers never collapse
//! findings within one report; merging across reports (same id or alias, same package,
//! version and location) happens once, in the policy step.

use serde::{Deserialize, Serialize};
use shipgate_core::Severity;

/// One vulnerability in one package occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The vulnerability id as the source names it first (`CVE-…`, `GHSA-…`, `DSA-…`).
    pub id: String,
    /// Other ids of the same vulnerability (CVE ↔ GHSA ↔ distro advisories), without `id`.
    pub aliases: Vec<String>,
    /// The severity used by the policy: the source's own rating, else the highest CVSS
    /// base score's rating, else `unknown`.
    pub severity: Severity,
    /// CVSS ratings found for it (v2, v3.x, v4.0), from any source.
    pub cvss: Vec<Cvss>,
    /// The affected package occurrence.
    pub package: PackageRef,
    /// Versions that fix it (empty when none is known).
    pub fixed_versions: Vec<String>,
    /// Whether a fix exists.
    pub fix_state: FixState,
    /// Which tool reported it (`trivy`, `grype`, `osv-scanner`, `gate-scan`, a SARIF
    /// driver name, a CycloneDX tool name).
    pub source_tool: String,
    /// What was scanned (image name, SBOM file, lock file), as the report names it.
    pub target: String,
    /// A one-line title, where the source has one.
    pub title: Option<String>,
    /// The primary advisory URL, where the source has one.
    pub url: Option<String>,
}

/// One CVSS rating of a vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cvss {
    /// The vector string as given (`CVSS:3.1/AV:N/…`, `CVSS:4.0/…`, or a bare v2 vector).
    pub vector: Option<String>,
    /// The base score, given or computed from the vector.
    pub score: Option<f64>,
    /// Who rated it (`nvd`, `ghsa`, `debian`, …), when known.
    pub source: Option<String>,
}

/// The package occurrence a finding is about.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct PackageRef {
    /// The package name.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// Its package URL, when known.
    pub purl: Option<String>,
    /// The package type as the source names it (`deb`, `apk`, `npm`, `python`, …).
    pub kind: Option<String>,
    /// Where it was found (a path in the image, a lock file), when known.
    pub location: Option<String>,
}

/// Whether a vulnerability has a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FixState {
    /// A fixed version exists.
    Fixed,
    /// The vendor will not fix it.
    WontFix,
    /// No fix yet.
    NotFixed,
    /// The source does not say.
    Unknown,
}

impl Finding {
    /// Whether upgrading to a fixed version is possible (what `only-fixed` counts).
    pub fn is_fixable(&self) -> bool {
        self.fix_state == FixState::Fixed || !self.fixed_versions.is_empty()
    }
}
