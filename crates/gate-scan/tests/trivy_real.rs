#![allow(clippy::unwrap_used)]
//! Reports written by the real `trivy` (CI installs it): `trivy convert` renders our Trivy
//! JSON fixture as SARIF and CycloneDX, and `trivy config` writes misconfiguration SARIF.
//! gate-scan must read the same findings from each.

use std::path::{Path, PathBuf};
use std::process::Command;

use gate_scan::{FormatIn, read_report};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn keys(path: &Path) -> Vec<(String, String, String, String, bool)> {
    let mut keys: Vec<_> = read_report(path, FormatIn::Auto)
        .unwrap()
        .findings
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                f.package.name.clone(),
                f.package.version.clone(),
                f.severity.to_string(),
                f.is_fixable(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn trivy(args: &[&str]) {
    let output = Command::new("trivy").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "trivy {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn trivy_convert_outputs_read_the_same() {
    if test_support::require_tool("trivy").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let json = fixture("trivy-image.json");
    let sarif = dir.path().join("t.sarif");
    let cdx = dir.path().join("t.cdx.json");
    let again = dir.path().join("t.json");
    let json_s = json.to_str().unwrap();
    trivy(&[
        "convert",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        json_s,
    ]);
    trivy(&[
        "convert",
        "--format",
        "cyclonedx",
        "--scanners",
        "vuln",
        "--output",
        cdx.to_str().unwrap(),
        json_s,
    ]);
    trivy(&[
        "convert",
        "--format",
        "json",
        "--output",
        again.to_str().unwrap(),
        json_s,
    ]);
    let expected = keys(&json);
    assert_eq!(expected.len(), 9);
    assert_eq!(keys(&again), expected, "trivy's JSON");
    assert_eq!(keys(&sarif), expected, "trivy's SARIF");
    // CycloneDX keeps no fix state for the will_not_fix finding; compare without it.
    let strip = |k: Vec<(String, String, String, String, bool)>| -> Vec<_> {
        k.into_iter().map(|(a, b, c, d, _)| (a, b, c, d)).collect()
    };
    assert_eq!(strip(keys(&cdx)), strip(expected), "trivy's CycloneDX");
}

#[test]
fn trivy_config_sarif_has_no_vulnerability_findings() {
    if test_support::require_tool("trivy").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.19\nRUN apk add curl\nUSER root\n",
    )
    .unwrap();
    let sarif = dir.path().join("config.sarif");
    trivy(&[
        "config",
        "--skip-check-update",
        "--quiet",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    let report = read_report(&sarif, FormatIn::Auto).unwrap();
    assert!(report.findings.is_empty());
    assert!(
        report.notes.iter().any(|n| n.contains("misconfiguration")),
        "{:?}",
        report.notes
    );
}

/// A clean scan's CycloneDX (`--scanners vuln`) has an empty `vulnerabilities` and
/// passes.
#[test]
fn trivy_cyclonedx_clean_scan() {
    if test_support::require_tool("trivy").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("trivy-image.json")).unwrap()).unwrap();
    for result in report["Results"].as_array_mut().unwrap() {
        let result = result.as_object_mut().unwrap();
        result.remove("Vulnerabilities");
        result.remove("ExperimentalModifiedFindings");
    }
    let clean = dir.path().join("clean.json");
    std::fs::write(&clean, serde_json::to_vec(&report).unwrap()).unwrap();
    let scanned = dir.path().join("scanned.cdx.json");
    let clean_s = clean.to_str().unwrap();
    trivy(&[
        "convert",
        "--format",
        "cyclonedx",
        "--scanners",
        "vuln",
        "--output",
        scanned.to_str().unwrap(),
        clean_s,
    ]);
    assert!(
        read_report(&scanned, FormatIn::Auto)
            .unwrap()
            .findings
            .is_empty()
    );
}
