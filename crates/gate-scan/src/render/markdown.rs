//! The Markdown report for `$GITHUB_STEP_SUMMARY`: counts, reasons, expired ignores, then
//! the findings table (failing first, by severity), cut to stay under GitHub's 1 MiB
//! limit with a note of how many rows were left out.

use shipgate_core::Severity;

use crate::verdict::{Verdict, VerdictFinding};

/// The most bytes the report may take (GitHub rejects 1 MiB; this leaves room for the
/// rest of the step's summary).
pub const MARKDOWN_LIMIT: usize = 900 * 1024;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Renders the report, at most `limit` bytes.
pub fn render(verdict: &Verdict, limit: usize) -> String {
    let mut out = String::new();
    let icon = if verdict.passed() { "✅" } else { "❌" };
    out.push_str(&format!(
        "## {icon} gate-scan: {} ({})\n\n",
        verdict.result, verdict.kind
    ));
    for reason in &verdict.reasons {
        out.push_str(&format!("- **fail**: {}\n", cell(reason)));
    }
    if !verdict.reasons.is_empty() {
        out.push('\n');
    }
    let s = &verdict.summary;
    out.push_str("| | critical | high | medium | low | unknown | total |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (label, counts) in [
        ("found", &s.by_severity),
        ("counted", &s.counted_by_severity),
    ] {
        out.push_str(&format!("| {label} |"));
        for sev in Severity::ALL_DESCENDING {
            out.push_str(&format!(" {} |", counts.get(sev)));
        }
        out.push_str(&format!(" {} |\n", counts.total()));
    }
    out.push_str(&format!(
        "\nPolicy: fail-on **{}**{}{}; fixable {}, suppressed {}, in baseline {}, merged across reports {}.\n\n",
        verdict.policy.fail_on,
        if verdict.policy.only_fixed { ", only fixed" } else { "" },
        if verdict.policy.max.is_empty() {
            String::new()
        } else {
            format!(
                ", max {}",
                verdict
                    .policy
                    .max
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        s.fixable,
        s.suppressed,
        s.baseline,
        s.merged
    ));
    if !verdict.expired_ignores.is_empty() {
        out.push_str("### Expired ignores\n\n| id | expired | reason | where | findings |\n|---|---|---|---|---:|\n");
        for e in &verdict.expired_ignores {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&e.id),
                e.expires,
                cell(&e.reason),
                cell(&e.origin),
                e.matched
            ));
        }
        out.push('\n');
    }
    if verdict.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str(
        "### Findings\n\n| severity | id | package | fixed in | status |\n|---|---|---|---|---|\n",
    );
    let total = verdict.findings.len();
    for (i, f) in verdict.findings.iter().enumerate() {
        let row = row(f);
        let note = format!(
            "\n> **Note**: {} of {total} findings (the least severe) are not shown to stay under GitHub's 1 MiB step-summary limit; the JSON verdict and SARIF have all of them.\n",
            total - i
        );
        if out.len() + row.len() + note.len() + 200 > limit {
            out.push_str(&note);
            return out;
        }
        out.push_str(&row);
    }
    out
}

fn row(f: &VerdictFinding) -> String {
    let id = match &f.url {
        Some(url) if url.starts_with("https://") => format!("[{}]({})", cell(&f.id), cell(url)),
        _ => cell(&f.id),
    };
    let status = if f.failing {
        "**failing**".to_owned()
    } else if f.suppressed {
        format!(
            "suppressed: {}",
            cell(
                &f.suppressions
                    .iter()
                    .map(|s| s.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        )
    } else if f.baseline {
        "baseline".to_owned()
    } else if f.counted {
        "counted".to_owned()
    } else {
        "not counted (no fix)".to_owned()
    };
    format!(
        "| {} | {} | {} | {} | {} |\n",
        f.severity,
        id,
        cell(&super::package_label(f)),
        cell(&f.fixed_versions.join(", ")),
        status
    )
}
