//! The rendered GitHub workflows, parsed back and checked for the rules every generated
//! workflow keeps.

use shipgate_render::pins::{PINS, SHIPGATE_ACTIONS_SHA};
use yaml_rust2::{Yaml, YamlLoader};

use crate::fixtures;

const WORKFLOW: &str = ".github/workflows/shipgate.yml";

/// Every fixture's workflow: (fixture, source text, parsed document).
fn workflows() -> Vec<(&'static str, String, Yaml)> {
    fixtures::all()
        .into_iter()
        .filter_map(|(name, files)| {
            let file = fixtures::file(&files, WORKFLOW)?;
            let mut docs =
                YamlLoader::load_from_str(&file.contents).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(docs.len(), 1, "{name}");
            Some((name, file.contents.clone(), docs.remove(0)))
        })
        .collect()
}

fn jobs(workflow: &Yaml) -> Vec<(String, &Yaml)> {
    workflow["jobs"]
        .as_hash()
        .unwrap()
        .iter()
        .map(|(id, job)| (id.as_str().unwrap().to_owned(), job))
        .collect()
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().map(Vec::as_slice).unwrap_or_default()
}

fn strings(list: &Yaml) -> Vec<&str> {
    match list {
        Yaml::Array(items) => items.iter().map(|item| item.as_str().unwrap()).collect(),
        Yaml::String(one) => vec![one.as_str()],
        _ => Vec::new(),
    }
}

#[test]
fn workflow_level_settings() {
    for (name, _, workflow) in workflows() {
        assert_eq!(workflow["name"].as_str(), Some("shipgate"), "{name}");
        assert!(
            workflow["permissions"]
                .as_hash()
                .is_some_and(|p| p.is_empty()),
            "{name}: permissions: {{}}"
        );
        assert!(
            workflow["concurrency"]["group"].as_str().is_some(),
            "{name}"
        );
        let on = &workflow["on"];
        assert!(!on["push"]["branches"].is_badvalue(), "{name}");
        assert!(!on["pull_request"]["branches"].is_badvalue(), "{name}");
        assert!(!on["workflow_dispatch"].is_badvalue(), "{name}");
    }
}

#[test]
fn every_job_is_named_bounded_and_granted_explicitly() {
    for (name, _, workflow) in workflows() {
        for (id, job) in jobs(&workflow) {
            assert!(job["name"].as_str().is_some(), "{name}/{id}: name");
            assert!(job["runs-on"].as_str().is_some(), "{name}/{id}: runs-on");
            assert!(
                job["timeout-minutes"].as_i64().is_some_and(|t| t > 0),
                "{name}/{id}: timeout"
            );
            let permissions = job["permissions"]
                .as_hash()
                .unwrap_or_else(|| panic!("{name}/{id}: permissions"));
            assert_eq!(
                permissions[&Yaml::from_str("contents")].as_str(),
                Some("read"),
                "{name}/{id}"
            );
            for (scope, level) in permissions {
                let allowed = match (scope.as_str().unwrap(), level.as_str().unwrap()) {
                    ("contents" | "actions", "read") => true,
                    ("security-events", "write") => id == "scan",
                    ("id-token", "write") => id == "sign",
                    ("packages", "write") => id == "push" || id == "build",
                    _ => false,
                };
                assert!(allowed, "{name}/{id}: {scope:?}: {level:?}");
            }
        }
    }
}

#[test]
fn every_permission_is_commented() {
    for (name, text, _) in workflows() {
        let mut in_permissions = false;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed == "permissions:" {
                in_permissions = true;
                continue;
            }
            if in_permissions {
                if trimmed.contains(": read") || trimmed.contains(": write") {
                    assert!(
                        trimmed.contains(" # "),
                        "{name}: uncommented grant `{line}`"
                    );
                } else {
                    in_permissions = false;
                }
            }
        }
    }
}

