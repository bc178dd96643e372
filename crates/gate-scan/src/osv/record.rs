//! OSV records (schema 1.x) as far as matching needs them, and the evaluation of
//! `affected[]` exactly as the schema specifies.

use std::cmp::Ordering;

use serde::Deserialize;
use serde_json::Value;

use crate::version::Scheme;

/// One OSV record.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Record {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) withdrawn: Option<String>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    /// Ids of the upstream vulnerabilities a distribution advisory covers.
    #[serde(default)]
    pub(crate) upstream: Vec<String>,
    #[serde(default)]
    pub(crate) summary: Option<String>,
    #[serde(default)]
    pub(crate) severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub(crate) affected: Vec<Affected>,
    #[serde(default)]
    pub(crate) references: Vec<Reference>,
    #[serde(default)]
    pub(crate) database_specific: Option<Value>,
}

/// `severity[]`: a CVSS vector or an ecosystem's own label.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeverityEntry {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) score: String,
}

/// `references[]`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Reference {
    #[serde(rename = "type", default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) url: String,
}

/// `affected[]`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Affected {
    #[serde(default)]
    pub(crate) package: Option<Package>,
    #[serde(default)]
    pub(crate) severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub(crate) ranges: Vec<Range>,
    #[serde(default)]
    pub(crate) versions: Vec<String>,
    #[serde(default)]
    pub(crate) ecosystem_specific: Option<Value>,
    #[serde(default)]
    pub(crate) database_specific: Option<Value>,
}

/// `affected[].package`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Package {
    #[serde(default)]
    pub(crate) ecosystem: String,
    #[serde(default)]
    pub(crate) name: String,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Range {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) events: Vec<Event>,
}

/// One range event: exactly one of the four keys.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Event {
    #[serde(default)]
    pub(crate) introduced: Option<String>,
    #[serde(default)]
    pub(crate) fixed: Option<String>,
    #[serde(default)]
    pub(crate) last_affected: Option<String>,
    #[serde(default)]
    pub(crate) limit: Option<String>,
}

/// How one `affected[]` entry applies to a version.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// The version is affected.
    pub(crate) affected: bool,
    /// `fixed` versions above the version, from the ranges that hold it (or, when only
    /// `versions[]` matched, from every range).
    pub(crate) fixed: Vec<String>,
    /// `GIT` ranges that were skipped.
    pub(crate) git_ranges: usize,
    /// Problems that made a range unusable (unknown type, unparsable event version).
    pub(crate) problems: Vec<String>,
}

fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, String> {
    scheme.compare(a, b).map_err(|e| e.to_string())
}

/// Evaluates one range for `version` (OSV schema "Evaluation"), or says why it cannot.
fn in_range(scheme: Scheme, range: &Range, version: &str) -> Result<bool, String> {
    // Limits: the version must be below at least one of them (`*` is unbounded).
    let limits: Vec<&str> = range
        .events
        .iter()
        .filter_map(|e| e.limit.as_deref())
        .collect();
    if !limits.is_empty() {
        let mut below_any = false;
        for limit in &limits {
            if *limit == "*" || compare(scheme, version, limit)? == Ordering::Less {
                below_any = true;
            }
        }
        if !below_any {
            return Ok(false);
        }
    }
    // Sort the other events by version ("0" is below everything), then walk them.
    let mut events: Vec<(&str, &str)> = Vec::new();
    for event in &range.events {
        let entry = match (
            &event.introduced,
            &event.fixed,
            &event.last_affected,
            &event.limit,
        ) {
            (Some(v), None, None, None) => ("introduced", v.as_str()),
            (None, Some(v), None, None) => ("fixed", v.as_str()),
            (None, None, Some(v), None) => ("last_affected", v.as_str()),
            (None, None, None, Some(_)) => continue,
            _ => {
                return Err(
                    "an event must have exactly one of introduced, fixed, last_affected, limit"
                        .to_owned(),
                );
            }
        };
        if !(entry.0 == "introduced" && entry.1 == "0") {
            scheme.validate(entry.1).map_err(|e| e.to_string())?;
        }
        events.push(entry);
    }
    let mut sort_error = None;
    events.sort_by(|a, b| {
        let zero_a = a.0 == "introduced" && a.1 == "0";
        let zero_b = b.0 == "introduced" && b.1 == "0";
        match (zero_a, zero_b) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => scheme.compare(a.1, b.1).unwrap_or_else(|e| {
                sort_error = Some(e.to_string());
                Ordering::Equal
            }),
        }
    });
    if let Some(error) = sort_error {
        return Err(error);
    }
    let mut affected = false;
    for (kind, at) in events {
        match kind {
            "introduced" => {
                if at == "0" || compare(scheme, version, at)? != Ordering::Less {
                    affected = true;
                }
            }
            "fixed" => {
                if compare(scheme, version, at)? != Ordering::Less {
                    affected = false;
                }
            }
            _ => {
                if compare(scheme, version, at)? == Ordering::Greater {
                    affected = false;
                }
            }
        }
    }
    Ok(affected)
}

impl Affected {
    /// Evaluates this entry for `version`, ordered by `ecosystem` (for `ECOSYSTEM` ranges).
    pub(crate) fn evaluate(&self, ecosystem: Scheme, version: &str) -> Verdict {
        let mut verdict = Verdict::default();
        let listed = self
            .versions
            .iter()
            .any(|v| v == version || ecosystem.compare(v, version) == Ok(Ordering::Equal));
        let mut all_fixed = Vec::new();
        for range in &self.ranges {
            let scheme = match range.kind.as_str() {
                "ECOSYSTEM" => ecosystem,
                "SEMVER" => Scheme::Semver,
                "GIT" => {
                    verdict.git_ranges += 1;
                    continue;
                }
                other => {
                    verdict
                        .problems
                        .push(format!("unknown range type `{other}`"));
                    continue;
                }
            };
            // Only `fixed` versions above the installed one are upgrades that fix it.
            let fixed = range
                .events
                .iter()
                .filter_map(|e| e.fixed.clone())
                .filter(|f| scheme.compare(f, version) == Ok(Ordering::Greater));
            match in_range(scheme, range, version) {
                Ok(true) => {
                    verdict.affected = true;
                    verdict.fixed.extend(fixed);
                }
                Ok(false) => all_fixed.extend(fixed),
                Err(problem) => verdict
                    .problems
                    .push(format!("{} range: {problem}", range.kind)),
            }
        }
        if listed && !verdict.affected {
            verdict.affected = true;
            verdict.fixed = all_fixed;
        }
        verdict
    }
}
