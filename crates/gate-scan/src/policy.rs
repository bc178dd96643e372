//! The gate's policy: a threshold, an only-fixed switch, per-severity caps and reviewed
//! ignores, read from a YAML file (`--policy FILE`) whose schema is generated from
//! [`PolicyFile`] ([`policy_schema`], published as `schemas/policy.v1.schema.json`).
//!
//! ```yaml
//! fail-on: high            # none, unknown, low, medium, high or critical
//! only-fixed: true         # only findings with a fixed version count
//! max: { medium: 20 }      # tolerate up to 20 medium findings
//! ignore:
//!   - id: CVE-2024-1234    # matches the id or any alias (GHSA ↔ CVE ↔ distro ids)
//!     purl: pkg:deb/debian/openssl   # optional: package, purl (with or without @version), path
//!     reason: not reachable: we never call the TLS client
//!     expires: 2026-06-30  # after this day the entry stops suppressing and is reported
//! vex: [vex/openvex.json]  # OpenVEX 0.2 or CycloneDX VEX, relative to this file
//! ```
//!
//! Every problem of a policy file is reported at once, each at `FILE:LINE:COL`; an ignore
//! entry without `reason` or `expires` makes the policy invalid (exit 2).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shipgate_core::Severity;
use shipgate_core::yaml;

use crate::error::{Error, Result};

/// The `$id` of the published policy schema.
pub const POLICY_SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/shipgate/shipgate/main/schemas/policy.v1.schema.json";

/// The lowest severity that fails the gate.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Never fail on the threshold (caps in `max` still apply).
    None,
    /// Any finding, even unrated ones.
    Unknown,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    #[default]
    High,
    /// Critical only.
    Critical,
}

impl FailOn {
    /// The lowest failing severity, or `None` for `none`.
    pub const fn threshold(self) -> Option<Severity> {
        match self {
            Self::None => None,
            Self::Unknown => Some(Severity::Unknown),
            Self::Low => Some(Severity::Low),
            Self::Medium => Some(Severity::Medium),
            Self::High => Some(Severity::High),
            Self::Critical => Some(Severity::Critical),
        }
    }

    /// The name used in policies and flags.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Unknown => "unknown",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Reads a name (`none`, `unknown`, `low`, `medium`/`moderate`, `high`, `critical`).
    pub fn parse(word: &str) -> Option<Self> {
        match word.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "unknown" => Some(Self::Unknown),
            "low" | "negligible" => Some(Self::Low),
            "medium" | "moderate" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many findings of each severity are tolerated (a cap replaces the threshold for its
/// severity: `fail-on: high` with `max: {high: 3}` fails on the fourth high finding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// Critical findings tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<u64>,
    /// High findings tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<u64>,
    /// Medium findings tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<u64>,
    /// Low findings tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<u64>,
    /// Unrated findings tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<u64>,
}

impl Caps {
    /// The cap of one severity.
    pub const fn get(&self, severity: Severity) -> Option<u64> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Unknown => self.unknown,
        }
    }
}

/// One reviewed exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IgnoreEntry {
    /// The vulnerability (or rule) id; matches a finding's id or any of its aliases.
    #[schemars(length(min = 1))]
    pub id: String,
    /// Only this package name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Only this package URL; without `@version` it matches every version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^pkg:"))]
    pub purl: Option<String>,
    /// Only this location (a path in the image, a lock file or the scanned target); `*`
    /// matches within a path segment, `**` across segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why the finding is accepted (required).
    #[schemars(length(min = 1))]
    pub reason: String,
    /// The last day (`YYYY-MM-DD`, UTC) the entry suppresses; after it the finding counts
    /// again and the entry is reported as expired (required).
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: String,
}

/// A policy file (`--policy FILE`, or the file the spec's `scan.ignore` names).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(title = "gate-scan policy v1")]
pub struct PolicyFile {
    /// Version of the policy format. Always `1` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("const" = 1))]
    pub version: Option<u32>,
    /// The lowest severity that fails the gate [default: high].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    /// Only findings with a fixed version count towards failing [default: false].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_fixed: Option<bool>,
    /// How many findings of a severity are tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Caps>,
    /// Reviewed exceptions, each with a reason and an expiry date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<IgnoreEntry>,
    /// OpenVEX 0.2 or CycloneDX VEX documents, relative to the policy file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vex: Vec<String>,
}

