//! SARIF 2.1.0 for GitHub code scanning, split to its upload limits: at most
//! [`RESULTS_PER_RUN`] results per run (GitHub keeps only the top 5,000 of a run, so the
//! findings — failing and most severe first — are chunked rather than cut), each run its
//! own category (`automationDetails.id`), at most [`RUNS_PER_FILE`] runs and about
//! [`GZIP_LIMIT`] gzipped bytes per file; more files are written next to the first
//! (`scan.sarif`, `scan.2.sarif`, …).

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use shipgate_core::Severity;

use crate::verdict::{Verdict, VerdictFinding};

/// Results per run (GitHub displays the top 5,000 of a run).
pub const RESULTS_PER_RUN: usize = 5_000;
/// Runs per file (GitHub's limit is 20).
pub const RUNS_PER_FILE: usize = 20;
/// Gzipped bytes per file, under GitHub's 10 MB with a margin.
pub const GZIP_LIMIT: usize = 9_500_000;

/// The SARIF level of a severity.
pub const fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

fn security_severity(f: &VerdictFinding) -> f64 {
    let band = match f.severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Unknown => 0.0,
    };
    let max = f
        .cvss
        .iter()
        .filter_map(|c| c.score)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    // Keep the score consistent with the severity the policy used.
    match max {
        Some(score) if Severity::from_cvss_score(score) == f.severity => score,
        _ => band,
    }
}

fn rule_id(f: &VerdictFinding) -> String {
    f.id.clone()
}

fn result(f: &VerdictFinding, rule_index: usize) -> Value {
    let uri = f
        .package
        .location
        .clone()
        .or_else(|| f.targets.first().cloned())
        .unwrap_or_else(|| f.package.name.clone());
    let uri = uri.trim_start_matches('/').to_owned();
    let mut text = if f.package.kind.as_deref() == Some("config") {
        f.title.clone().unwrap_or_else(|| f.id.clone())
    } else {
        format!(
            "Package: {}\nInstalled Version: {}\nVulnerability {}\nSeverity: {}\nFixed Version: {}",
            f.package.name,
            f.package.version,
            f.id,
            f.severity.as_str().to_uppercase(),
            f.fixed_versions.join(", ")
        )
    };
    if let Some(hint) = &f.hint {
        text.push_str(&format!("\n{hint}"));
    }
    let mut value = json!({
        "ruleId": rule_id(f),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": {
                    "startLine": f.line.unwrap_or(1),
                    "startColumn": 1,
                    "endLine": f.line.unwrap_or(1),
                    "endColumn": 1
                }
            },
            "message": { "text": super::package_label(f) }
        }],
        "partialFingerprints": {
            "gateScanFinding/v1": crate::readers::sha256_hex(
                format!("{}|{}|{}|{}", f.id, f.package.name, f.package.version, f.package.location.as_deref().unwrap_or_default()).as_bytes()
            )
        }
    });
    if f.suppressed
        && let Value::Object(map) = &mut value
    {
        map.insert(
            "suppressions".to_owned(),
            Value::Array(
                f.suppressions
                    .iter()
                    .map(|s| json!({ "kind": "external", "justification": s.reason }))
                    .collect(),
            ),
        );
    }
    if f.baseline
        && let Value::Object(map) = &mut value
    {
        map.insert("baselineState".to_owned(), json!("unchanged"));
    }
    value
}

fn rule(f: &VerdictFinding) -> Value {
    let title = f.title.clone().unwrap_or_else(|| f.id.clone());
    let sev = f.severity.as_str().to_uppercase();
    let mut rule = json!({
        "id": rule_id(f),
        "name": if f.package.kind.as_deref() == Some("config") { "Misconfiguration" } else { "PackageVulnerability" },
        "shortDescription": { "text": title },
        "fullDescription": { "text": title },
        "defaultConfiguration": { "level": level(f.severity) },
        "help": {
            "text": format!("Vulnerability {}\nSeverity: {sev}\nPackage: {}\nFixed Version: {}", f.id, f.package.name, f.fixed_versions.join(", ")),
            "markdown": format!("**Vulnerability {}**\n| Severity | Package | Fixed Version |\n| --- | --- | --- |\n| {sev} | {} | {} |", f.id, f.package.name, f.fixed_versions.join(", "))
        },
        "properties": {
            "precision": "very-high",
            "security-severity": format!("{:.1}", security_severity(f)),
            "tags": ["vulnerability", "security", sev]
        }
    });
    if let (Some(url), Value::Object(map)) = (&f.url, &mut rule) {
        map.insert("helpUri".to_owned(), json!(url));
    }
    rule
}

fn run(findings: &[VerdictFinding], part: usize, parts: usize) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut results = Vec::with_capacity(findings.len());
    for f in findings {
        let id = rule_id(f);
        let i = *index.entry(id).or_insert_with(|| {
            rules.push(rule(f));
            rules.len() - 1
        });
        results.push(result(f, i));
    }
    let category = if parts > 1 {
        format!("gate-scan/part-{part}-of-{parts}/")
    } else {
        "gate-scan/".to_owned()
    };
    json!({
        "tool": { "driver": {
            "name": "gate-scan",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/shipgate/shipgate",
            "rules": rules
        }},
        "automationDetails": { "id": category },
        "results": results,
        "columnKind": "utf16CodeUnits"
    })
}

fn document(runs: &[Value]) -> String {
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn gzipped_len(text: &str) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().map_or(usize::MAX, |v| v.len())
}

/// The n-th file name: `scan.sarif`, `scan.2.sarif`, …
pub fn part_path(first: &Path, n: usize) -> PathBuf {
    if n <= 1 {
        return first.to_owned();
    }
    let stem = first
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = first
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sarif".to_owned());
    first.with_file_name(format!("{stem}.{n}.{ext}"))
}

/// How SARIF output is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Results per run.
    pub results_per_run: usize,
    /// Runs per file.
    pub runs_per_file: usize,
    /// Gzipped bytes per file.
    pub gzip_bytes: usize,
}

/// GitHub's limits, with margins.
pub const GITHUB: Limits = Limits {
    results_per_run: RESULTS_PER_RUN,
    runs_per_file: RUNS_PER_FILE,
    gzip_bytes: GZIP_LIMIT,
};

/// The SARIF files for a verdict: (path, content), the first at `first`.
pub fn render(verdict: &Verdict, first: &Path) -> Vec<(PathBuf, String)> {
    render_with(verdict, first, GITHUB)
}

/// [`render`] with explicit limits.
pub fn render_with(verdict: &Verdict, first: &Path, limits: Limits) -> Vec<(PathBuf, String)> {
    let chunks: Vec<&[VerdictFinding]> = if verdict.findings.is_empty() {
        vec![&[]]
    } else {
        verdict
            .findings
            .chunks(limits.results_per_run.max(1))
            .collect()
    };
    let parts = chunks.len();
    let mut files: Vec<Vec<Value>> = vec![Vec::new()];
    let mut sizes = vec![0usize];
    for (i, chunk) in chunks.into_iter().enumerate() {
        let value = run(chunk, i + 1, parts);
        let size = gzipped_len(&serde_json::to_string(&value).unwrap_or_default());
        let last = files.len() - 1;
        if !files[last].is_empty()
            && (files[last].len() >= limits.runs_per_file || sizes[last] + size > limits.gzip_bytes)
        {
            files.push(Vec::new());
            sizes.push(0);
        }
        let last = files.len() - 1;
        files[last].push(value);
        sizes[last] += size;
    }
    files
        .iter()
        .enumerate()
        .map(|(i, runs)| (part_path(first, i + 1), document(runs)))
        .collect()
}
