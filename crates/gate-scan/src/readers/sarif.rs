//! SARIF 2.1.0 as Trivy and Grype write it. SARIF has no structured package, status or
//! fix fields, so they come from the text each tool writes: Trivy's result message
//! (`Package:`, `Installed Version:`, `Fixed Version:`, `Severity:`) and Grype's rule help
//! (`Package:`, `Version:`, `Fix Version:`, `Type:`, `Location:`, `Severity:`).
//!
//! The severity is the tool's own label when it wrote one, else the band of the rule's
//! `security-severity` score (GitHub's bands); the score is kept as a CVSS entry with
//! source `security-severity`, so both stay visible. Results carrying `suppressions` are
//! not findings. Trivy's misconfiguration, secret and license results are not
//! vulnerability findings and are counted in the report's notes.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{Context, fixed_list, opt};
use crate::finding::{Cvss, Finding, FixState, PackageRef};
use shipgate_core::Severity;

/// One entry of `runs[]`.
#[derive(Debug, Deserialize)]
pub(crate) struct Run<'a> {
    #[serde(borrow)]
    pub(crate) tool: Tool<'a>,
    #[serde(borrow, default)]
    results: Option<Vec<SarifResult<'a>>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Tool<'a> {
    #[serde(borrow)]
    pub(crate) driver: Driver<'a>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Driver<'a> {
    #[serde(borrow)]
    pub(crate) name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub(crate) version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rules: Option<Vec<Rule<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Rule<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "shortDescription", borrow, default)]
    short_description: Option<Text<'a>>,
    #[serde(borrow, default)]
    help: Option<Text<'a>>,
    #[serde(rename = "helpUri", borrow, default)]
    help_uri: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<RuleProperties<'a>>,
}

#[derive(Debug, Deserialize)]
struct Text<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct RuleProperties<'a> {
    #[serde(rename = "security-severity", borrow, default)]
    security_severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tags: Option<Vec<Cow<'a, str>>>,
}

#[derive(Debug, Deserialize)]
struct SarifResult<'a> {
    #[serde(rename = "ruleId", borrow, default)]
    rule_id: Option<Cow<'a, str>>,
    #[serde(rename = "ruleIndex", default)]
    rule_index: Option<usize>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
    #[serde(borrow, default)]
    locations: Option<Vec<ResultLocation<'a>>>,
    #[serde(default)]
    suppressions: Option<Vec<Suppression>>,
}

/// A SARIF suppression: only an accepted one (a missing `status` means accepted) hides
/// a result; `underReview` and `rejected` ones do not.
#[derive(Debug, Deserialize)]
struct Suppression {
    #[serde(default)]
    status: Option<String>,
}

impl Suppression {
    fn is_accepted(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "accepted")
    }
}

#[derive(Debug, Deserialize)]
struct ResultLocation<'a> {
    #[serde(rename = "physicalLocation", borrow, default)]
    physical: Option<Physical<'a>>,
}

#[derive(Debug, Deserialize)]
struct Physical<'a> {
    #[serde(rename = "artifactLocation", borrow, default)]
    artifact: Option<ArtifactLocation<'a>>,
}

#[derive(Debug, Deserialize)]
struct ArtifactLocation<'a> {
    #[serde(borrow, default)]
    uri: Option<Cow<'a, str>>,
}

/// Which scanner wrote a SARIF run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scanner {
    Trivy,
    Grype,
}

/// The scanner of a driver name, if gate-scan reads its SARIF.
pub(crate) fn known_driver(name: &str) -> Option<Scanner> {
    match name.to_ascii_lowercase().as_str() {
        "trivy" => Some(Scanner::Trivy),
        "grype" => Some(Scanner::Grype),
        _ => None,
    }
}