/// The JSON Schema of policy files (`schemas/policy.v1.schema.json`).
pub fn policy_schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<PolicyFile>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.insert("$id".to_owned(), Value::String(POLICY_SCHEMA_ID.to_owned()));
    }
    value
}

/// An ignore entry with where it was written and whether it has expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The entry.
    pub entry: IgnoreEntry,
    /// `FILE:LINE` of the entry (or the flag that gave it).
    pub origin: String,
    /// Its expiry has passed: it no longer suppresses.
    pub expired: bool,
}

/// The policy in force, from a file, the spec and flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// The threshold.
    pub fail_on: FailOn,
    /// Only fixable findings count.
    pub only_fixed: bool,
    /// Per-severity caps.
    pub caps: Caps,
    /// Reviewed exceptions.
    pub ignores: Vec<Ignore>,
    /// VEX documents to apply.
    pub vex: Vec<PathBuf>,
    /// The policy file, when one was read.
    pub file: Option<PathBuf>,
}

impl Policy {
    /// How many findings of `severity` are tolerated (`None`: any number).
    pub fn limit(&self, severity: Severity) -> Option<u64> {
        self.caps.get(severity).or_else(|| {
            self.fail_on
                .threshold()
                .is_some_and(|t| severity >= t)
                .then_some(0)
        })
    }

    /// Adds a policy file: its settings replace the current ones, its ignores and VEX
    /// documents are added. `today` is a day number (see [`today`]).
    pub fn merge_file(&mut self, loaded: LoadedPolicy, today: i64) {
        let file = loaded.file;
        if let Some(fail_on) = file.fail_on {
            self.fail_on = fail_on;
        }
        if let Some(only_fixed) = file.only_fixed {
            self.only_fixed = only_fixed;
        }
        if let Some(max) = file.max {
            self.caps = max;
        }
        for (entry, line) in file.ignore.into_iter().zip(loaded.lines) {
            let expired = crate::time::parse_date(&entry.expires).is_none_or(|d| d < today);
            self.ignores.push(Ignore {
                entry,
                origin: format!("{}:{line}", loaded.path.display()),
                expired,
            });
        }
        let base = loaded
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        self.vex.extend(file.vex.into_iter().map(|v| base.join(v)));
        self.file = Some(loaded.path);
    }
}

/// Today's day number (UTC; `SHIPGATE_NOW` when set).
pub fn today() -> i64 {
    crate::time::now().div_euclid(86_400)
}

/// A policy file read and validated.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The file.
    pub path: PathBuf,
    /// Its content.
    pub file: PolicyFile,
    /// The 1-based line of each ignore entry.
    pub lines: Vec<usize>,
}

