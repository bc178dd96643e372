//! The verdict: what `--format json` prints, what `--baseline` reads back, and the model
//! every other output (Markdown, SARIF, JUnit, GitLab) is rendered from. Its schema is
//! generated from these types ([`verdict_schema`], published as
//! `schemas/verdict.v1.schema.json`); field names are a stable contract.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shipgate_core::Severity;

use crate::finding::{Cvss, FixState, PackageRef};

/// The `$id` of the published verdict schema.
pub const VERDICT_SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/shipgate/shipgate/main/schemas/verdict.v1.schema.json";

/// The JSON Schema of verdicts (`schemas/verdict.v1.schema.json`).
pub fn verdict_schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Verdict>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.insert(
            "$id".to_owned(),
            Value::String(VERDICT_SCHEMA_ID.to_owned()),
        );
    }
    value
}

/// A severity as JSON names it (for the schema).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum SeverityName {
    Critical,
    High,
    Medium,
    Low,
    Unknown,
}

/// The outcome of one gate run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "gate-scan verdict v1")]
pub struct Verdict {
    /// The schema this document follows.
    #[serde(rename = "$schema", default)]
    pub schema: String,
    /// The verdict format version: 1.
    pub version: u32,
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// What was gated: `vulnerabilities`, `dockerfile` or `manifests`.
    pub kind: String,
    /// `pass` or `fail`.
    pub result: String,
    /// Why it failed (empty on a pass).
    pub reasons: Vec<String>,
    /// The policy applied.
    pub policy: PolicySummary,
    /// Every input read, with its sha256.
    pub inputs: Vec<Input>,
    /// Counts.
    pub summary: Summary,
    /// Ignore entries past their `expires` date: they no longer suppress.
    pub expired_ignores: Vec<ExpiredIgnore>,
    /// Every finding (merged across reports), failing ones first, then by severity.
    pub findings: Vec<VerdictFinding>,
}

impl Verdict {
    /// Whether the gate passed.
    pub fn passed(&self) -> bool {
        self.result == "pass"
    }
}

/// The tool and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// `gate-scan`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The policy in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicySummary {
    /// The threshold (`none`, `unknown`, `low`, `medium`, `high`, `critical`).
    pub fail_on: String,
    /// Only fixable findings counted.
    pub only_fixed: bool,
    /// Per-severity caps.
    pub max: std::collections::BTreeMap<String, u64>,
    /// The policy file, when one was read.
    pub file: Option<String>,
    /// How many ignore entries were in force (not expired).
    pub ignores: usize,
}

/// One input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Input {
    /// What it is: `report`, `sbom`, `osv-database`, `policy`, `vex`, `baseline`,
    /// `dockerfile` or `manifests`.
    pub role: String,
    /// The path as given.
    pub path: String,
    /// The sha256 of its bytes (hex); absent for a directory.
    pub sha256: Option<String>,
    /// The format it was read as.
    pub format: Option<String>,
    /// The tool that wrote it.
    pub tool: Option<String>,
    /// The tool's version.
    pub tool_version: Option<String>,
    /// What it scanned.
    pub target: Option<String>,
    /// How many findings it held.
    pub findings: Option<usize>,
    /// What was read but is not a finding.
    pub notes: Vec<String>,
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low (Grype's negligible counts here).
    pub low: usize,
    /// Unrated.
    pub unknown: usize,
}

impl SeverityCounts {
    /// Adds one finding of `severity`.
    pub fn add(&mut self, severity: Severity) {
        *self.get_mut(severity) += 1;
    }

    /// The count of one severity.
    pub const fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Unknown => self.unknown,
        }
    }

    fn get_mut(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Unknown => &mut self.unknown,
        }
    }

    /// The sum.
    pub const fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.unknown
    }
}

/// The verdict's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Findings after merging duplicates across reports.
    pub total: usize,
    /// All findings by severity (suppressed ones included).
    pub by_severity: SeverityCounts,
    /// Findings with a fixed version.
    pub fixable: usize,
    /// Findings suppressed by an ignore entry or a VEX statement.
    pub suppressed: usize,
    /// Findings already in the baseline verdict.
    pub baseline: usize,
    /// Findings the policy counted (not suppressed, not in the baseline, fixable when
    /// `only_fixed`), by severity.
    pub counted_by_severity: SeverityCounts,
    /// Counted findings over a limit (the ones that fail the gate).
    pub failing: usize,
    /// Findings that were the same vulnerability on the same package in several reports
    /// and were merged.
    pub merged: usize,
}

/// An ignore entry past its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpiredIgnore {
    /// Its id.
    pub id: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry date.
    pub expires: String,
    /// `FILE:LINE` of the entry.
    pub origin: String,
    /// How many findings it would have suppressed.
    pub matched: usize,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Suppression {
    /// `ignore` or `vex`.
    pub kind: String,
    /// The reviewer's reason, or the VEX status and justification.
    pub reason: String,
    /// Where it was written (`FILE:LINE` of an ignore entry, a VEX file).
    pub origin: String,
    /// The ignore entry's expiry date.
    pub expires: Option<String>,
}

/// One finding in the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VerdictFinding {
    /// The vulnerability (or rule) id.
    pub id: String,
    /// Its other ids.
    pub aliases: Vec<String>,
    /// The severity the policy used.
    #[schemars(with = "SeverityName")]
    pub severity: Severity,
    /// A fixed version exists.
    pub fixable: bool,
    /// The fix state.
    pub fix_state: FixState,
    /// Versions that fix it.
    pub fixed_versions: Vec<String>,
    /// The package occurrence.
    pub package: PackageRef,
    /// The tools that reported it.
    pub sources: Vec<String>,
    /// What was scanned.
    pub targets: Vec<String>,
    /// A title.
    pub title: Option<String>,
    /// The advisory URL.
    pub url: Option<String>,
    /// CVSS ratings.
    pub cvss: Vec<Cvss>,
    /// The 1-based line (configuration findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// How to fix it (configuration findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Suppressed by an ignore entry or a VEX statement.
    pub suppressed: bool,
    /// Why.
    pub suppressions: Vec<Suppression>,
    /// Already in the baseline verdict.
    pub baseline: bool,
    /// Counted by the policy.
    pub counted: bool,
    /// Over a limit: it fails the gate.
    pub failing: bool,
}