/// `Key: value` lines of a text.
fn fields(text: &str) -> HashMap<&str, &str> {
    text.lines()
        .filter_map(|line| line.split_once(": "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// Turns SARIF runs into findings; counts skipped non-vulnerability results in `notes`.
pub(crate) fn findings(
    runs: Vec<Run<'_>>,
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
    notes: &mut Vec<String>,
) -> crate::Result<()> {
    for (r, run) in runs.into_iter().enumerate() {
        let driver_name = run.tool.driver.name.to_string();
        let Some(driver) = known_driver(&driver_name) else {
            return Err(crate::Error::UnknownReport {
                path: ctx.path.to_owned(),
                reason: format!(
                    "runs[{r}] was written by `{driver_name}`; gate-scan reads SARIF from Trivy and Grype"
                ),
            });
        };
        let rules = run.tool.driver.rules.unwrap_or_default();
        let by_id: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.id.as_ref(), i))
            .collect();
        let mut skipped = 0usize;
        let mut suppressed = 0usize;
        for (i, result) in run.results.unwrap_or_default().into_iter().enumerate() {
            if result
                .suppressions
                .as_ref()
                .is_some_and(|s| s.iter().any(Suppression::is_accepted))
            {
                suppressed += 1;
                continue;
            }
            let rule = result
                .rule_index
                .filter(|&idx| {
                    rules.get(idx).map(|r| r.id.as_ref()) == result.rule_id.as_deref()
                        || result.rule_id.is_none()
                })
                .or_else(|| {
                    result
                        .rule_id
                        .as_deref()
                        .and_then(|id| by_id.get(id).copied())
                })
                .and_then(|idx| rules.get(idx));
            let rule_id = result
                .rule_id
                .as_deref()
                .or(rule.map(|r| r.id.as_ref()))
                .ok_or_else(|| crate::Error::Report {
                    path: ctx.path.to_owned(),
                    format: "SARIF",
                    json_path: format!("runs[{r}].results[{i}].ruleId"),
                    message: "a result has neither ruleId nor a rule".to_owned(),
                })?;
            let rule_name = rule.and_then(|r| r.name.as_deref()).unwrap_or_default();
            if driver == Scanner::Trivy
                && !rule_name.is_empty()
                && !rule_name.ends_with("Vulnerability")
            {
                skipped += 1;
                continue;
            }
            let message = result
                .message
                .as_ref()
                .and_then(|m| m.text.as_deref())
                .unwrap_or_default();
            let help = rule
                .and_then(|r| r.help.as_ref())
                .and_then(|h| h.text.as_deref())
                .unwrap_or_default();
            let msg = fields(message);
            let hlp = fields(help);
            let score = rule
                .and_then(|r| r.properties.as_ref())
                .and_then(|p| p.security_severity.as_deref())
                .and_then(|s| s.trim().parse::<f64>().ok());
            let label = match driver {
                Scanner::Trivy => msg
                    .get("Severity")
                    .or(hlp.get("Severity"))
                    .copied()
                    .or_else(|| {
                        rule.and_then(|r| r.properties.as_ref())
                            .and_then(|p| p.tags.as_ref())
                            .and_then(|t| t.last())
                            .map(AsRef::as_ref)
                    }),
                Scanner::Grype => hlp.get("Severity").copied().or_else(|| {
                    rule.and_then(|r| r.short_description.as_ref())
                        .and_then(|d| d.text.as_deref())
                        .and_then(|t| t.split_whitespace().nth(1))
                }),
            };
            // An explicit `unknown` label with a score: the score's band (Grype writes
            // `unknown` when its record has no label but NVD has a score).
            let banded = score
                .map(Severity::from_cvss_score)
                .filter(|s| *s != Severity::Unknown);
            let severity = match label.and_then(super::parse_severity) {
                Some(Severity::Unknown) | None => banded.unwrap_or(Severity::Unknown),
                Some(s) => s,
            };
            let cvss = score
                .filter(|s| *s > 0.0)
                .map(|s| Cvss {
                    vector: None,
                    score: Some(s),
                    source: Some("security-severity".to_owned()),
                })
                .into_iter()
                .collect();
            let uri = result
                .locations
                .as_ref()
                .and_then(|l| l.first())
                .and_then(|l| l.physical.as_ref())
                .and_then(|p| p.artifact.as_ref())
                .and_then(|a| a.uri.as_deref())
                .map(str::to_owned);
            let (id, name, version, fixed, kind, location) = match driver {
                Scanner::Trivy => (
                    rule_id.to_owned(),
                    msg.get("Package")
                        .or(hlp.get("Package"))
                        .copied()
                        .unwrap_or_default(),
                    msg.get("Installed Version").copied().unwrap_or_default(),
                    msg.get("Fixed Version").copied(),
                    None,
                    uri,
                ),
                Scanner::Grype => {
                    let name = hlp.get("Package").copied().unwrap_or_default();
                    let id = help
                        .lines()
                        .find_map(|l| l.strip_prefix("Vulnerability "))
                        .map(str::trim)
                        .or_else(|| rule_id.strip_suffix(&format!("-{name}")))
                        .unwrap_or(rule_id);
                    (
                        id.to_owned(),
                        name,
                        hlp.get("Version").copied().unwrap_or_default(),
                        hlp.get("Fix Version").copied(),
                        hlp.get("Type").map(|t| (*t).to_owned()),
                        hlp.get("Location").map(|l| (*l).to_owned()).or(uri),
                    )
                }
            };
            let fixed_versions = fixed_list(fixed.map(|f| f.replace(',', ", ")).as_deref());
            let fix_state = if fixed_versions.is_empty() {
                FixState::Unknown
            } else {
                FixState::Fixed
            };
            let title = rule
                .and_then(|r| r.short_description.as_ref())
                .and_then(|d| d.text.as_deref())
                .map(str::to_owned);
            out.push(Finding {
                id,
                aliases: Vec::new(),
                severity,
                cvss,
                package: PackageRef {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    purl: None,
                    kind,
                    location,
                },
                fixed_versions,
                fix_state,
                source_tool: driver_name.to_ascii_lowercase(),
                target: ctx.target.to_owned(),
                title,
                url: rule.and_then(|r| opt(r.help_uri.clone())),
            });
        }
        if skipped > 0 {
            notes.push(format!(
                "runs[{r}]: {skipped} misconfiguration/secret/license result(s) are not vulnerability findings and were not read"
            ));
        }
        if suppressed > 0 {
            notes.push(format!(
                "runs[{r}]: {suppressed} result(s) carry SARIF suppressions and are not findings"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Suppression;

    #[test]
    fn only_accepted_suppressions_hide_a_result() {
        let status = |s: Option<&str>| Suppression {
            status: s.map(str::to_owned),
        };
        assert!(status(None).is_accepted());
        assert!(status(Some("accepted")).is_accepted());
        assert!(!status(Some("underReview")).is_accepted());
        assert!(!status(Some("rejected")).is_accepted());
    }
}
