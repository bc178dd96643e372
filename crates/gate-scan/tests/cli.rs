#![allow(clippy::unwrap_used)]
//! The command line end to end: exit codes, every bad input, policy diagnostics, VEX,
//! baseline and every output format.

use std::path::{Path, PathBuf};
use std::process::Output;

const NOW: &str = "2026-11-23T10:00:00Z";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn gate_scan(args: &[&str]) -> Output {
    test_support::bin("gate-scan")
        .current_dir(fixtures())
        .env("SHIPGATE_NOW", NOW)
        .args(args)
        .output()
        .expect("run gate-scan")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs with bad input: exit 2, nothing on stdout, the diagnostic snapshotted.
fn bad(name: &str, args: &[&str]) {
    let output = gate_scan(args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    insta::assert_snapshot!(name, stderr(&output));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn pass_fail_and_threshold() {
    let out = gate_scan(&["report", "trivy-image.json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("human_fail", stderr(&out));
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--fail-on",
        "critical",
        "--only-fixed",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = gate_scan(&["report", "grype-legacy.json", "--fail-on", "none"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = test_support::bin("gate-scan")
        .current_dir(fixtures())
        .env("SHIPGATE_FAIL_ON", "critical")
        .args(["report", "grype-image.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "SHIPGATE_FAIL_ON is read: {}",
        stderr(&out)
    );
}

#[test]
fn only_fixed_ignores_unfixed() {
    // osv-scanner: ecdsa (high) has no fix; braces (high) has one.
    let out = gate_scan(&[
        "report",
        "osv-scanner.json",
        "--only-fixed",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["summary"]["counted_by_severity"]["high"], 1);
    assert_eq!(verdict["summary"]["by_severity"]["high"], 2);
}

#[test]
fn caps_tolerate_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "p.yaml",
        "fail-on: high\nmax:\n  critical: 1\n  high: 2\n",
    );
    let out = gate_scan(&["report", "trivy-image.json", "--policy", &policy]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let policy = write(dir.path(), "q.yaml", "fail-on: none\nmax:\n  medium: 3\n");
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--policy",
        &policy,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        verdict["reasons"][0],
        "4 medium findings, over the limit of 3 (max.medium)"
    );
}

#[test]
fn policy_ignores_vex_and_expiry() {
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--policy",
        "policy/policy.yaml",
        "--vex",
        "policy/cyclonedx-vex.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let mut verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Digests change with any fixture edit; the snapshot checks the decisions.
    for input in verdict["inputs"].as_array_mut().unwrap() {
        input["sha256"] = serde_json::json!("…");
    }
    insta::assert_snapshot!(
        "verdict_with_policy",
        serde_json::to_string_pretty(&verdict).unwrap()
    );
    insta::assert_snapshot!("human_with_policy", stderr(&out));
}

#[test]
fn ignore_before_expiry_suppresses() {
    let out = test_support::bin("gate-scan")
        .current_dir(fixtures())
        .env("SHIPGATE_NOW", "2026-01-31T23:59:59Z")
        .args([
            "report",
            "trivy-image.json",
            "--policy",
            "policy/policy.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(verdict["expired_ignores"].as_array().unwrap().is_empty());
    let braces = verdict["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2024-4068")
        .unwrap();
    assert_eq!(braces["suppressed"], true);
}

#[test]
fn policy_diagnostics() {
    bad(
        "policy_missing_reason",
        &[
            "report",
            "trivy-image.json",
            "--policy",
            "policy/missing-reason.yaml",
        ],
    );
    bad(
        "policy_bad_keys",
        &[
            "report",
            "trivy-image.json",
            "--policy",
            "policy/bad-keys.yaml",
        ],
    );
    bad(
        "policy_bad_severity",
        &[
            "report",
            "trivy-image.json",
            "--policy",
            "policy/bad-severity.yaml",
        ],
    );
    bad(
        "policy_bad_syntax",
        &[
            "report",
            "trivy-image.json",
            "--policy",
            "policy/bad-syntax.yaml",
        ],
    );
    bad(
        "policy_missing_file",
        &["report", "trivy-image.json", "--policy", "policy/nope.yaml"],
    );
}

#[test]
fn bad_reports() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(fixtures().join("trivy-image.json")).unwrap();
    let truncated = write(dir.path(), "truncated.json", &full[..full.len() / 2]);
    let cases: Vec<(&str, String)> = vec![
        ("truncated", truncated),
        ("empty", write(dir.path(), "empty.json", "  \n")),
        (
            "not_json",
            write(dir.path(), "report.txt", "Total: 3 (HIGH: 3)\n"),
        ),
        (
            "unknown_tool",
            write(
                dir.path(),
                "unknown.json",
                r#"{"issues": [], "scanner": "snyk"}"#,
            ),
        ),
        (
            "trivy_schema_3",
            write(
                dir.path(),
                "trivy3.json",
                r#"{"SchemaVersion": 3, "ArtifactName": "x", "Results": []}"#,
            ),
        ),
        (
            "trivy_bad_severity",
            write(
                dir.path(),
                "sev.json",
                r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1", "Severity": "SEVERE"}]}]}"#,
            ),
        ),
        (
            "trivy_wrong_type",
            write(
                dir.path(),
                "type.json",
                r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": 42, "PkgName": "p"}]}]}"#,
            ),
        ),
        (
            "sarif_version",
            write(
                dir.path(),
                "old.sarif",
                r#"{"version": "2.0.0", "runs": []}"#,
            ),
        ),
        (
            "sarif_unknown_driver",
            write(
                dir.path(),
                "codeql.sarif",
                r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": []}]}"#,
            ),
        ),
        (
            "cyclonedx_1_3",
            write(
                dir.path(),
                "old.cdx.json",
                r#"{"bomFormat": "CycloneDX", "specVersion": "1.3", "components": []}"#,
            ),
        ),
        (
            "cyclonedx_sbom_only",
            write(
                dir.path(),
                "sbom.cdx.json",
                r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "openssl", "version": "3.0.2"}]}"#,
            ),
        ),
        (
            "grype_other_descriptor",
            write(
                dir.path(),
                "g.json",
                r#"{"matches": [], "descriptor": {"name": "syft"}}"#,
            ),
        ),
        (
            "missing_file",
            dir.path().join("absent.json").display().to_string(),
        ),
    ];
    for (name, path) in cases {
        let output = gate_scan(&["report", &path]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let text = stderr(&output).replace(&dir.path().display().to_string(), "[TMP]");
        insta::assert_snapshot!(format!("bad_{name}"), text);
    }
}

#[test]
fn empty_but_well_formed_reports_pass() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "trivy.json",
            r#"{"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container_image"}"#,
        ),
        (
            "grype.json",
            r#"{"matches": [], "source": {"type": "image", "target": {"userInput": "alpine"}}, "descriptor": {"name": "grype", "version": "0.84.0"}}"#,
        ),
        ("osv.json", r#"{"results": []}"#),
        (
            "cdx.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], "vulnerabilities": []}"#,
        ),
    ] {
        let path = write(dir.path(), name, text);
        let output = gate_scan(&["report", &path]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
    }
}

#[test]
fn merging_across_reports() {
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "grype-image.json",
        "--format",
        "json",
    ]);
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["summary"]["merged"], 3);
    assert_eq!(verdict["summary"]["total"], 9 + 5 - 3);
    let express = verdict["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "express")
        .unwrap();
    assert_eq!(express["id"], "CVE-2024-29041");
    assert_eq!(
        express["aliases"],
        serde_json::json!(["GHSA-rv95-896h-c2vc"])
    );
    assert_eq!(express["sources"], serde_json::json!(["trivy", "grype"]));
    // Within one report nothing is merged: CVE-2024-2511 stays on two packages.
    let count = verdict["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "CVE-2024-2511")
        .count();
    assert_eq!(count, 2);
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("main.json");
    let out = gate_scan(&[
        "report",
        "grype-legacy.json",
        "--format",
        "json",
        "--output",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // Same findings as main: pass.
    let out = gate_scan(&[
        "report",
        "grype-legacy.json",
        "--baseline",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A new high finding fails; the baseline one does not count.
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--baseline",
        base.to_str().unwrap(),
        "--fail-on",
        "critical",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The baseline matched by alias and versionless purl: a verdict whose finding is the
    // GHSA id of express still covers trivy's CVE id at another version.
    let main = r#"{"findings": [{"id": "GHSA-rv95-896h-c2vc", "aliases": ["CVE-2024-29041"], "package": {"name": "express", "purl": "pkg:npm/express@4.17.0"}}]}"#;
    let base = write(dir.path(), "b.json", main);
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--baseline",
        &base,
        "--fail-on",
        "none",
        "--format",
        "json",
    ]);
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["summary"]["baseline"], 1);
    let bad_base = write(dir.path(), "bad.json", r#"{"result": "pass"}"#);
    let output = gate_scan(&["report", "trivy-image.json", "--baseline", &bad_base]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(
        "bad_baseline",
        stderr(&output).replace(&dir.path().display().to_string(), "[TMP]")
    );
}

#[test]
fn bad_vex() {
    let dir = tempfile::tempdir().unwrap();
    let vex = write(
        dir.path(),
        "vex.json",
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "maybe"}]}"#,
    );
    let output = gate_scan(&["report", "trivy-image.json", "--vex", &vex]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&output).replace(&dir.path().display().to_string(), "[TMP]"));
}

#[test]
fn outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sarif = d.join("scan.sarif");
    let junit = d.join("junit.xml");
    let gitlab = d.join("gl.json");
    let markdown = d.join("report.md");
    let out = gate_scan(&[
        "report",
        "trivy-image.json",
        "--policy",
        "policy/policy.yaml",
        "--sarif",
        sarif.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--gitlab-report",
        gitlab.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("markdown", std::fs::read_to_string(&markdown).unwrap());
    insta::assert_snapshot!("junit", std::fs::read_to_string(&junit).unwrap());
    let sarif_text = std::fs::read_to_string(&sarif).unwrap();
    let sarif_json: serde_json::Value = serde_json::from_str(&sarif_text).unwrap();
    assert_eq!(
        sarif_json["runs"][0]["results"].as_array().unwrap().len(),
        9
    );
    insta::assert_snapshot!("sarif", sarif_text);
    let gitlab_text = std::fs::read_to_string(&gitlab).unwrap();
    let gitlab_text = gitlab_text
        .lines()
        .map(|l| {
            if l.contains("_time\"") {
                "      \"…_time\": \"[TIME]\","
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("gitlab", gitlab_text);
    // Our own SARIF reads back as a report with the same findings... it is from gate-scan,
    // not a scanner, so it is refused rather than guessed at.
    let again = gate_scan(&["report", sarif.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn github_actions_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs");
    let out = test_support::bin("gate-scan")
        .current_dir(fixtures())
        .env("SHIPGATE_NOW", NOW)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .args([
            "report",
            "trivy-image.json",
            "--policy",
            "policy/policy.yaml",
            "--fail-on",
            "low",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    let errors = text.lines().filter(|l| l.starts_with("::error")).count();
    let warnings = text.lines().filter(|l| l.starts_with("::warning")).count();
    assert_eq!((errors, warnings), (3, 1), "{text}");
    insta::assert_snapshot!(
        "github_annotations",
        text.lines()
            .filter(|l| l.starts_with("::"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .starts_with("## ❌ gate-scan: fail")
    );
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    assert!(outputs.contains("result=fail\n"), "{outputs}");
    assert!(outputs.contains("critical=1\n"), "{outputs}");
}

#[test]
fn gitlab_report_by_default_in_gitlab_ci() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixtures().join("grype-image.json");
    let out = test_support::bin("gate-scan")
        .current_dir(dir.path())
        .env("GITLAB_CI", "true")
        .args(["report", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text =
        std::fs::read_to_string(dir.path().join("gl-container-scanning-report.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["scan"]["type"], "container_scanning");
    assert_eq!(value["vulnerabilities"].as_array().unwrap().len(), 5);
}

#[test]
fn markdown_stays_under_the_limit() {
    use gate_scan::verdict::Verdict;
    let out = gate_scan(&["report", "trivy-image.json", "--format", "json"]);
    let mut verdict: Verdict = serde_json::from_slice(&out.stdout).unwrap();
    let one = verdict.findings[0].clone();
    verdict.findings = (0..20_000)
        .map(|i| {
            let mut f = one.clone();
            f.id = format!("CVE-2026-{i:05}");
            f
        })
        .collect();
    let text =
        gate_scan::render::markdown::render(&verdict, gate_scan::render::markdown::MARKDOWN_LIMIT);
    assert!(text.len() <= gate_scan::render::markdown::MARKDOWN_LIMIT);
    assert!(
        text.contains("findings (the least severe) are not shown"),
        "{}",
        &text[text.len() - 300..]
    );
}

#[test]
fn sarif_is_split_for_github() {
    use gate_scan::render::sarif::{Limits, render_with};
    use gate_scan::verdict::Verdict;
    let out = gate_scan(&["report", "trivy-image.json", "--format", "json"]);
    let mut verdict: Verdict = serde_json::from_slice(&out.stdout).unwrap();
    let one = verdict.findings[0].clone();
    // GitHub's limits scaled down: 50 results per run, 20 runs per file.
    let limits = Limits {
        results_per_run: 50,
        runs_per_file: 20,
        gzip_bytes: 9_500_000,
    };
    let count = 50 * 21 + 7;
    verdict.findings = (0..count)
        .map(|i| {
            let mut f = one.clone();
            f.id = format!("CVE-2026-{i:06}");
            f
        })
        .collect();
    let files = render_with(&verdict, Path::new("out/scan.sarif"), limits);
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].0, Path::new("out/scan.2.sarif"));
    let mut total = 0;
    let mut categories = std::collections::HashSet::new();
    for (_, text) in &files {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let runs = doc["runs"].as_array().unwrap();
        assert!(runs.len() <= 20);
        for run in runs {
            let n = run["results"].as_array().unwrap().len();
            assert!(n <= 50);
            total += n;
            assert!(categories.insert(run["automationDetails"]["id"].as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(total, count);
    // The size limit splits too.
    let small = Limits {
        gzip_bytes: 1,
        ..limits
    };
    assert_eq!(render_with(&verdict, Path::new("s.sarif"), small).len(), 22);
}

#[test]
fn versions_compare_reads_pairs() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = test_support::bin("gate-scan")
        .args(["versions", "compare", "--ecosystem", "Debian"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1.0~rc1 1.0\n1:1.0 2.0\n\n2.0 2.0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(stdout(&out), "-1\n1\n0\n", "{}", stderr(&out));
    let mut child = test_support::bin("gate-scan")
        .args(["versions", "compare", "--ecosystem", "npm"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"1.0.0\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("versions_bad_line", stderr(&out));
}

#[test]
fn schemas_are_generated() {
    let policy = gate_scan::policy_schema();
    assert_eq!(policy["title"], "gate-scan policy v1");
    assert!(
        policy["$defs"]["IgnoreEntry"]["required"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("expires"))
    );
    let verdict = gate_scan::verdict_schema();
    assert!(verdict["properties"]["summary"].is_object());
}

#[test]
fn sbom_against_an_offline_osv_database() {
    let out = gate_scan(&[
        "sbom",
        "osv/sbom.cdx.json",
        "--osv",
        "osv/db",
        "--fail-on",
        "none",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        verdict["summary"]["total"].as_u64().unwrap() > 0,
        "{verdict}"
    );
    let roles: Vec<&str> = verdict["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["sbom", "osv-database"]);
    assert!(verdict["inputs"][0]["sha256"].is_string());
    // A database that is not there is bad input, never a pass.
    let out = gate_scan(&["sbom", "osv/sbom.cdx.json", "--osv", "osv/absent"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn configuration_gates() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = write(
        dir.path(),
        "Dockerfile",
        "FROM node:20\nENV API_TOKEN=abc123\nCOPY . .\nRUN apt-get update && apt-get install -y curl\nCMD node server.js\n",
    );
    let out = gate_scan(&[
        "dockerfile",
        &dockerfile,
        "--fail-on",
        "none",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["kind"], "dockerfile");
    assert_eq!(verdict["inputs"][0]["role"], "dockerfile");
    for f in verdict["findings"].as_array().unwrap() {
        assert!(f["id"].as_str().unwrap().starts_with("SG-"), "{f}");
        assert_eq!(f["package"]["kind"], "config");
    }
    let manifests = dir.path().join("k8s");
    std::fs::create_dir(&manifests).unwrap();
    write(
        &manifests,
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n",
    );
    let out = gate_scan(&[
        "manifests",
        manifests.to_str().unwrap(),
        "--fail-on",
        "none",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["kind"], "manifests");
    // A missing input is exit 2 whatever the rules say.
    let out = gate_scan(&["dockerfile", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = gate_scan(&["manifests", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn policy_severity_words_are_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.yaml", "fail-on: CRITICAL\n");
    let out = gate_scan(&["report", "grype-image.json", "--policy", &policy]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let policy = write(dir.path(), "q.yaml", "fail-on: Moderate\n");
    let out = gate_scan(&[
        "report",
        "grype-legacy.json",
        "--policy",
        &policy,
        "--format",
        "json",
    ]);
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["policy"]["fail_on"], "medium");
}