/// Reads and validates a policy file.
pub fn load(path: &Path) -> Result<LoadedPolicy> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        what: "policy",
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Validates policy text (`path` names it in diagnostics).
pub fn parse(path: &Path, text: &str) -> Result<LoadedPolicy> {
    let name = path.display().to_string();
    let source = Arc::new(NamedSource::new(name.clone(), Arc::<str>::from(text)));
    let invalid = |diagnostics: Vec<PolicyDiagnostic>| InvalidPolicy {
        file: name.clone(),
        diagnostics,
    };
    let tree = yaml::parse(text, "a policy").map_err(|problems| {
        invalid(
            problems
                .into_iter()
                .map(|p| {
                    PolicyDiagnostic::new(
                        &source,
                        "yaml-syntax",
                        String::new(),
                        p.span,
                        p.message,
                        p.label,
                        p.hint,
                    )
                })
                .collect(),
        )
    })?;
    let (value, spans) = yaml::to_json(&tree);
    let mut problems = Vec::new();
    check(&value, &mut problems);
    if !problems.is_empty() {
        let mut diagnostics: Vec<PolicyDiagnostic> = problems
            .into_iter()
            .map(|p| {
                let span = if p.at_key {
                    spans.key_or_value(&p.pointer)
                } else {
                    spans.value(&p.pointer)
                };
                PolicyDiagnostic::new(
                    &source,
                    p.code,
                    String::new(),
                    span,
                    p.message,
                    p.label,
                    p.hint,
                )
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(invalid(diagnostics).into());
    }
    let mut value = if value.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        value
    };
    // `fail-on: HIGH` or `moderate` were accepted above: store the canonical name.
    if let Some(fail_on) = value.get_mut("fail-on")
        && let Some(parsed) = fail_on.as_str().and_then(FailOn::parse)
    {
        *fail_on = Value::String(parsed.as_str().to_owned());
    }
    let file: PolicyFile = serde_json::from_value(value).map_err(|e| {
        invalid(vec![PolicyDiagnostic::new(
            &source,
            "policy-schema",
            String::new(),
            spans.value(""),
            e.to_string(),
            "here".to_owned(),
            None,
        )])
    })?;
    let lines = (0..file.ignore.len())
        .map(|i| {
            let span = spans.value(&format!("/ignore/{i}"));
            shipgate_core::diagnostic::line_col(text, span.offset).0
        })
        .collect();
    Ok(LoadedPolicy {
        path: path.to_owned(),
        file,
        lines,
    })
}

struct Problem {
    pointer: String,
    at_key: bool,
    code: &'static str,
    message: String,
    label: String,
    hint: Option<String>,
}

fn problem(pointer: String, code: &'static str, message: String, label: &str) -> Problem {
    Problem {
        pointer,
        at_key: false,
        code,
        message,
        label: label.to_owned(),
        hint: None,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn closest<'k>(word: &str, candidates: &[&'k str]) -> Option<&'k str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn check_keys(
    map: &serde_json::Map<String, Value>,
    at: &str,
    known: &[&str],
    out: &mut Vec<Problem>,
) {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let pointer = format!("{at}/{}", yaml::escape_pointer(key));
            let hint = closest(key, known)
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| Some(format!("known keys: {}", known.join(", "))));
            out.push(Problem {
                pointer,
                at_key: true,
                code: "policy-unknown-key",
                message: format!("unknown key `{key}`"),
                label: "not a policy key".to_owned(),
                hint,
            });
        }
    }
}

fn check(value: &Value, out: &mut Vec<Problem>) {
    let map = match value {
        Value::Null => return,
        Value::Object(map) => map,
        other => {
            out.push(problem(
                String::new(),
                "policy-type",
                format!("a policy is a mapping, found {}", type_name(other)),
                "expected a mapping",
            ));
            return;
        }
    };
    check_keys(
        map,
        "",
        &["version", "fail-on", "only-fixed", "max", "ignore", "vex"],
        out,
    );
    if let Some(v) = map.get("version")
        && v.as_u64() != Some(1)
    {
        out.push(problem(
            "/version".to_owned(),
            "policy-version",
            format!("policy version {v} is not supported"),
            "expected 1",
        ));
    }
    if let Some(v) = map.get("fail-on") {
        let ok = v.as_str().and_then(FailOn::parse).is_some();
        if !ok {
            let mut p = problem(
                "/fail-on".to_owned(),
                "policy-severity",
                format!("`fail-on` must be a severity, found {}", display(v)),
                "not a severity",
            );
            p.hint = Some("use none, unknown, low, medium, high or critical".to_owned());
            out.push(p);
        }
    }
    if let Some(v) = map.get("only-fixed")
        && !v.is_boolean()
    {
        out.push(problem(
            "/only-fixed".to_owned(),
            "policy-type",
            format!("`only-fixed` must be true or false, found {}", type_name(v)),
            "expected true or false",
        ));
    }
    if let Some(v) = map.get("max") {
        match v {
            Value::Object(caps) => {
                check_keys(
                    caps,
                    "/max",
                    &["critical", "high", "medium", "low", "unknown"],
                    out,
                );
                for (key, cap) in caps {
                    if cap.as_u64().is_none() {
                        out.push(problem(
                            format!("/max/{}", yaml::escape_pointer(key)),
                            "policy-type",
                            format!(
                                "`max.{key}` must be a whole number ≥ 0, found {}",
                                display(cap)
                            ),
                            "expected a count",
                        ));
                    }
                }
            }
            other => out.push(problem(
                "/max".to_owned(),
                "policy-type",
                format!(
                    "`max` must map severities to counts, found {}",
                    type_name(other)
                ),
                "expected a mapping",
            )),
        }
    }
    if let Some(v) = map.get("vex") {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.as_str().is_none_or(str::is_empty) {
                        out.push(problem(
                            format!("/vex/{i}"),
                            "policy-type",
                            format!("`vex[{i}]` must be a file path, found {}", type_name(item)),
                            "expected a path",
                        ));
                    }
                }
            }
            other => out.push(problem(
                "/vex".to_owned(),
                "policy-type",
                format!(
                    "`vex` must be a list of file paths, found {}",
                    type_name(other)
                ),
                "expected a list",
            )),
        }
    }
    if let Some(v) = map.get("ignore") {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_ignore(item, i, out);
                }
            }
            other => out.push(problem(
                "/ignore".to_owned(),
                "policy-type",
                format!(
                    "`ignore` must be a list of entries, found {}",
                    type_name(other)
                ),
                "expected a list",
            )),
        }
    }
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        Value::Number(n) => format!("`{n}`"),
        other => type_name(other).to_owned(),
    }
}

