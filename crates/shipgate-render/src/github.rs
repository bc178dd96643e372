//! The GitHub Actions workflow: `.github/workflows/shipgate.yml`.
//!
//! Jobs `plan → build (one per platform) → sbom → scan → sign → push → deploy-<env>`,
//! written from `templates/github/shipgate.yml.hbs`. Everything the template needs is
//! computed here, so the template only lays it out:
//!
//! - every user value reaches the template already made literal for GitHub (a `${{` in it
//!   is written `${{ '${{' }}`, which GitHub evaluates back to `${{`), and the template
//!   writes it through the `yaml` helper;
//! - deploy conditions are GitHub expressions built here, with user text only inside
//!   `'…'` string literals (`'` doubled). A ref glob an expression cannot match goes
//!   through a regular expression step in the plan job instead;
//! - values are never interpolated into `run:` scripts: the one script (trigger matching)
//!   reads them from `env:`.

use serde::Serialize;

use crate::engine::{
    Cache, Engine, GeneratedFile, Header, Model, RefKind, RefMatch, Result, glob_regex, secret_name,
};

/// Where the workflow is written, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/shipgate.yml";

/// The GitHub environment of the jobs that read signing keys or registry passwords, so
/// those secrets can be scoped to it (and to its branch rules) instead of the repository.
pub const PUBLISH_ENVIRONMENT: &str = "shipgate-publish";

/// The template the workflow is rendered from.
const TEMPLATE: &str = "github/shipgate.yml";

/// Renders the workflow for `model`.
pub(crate) fn render(engine: &Engine, model: &Model) -> Result<GeneratedFile> {
    engine.render_file(TEMPLATE, WORKFLOW_PATH, &Workflow::new(model))
}

/// A user value made literal for GitHub: `${{` would start an expression, so it becomes
/// the expression `${{ '${{' }}`, whose value is `${{`.
pub fn literal(text: &str) -> String {
    text.replace("${{", "${{ '${{' }}")
}

