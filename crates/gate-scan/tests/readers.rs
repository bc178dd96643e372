#![allow(clippy::unwrap_used)]
//! Every reader on realistic reports: one snapshot line per finding, so a reviewer can
//! check ids, aliases, severity, package, fix and location against the fixture.

use std::path::{Path, PathBuf};

use gate_scan::finding::Finding;
use gate_scan::{FormatIn, read_report};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn line(f: &Finding) -> String {
    let mut out = format!("{} {}", f.severity, f.id);
    if !f.aliases.is_empty() {
        out.push_str(&format!(" ({})", f.aliases.join(", ")));
    }
    out.push_str(&format!(" | {}@{}", f.package.name, f.package.version));
    for (label, value) in [
        ("purl", &f.package.purl),
        ("kind", &f.package.kind),
        ("at", &f.package.location),
    ] {
        if let Some(v) = value {
            out.push_str(&format!(" {label}={v}"));
        }
    }
    out.push_str(&format!(
        " | fix={:?} [{}] | {} | {}",
        f.fix_state,
        f.fixed_versions.join(", "),
        f.source_tool,
        f.target
    ));
    let scores: Vec<String> = f
        .cvss
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c.source.as_deref().unwrap_or("?"),
                c.score.map_or_else(|| "-".to_owned(), |s| s.to_string())
            )
        })
        .collect();
    if !scores.is_empty() {
        out.push_str(&format!(" | cvss {}", scores.join(" ")));
    }
    out
}

fn render(name: &str, format: FormatIn) -> String {
    let report = read_report(&fixture(name), format).unwrap();
    let mut out = format!(
        "format={} tool={} version={} target={}\n",
        report.format,
        report.tool,
        report.tool_version.as_deref().unwrap_or("-"),
        report.target
    );
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for f in &report.findings {
        out.push_str(&line(f));
        out.push('\n');
    }
    out
}

#[test]
fn trivy_json() {
    insta::assert_snapshot!(render("trivy-image.json", FormatIn::Auto));
}

#[test]
fn trivy_legacy_array() {
    insta::assert_snapshot!(render("trivy-legacy.json", FormatIn::Auto));
}

#[test]
fn trivy_sarif() {
    insta::assert_snapshot!(render("trivy-image.sarif", FormatIn::Auto));
}

#[test]
fn trivy_cyclonedx() {
    insta::assert_snapshot!(render("trivy-image.cdx.json", FormatIn::Auto));
}

#[test]
fn grype_json() {
    insta::assert_snapshot!(render("grype-image.json", FormatIn::Auto));
}

#[test]
fn grype_legacy() {
    insta::assert_snapshot!(render("grype-legacy.json", FormatIn::Auto));
}

#[test]
fn grype_sarif() {
    insta::assert_snapshot!(render("grype-image.sarif", FormatIn::Auto));
}

#[test]
fn grype_cyclonedx() {
    insta::assert_snapshot!(render("grype-image.cdx.json", FormatIn::Auto));
}

#[test]
fn osv_scanner() {
    insta::assert_snapshot!(render("osv-scanner.json", FormatIn::Auto));
}

#[test]
fn format_in_overrides_detection() {
    assert_eq!(
        render("grype-image.json", FormatIn::Grype),
        render("grype-image.json", FormatIn::Auto)
    );
    let error = read_report(&fixture("grype-image.json"), FormatIn::Trivy).unwrap_err();
    assert!(
        error.to_string().contains("no Trivy JSON report"),
        "{error}"
    );
}

/// The same scan through Trivy's three outputs gives the same findings.
#[test]
fn trivy_outputs_agree() {
    let key = |name: &str| {
        let mut keys: Vec<(String, String, String, String)> =
            read_report(&fixture(name), FormatIn::Auto)
                .unwrap()
                .findings
                .iter()
                .map(|f| {
                    (
                        f.id.clone(),
                        f.package.name.clone(),
                        f.severity.to_string(),
                        f.fixed_versions.join(","),
                    )
                })
                .collect();
        keys.sort();
        keys
    };
    let json = key("trivy-image.json");
    assert_eq!(json.len(), 9);
    assert_eq!(json, key("trivy-image.sarif"));
    assert_eq!(json, key("trivy-image.cdx.json"));
}
