//! From findings to a verdict: merge duplicates across reports, apply ignores, VEX and
//! the baseline, count what is left against the policy's limits.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use shipgate_core::Severity;

use crate::error::{Error, Result};
use crate::finding::{Finding, FixState};
use crate::policy::{IgnoreEntry, Policy};
use crate::purl::{Purl, matches_package, package_key};
use crate::verdict::{
    ExpiredIgnore, Input, PolicySummary, SeverityCounts, Summary, Suppression, ToolInfo, Verdict,
    VerdictFinding,
};
use crate::vex::VexSet;

/// A finding with what the gate adds to it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The finding.
    pub finding: Finding,
    /// The 1-based line, for configuration findings.
    pub line: Option<usize>,
    /// How to fix it, for configuration findings.
    pub hint: Option<String>,
}

impl From<Finding> for Entry {
    fn from(finding: Finding) -> Self {
        Self {
            finding,
            line: None,
            hint: None,
        }
    }
}

struct Merged {
    entry: Entry,
    sources: Vec<String>,
    targets: Vec<String>,
    inputs: Vec<usize>,
    ids: HashSet<String>,
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

fn ids_of(finding: &Finding) -> HashSet<String> {
    std::iter::once(&finding.id)
        .chain(&finding.aliases)
        .map(|i| i.to_ascii_uppercase())
        .collect()
}

/// Merges findings of several inputs: the same vulnerability (by id or alias) on the same
/// package, version and location (an unknown location matches any) reported by different
/// inputs becomes one finding. Findings of one input are never merged with each other.
/// Returns the merged findings and how many were folded into another.
fn merge(inputs: Vec<Vec<Entry>>) -> (Vec<Merged>, usize) {
    if inputs.len() <= 1 {
        // One input: nothing to merge, and no index to build.
        let merged = inputs
            .into_iter()
            .flatten()
            // `sources` and `targets` stay empty: the finding's own are moved in later.
            .map(|entry| Merged {
                entry,
                sources: Vec::new(),
                targets: Vec::new(),
                inputs: Vec::new(),
                ids: HashSet::new(),
            })
            .collect();
        return (merged, 0);
    }
    let mut merged: Vec<Merged> = Vec::new();
    let mut index: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut folded = 0;
    for (k, entries) in inputs.into_iter().enumerate() {
        let before = merged.len();
        for entry in entries {
            let f = &entry.finding;
            let key = (f.package.name.clone(), f.package.version.clone());
            let ids = ids_of(f);
            let target = index.get(&key).and_then(|candidates| {
                candidates.iter().copied().find(|&j| {
                    j < before
                        && !merged[j].inputs.contains(&k)
                        && location_compatible(
                            merged[j].entry.finding.package.location.as_deref(),
                            f.package.location.as_deref(),
                        )
                        && !merged[j].ids.is_disjoint(&ids)
                })
            });
            match target {
                Some(j) => {
                    folded += 1;
                    let m = &mut merged[j];
                    m.inputs.push(k);
                    absorb(m, entry, ids);
                }
                None => {
                    let sources = vec![f.source_tool.clone()];
                    let targets = if f.target.is_empty() {
                        Vec::new()
                    } else {
                        vec![f.target.clone()]
                    };
                    index.entry(key).or_default().push(merged.len());
                    merged.push(Merged {
                        entry,
                        sources,
                        targets,
                        inputs: vec![k],
                        ids,
                    });
                }
            }
        }
    }
    (merged, folded)
}

fn location_compatible(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.trim_start_matches('/') == b.trim_start_matches('/'),
        _ => true,
    }
}

fn absorb(m: &mut Merged, entry: Entry, ids: HashSet<String>) {
    let other = entry.finding;
    let f = &mut m.entry.finding;
    push_unique(&mut m.sources, &other.source_tool);
    push_unique(&mut m.targets, &other.target);
    for alias in std::iter::once(&other.id).chain(&other.aliases) {
        if !alias.eq_ignore_ascii_case(&f.id) {
            push_unique(&mut f.aliases, alias);
        }
    }
    m.ids.extend(ids);
    f.severity = f.severity.max(other.severity);
    for c in other.cvss {
        if !f.cvss.contains(&c) {
            f.cvss.push(c);
        }
    }
    for v in &other.fixed_versions {
        push_unique(&mut f.fixed_versions, v);
    }
    f.fix_state = match (f.fix_state, other.fix_state) {
        (FixState::Fixed, _) | (_, FixState::Fixed) => FixState::Fixed,
        (FixState::Unknown, s) => s,
        (s, _) => s,
    };
    if f.package.purl.is_none() {
        f.package.purl = other.package.purl;
    }
    if f.package.kind.is_none() {
        f.package.kind = other.package.kind;
    }
    if f.package.location.is_none() {
        f.package.location = other.package.location;
    }
    if f.title.is_none() {
        f.title = other.title;
    }
    if f.url.is_none() {
        f.url = other.url;
    }
}

