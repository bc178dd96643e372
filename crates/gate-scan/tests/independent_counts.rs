#![allow(clippy::unwrap_used)]
//! Finding counts by severity, fixable counts and distinct ids, checked against an
//! independent count of the same report with `jq` (each expression reads the tool's own
//! fields, as a user would).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Maps a CVSS score to its band, in jq.
const BAND: &str = r#"def band: if . >= 9 then "critical" elif . >= 7 then "high" elif . >= 4 then "medium" elif . > 0 then "low" else "unknown" end;
def word: ascii_downcase | if . == "negligible" or . == "info" then "low" elif . == "moderate" then "medium" elif . == "" or . == "none" then "unknown" else . end;
def counts: group_by(.) | map({(.[0]): length}) | add // {} | {critical: (.critical // 0), high: (.high // 0), medium: (.medium // 0), low: (.low // 0), unknown: (.unknown // 0)};
"#;

struct Expected {
    /// A jq program printing `{counts: {...}, fixable: N, ids: N}`.
    program: &'static str,
}

fn jq(program: &str, file: &Path) -> serde_json::Value {
    let output = Command::new("jq")
        .arg("-c")
        .arg(format!("{BAND}{program}"))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn gate_scan(file: &Path) -> serde_json::Value {
    let output = test_support::bin("gate-scan")
        .args([
            "report",
            file.to_str().unwrap(),
            "--fail-on",
            "none",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut ids: Vec<&str> = verdict["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    serde_json::json!({
        "counts": verdict["summary"]["by_severity"],
        "fixable": verdict["summary"]["fixable"],
        "ids": ids.len(),
    })
}

fn check(name: &str, expected: &Expected) {
    if test_support::require_tool("jq").is_none() {
        return;
    }
    let file = fixture(name);
    let independent = jq(expected.program, &file);
    assert_eq!(gate_scan(&file), independent, "{name}");
}

#[test]
fn trivy_json() {
    check(
        "trivy-image.json",
        &Expected {
            program: r#"[.Results[]?.Vulnerabilities[]?] as $v
                | {counts: ($v | map(.Severity | word) | counts),
                   fixable: ($v | map(select((.FixedVersion // "") != "" or .Status == "fixed")) | length),
                   ids: ($v | map(.VulnerabilityID) | unique | length)}"#,
        },
    );
}

#[test]
fn trivy_legacy() {
    check(
        "trivy-legacy.json",
        &Expected {
            program: r#"[.[].Vulnerabilities[]?] as $v
                | {counts: ($v | map(.Severity | word) | counts),
                   fixable: ($v | map(select((.FixedVersion // "") != "")) | length),
                   ids: ($v | map(.VulnerabilityID) | unique | length)}"#,
        },
    );
}

#[test]
fn grype_json() {
    for name in ["grype-image.json", "grype-legacy.json"] {
        check(
            name,
            &Expected {
                program: r#"[.matches[].vulnerability] as $v
                    | {counts: ($v | map(if (.severity // "") == "" then ([.cvss[]?.metrics.baseScore] | max // 0 | band) else (.severity | word) end) | counts),
                       fixable: ($v | map(select(((.fix.versions // []) | length) > 0 or .fix.state == "fixed" or ((.fix.available // []) | length) > 0 or (.fixedInVersion // "") != "")) | length),
                       ids: ($v | map(.id) | unique | length)}"#,
            },
        );
    }
}

#[test]
fn trivy_sarif() {
    check(
        "trivy-image.sarif",
        &Expected {
            program: r#".runs[0] as $r | [$r.results[] | {sev: ($r.tool.driver.rules[.ruleIndex].properties.tags[-1] | word), fixed: (.message.text | test("Fixed Version: [^\n]+")), id: .ruleId}] as $v
                | {counts: ($v | map(.sev) | counts), fixable: ($v | map(select(.fixed)) | length), ids: ($v | map(.id) | unique | length)}"#,
        },
    );
}

#[test]
fn grype_sarif() {
    check(
        "grype-image.sarif",
        &Expected {
            program: r#".runs[0] as $r | [$r.results[] | .ruleId as $id | ($r.tool.driver.rules[] | select(.id == $id)) | {sev: (.help.text | capture("Severity: (?<s>[a-z]*)").s | word), score: (.properties["security-severity"] | tonumber), fixed: (.help.text | test("Fix Version: [^\n]+")), id: (.help.text | capture("Vulnerability (?<i>[^\n]+)").i)}] as $v
                | {counts: ($v | map(if .sev == "unknown" then (.score | band) else .sev end) | counts), fixable: ($v | map(select(.fixed)) | length), ids: ($v | map(.id) | unique | length)}"#,
        },
    );
}

#[test]
fn cyclonedx() {
    for (name, first) in [
        ("trivy-image.cdx.json", false),
        ("grype-image.cdx.json", true),
    ] {
        let program = if first {
            // Grype: its own severity is the first rating with one.
            r#"[.vulnerabilities[] | (.ratings // []) as $rt | ([$rt[].severity | select(. != null) | word | select(. != "unknown")] | first // ([$rt[].score | select(. != null)] | max // 0 | band)) as $s | .affects[] | {s: $s, fixed: false}]"#
        } else {
            // Trivy: one rating per vendor; the highest.
            r#"[.vulnerabilities[] | ([.ratings[]?.severity | select(. != null) | word] | map({"critical":4,"high":3,"medium":2,"low":1,"unknown":0}[.]) | max // 0 | ["unknown","low","medium","high","critical"][.]) as $s | (.recommendation // "") as $r | .affects[] | {s: $s, fixed: ($r != "")}]"#
        };
        let program: &'static str = Box::leak(
            format!(
                "{program} as $v | {{counts: ($v | map(.s) | counts), fixable: ($v | map(select(.fixed)) | length), ids: ([.vulnerabilities[].id] | unique | length)}}"
            )
            .into_boxed_str(),
        );
        check(name, &Expected { program });
    }
}

#[test]
fn osv_scanner() {
    check(
        "osv-scanner.json",
        &Expected {
            program: r#"[.results[].packages[] | . as $p | .groups[] | . as $g
                    | {s: (if (.max_severity // "") != "" then (.max_severity | tonumber | band)
                           else ([$p.vulnerabilities[] | select(.id as $i | $g.ids | index($i)) | .database_specific.severity // empty | word] | map({"critical":4,"high":3,"medium":2,"low":1,"unknown":0}[.]) | max // 0 | ["unknown","low","medium","high","critical"][.]) end),
                       fixed: ([$p.vulnerabilities[] | select(.id as $i | $g.ids | index($i)) | .affected[]?.ranges[]?.events[]? | select(.fixed)] | length > 0),
                       id: .ids[0]}] as $v
                | {counts: ($v | map(.s) | counts), fixable: ($v | map(select(.fixed)) | length), ids: ($v | map(.id) | unique | length)}"#,
        },
    );
}
