//! Renderings of a [`Verdict`]: the human summary on stderr, Markdown for the step
//! summary, SARIF 2.1.0 split to GitHub's upload limits, JUnit XML and GitLab's
//! container-scanning report.

pub mod gitlab;
pub mod junit;
pub mod markdown;
pub mod sarif;

use shipgate_core::Severity;

use crate::verdict::{Verdict, VerdictFinding};

/// The human summary printed on stderr.
pub fn human(verdict: &Verdict) -> String {
    let s = &verdict.summary;
    let mut out = String::new();
    let counts = |c: &crate::verdict::SeverityCounts| {
        Severity::ALL_DESCENDING
            .iter()
            .map(|sev| format!("{} {sev}", c.get(*sev)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!(
        "gate-scan: {} — {} finding{} ({})\n",
        verdict.result.to_uppercase(),
        s.total,
        if s.total == 1 { "" } else { "s" },
        counts(&s.by_severity)
    ));
    out.push_str(&format!(
        "  counted by the policy (fail-on {}{}): {}; fixable {}, suppressed {}, in baseline {}\n",
        verdict.policy.fail_on,
        if verdict.policy.only_fixed {
            ", only fixed"
        } else {
            ""
        },
        counts(&s.counted_by_severity),
        s.fixable,
        s.suppressed,
        s.baseline
    ));
    for reason in &verdict.reasons {
        out.push_str(&format!("  fail: {reason}\n"));
    }
    for e in &verdict.expired_ignores {
        out.push_str(&format!(
            "  warning: ignore of {} at {} expired on {} and no longer suppresses ({} finding{})\n",
            e.id,
            e.origin,
            e.expires,
            e.matched,
            if e.matched == 1 { "" } else { "s" }
        ));
    }
    for input in &verdict.inputs {
        for note in &input.notes {
            out.push_str(&format!("  note: {}: {note}\n", input.path));
        }
    }
    let failing: Vec<&VerdictFinding> = verdict.findings.iter().filter(|f| f.failing).collect();
    for f in failing.iter().take(20) {
        out.push_str(&format!("  {}\n", one_line(f)));
    }
    if failing.len() > 20 {
        out.push_str(&format!(
            "  … and {} more failing findings (see --format json or the step summary)\n",
            failing.len() - 20
        ));
    }
    out
}

/// `HIGH CVE-… openssl 3.0.1 (fixed in 3.0.2)`.
pub fn one_line(f: &VerdictFinding) -> String {
    let mut line = format!(
        "{} {} {}",
        f.severity.as_str().to_uppercase(),
        f.id,
        package_label(f)
    );
    if !f.fixed_versions.is_empty() {
        line.push_str(&format!(" (fixed in {})", f.fixed_versions.join(", ")));
    }
    if f.package.kind.as_deref() == Some("config") {
        line.push_str(&format!(": {}", f.title.as_deref().unwrap_or_default()));
    }
    line
}

/// `name version` or, for configuration findings, `file:line`.
pub fn package_label(f: &VerdictFinding) -> String {
    if f.package.kind.as_deref() == Some("config") {
        let file = f.package.location.as_deref().unwrap_or(&f.package.name);
        return match f.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_owned(),
        };
    }
    if f.package.version.is_empty() {
        f.package.name.clone()
    } else {
        format!("{} {}", f.package.name, f.package.version)
    }
}
