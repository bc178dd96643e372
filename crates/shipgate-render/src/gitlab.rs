//! The GitLab CI file: `.gitlab-ci.yml`.
//!
//! Stages `plan, build, sbom, scan, sign, push, deploy`, written from
//! `templates/gitlab/gitlab-ci.yml.hbs`. The jobs run the `shipgate` binary in shipgate's
//! image and build with Buildah into an OCI archive, both images pinned by digest
//! ([`crate::pins::IMAGES`]); archives, the SBOM and signatures travel between stages as
//! artifacts.
//!
//! User values never appear in a `script:`: they are job `variables:` (YAML-quoted, `$`
//! written `$$` so GitLab does not expand it) that the scripts read as `"$VARIABLE"`.
//! Rules are GitLab expressions built here: exact names compare with `==` against a
//! `'…'` string, globs match an RE2 regular expression.

use serde::Serialize;

use crate::engine::{
    Cache, Engine, Environment, GeneratedFile, Header, Model, RefKind, Registry, Result, glob_regex,
};

/// Where the GitLab CI file is written, relative to the repository root.
pub const GITLAB_CI_PATH: &str = ".gitlab-ci.yml";

/// The template the file is rendered from.
const TEMPLATE: &str = "gitlab/gitlab-ci.yml";

/// Renders the GitLab CI file for `model`.
pub(crate) fn render(engine: &Engine, model: &Model) -> Result<GeneratedFile> {
    engine.render_file(TEMPLATE, GITLAB_CI_PATH, &Pipeline::new(model))
}

/// A user value for a GitLab `variables:` entry: `$` becomes `$$`, so GitLab passes it on
/// literally instead of expanding variable references in it.
pub fn variable_value(text: &str) -> String {
    text.replace('$', "$$")
}

/// The GitLab rule expression that is true when `variable` (e.g. `$CI_COMMIT_BRANCH`)
/// matches the spec's ref glob: `$CI_COMMIT_BRANCH == 'main'` for a plain name, an
/// anchored RE2 regular expression (`$CI_COMMIT_TAG =~ /^v[^\/]*$/`) for a glob or a name
/// a string literal cannot hold.
pub fn ref_rule(variable: &str, glob: &str) -> String {
    if !glob.contains('*') && !glob.contains(['\'', '"', '\\', '$']) {
        return format!("{variable} == '{glob}'");
    }
    let regex = format!("^{}$", glob_regex(glob)).replace('/', "\\/");
    format!("{variable} =~ /{regex}/")
}

const BRANCH: &str = "$CI_COMMIT_BRANCH";

fn ref_variable(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Branch => BRANCH,
        RefKind::Tag => "$CI_COMMIT_TAG",
    }
}

/// The deployment tier GitLab shows for an environment, guessed from its name.
pub fn deployment_tier(name: &str) -> &'static str {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|prefix| name.starts_with(prefix));
    if starts(&["prod", "live"]) {
        "production"
    } else if starts(&["stag", "preprod", "pre-prod"]) {
        "staging"
    } else if starts(&["test", "qa", "uat"]) {
        "testing"
    } else if starts(&["dev", "preview", "review", "sandbox"]) {
        "development"
    } else {
        "other"
    }
}

#[derive(Debug, Serialize)]
struct Pipeline {
    header: Header,
    spec_path: String,
    /// The `workflow:rules` condition for merge requests against the default branch.
    merge_request_rule: String,
    /// `workflow:rules` conditions for branch and tag pipelines.
    ref_rules: Vec<String>,
    platforms: Vec<MatrixEntry>,
    /// Whether some platform is not amd64 (the build comment then explains runners).
    cross_platform: bool,
    variables: Vec<Variable>,
    /// `set -- "$@" …` lines adding the build flags held in `variables`.
    build_flags: Vec<String>,
    cache: Option<CacheView>,
    sbom_file: &'static str,
    sign: Option<SignView>,
    logins: Vec<Login>,
    deploys: Vec<Deploy>,
}

#[derive(Debug, Serialize)]
struct MatrixEntry {
    platform: String,
    slug: String,
}

#[derive(Debug, Serialize)]
struct Variable {
    name: String,
    value: String,
    comment: Option<String>,
}

