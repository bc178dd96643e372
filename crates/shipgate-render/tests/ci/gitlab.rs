//! The rendered GitLab CI files, parsed back and checked.

use yaml_rust2::{Yaml, YamlLoader};

use crate::fixtures;

const GITLAB_CI: &str = ".gitlab-ci.yml";

/// Top-level keys of a GitLab CI file that are not jobs.
const KEYWORDS: &[&str] = &[
    "workflow",
    "stages",
    "variables",
    "default",
    "include",
    "image",
    "services",
    "cache",
];

const STAGES: &[&str] = &["plan", "build", "sbom", "scan", "sign", "push", "deploy"];

fn pipelines() -> Vec<(&'static str, String, Yaml)> {
    fixtures::all()
        .into_iter()
        .filter_map(|(name, files)| {
            let file = fixtures::file(&files, GITLAB_CI)?;
            let mut docs =
                YamlLoader::load_from_str(&file.contents).unwrap_or_else(|e| panic!("{name}: {e}"));
            Some((name, file.contents.clone(), docs.remove(0)))
        })
        .collect()
}

fn jobs(pipeline: &Yaml) -> Vec<(String, &Yaml)> {
    pipeline
        .as_hash()
        .unwrap()
        .iter()
        .map(|(key, value)| (key.as_str().unwrap().to_owned(), value))
        .filter(|(key, _)| !KEYWORDS.contains(&key.as_str()) && !key.starts_with('.'))
        .collect()
}

fn pinned(image: &str) -> bool {
    image
        .split_once("@sha256:")
        .is_some_and(|(_, hex)| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn scripts(job: &Yaml) -> Vec<&str> {
    job["script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect()
}

#[test]
fn only_the_fixtures_that_ask_for_it_render_gitlab() {
    let names: Vec<&str> = pipelines().iter().map(|(name, ..)| *name).collect();
    assert_eq!(
        names,
        [
            "multi-platform",
            "registries",
            "gitlab",
            "special-characters"
        ]
    );
}

#[test]
fn stages_images_and_jobs() {
    for (name, _, pipeline) in pipelines() {
        let stages: Vec<&str> = pipeline["stages"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(stages, STAGES, "{name}");
        assert!(
            pinned(pipeline["default"]["image"]["name"].as_str().unwrap()),
            "{name}"
        );
        let all = jobs(&pipeline);
        let ids: Vec<&str> = all.iter().map(|(id, _)| id.as_str()).collect();
        for (id, job) in &all {
            let stage = job["stage"].as_str().unwrap();
            assert!(STAGES.contains(&stage), "{name}/{id}: {stage}");
            assert!(!scripts(job).is_empty(), "{name}/{id}");
            if let Some(image) = job["image"]["name"].as_str() {
                assert!(pinned(image), "{name}/{id}: {image}");
            }
            for needed in job["needs"].as_vec().unwrap() {
                let needed = needed.as_str().unwrap();
                assert!(ids.contains(&needed), "{name}/{id} needs {needed}");
            }
            if ["sign", "push"].contains(&id.as_str()) || id.starts_with("deploy-") {
                let rules = job["rules"].as_vec().unwrap();
                assert_eq!(
                    rules[0]["if"].as_str(),
                    Some("$CI_PIPELINE_SOURCE == 'merge_request_event'"),
                    "{name}/{id}"
                );
                assert_eq!(rules[0]["when"].as_str(), Some("never"), "{name}/{id}");
                assert_eq!(job["interruptible"].as_bool(), Some(false), "{name}/{id}");
            }
        }
        assert!(
            pinned(pipeline["build"]["image"]["name"].as_str().unwrap()),
            "{name}"
        );
        assert!(
            pipeline["build"]["image"]["name"]
                .as_str()
                .unwrap()
                .starts_with("quay.io/buildah/stable@")
        );
        assert_eq!(
            pipeline["scan"]["artifacts"]["reports"]["container_scanning"].as_str(),
            Some("gl-container-scanning-report.json"),
            "{name}"
        );
        assert_eq!(
            pipeline["push"]["artifacts"]["reports"]["dotenv"].as_str(),
            Some(".shipgate/push.env")
        );
    }
}

#[test]
fn keyless_signing_gets_an_id_token() {
    let pipeline = pipelines()
        .into_iter()
        .find(|(name, ..)| *name == "gitlab")
        .unwrap()
        .2;
    assert_eq!(
        pipeline["sign"]["id_tokens"]["SIGSTORE_ID_TOKEN"]["aud"].as_str(),
        Some("sigstore")
    );
    let keyed = pipelines()
        .into_iter()
        .find(|(name, ..)| *name == "special-characters")
        .unwrap()
        .2;
    assert!(keyed["sign"]["id_tokens"].is_badvalue());
}

#[test]
fn environments_and_rules() {
    let pipeline = pipelines()
        .into_iter()
        .find(|(name, ..)| *name == "gitlab")
        .unwrap()
        .2;
    let staging = &pipeline["deploy-staging"];
    assert_eq!(staging["environment"]["name"].as_str(), Some("staging"));
    assert_eq!(
        staging["environment"]["deployment_tier"].as_str(),
        Some("staging")
    );
    assert_eq!(
        staging["rules"][1]["if"].as_str(),
        Some("$CI_COMMIT_TAG =~ /^v[^\\/]*$/")
    );
    let production = &pipeline["deploy-production"];
    assert_eq!(
        production["environment"]["deployment_tier"].as_str(),
        Some("production")
    );
    let needs: Vec<&str> = production["needs"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(needs, ["push", "deploy-staging"]);
    let workflow_rules: Vec<&str> = pipeline["workflow"]["rules"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|rule| rule["if"].as_str().unwrap())
        .collect();
    assert_eq!(
        workflow_rules,
        [
            "$CI_PIPELINE_SOURCE == 'merge_request_event' && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME == 'main'",
            "$CI_COMMIT_BRANCH == 'main'",
            "$CI_COMMIT_TAG =~ /^v[^\\/]*$/",
            "$CI_PIPELINE_SOURCE == 'web'",
        ]
    );
}

#[test]
fn user_values_stay_out_of_scripts() {
    let (_, _, pipeline) = pipelines()
        .into_iter()
        .find(|(name, ..)| *name == "special-characters")
        .unwrap();
    let variables = pipeline["build"]["variables"].as_hash().unwrap();
    let value = |name: &str| {
        variables[&Yaml::from_str(name)]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(value("SHIPGATE_CONTEXT"), "deploy/src dir");
    assert_eq!(value("SHIPGATE_TARGET"), "on");
    // GitLab expands `$` in variables; `$$` is a literal `$`.
    assert!(
        (1..=10)
            .map(|i| value(&format!("SHIPGATE_BUILD_ARG_{i}")))
            .any(|v| v == "DOLLAR=$$HOME and $$$$")
    );
    assert!(
        (1..=10)
            .map(|i| value(&format!("SHIPGATE_BUILD_ARG_{i}")))
            .any(|v| v == "HASH=a #b")
    );
    for (id, job) in jobs(&pipeline) {
        for script in scripts(job) {
            for needle in [
                "src dir", "padded", "quoted", ".Name", "héllo", "a #b", "2.x",
            ] {
                assert!(
                    !script.contains(needle),
                    "{id}: `{needle}` in script:\n{script}"
                );
            }
        }
    }
    assert_eq!(
        pipeline["variables"]["SHIPGATE_SPEC"].as_str(),
        Some("deploy/shipgate.yaml")
    );
}