/// A string literal inside a GitHub expression: `'…'` with `'` doubled.
pub fn expression_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The spec's ref glob (`*`, `**`, everything else literal) as a GitHub filter pattern:
/// the characters GitHub's filters treat specially (`?`, `+`, `[`, `]`, `\`, a leading
/// `!`) are escaped with `\`.
pub fn filter_pattern(glob: &str) -> String {
    let mut out = String::new();
    for (i, c) in glob.chars().enumerate() {
        if matches!(c, '?' | '+' | '[' | ']' | '\\') || (i == 0 && c == '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The template's view of the workflow.
#[derive(Debug, Serialize)]
struct Workflow {
    header: Header,
    spec_path: String,
    /// `on.push.branches`: the default branch and every branch-triggered environment's.
    branches: Vec<String>,
    /// `on.push.tags`: every tag-triggered environment's glob.
    tags: Vec<String>,
    default_branch: String,
    platforms: Vec<MatrixEntry>,
    /// True when some platform needs QEMU (the matrix then has an `emulated` key).
    emulated: bool,
    context: String,
    dockerfile: String,
    target: Option<String>,
    /// `KEY=value` lines for build-push-action's `build-args`.
    build_args: Option<String>,
    /// `id=${{ secrets.ID }}` lines for build-push-action's `secrets`.
    build_secrets: Option<String>,
    cache: CacheView,
    sbom_file: &'static str,
    sign: Option<SignView>,
    logins: Vec<Login>,
    /// Whether the push job needs `packages: write` (a ghcr.io registry).
    packages_write: bool,
    /// The environment of the sign and push jobs when they read repository secrets.
    publish_environment: &'static str,
    /// Whether the push job reads repository secrets (a registry other than ghcr.io).
    push_secrets: bool,
    /// Deploy triggers matched by a regular expression in the plan job.
    routes: Vec<Route>,
    deploys: Vec<Deploy>,
}

#[derive(Debug, Serialize)]
struct MatrixEntry {
    platform: String,
    runner: &'static str,
    slug: String,
    emulated: bool,
}

#[derive(Debug, Serialize)]
struct CacheView {
    /// A short description for the comment above the cache inputs.
    kind: &'static str,
    from: Option<String>,
    to: Option<String>,
    /// A registry login the build job needs for a registry cache.
    login: Option<Login>,
    packages_write: bool,
}

#[derive(Debug, Serialize)]
struct SignView {
    keyless: bool,
    /// Environment of the signing step: `(name, expression)` pairs.
    env: Vec<EnvVar>,
    /// A comment line naming the secrets to create.
    secrets_note: Option<String>,
}

#[derive(Debug, Serialize)]
struct EnvVar {
    name: String,
    value: String,
}

#[derive(Debug, Clone, Serialize)]
struct Login {
    host: String,
    username: String,
    password: String,
    /// Where the credentials come from: comment lines above the step.
    notes: Vec<String>,
    /// True when the credentials are repository secrets (not the workflow's token).
    secrets: bool,
}

#[derive(Debug, Serialize)]
struct Route {
    /// The plan job's output, `deploy-<env>`.
    output: String,
    /// The env var holding the regex, `TRIGGER_<ENV>`.
    env_var: String,
    /// The anchored regex over `GITHUB_REF`.
    regex: String,
}

#[derive(Debug, Serialize)]
struct Deploy {
    name: String,
    job: String,
    needs: Vec<String>,
    condition: String,
    /// The trigger, for the comment above the job: `on pushes of the branch `main``.
    trigger: String,
    /// The environment this one deploys after.
    after: Option<String>,
    url: Option<String>,
}

impl Workflow {
    fn new(model: &Model) -> Self {
        let mut branches = vec![filter_pattern(&model.default_branch)];
        let mut tags = Vec::new();
        for environment in &model.environments {
            let list = match environment.kind {
                RefKind::Branch => &mut branches,
                RefKind::Tag => &mut tags,
            };
            let pattern = filter_pattern(&environment.glob);
            if !list.contains(&pattern) {
                list.push(pattern);
            }
        }

        let platforms: Vec<MatrixEntry> = model
            .platforms
            .iter()
            .map(|platform| MatrixEntry {
                platform: platform.platform.clone(),
                runner: platform.runner,
                slug: platform.slug.clone(),
                emulated: platform.emulated,
            })
            .collect();
        let emulated = platforms.iter().any(|platform| platform.emulated);

        let build_args = (!model.build_args.is_empty()).then(|| {
            model
                .build_args
                .iter()
                .map(|arg| format!("{}={}\n", literal(&arg.name), literal(&arg.value)))
                .collect()
        });
        let build_secrets = (!model.build_secrets.is_empty()).then(|| {
            model
                .build_secrets
                .iter()
                .map(|secret| format!("{}=${{{{ secrets.{} }}}}\n", secret.id, secret.env))
                .collect()
        });

        let logins: Vec<Login> = model.registries.iter().map(login).collect();
        let packages_write = model.registries.iter().any(|registry| registry.ghcr);

        let routes = model
            .environments
            .iter()
            .filter(|environment| environment.matcher == RefMatch::Pattern)
            .map(|environment| Route {
                output: format!("deploy-{}", environment.name),
                env_var: format!("TRIGGER_{}", secret_name(&environment.name)),
                regex: format!(
                    "^{}{}$",
                    environment.kind.prefix(),
                    glob_regex(&environment.glob)
                ),
            })
            .collect();

        let deploys = model
            .environments
            .iter()
            .map(|environment| {
                let mut needs = Vec::new();
                if environment.matcher == RefMatch::Pattern {
                    needs.push("plan".to_owned());
                }
                needs.push("push".to_owned());
                if let Some(needed) = &environment.needs {
                    needs.push(format!("deploy-{needed}"));
                }
                let kind = environment.kind.noun();
                let trigger = format!("on pushes of the {kind} `{}`", environment.glob);
                Deploy {
                    name: environment.name.clone(),
                    job: format!("deploy-{}", environment.name),
                    needs,
                    condition: deploy_condition(environment),
                    trigger: trigger.replace(['\n', '\r'], " "),
                    after: environment.needs.clone(),
                    url: environment.url.clone(),
                }
            })
            .collect();

        Self {
            header: model.header(),
            spec_path: literal(&model.spec_path),
            branches,
            tags,
            default_branch: filter_pattern(&model.default_branch),
            platforms,
            emulated,
            context: literal(&model.context),
            dockerfile: literal(&model.dockerfile),
            target: model.target.as_deref().map(literal),
            build_args,
            build_secrets,
            cache: cache_view(&model.cache),
            sbom_file: model.sbom_file,
            sign: model.sign.as_ref().map(sign_view),
            push_secrets: logins.iter().any(|login| login.secrets),
            logins,
            packages_write,
            publish_environment: PUBLISH_ENVIRONMENT,
            routes,
            deploys,
        }
    }
}

/// The `if:` of a deploy job: whether this run's ref matches the environment's trigger.
///
/// - `main` → `github.ref == 'refs/heads/main'`;
/// - `v*` → `startsWith(github.ref, 'refs/tags/v') && !contains(github.ref_name, '/')`
///   (`*` does not cross `/`);
/// - `release/**` → `startsWith(github.ref, 'refs/heads/release/')`;
/// - anything else (`v*-rc*`, `release/*`) → the plan job's `deploy-<env>` output, which a
///   `[[ $GITHUB_REF =~ … ]]` step computes from [`glob_regex`].
fn deploy_condition(environment: &crate::engine::Environment) -> String {
    let prefix = environment.kind.prefix();
    match &environment.matcher {
        RefMatch::Exact(name) => format!(
            "github.ref == {}",
            expression_string(&format!("{prefix}{name}"))
        ),
        RefMatch::Prefix(start) => format!(
            "startsWith(github.ref, {}) && !contains(github.ref_name, '/')",
            expression_string(&format!("{prefix}{start}"))
        ),
        RefMatch::PrefixAny(start) => {
            format!(
                "startsWith(github.ref, {})",
                expression_string(&format!("{prefix}{start}"))
            )
        }
        RefMatch::Pattern => format!("needs.plan.outputs.deploy-{} == 'true'", environment.name),
    }
}

fn login(registry: &crate::engine::Registry) -> Login {
    if registry.ghcr {
        Login {
            host: registry.host.clone(),
            username: "${{ github.actor }}".to_owned(),
            password: "${{ secrets.GITHUB_TOKEN }}".to_owned(),
            notes: vec!["Log in with the workflow's GITHUB_TOKEN (packages: write).".to_owned()],
            secrets: false,
        }
    } else {
        let prefix = &registry.secret_prefix;
        Login {
            host: registry.host.clone(),
            username: format!("${{{{ secrets.{prefix}_USERNAME }}}}"),
            password: format!("${{{{ secrets.{prefix}_PASSWORD }}}}"),
            notes: vec![
                format!("Log in with the secrets {prefix}_USERNAME and"),
                format!("{prefix}_PASSWORD (an access token rather than a password)."),
            ],
            secrets: true,
        }
    }
}

fn cache_view(cache: &Cache) -> CacheView {
    // Caches are off for tag pushes: a release build never restores layers another ref
    // wrote (cache poisoning), at the cost of a cold build.
    const NOT_TAG: &str = "!startsWith(github.ref, 'refs/tags/')";
    match cache {
        Cache::Gha => CacheView {
            kind: "the GitHub Actions cache, one scope per platform",
            from: Some(format!(
                "${{{{ {NOT_TAG} && format('type=gha,scope=shipgate-{{0}}', matrix.slug) || '' }}}}"
            )),
            to: Some(format!(
                "${{{{ {NOT_TAG} && format('type=gha,scope=shipgate-{{0}},mode=max', matrix.slug) || '' }}}}"
            )),
            login: None,
            packages_write: false,
        },
        Cache::Registry {
            repository,
            registry,
        } => {
            let reference =
                expression_string(&format!("type=registry,ref={repository}:buildcache-{{0}}"));
            let reference_to = expression_string(&format!(
                "type=registry,ref={repository}:buildcache-{{0}},mode=max"
            ));
            CacheView {
                kind: "`buildcache-<platform>` tags in the first registry, written by pushes only",
                from: Some(format!(
                    "${{{{ {NOT_TAG} && format({reference}, matrix.slug) || '' }}}}"
                )),
                to: Some(format!(
                    "${{{{ {NOT_TAG} && github.event_name != 'pull_request' && format({reference_to}, matrix.slug) || '' }}}}"
                )),
                login: Some(login(registry)),
                packages_write: registry.ghcr,
            }
        }
        Cache::None => CacheView {
            kind: "none",
            from: None,
            to: None,
            login: None,
            packages_write: false,
        },
    }
}

fn sign_view(sign: &crate::engine::Signing) -> SignView {
    let mut env = Vec::new();
    if let Some(var) = &sign.key_env {
        env.push(EnvVar {
            name: var.clone(),
            value: format!("${{{{ secrets.{var} }}}}"),
        });
    }
    if sign.key_env.is_some() || sign.key_file.is_some() {
        env.push(EnvVar {
            name: "COSIGN_PASSWORD".to_owned(),
            value: "${{ secrets.COSIGN_PASSWORD }}".to_owned(),
        });
    }
    let secrets_note = match (&sign.key_env, &sign.key_file) {
        (Some(var), _) => Some(format!(
            "The signing key comes from the secret {var}, its password from COSIGN_PASSWORD."
        )),
        (None, Some(path)) => Some(format!(
            "The signing key is {} in the repository; its password comes from the secret COSIGN_PASSWORD.",
            path.replace(['\n', '\r'], " ")
        )),
        (None, None) => None,
    };
    SignView {
        keyless: sign.keyless,
        env,
        secrets_note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_escapes_expressions() {
        assert_eq!(literal("a ${{ b }}"), "a ${{ '${{' }} b }}");
        assert_eq!(literal("{{ fine }}"), "{{ fine }}");
    }

    #[test]
    fn expression_strings_double_quotes() {
        assert_eq!(expression_string("it's"), "'it''s'");
    }

    #[test]
    fn filter_patterns_escape_github_specials() {
        assert_eq!(filter_pattern("v*"), "v*");
        assert_eq!(filter_pattern("v1.0+build"), "v1.0\\+build");
        assert_eq!(filter_pattern("!important"), "\\!important");
        assert_eq!(filter_pattern("a!b"), "a!b");
    }
}