#[derive(Debug, Serialize)]
struct CacheView {
    login: Login,
}

#[derive(Debug, Serialize)]
struct SignView {
    keyless: bool,
    note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Login {
    host: String,
    /// The key written in the Docker config (`https://index.docker.io/v1/` for Docker Hub).
    config_key: String,
    username: String,
    password: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct Deploy {
    name: String,
    job: String,
    needs: Vec<String>,
    rule: String,
    trigger: String,
    after: Option<String>,
    tier: &'static str,
    url: Option<String>,
}

impl Pipeline {
    fn new(model: &Model) -> Self {
        let mut ref_rules = vec![ref_rule(BRANCH, &model.default_branch)];
        for environment in &model.environments {
            let rule = ref_rule(ref_variable(environment.kind), &environment.glob);
            if !ref_rules.contains(&rule) {
                ref_rules.push(rule);
            }
        }

        let mut variables = vec![
            Variable {
                name: "SHIPGATE_CONTEXT".to_owned(),
                value: variable_value(&model.context),
                comment: Some(
                    "Build context and Dockerfile, relative to the repository root.".to_owned(),
                ),
            },
            Variable {
                name: "SHIPGATE_DOCKERFILE".to_owned(),
                value: variable_value(&model.dockerfile),
                comment: None,
            },
        ];
        let mut build_flags = vec![
            "set -- --platform \"$SHIPGATE_PLATFORM\" --file \"$SHIPGATE_DOCKERFILE\"".to_owned(),
        ];
        if let Some(target) = &model.target {
            variables.push(Variable {
                name: "SHIPGATE_TARGET".to_owned(),
                value: variable_value(target),
                comment: None,
            });
            build_flags.push("set -- \"$@\" --target \"$SHIPGATE_TARGET\"".to_owned());
        }
        for (i, arg) in model.build_args.iter().enumerate() {
            let name = format!("SHIPGATE_BUILD_ARG_{}", i + 1);
            build_flags.push(format!("set -- \"$@\" --build-arg \"${name}\""));
            variables.push(Variable {
                name,
                value: variable_value(&format!("{}={}", arg.name, arg.value)),
                comment: (i == 0).then(|| "Build arguments, one `NAME=value` each.".to_owned()),
            });
        }
        for (i, secret) in model.build_secrets.iter().enumerate() {
            let name = format!("SHIPGATE_BUILD_SECRET_{}", i + 1);
            build_flags.push(format!("set -- \"$@\" --secret \"${name}\""));
            variables.push(Variable {
                name,
                value: format!("id={},env={}", secret.id, secret.env),
                comment: (i == 0).then(|| {
                    "Build secrets, each read from the CI/CD variable named after it.".to_owned()
                }),
            });
        }
        let cache = match &model.cache {
            Cache::Registry {
                repository,
                registry,
            } => {
                variables.push(Variable {
                    name: "SHIPGATE_CACHE_REPOSITORY".to_owned(),
                    value: variable_value(&format!("{repository}-buildcache")),
                    comment: Some(
                        "Layer cache: Buildah's cache images in this repository.".to_owned(),
                    ),
                });
                Some(CacheView {
                    login: login(registry),
                })
            }
            Cache::Gha | Cache::None => None,
        };

        let platforms: Vec<MatrixEntry> = model
            .platforms
            .iter()
            .map(|platform| MatrixEntry {
                platform: platform.platform.clone(),
                slug: platform.slug.clone(),
            })
            .collect();
        let cross_platform = model
            .platforms
            .iter()
            .any(|platform| !platform.platform.starts_with("linux/amd64"));

        let sign = model.sign.as_ref().map(|sign| SignView {
            keyless: sign.keyless,
            note: match (&sign.key_env, &sign.key_file) {
                (Some(var), _) => Some(format!(
                    "The signing key comes from the CI/CD variable {var}, its password from COSIGN_PASSWORD."
                )),
                (None, Some(path)) => Some(format!(
                    "The signing key is {} in the repository; its password comes from the CI/CD variable COSIGN_PASSWORD.",
                    path.replace(['\n', '\r'], " ")
                )),
                (None, None) => None,
            },
        });

        let deploys = model
            .environments
            .iter()
            .map(|environment| {
                let mut needs = vec!["push".to_owned()];
                if let Some(needed) = &environment.needs {
                    needs.push(format!("deploy-{needed}"));
                }
                let kind = environment.kind.noun();
                let trigger = format!("for the {kind} `{}`", environment.glob);
                Deploy {
                    name: environment.name.clone(),
                    job: format!("deploy-{}", environment.name),
                    needs,
                    rule: effective_rule(model, environment),
                    trigger: trigger.replace(['\n', '\r'], " "),
                    after: environment.needs.clone(),
                    tier: deployment_tier(&environment.name),
                    url: environment.url.clone(),
                }
            })
            .collect();

        Self {
            header: model.header(),
            spec_path: variable_value(&model.spec_path),
            merge_request_rule: format!(
                "$CI_PIPELINE_SOURCE == 'merge_request_event' && {}",
                ref_rule(
                    "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
                    &model.default_branch
                )
            ),
            ref_rules,
            platforms,
            cross_platform,
            variables,
            build_flags,
            cache,
            sbom_file: model.sbom_file,
            sign,
            logins: model.registries.iter().map(login).collect(),
            deploys,
        }
    }
}

/// The rule of a deploy job: its own trigger, and the trigger of every environment it
/// needs (GitLab refuses a pipeline whose job `needs` a job the rules left out, so a job
/// only exists when the jobs it needs do).
fn effective_rule(model: &Model, environment: &Environment) -> String {
    let mut rules = Vec::new();
    let mut current = Some(environment);
    while let Some(environment) = current {
        let rule = ref_rule(ref_variable(environment.kind), &environment.glob);
        if !rules.contains(&rule) {
            rules.push(rule);
        }
        current = environment
            .needs
            .as_deref()
            .and_then(|needed| model.environment(needed));
    }
    match rules.as_slice() {
        [one] => one.clone(),
        many => many
            .iter()
            .map(|rule| format!("({rule})"))
            .collect::<Vec<_>>()
            .join(" && "),
    }
}

fn login(registry: &Registry) -> Login {
    let config_key = if registry.host == "docker.io" {
        "https://index.docker.io/v1/".to_owned()
    } else {
        registry.host.clone()
    };
    if registry.gitlab {
        Login {
            host: registry.host.clone(),
            config_key,
            username: "CI_REGISTRY_USER".to_owned(),
            password: "CI_REGISTRY_PASSWORD".to_owned(),
            note: "the job's CI_REGISTRY_USER and CI_REGISTRY_PASSWORD".to_owned(),
        }
    } else {
        let prefix = &registry.secret_prefix;
        Login {
            host: registry.host.clone(),
            config_key,
            username: format!("{prefix}_USERNAME"),
            password: format!("{prefix}_PASSWORD"),
            note: format!("CI/CD variables {prefix}_USERNAME, {prefix}_PASSWORD"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(ref_rule(BRANCH, "main"), "$CI_COMMIT_BRANCH == 'main'");
        assert_eq!(
            ref_rule("$CI_COMMIT_TAG", "v*"),
            "$CI_COMMIT_TAG =~ /^v[^\\/]*$/"
        );
        assert_eq!(
            ref_rule(BRANCH, "release/**"),
            "$CI_COMMIT_BRANCH =~ /^release\\/.*$/"
        );
        assert_eq!(ref_rule(BRANCH, "it's"), "$CI_COMMIT_BRANCH =~ /^it's$/");
        assert_eq!(
            ref_rule("$CI_COMMIT_TAG", "v1.0+b"),
            "$CI_COMMIT_TAG == 'v1.0+b'"
        );
    }

    #[test]
    fn tiers() {
        assert_eq!(deployment_tier("production"), "production");
        assert_eq!(deployment_tier("prod-eu"), "production");
        assert_eq!(deployment_tier("staging"), "staging");
        assert_eq!(deployment_tier("qa"), "testing");
        assert_eq!(deployment_tier("dev"), "development");
        assert_eq!(deployment_tier("canary"), "other");
    }

    #[test]
    fn variables_keep_dollars() {
        assert_eq!(variable_value("$HOME and $$"), "$$HOME and $$$$");
    }
}