/// `*` within a path segment, `**` across segments, `?` one character; leading `/` and
/// `./` are ignored on both sides.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn strip(s: &str) -> &str {
        s.trim_start_matches("./").trim_start_matches('/')
    }
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
                (0..=t.len()).any(|i| go(rest, &t[i..])) || go(&p[2..], t)
            }
            Some(b'*') => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != b'/')
                .any(|i| go(&p[1..], &t[i..])),
            Some(b'?') => t.first().is_some_and(|&c| c != b'/') && go(&p[1..], &t[1..]),
            Some(&c) => t.first() == Some(&c) && go(&p[1..], &t[1..]),
        }
    }
    go(strip(pattern).as_bytes(), strip(text).as_bytes())
}

/// Whether an ignore entry names this finding.
pub fn ignore_matches(entry: &IgnoreEntry, finding: &Finding) -> bool {
    let id_ok = std::iter::once(&finding.id)
        .chain(&finding.aliases)
        .any(|i| i.eq_ignore_ascii_case(entry.id.trim()));
    id_ok
        && entry
            .package
            .as_deref()
            .is_none_or(|p| p == finding.package.name)
        && entry.purl.as_deref().is_none_or(|p| {
            Purl::parse(p).is_some_and(|purl| matches_package(&purl, &finding.package))
        })
        && entry.path.as_deref().is_none_or(|p| {
            finding
                .package
                .location
                .as_deref()
                .is_some_and(|l| glob_match(p, l))
                || glob_match(p, &finding.target)
        })
}

/// The findings of a previous verdict, keyed for `--baseline`.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    by_package: HashMap<String, Vec<HashSet<String>>>,
}

#[derive(Deserialize)]
struct BaselineDoc {
    findings: Vec<BaselineFinding>,
}

#[derive(Deserialize)]
struct BaselineFinding {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    package: BaselinePackage,
}

#[derive(Deserialize)]
struct BaselinePackage {
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

impl Baseline {
    /// Reads a verdict written by `--format json`.
    pub fn load(path: &Path) -> Result<(Self, String)> {
        let bytes = fs_err::read(path).map_err(|source| Error::Read {
            what: "baseline verdict",
            path: path.to_owned(),
            source,
        })?;
        let doc: BaselineDoc = serde_json::from_slice(&bytes).map_err(|e| Error::Document {
            what: "baseline verdict",
            path: path.to_owned(),
            message: e.to_string(),
            hint: "give the JSON verdict of an earlier run (`gate-scan … --format json --output verdict.json`)",
        })?;
        let mut baseline = Self::default();
        for f in doc.findings {
            let package = crate::finding::PackageRef {
                name: f.package.name,
                version: String::new(),
                purl: f.package.purl,
                kind: None,
                location: None,
            };
            let ids = std::iter::once(f.id)
                .chain(f.aliases)
                .map(|i| i.to_ascii_uppercase())
                .collect();
            baseline
                .by_package
                .entry(package_key(&package))
                .or_default()
                .push(ids);
        }
        Ok((baseline, crate::readers::sha256_hex(&bytes)))
    }