#[test]
fn every_uses_is_pinned_from_the_table() {
    for (name, text, workflow) in workflows() {
        for (id, job) in jobs(&workflow) {
            for step in steps(job) {
                let Some(uses) = step["uses"].as_str() else {
                    continue;
                };
                let (action, sha) = uses
                    .split_once('@')
                    .unwrap_or_else(|| panic!("{name}/{id}: {uses}"));
                assert!(
                    sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{name}/{id}: {uses}"
                );
                let pin = PINS
                    .iter()
                    .find(|pin| pin.action == action)
                    .unwrap_or_else(|| panic!("{name}: {action} not pinned"));
                assert_eq!(pin.sha, sha, "{name}/{id}: {action}");
                let line = format!("uses: {uses} # {}", pin.version);
                assert!(text.contains(&line), "{name}: missing `{line}`");
                if action.starts_with("shipgate/shipgate/actions/") {
                    assert_eq!(sha, SHIPGATE_ACTIONS_SHA);
                }
            }
        }
        for line in text
            .lines()
            .filter(|line| line.trim_start().starts_with("uses:"))
        {
            let comment = line.split_once(" # v").map(|(_, version)| version);
            assert!(
                comment.is_some_and(|v| v.split('.').count() == 3),
                "{name}: `{line}` has no # vX.Y.Z comment"
            );
        }
    }
}

#[test]
fn checkouts_do_not_persist_credentials() {
    for (name, _, workflow) in workflows() {
        for (id, job) in jobs(&workflow) {
            for step in steps(job) {
                if step["uses"]
                    .as_str()
                    .is_some_and(|uses| uses.starts_with("actions/checkout@"))
                {
                    assert_eq!(
                        step["with"]["persist-credentials"].as_bool(),
                        Some(false),
                        "{name}/{id}"
                    );
                }
            }
        }
    }
}

#[test]
fn no_expression_in_run_scripts() {
    for (name, _, workflow) in workflows() {
        for (id, job) in jobs(&workflow) {
            for step in steps(job) {
                if let Some(run) = step["run"].as_str() {
                    assert!(!run.contains("${{"), "{name}/{id}: `${{{{` in run:\n{run}");
                    assert_eq!(step["shell"].as_str(), Some("bash"), "{name}/{id}");
                }
            }
        }
    }
}

