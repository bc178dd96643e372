//! Deploy triggers: for every kind of ref glob, the rendered GitHub condition (an
//! expression, or the plan job's regular expression run by bash) and the rendered GitLab
//! rule (run by Python's `re`, which agrees with RE2 on these patterns) select exactly the
//! refs the spec's glob matches.

use std::process::Command;

use serde_json::json;
use shipgate_render::{RenderOptions, render_ci};
use yaml_rust2::{Yaml, YamlLoader};

/// The spec's glob semantics: `**` matches anything, `*` anything but `/`, every other
/// character itself.
fn glob_matches(glob: &str, name: &str) -> bool {
    if let Some(rest) = glob.strip_prefix("**") {
        return (0..=name.len())
            .filter(|i| name.is_char_boundary(*i))
            .any(|i| glob_matches(rest, &name[i..]));
    }
    if let Some(rest) = glob.strip_prefix('*') {
        return (0..=name.len())
            .filter(|i| name.is_char_boundary(*i) && !name[..*i].contains('/'))
            .any(|i| glob_matches(rest, &name[i..]));
    }
    match (glob.chars().next(), name.chars().next()) {
        (None, None) => true,
        (Some(g), Some(n)) if g == n => glob_matches(&glob[g.len_utf8()..], &name[n.len_utf8()..]),
        _ => false,
    }
}

/// (environment, branch or tag, glob)
const TRIGGERS: &[(&str, &str, &str)] = &[
    ("exact", "branch", "main"),
    ("prefix", "tag", "v*"),
    ("prefix-dot", "tag", "v1.0+build.*"),
    ("any-tag", "tag", "*"),
    ("every-tag", "tag", "**"),
    ("prefix-any", "branch", "release/**"),
    ("after-slash", "branch", "release/*"),
    ("middle", "tag", "v*-rc*"),
    ("deep", "branch", "feature/**/wip"),
    ("dots", "tag", "a.b*c"),
];

const REFS: &[&str] = &[
    "refs/heads/main",
    "refs/heads/main2",
    "refs/heads/xmain",
    "refs/heads/release",
    "refs/heads/release/1.0",
    "refs/heads/release/1.0/hotfix",
    "refs/heads/feature/wip",
    "refs/heads/feature/x/wip",
    "refs/heads/feature/x/y/wip",
    "refs/heads/feature/x/wipe",
    "refs/tags/v1",
    "refs/tags/v1.2.3",
    "refs/tags/v1.2.3-rc1",
    "refs/tags/v1.2.3-rc1/extra",
    "refs/tags/v1/x",
    "refs/tags/x",
    "refs/tags/a/b",
    "refs/tags/v1.0+build.5",
    "refs/tags/v1.0build.5",
    "refs/tags/v1.00build.5",
    "refs/tags/a.bzc",
    "refs/tags/aXbzc",
    "refs/tags/main",
];

fn rendered() -> (Yaml, Yaml) {
    let environments: Vec<_> = TRIGGERS
        .iter()
        .map(|(name, kind, glob)| json!({"name": name, "on": {*kind: glob}}))
        .collect();
    let spec = serde_json::from_value(json!({
        "version": 1,
        "image": {"name": "ghcr.io/acme/triggers"},
        "deploy": {"environments": environments},
        "ci": {"providers": ["github", "gitlab"]},
    }))
    .unwrap();
    let files = render_ci(
        &spec,
        &RenderOptions {
            spec_path: "shipgate.yaml".to_owned(),
        },
    )
    .unwrap();
    let parse = |i: usize| {
        YamlLoader::load_from_str(&files[i].contents)
            .unwrap()
            .remove(0)
    };
    (parse(0), parse(1))
}

fn split_ref(reference: &str) -> (&str, &str) {
    reference
        .strip_prefix("refs/heads/")
        .map(|name| ("branch", name))
        .or_else(|| {
            reference
                .strip_prefix("refs/tags/")
                .map(|name| ("tag", name))
        })
        .unwrap()
}

fn bash_regex(reference: &str, regex: &str) -> bool {
    let status = Command::new("bash")
        .args(["-c", "[[ \"$1\" =~ $2 ]]", "match", reference, regex])
        .status()
        .unwrap();
    status.success()
}

fn python_regex(value: &str, regex: &str) -> bool {
    let status = Command::new("python3")
        .args([
            "-c",
            "import re, sys; sys.exit(0 if re.search(sys.argv[2], sys.argv[1]) else 1)",
            value,
            regex,
        ])
        .status()
        .unwrap();
    status.success()
}

/// A `'…'` string literal of a GitHub expression at the start of `text`, and the rest.
fn literal(text: &str) -> (String, &str) {
    let body = text.strip_prefix('\'').unwrap();
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if body[i + 1..].starts_with('\'') {
                chars.next();
                out.push('\'');
            } else {
                return (out, &body[i + 1..]);
            }
        } else {
            out.push(c);
        }
    }
    panic!("unterminated literal in {text}")
}