fn check_ignore(item: &Value, i: usize, out: &mut Vec<Problem>) {
    let at = format!("/ignore/{i}");
    let Value::Object(entry) = item else {
        out.push(problem(
            at,
            "policy-type",
            format!(
                "`ignore[{i}]` must be a mapping with id, reason and expires, found {}",
                type_name(item)
            ),
            "expected a mapping",
        ));
        return;
    };
    check_keys(
        entry,
        &at,
        &["id", "package", "purl", "path", "reason", "expires"],
        out,
    );
    for key in ["id", "reason", "expires"] {
        if !entry.contains_key(key) {
            let mut p = problem(
                at.clone(),
                "policy-ignore-incomplete",
                format!("`ignore[{i}]` has no `{key}`"),
                match key {
                    "id" => "which vulnerability?",
                    "reason" => "why is it accepted?",
                    _ => "until when?",
                },
            );
            p.hint = Some(match key {
                "id" => "add `id: CVE-…` (any alias works)".to_owned(),
                "reason" => "add `reason:` saying why this finding is accepted; reviewers read it".to_owned(),
                _ => "add `expires: YYYY-MM-DD`: an exception without an end date is never reviewed again".to_owned(),
            });
            out.push(p);
        }
    }
    for (key, v) in entry {
        let pointer = format!("{at}/{}", yaml::escape_pointer(key));
        let Some(s) = v.as_str() else {
            if ["id", "package", "purl", "path", "reason", "expires"].contains(&key.as_str()) {
                out.push(problem(
                    pointer,
                    "policy-type",
                    format!(
                        "`ignore[{i}].{key}` must be a string, found {}",
                        type_name(v)
                    ),
                    "expected a string",
                ));
            }
            continue;
        };
        match key.as_str() {
            "id" | "reason" if s.trim().is_empty() => {
                out.push(problem(
                    pointer,
                    "policy-ignore-incomplete",
                    format!("`ignore[{i}].{key}` is empty"),
                    "empty",
                ));
            }
            "expires" if crate::time::parse_date(s).is_none() => {
                let mut p = problem(
                    pointer,
                    "policy-date",
                    format!("`ignore[{i}].expires` must be a date YYYY-MM-DD, found `{s}`"),
                    "not a date",
                );
                p.hint = Some("write the last day the exception holds, e.g. 2026-06-30".to_owned());
                out.push(p);
            }
            "purl" if !s.starts_with("pkg:") => {
                out.push(problem(
                    pointer,
                    "policy-purl",
                    format!(
                        "`ignore[{i}].purl` must be a package URL (pkg:type/name), found `{s}`"
                    ),
                    "not a purl",
                ));
            }
            _ => {}
        }
    }
}

/// One problem in a policy file, pointing at its line and column.
pub type PolicyDiagnostic = shipgate_core::diagnostic::SourceDiagnostic;

/// Every problem found in a policy file.
#[derive(Debug, Clone)]
pub struct InvalidPolicy {
    /// The file as given.
    pub file: String,
    /// The problems, in document order.
    pub diagnostics: Vec<PolicyDiagnostic>,
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.diagnostics.len();
        write!(
            f,
            "policy {} is invalid: {count} error{}",
            self.file,
            if count == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for InvalidPolicy {}

impl Diagnostic for InvalidPolicy {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("invalid-policy"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics.iter().map(|d| d as &dyn Diagnostic),
        ))
    }
}

/// Caps as a map for output.
pub fn caps_map(caps: &Caps) -> BTreeMap<&'static str, u64> {
    Severity::ALL_DESCENDING
        .iter()
        .filter_map(|s| caps.get(*s).map(|c| (s.as_str(), c)))
        .collect()
}