#[test]
fn jobs_form_the_pipeline() {
    for (name, _, workflow) in workflows() {
        let all = jobs(&workflow);
        let ids: Vec<&str> = all.iter().map(|(id, _)| id.as_str()).collect();
        let mut expected = vec!["plan", "build", "sbom", "scan"];
        if ids.contains(&"sign") {
            expected.push("sign");
        }
        expected.push("push");
        assert_eq!(&ids[..expected.len()], expected.as_slice(), "{name}");
        assert!(
            ids[expected.len()..]
                .iter()
                .all(|id| id.starts_with("deploy-")),
            "{name}: {ids:?}"
        );
        for (id, job) in &all {
            for needed in strings(&job["needs"]) {
                let position = ids.iter().position(|other| *other == needed);
                let own = ids.iter().position(|other| other == id);
                assert!(
                    position.is_some() && position < own,
                    "{name}/{id} needs {needed}"
                );
            }
            let publishes = id == "sign" || id == "push";
            if publishes {
                assert_eq!(
                    job["if"].as_str(),
                    Some("github.event_name != 'pull_request'"),
                    "{name}/{id}"
                );
            }
            if let Some(environment) = id.strip_prefix("deploy-") {
                assert!(strings(&job["needs"]).contains(&"push"), "{name}/{id}");
                assert_eq!(
                    job["environment"]["name"].as_str(),
                    Some(environment),
                    "{name}/{id}"
                );
                assert!(job["if"].as_str().is_some(), "{name}/{id}");
            }
        }
        let build = &workflow["jobs"]["build"];
        let include = build["strategy"]["matrix"]["include"].as_vec().unwrap();
        for entry in include {
            let runner = entry["runner"].as_str().unwrap();
            assert!(
                ["ubuntu-24.04", "ubuntu-24.04-arm"].contains(&runner),
                "{name}: {runner}"
            );
            let build_step = steps(build)
                .iter()
                .find(|step| {
                    step["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("docker/build-push-action@"))
                })
                .unwrap();
            assert_eq!(build_step["with"]["push"].as_bool(), Some(false), "{name}");
        }
    }
}

#[test]
fn multi_platform_matrix() {
    let workflow = workflows()
        .into_iter()
        .find(|(name, ..)| *name == "multi-platform")
        .unwrap()
        .2;
    let include = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap();
    let rows: Vec<(&str, &str, &str, bool)> = include
        .iter()
        .map(|entry| {
            (
                entry["platform"].as_str().unwrap(),
                entry["runner"].as_str().unwrap(),
                entry["slug"].as_str().unwrap(),
                entry["emulated"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("linux/amd64", "ubuntu-24.04", "linux-amd64", false),
            ("linux/arm64", "ubuntu-24.04-arm", "linux-arm64", false),
            ("linux/s390x", "ubuntu-24.04", "linux-s390x", true),
        ]
    );
}

#[test]
fn signing_grants() {
    for (name, _, workflow) in workflows() {
        let sign = &workflow["jobs"]["sign"];
        if sign.is_badvalue() {
            continue;
        }
        let step = steps(sign)
            .iter()
            .find(|step| {
                step["uses"]
                    .as_str()
                    .is_some_and(|u| u.contains("/gate-sign@"))
            })
            .unwrap();
        let keyless = sign["permissions"]["id-token"].as_str() == Some("write");
        let env = step["env"].as_hash();
        match name {
            "keyless" | "environments" | "globs" | "gitlab" => {
                assert!(keyless, "{name}");
                assert!(env.is_none(), "{name}");
                assert!(sign["environment"].is_badvalue(), "{name}");
            }
            "registries" => {
                assert!(!keyless);
                let env = env.unwrap();
                assert_eq!(
                    env[&Yaml::from_str("SIGNING_KEY")].as_str(),
                    Some("${{ secrets.SIGNING_KEY }}")
                );
                assert_eq!(
                    env[&Yaml::from_str("COSIGN_PASSWORD")].as_str(),
                    Some("${{ secrets.COSIGN_PASSWORD }}")
                );
                assert_eq!(sign["environment"].as_str(), Some("shipgate-publish"));
            }
            "special-characters" => {
                assert!(!keyless);
                let env = env.unwrap();
                assert_eq!(env.len(), 1, "only the key file's password");
            }
            other => panic!("unexpected signing fixture {other}"),
        }
    }
}

#[test]
fn registry_logins() {
    let workflow = workflows()
        .into_iter()
        .find(|(name, ..)| *name == "registries")
        .unwrap()
        .2;
    let push = &workflow["jobs"]["push"];
    assert_eq!(push["permissions"]["packages"].as_str(), Some("write"));
    let logins: Vec<(&str, &str, &str)> = steps(push)
        .iter()
        .filter(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/login-action@"))
        })
        .map(|step| {
            let with = &step["with"];
            (
                with["registry"].as_str().unwrap(),
                with["username"].as_str().unwrap(),
                with["password"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        logins,
        [
            (
                "docker.io",
                "${{ secrets.DOCKER_IO_USERNAME }}",
                "${{ secrets.DOCKER_IO_PASSWORD }}"
            ),
            (
                "ghcr.io",
                "${{ github.actor }}",
                "${{ secrets.GITHUB_TOKEN }}"
            ),
            (
                "registry.example.com:5000",
                "${{ secrets.REGISTRY_EXAMPLE_COM_5000_USERNAME }}",
                "${{ secrets.REGISTRY_EXAMPLE_COM_5000_PASSWORD }}"
            ),
        ]
    );
    assert_eq!(
        push["outputs"]["digest"].as_str(),
        Some("${{ steps.push.outputs.digest }}")
    );
}

#[test]
fn special_values_reach_the_actions_unchanged() {
    let workflow = workflows()
        .into_iter()
        .find(|(name, ..)| *name == "special-characters")
        .unwrap()
        .2;
    let build = steps(&workflow["jobs"]["build"])
        .iter()
        .find(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .unwrap();
    let with = &build["with"];
    assert_eq!(with["context"].as_str(), Some("deploy/src dir"));
    assert_eq!(
        with["file"].as_str(),
        Some("deploy/src dir/docker/Dockerfile.prod")
    );
    assert_eq!(with["target"].as_str(), Some("on"));
    let args = with["build-args"].as_str().unwrap();
    for line in [
        "ENABLED=yes",
        "EMPTY=",
        "HASH=a #b",
        "COLON=key: value",
        "EXPR=${{ '${{' }} secrets.GITHUB_TOKEN }}",
        "TEMPLATE={{ .Name }}",
        "QUOTES=it's \"quoted\"",
        "PADDED= padded ",
        "DOLLAR=$HOME and $$",
        "UNICODE=héllo — wörld",
    ] {
        assert!(
            args.lines().any(|l| l == line),
            "missing `{line}` in\n{args}"
        );
    }
    let deploy = &workflow["jobs"]["deploy-on"];
    assert_eq!(deploy["environment"]["name"].as_str(), Some("on"));
    assert_eq!(
        deploy["environment"]["url"].as_str(),
        Some("https://example.com/app?a=1&b=2#top")
    );
    assert_eq!(
        workflow["on"]["push"]["tags"][0].as_str(),
        Some("v*\\+build*")
    );
    assert_eq!(
        workflow["on"]["push"]["branches"][0].as_str(),
        Some("release/2.x")
    );
}