/// Evaluates the deploy job's `if:` for `reference`, as GitHub would.
fn github_condition(workflow: &Yaml, condition: &str, reference: &str) -> bool {
    let ref_name = split_ref(reference).1;
    if let Some(rest) = condition.strip_prefix("github.ref == ") {
        let (value, rest) = literal(rest);
        assert!(rest.is_empty(), "{condition}");
        return reference == value;
    }
    if let Some(rest) = condition.strip_prefix("startsWith(github.ref, ") {
        let (prefix, rest) = literal(rest);
        return match rest {
            ")" => reference.starts_with(&prefix),
            ") && !contains(github.ref_name, '/')" => {
                reference.starts_with(&prefix) && !ref_name.contains('/')
            }
            other => panic!("unexpected condition tail {other:?}"),
        };
    }
    if let Some(output) = condition
        .strip_prefix("needs.plan.outputs.")
        .and_then(|rest| rest.strip_suffix(" == 'true'"))
    {
        let plan = &workflow["jobs"]["plan"];
        assert_eq!(
            plan["outputs"][output].as_str(),
            Some(format!("${{{{ steps.route.outputs.{output} }}}}").as_str())
        );
        let step = plan["steps"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|step| step["id"].as_str() == Some("route"))
            .unwrap();
        let run = step["run"].as_str().unwrap();
        let line = run
            .lines()
            .find(|line| line.trim().starts_with(&format!("match {output} ")))
            .unwrap();
        let variable = line
            .trim()
            .rsplit_once(" \"$")
            .unwrap()
            .1
            .trim_end_matches('"');
        let regex = step["env"][variable].as_str().unwrap();
        return bash_regex(reference, regex);
    }
    panic!("unexpected condition {condition}")
}

/// Evaluates the GitLab deploy job's ref rule for `reference`.
fn gitlab_rule(rule: &str, reference: &str) -> bool {
    let (kind, name) = split_ref(reference);
    let (variable, rest) = rule.split_once(' ').unwrap();
    let value = match (variable, kind) {
        ("$CI_COMMIT_BRANCH", "branch") | ("$CI_COMMIT_TAG", "tag") => name,
        ("$CI_COMMIT_BRANCH" | "$CI_COMMIT_TAG", _) => return false,
        other => panic!("unexpected variable {other:?}"),
    };
    if let Some(literal) = rest.strip_prefix("== '").and_then(|r| r.strip_suffix('\'')) {
        return value == literal;
    }
    let regex = rest
        .strip_prefix("=~ /")
        .and_then(|r| r.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{rule}"));
    python_regex(value, regex)
}

#[test]
fn reference_glob_matcher() {
    assert!(glob_matches("v*", "v1.2"));
    assert!(!glob_matches("v*", "v1/2"));
    assert!(glob_matches("release/**", "release/a/b"));
    assert!(glob_matches("feature/**/wip", "feature/a/b/wip"));
    assert!(!glob_matches("main", "main2"));
}

#[test]
fn github_conditions_match_the_glob() {
    if test_support::require_tool("bash").is_none() {
        return;
    }
    let (workflow, _) = rendered();
    for (environment, kind, glob) in TRIGGERS {
        let job = &workflow["jobs"][format!("deploy-{environment}").as_str()];
        let condition = job["if"].as_str().unwrap();
        for reference in REFS {
            let (ref_kind, name) = split_ref(reference);
            let expected = ref_kind == *kind && glob_matches(glob, name);
            assert_eq!(
                github_condition(&workflow, condition, reference),
                expected,
                "{environment} ({kind} {glob}) with `if: {condition}` on {reference}"
            );
        }
    }
}

#[test]
fn github_push_filters_list_every_trigger() {
    let (workflow, _) = rendered();
    let list = |key: &str| -> Vec<String> {
        workflow["on"]["push"][key]
            .as_vec()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        list("branches"),
        ["main", "release/**", "release/*", "feature/**/wip"]
    );
    assert_eq!(
        list("tags"),
        ["v*", "v1.0\\+build.*", "*", "**", "v*-rc*", "a.b*c"]
    );
}

#[test]
fn gitlab_rules_match_the_glob() {
    if test_support::require_tool("python3").is_none() {
        return;
    }
    let (_, pipeline) = rendered();
    for (environment, kind, glob) in TRIGGERS {
        let job = &pipeline[format!("deploy-{environment}").as_str()];
        let rule = job["rules"][1]["if"].as_str().unwrap();
        for reference in REFS {
            let (ref_kind, name) = split_ref(reference);
            let expected = ref_kind == *kind && glob_matches(glob, name);
            assert_eq!(
                gitlab_rule(rule, reference),
                expected,
                "{environment} ({kind} {glob}) with `{rule}` on {reference}"
            );
        }
    }
}