    /// Whether the baseline has this vulnerability (any alias) on this package (any
    /// version).
    pub fn contains(&self, finding: &Finding) -> bool {
        let ids = ids_of(finding);
        self.by_package
            .get(&package_key(&finding.package))
            .is_some_and(|sets| sets.iter().any(|s| !s.is_disjoint(&ids)))
    }
}

/// Everything the gate decides on.
#[derive(Debug, Default)]
pub struct GateRun {
    /// What was gated (`vulnerabilities`, `dockerfile`, `manifests`).
    pub kind: String,
    /// The findings of each input, in input order.
    pub findings: Vec<Vec<Entry>>,
    /// The inputs, for the verdict.
    pub inputs: Vec<Input>,
}

/// Decides: merges, suppresses, counts and writes the verdict.
pub fn decide(run: GateRun, policy: &Policy, vex: &VexSet, baseline: Option<&Baseline>) -> Verdict {
    let (merged, folded) = merge(run.findings);
    let mut expired_matches = vec![0usize; policy.ignores.len()];
    let mut findings: Vec<VerdictFinding> = Vec::with_capacity(merged.len());
    let mut by_severity = SeverityCounts::default();
    let mut counted_by_severity = SeverityCounts::default();
    let mut summary = Summary {
        merged: folded,
        ..Summary::default()
    };
    for m in merged {
        let f = &m.entry.finding;
        let mut suppressions = Vec::new();
        for (i, ignore) in policy.ignores.iter().enumerate() {
            if !ignore_matches(&ignore.entry, f) {
                continue;
            }
            if ignore.expired {
                expired_matches[i] += 1;
            } else {
                suppressions.push(Suppression {
                    kind: "ignore".to_owned(),
                    reason: ignore.entry.reason.clone(),
                    origin: ignore.origin.clone(),
                    expires: Some(ignore.entry.expires.clone()),
                });
            }
        }
        if let Some(statement) = vex.decide(f)
            && statement.status.suppresses()
        {
            let reason = match &statement.justification {
                Some(j) => format!("VEX {}: {j}", statement.status.as_str()),
                None => format!("VEX {}", statement.status.as_str()),
            };
            suppressions.push(Suppression {
                kind: "vex".to_owned(),
                reason,
                origin: statement.source.display().to_string(),
                expires: None,
            });
        }
        let in_baseline = baseline.is_some_and(|b| b.contains(f));
        let suppressed = !suppressions.is_empty();
        let fixable = f.is_fixable();
        let counted = !suppressed && !in_baseline && (!policy.only_fixed || fixable);
        by_severity.add(f.severity);
        if counted {
            counted_by_severity.add(f.severity);
        }
        summary.fixable += usize::from(fixable);
        summary.suppressed += usize::from(suppressed);
        summary.baseline += usize::from(in_baseline && !suppressed);
        let Merged {
            entry,
            mut sources,
            mut targets,
            ..
        } = m;
        let finding = entry.finding;
        if sources.is_empty() {
            sources.push(finding.source_tool);
        }
        if targets.is_empty() && !finding.target.is_empty() {
            targets.push(finding.target);
        }
        findings.push(VerdictFinding {
            id: finding.id,
            aliases: finding.aliases,
            severity: finding.severity,
            fixable,
            fix_state: finding.fix_state,
            fixed_versions: finding.fixed_versions,
            package: finding.package,
            sources,
            targets,
            title: finding.title,
            url: finding.url,
            cvss: finding.cvss,
            line: entry.line,
            hint: entry.hint,
            suppressed,
            suppressions,
            baseline: in_baseline,
            counted,
            failing: false,
        });
    }
    let mut reasons = Vec::new();
    let mut failing_severities = Vec::new();
    for severity in Severity::ALL_DESCENDING {
        let count = counted_by_severity.get(severity);
        if let Some(limit) = policy.limit(severity)
            && count as u64 > limit
        {
            failing_severities.push(severity);
            let what = if policy.only_fixed { "fixable " } else { "" };
            reasons.push(if limit == 0 {
                format!(
                    "{count} {what}{severity} finding{} (fail-on: {})",
                    plural(count),
                    policy.fail_on
                )
            } else {
                format!(
                    "{count} {what}{severity} findings, over the limit of {limit} (max.{severity})"
                )
            });
        }
    }
    for f in &mut findings {
        f.failing = f.counted && failing_severities.contains(&f.severity);
        summary.failing += usize::from(f.failing);
    }
    sort_findings(&mut findings);
    summary.total = findings.len();
    summary.by_severity = by_severity;
    summary.counted_by_severity = counted_by_severity;
    let expired_ignores = policy
        .ignores
        .iter()
        .zip(expired_matches)
        .filter(|(ignore, _)| ignore.expired)
        .map(|(ignore, matched)| ExpiredIgnore {
            id: ignore.entry.id.clone(),
            reason: ignore.entry.reason.clone(),
            expires: ignore.entry.expires.clone(),
            origin: ignore.origin.clone(),
            matched,
        })
        .collect();
    Verdict {
        schema: crate::verdict::VERDICT_SCHEMA_ID.to_owned(),
        version: 1,
        tool: ToolInfo {
            name: "gate-scan".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        kind: run.kind,
        result: if reasons.is_empty() { "pass" } else { "fail" }.to_owned(),
        reasons,
        policy: PolicySummary {
            fail_on: policy.fail_on.as_str().to_owned(),
            only_fixed: policy.only_fixed,
            max: crate::policy::caps_map(&policy.caps)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            file: policy.file.as_ref().map(|p| p.display().to_string()),
            ignores: policy.ignores.iter().filter(|i| !i.expired).count(),
        },
        inputs: run.inputs,
        summary,
        expired_ignores,
        findings,
    }
}

const fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Failing first, then most severe, then id, package and version.
pub fn sort_findings(findings: &mut [VerdictFinding]) {
    findings.sort_by(|a, b| {
        b.failing
            .cmp(&a.failing)
            .then(b.severity.cmp(&a.severity))
            .then(b.counted.cmp(&a.counted))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
    });
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("usr/lib/*.jar", "/usr/lib/a.jar"));
        assert!(!glob_match("usr/*.jar", "usr/lib/a.jar"));
        assert!(glob_match(
            "**/package-lock.json",
            "app/web/package-lock.json"
        ));
        assert!(glob_match("app/**", "app/web/x"));
        assert!(glob_match("go.sum", "./go.sum"));
    }
}
