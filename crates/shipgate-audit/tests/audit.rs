//! shipgate-audit against good and bad fixtures, with hadolint, trivy and
//! kubernetes-validate as independent cross-checks.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use shipgate_audit::dockerfile::{self, DockerfileOptions};
use shipgate_audit::kubernetes;
use shipgate_audit::{AuditFinding, Error, Target};
use shipgate_core::Severity;
use shipgate_core::exit::{Exit, ExitStatus};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One finding per block: `FILE:LINE RULE severity object field`, the message, the hint.
fn render(findings: &[AuditFinding]) -> String {
    let root = fixtures();
    let mut out = String::new();
    for f in findings {
        let file = f.file.strip_prefix(&root).unwrap_or(&f.file);
        out.push_str(&format!(
            "{}:{} {} {}",
            file.display(),
            f.line.map_or("-".to_owned(), |l| l.to_string()),
            f.rule,
            f.severity.as_str()
        ));
        if let Some(object) = &f.object {
            out.push_str(&format!(" [{object}]"));
        }
        if let Some(field) = &f.field {
            out.push_str(&format!(" {field}"));
        }
        out.push_str(&format!("\n    {}\n    hint: {}\n", f.message, f.hint));
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    out
}

/// An error as every shipgate binary prints it.
fn render_error(err: &Error) -> String {
    shipgate_core::diagnostic::render(err)
}

fn df(name: &str) -> Vec<AuditFinding> {
    dockerfile::audit_file(&fixtures().join("dockerfile").join(name).join("Dockerfile")).unwrap()
}

fn k8s(name: &str) -> Vec<AuditFinding> {
    kubernetes::audit_path(&fixtures().join("kubernetes").join(name)).unwrap()
}

fn rules_of(findings: &[AuditFinding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

// ---------------------------------------------------------------- Dockerfile

#[test]
fn dockerfile_good_has_no_findings() {
    insta::assert_snapshot!(render(&df("good")), @"no findings");
}

#[test]
fn dockerfile_buildkit_features_have_no_findings() {
    // Platform ARGs, `${DEBUG:+-debug}` stage selection, bind/cache mounts, heredocs.
    insta::assert_snapshot!(render(&df("platforms")), @"no findings");
}

#[test]
fn dockerfile_bad() {
    let findings = df("bad");
    insta::assert_snapshot!(render(&findings));
    for f in &findings {
        assert!(!f.message.contains("hunter2"), "secret value echoed: {f:?}");
        assert!(!f.hint.contains("hunter2"), "secret value echoed: {f:?}");
    }
}

#[test]
fn dockerfile_edge_cases() {
    insta::assert_snapshot!(render(&df("edge")));
}

#[test]
fn dockerfile_context_option_finds_the_dockerignore() {
    let bad = fixtures().join("dockerfile/bad/Dockerfile");
    let options = DockerfileOptions {
        context: Some(fixtures().join("dockerfile/good")),
    };
    let findings = dockerfile::audit_file_with(&bad, &options).unwrap();
    assert!(!rules_of(&findings).contains("SG-DF-007"));
    assert!(rules_of(&df("bad")).contains("SG-DF-007"));
}

#[test]
fn dockerfile_in_memory_and_per_dockerfile_ignore() {
    // BuildKit's `<Dockerfile>.dockerignore` next to the file counts.
    let dir = std::env::temp_dir().join(format!("shipgate-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("web.Dockerfile.dockerignore"), ".git\n").unwrap();
    let text = "FROM scratch\nCOPY . .\n";
    let with = dockerfile::audit_dockerfile_text(
        &dir.join("web.Dockerfile"),
        text,
        &DockerfileOptions::default(),
    )
    .unwrap();
    let without = dockerfile::audit_dockerfile_text(
        &dir.join("api.Dockerfile"),
        text,
        &DockerfileOptions::default(),
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!rules_of(&with).contains("SG-DF-007"));
    assert!(rules_of(&without).contains("SG-DF-007"));
}

#[test]
fn dockerfile_misplaced_syntax_line() {
    let text = "# build the app\n# syntax=docker/dockerfile:1\nFROM scratch\n";
    let findings =
        dockerfile::audit_dockerfile_text(Path::new("Dockerfile"), text, &Default::default())
            .unwrap();
    insta::assert_snapshot!(render(&findings[..1]), @r"
    Dockerfile:2 SG-DF-001 low
        `# syntax=` on line 2 comes after a comment, blank line or instruction, so BuildKit ignores it
        hint: move the `# syntax=` line to the very top of the file, before any other comment or blank line
    ");
}

#[test]
fn dockerfile_bad_input_is_exit_2() {
    let cases = [
        ("no-from", "# just a comment\n"),
        ("run-before-from", "ARG X=1\nRUN echo $X\n"),
        ("unknown", "FROM scratch\nCOPPY a b\n"),
        ("heredoc", "FROM alpine\nRUN <<EOF\necho never closed\n"),
        ("from-args", "FROM a AS b c\n"),
        ("escape", "# escape=x\nFROM a\n"),
    ];
    let mut out = String::new();
    for (name, text) in cases {
        let err = dockerfile::audit_dockerfile_text(
            Path::new("Dockerfile"),
            text,
            &DockerfileOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.exit(), Exit::BadInput);
        assert!(matches!(err, Error::Dockerfile(_)), "{name}: {err:?}");
        out.push_str(&format!("# {name}\n{}", render_error(&err)));
    }
    let missing = dockerfile::audit_file(Path::new("/nonexistent/Dockerfile")).unwrap_err();
    assert_eq!(missing.exit(), Exit::BadInput);
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- Kubernetes

#[test]
fn kubernetes_hardened_has_no_findings() {
    insta::assert_snapshot!(render(&k8s("hardened")), @"no findings");
}

#[test]
fn kubernetes_weakened() {
    let findings = k8s("weakened/deployment.yaml");
    insta::assert_snapshot!(render(&findings));
    let kube_rules: BTreeSet<&str> = shipgate_audit::rules()
        .into_iter()
        .filter(|r| r.target == Target::Kubernetes)
        .map(|r| r.id)
        .collect();
    assert_eq!(rules_of(&findings), kube_rules, "every SG-K8S rule fires");
    assert!(findings.iter().all(|f| !f.message.contains("hunter2")));
}

#[test]
fn kubernetes_every_workload_kind() {
    let report = kubernetes::audit_path_report(&fixtures().join("kubernetes/kinds")).unwrap();
    assert_eq!((report.files, report.objects, report.workloads), (2, 7, 7));
    assert!(report.skipped.is_empty());
    insta::assert_snapshot!(render(&report.findings));
}

#[test]
fn kubernetes_chart_templates_are_skipped_not_audited() {
    let chart = fixtures().join("kubernetes/chart");
    let err = kubernetes::audit_path(&chart).unwrap_err();
    assert!(matches!(err, Error::NoObjects { .. }), "{err:?}");
    assert_eq!(err.exit(), Exit::BadInput);

    let report = kubernetes::audit_path_report(&fixtures().join("kubernetes")).unwrap();
    let root = fixtures();
    let skipped: String = report
        .skipped
        .iter()
        .map(|s| {
            format!(
                "{}: {}\n",
                s.file.strip_prefix(&root).unwrap().display(),
                s.reason
            )
        })
        .collect();
    insta::assert_snapshot!(skipped);
    assert_eq!(report.files, 6);
}

#[test]
fn kubernetes_manifest_text_from_helm_template() {
    // What `helm template` prints: documents with `# Source:` comments.
    let text = std::fs::read_to_string(fixtures().join("kubernetes/hardened/deployment.yaml"))
        .unwrap()
        .replace("---\n", "---\n# Source: web/templates/x.yaml\n");
    let report = kubernetes::audit_manifest_text(Path::new("rendered.yaml"), &text).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.objects, 3);
}

#[test]
fn kubernetes_bad_input_is_exit_2() {
    let cases = [
        (
            "bad-indent.yaml",
            "apiVersion: v1\nkind: Pod\n  metadata: x\n",
        ),
        ("not-k8s.yaml", "image:\n  repository: x\n"),
        ("broken.json", "{\"apiVersion\": \"v1\",\n \"kind\": }\n"),
        ("empty.yaml", ""),
    ];
    let mut out = String::new();
    for (name, text) in cases {
        let err = kubernetes::audit_manifest_text(Path::new(name), text).unwrap_err();
        assert_eq!(err.exit(), Exit::BadInput);
        out.push_str(&render_error(&err));
    }
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------- rule docs

#[test]
fn rule_ids_are_unique_and_documented() {
    let rules = shipgate_audit::rules();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r.id).collect();
    let names: BTreeSet<&str> = rules.iter().map(|r| r.name).collect();
    assert_eq!(ids.len(), rules.len());
    assert_eq!(names.len(), rules.len());
    for rule in &rules {
        let prefix = match rule.target {
            Target::Dockerfile => "SG-DF-",
            Target::Kubernetes => "SG-K8S-",
        };
        assert!(rule.id.starts_with(prefix), "{}", rule.id);
        assert!(!rule.rationale.is_empty() && !rule.fix.is_empty());
    }
    assert_eq!(
        shipgate_audit::rule("base-image-digest").map(|r| r.id),
        Some("SG-DF-003")
    );
    assert_eq!(
        shipgate_audit::rule("sg-k8s-013").map(|r| r.severity),
        Some(Severity::Critical)
    );
    // Every Dockerfile rule fires on some fixture.
    let mut fired = rules_of(&df("bad"));
    fired.extend(rules_of(&df("edge")));
    let df_rules: BTreeSet<&str> = rules
        .iter()
        .filter(|r| r.target == Target::Dockerfile)
        .map(|r| r.id)
        .collect();
    assert_eq!(fired, df_rules);
}

#[test]
fn rules_markdown() {
    insta::assert_snapshot!(shipgate_audit::rules_markdown());
}

// ---------------------------------------------------------------- real tools

fn run_json(program: &Path, args: &[&str]) -> serde_json::Value {
    let output = Command::new(program).args(args).output().unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{} {args:?}: {e}\nstderr: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// hadolint's codes that ask for the same thing as one of our rules.
const HADOLINT_OVERLAP: &[(&str, &str)] = &[
    ("DL3002", "SG-DF-004"),
    ("DL3009", "SG-DF-009"),
    ("DL3015", "SG-DF-008"),
    ("DL3025", "SG-DF-010"),
    ("DL3064", "SG-DF-006"),
];

#[test]
fn hadolint_agrees_where_rules_overlap() {
    let Some(hadolint) = test_support::require_tool("hadolint") else {
        return;
    };
    // hadolint 2.15 parses neither `<<-` heredocs nor COPY heredocs, so the edge and
    // platforms fixtures are ours alone.
    for name in ["good", "bad"] {
        let path = fixtures().join("dockerfile").join(name).join("Dockerfile");
        let report = run_json(
            &hadolint,
            &["--no-fail", "-f", "json", path.to_str().unwrap()],
        );
        let ours = df(name);
        let mut overlapping = 0;
        for item in report.as_array().unwrap() {
            let code = item["code"].as_str().unwrap();
            let line = item["line"].as_u64().unwrap() as usize;
            let Some((_, rule)) = HADOLINT_OVERLAP.iter().find(|(c, _)| *c == code) else {
                continue;
            };
            overlapping += 1;
            assert!(
                ours.iter().any(|f| f.rule == *rule && f.line == Some(line)),
                "{name}: hadolint {code} at line {line} but no {rule} there"
            );
        }
        if name == "good" {
            assert!(report.as_array().unwrap().is_empty(), "{report}");
            assert!(ours.is_empty());
        } else {
            assert!(
                overlapping >= 4,
                "{name}: only {overlapping} overlapping codes"
            );
        }
    }
}

/// trivy's HIGH/CRITICAL misconfigurations of a file or folder, as (id, start line).
fn trivy_high(trivy: &Path, target: &Path) -> Vec<(String, Option<u64>)> {
    let report = run_json(
        trivy,
        &[
            "config",
            "--quiet",
            "--format",
            "json",
            "--severity",
            "HIGH,CRITICAL",
            target.to_str().unwrap(),
        ],
    );
    let mut out = Vec::new();
    for result in report["Results"].as_array().into_iter().flatten() {
        for m in result["Misconfigurations"].as_array().into_iter().flatten() {
            out.push((
                m["ID"].as_str().unwrap().to_owned(),
                m["CauseMetadata"]["StartLine"].as_u64(),
            ));
        }
    }
    out
}

/// trivy's HIGH/CRITICAL checks and the rule of ours that asks for the same thing.
const TRIVY_OVERLAP: &[(&str, &str)] = &[
    ("KSV-0005", "SG-K8S-006"),
    ("KSV-0009", "SG-K8S-011"),
    ("KSV-0010", "SG-K8S-011"),
    ("KSV-0014", "SG-K8S-002"),
    ("KSV-0017", "SG-K8S-013"),
    ("KSV-0024", "SG-K8S-015"),
    ("DS-0002", "SG-DF-004"),
    ("DS-0029", "SG-DF-008"),
    ("DS-0031", "SG-DF-006"),
];

#[test]
fn trivy_config_agrees_on_hardened_and_weakened() {
    let Some(trivy) = test_support::require_tool("trivy") else {
        return;
    };
    for good in ["kubernetes/hardened", "dockerfile/good"] {
        let high = trivy_high(&trivy, &fixtures().join(good));
        assert!(high.is_empty(), "{good}: trivy HIGH/CRITICAL {high:?}");
    }
    for (bad, ours) in [
        ("kubernetes/weakened", k8s("weakened")),
        (
            "kubernetes/kinds/workloads.yaml",
            k8s("kinds/workloads.yaml"),
        ),
        ("dockerfile/bad", df("bad")),
    ] {
        let high = trivy_high(&trivy, &fixtures().join(bad));
        assert!(!high.is_empty(), "{bad}: trivy found nothing HIGH");
        for (id, _) in &high {
            let (_, rule) = TRIVY_OVERLAP
                .iter()
                .find(|(t, _)| t == id)
                .unwrap_or_else(|| panic!("{bad}: trivy {id} has no counterpart listed"));
            assert!(
                ours.iter().any(|f| f.rule == *rule),
                "{bad}: trivy {id} but no {rule}"
            );
        }
    }
}

#[test]
fn kubernetes_validate_accepts_the_fixtures() {
    let Some(validate) = test_support::require_tool("kubernetes-validate") else {
        return;
    };
    let dir = fixtures().join("kubernetes");
    let mut files = vec![
        dir.join("hardened/deployment.yaml"),
        dir.join("weakened/deployment.yaml"),
        dir.join("kinds/workloads.yaml"),
    ];
    // kubernetes-validate has no schema for `List`: validate its items one by one.
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kinds/list.json")).unwrap())
            .unwrap();
    let tmp = std::env::temp_dir().join(format!("shipgate-audit-kv-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (i, item) in list["items"].as_array().unwrap().iter().enumerate() {
        let path = tmp.join(format!("item-{i}.json"));
        std::fs::write(&path, item.to_string()).unwrap();
        files.push(path);
    }
    for file in &files {
        let output = Command::new(&validate)
            .args(["--strict", "--quiet"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

// ---------------------------------------------------------------- robustness

#[test]
fn truncated_inputs_never_panic() {
    let root = fixtures();
    for name in ["good", "bad", "edge", "platforms"] {
        let path = root.join("dockerfile").join(name).join("Dockerfile");
        let text = std::fs::read_to_string(&path).unwrap();
        for (cut, _) in text.char_indices() {
            // Either findings or a bad-input error; never a panic.
            let _ = dockerfile::audit_dockerfile_text(
                &path,
                &text[..cut],
                &DockerfileOptions::default(),
            );
        }
    }
    for file in [
        "hardened/deployment.yaml",
        "weakened/deployment.yaml",
        "kinds/list.json",
    ] {
        let path = root.join("kubernetes").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        for (cut, _) in text.char_indices().step_by(7) {
            if let Err(err) = kubernetes::audit_manifest_text(&path, &text[..cut]) {
                assert_eq!(err.exit(), Exit::BadInput);
            }
        }
    }
}

#[test]
fn a_workload_without_its_pod_spec_is_bad_input_not_a_pass() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  templat:\n    spec:\n      containers: []\n";
    let err = kubernetes::audit_manifest_text(Path::new("web.yaml"), text).unwrap_err();
    assert_eq!(err.exit(), Exit::BadInput);
    assert!(
        err.to_string().contains("spec.template.spec"),
        "{}",
        render_error(&err)
    );
}
