//! `buildx-plan` computes image tags, labels, annotations, the platform build matrix and a
//! bake file from docker/metadata-action inputs.
//!
//! It takes the action's inputs (`images`, `tags`, `flavor`, `labels`, `annotations`,
//! `sep-*`, `bake-target`) as flags, `SHIPGATE_*` variables or the action's `INPUT_*`
//! variables, reads the CI context (GitHub Actions, GitLab CI or the local git repository)
//! and writes the action's outputs, plus a build plan: the platform matrix and a bake file.
//!
//! Compatibility with docker/metadata-action v5/v6 is the default. Deliberate
//! differences, each an improvement users asked for:
//! - expression values are not HTML-escaped (`{{branch}}` of `a&b` is `a&b`, not `a&amp;b`);
//! - list inputs are parsed once, so a quoted field keeps its commas
//!   (`type=match,"pattern=\d{1,2}"`); a flavor value keeps a second `=`;
//! - an unknown tag attribute, an unknown expression in a semver/pep440 pattern, or a
//!   `match` regex that does not compile is an error at start (exit 2), not a silent skip
//!   or a failure only on the event that evaluates it;
//! - `{{date}}` accepts fixed offsets (`tz='+02:00'`) besides tz database names;
//! - `org.opencontainers.image.created` honours `SOURCE_DATE_EPOCH`, or the commit time
//!   with `--created commit` (the action always uses the wall clock);
//! - pre-release channel rules: a semver/pep440 pattern using `{{channel}}` renders only
//!   for pre-releases, with every variable (`pattern={{channel}}` tags `1.2.3-rc.1` as `rc`;
//!   `pattern={{major}}.{{minor}}-{{channel}}` as `1.2-rc`), never `latest`;
//! - `{{date}}` without a format uses moment's default format instead of failing;
//! - `\d`, `\w`, `\b` in `match` regexes are ASCII-only as in JavaScript; look-around and
//!   back-references, which Rust's regex engine lacks, are rejected up front;
//! - the `edge` default branch falls back to the event payload's when no repository
//!   metadata is given; `DOCKER_METADATA_ANNOTATIONS_LEVELS` entries are trimmed and
//!   checked against buildx's levels;
//! - bake files escape `${` as `$${` and `%{` as `%%{`, so buildx does not interpolate
//!   repository descriptions or label values;
//! - the repository metadata (title/description/url/source/licenses labels, `edge`'s
//!   default branch) comes from `--repo-metadata FILE`, else from the GitHub API
//!   (`GITHUB_API_URL`, `GET /repos/{owner}/{repo}` when `GITHUB_REPOSITORY` is set); when
//!   neither gives it (offline, `--no-github-api`) those labels are left out, with one
//!   warning, instead of being empty or failing the run; the commit date is asked from
//!   the API (`GET .../commits/{sha}`) only when `{{commit_date}}` or `--created commit`
//!   needs it, and a failure is a warning (the action fails the run);
//! - GitLab merge requests count as pull requests (`type=ref,event=pr` gives `pr-N`, the
//!   PR head sha option applies);
//! - `--pr-head-sha` is a flag besides `DOCKER_METADATA_PR_HEAD_SHA`.
//!
//! Kept on purpose, as the action does: the flavor prefix is not applied to `pr-`/`sha-`
//! rules (their default prefix shadows it), `/` becomes `-` before semver matching,
//! `{{is_default_branch}}` is false on tag pushes, labels are sorted like JavaScript's
//! `localeCompare`, the first rule that yields a value decides `latest`, and
//! `type=ref,event=tag` and `type=match` mark pre-release tags as latest.

mod build;
mod datetime;
mod error;
mod github;
mod meta;
mod template;
mod version;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use shipgate_core::ci::{CiContext, CiProvider, RefType};
use shipgate_core::exit::Exit;
use shipgate_core::output::Output;

pub use build::{
    BuildSettings, CacheMode, MatrixEntry, bake_file, check_platform, escape_bake, matrix,
    runner_for,
};
pub use error::{Error, Result};
pub use github::{API_TIMEOUT, DEFAULT_API_URL, FetchError, RepoApi};
pub use meta::{
    Meta, MetaContext, MetaInputs, RepoMetadata, Version, compute, locale_compare, sanitize_tag,
};

/// The bake target name the action uses by default.
pub const DEFAULT_BAKE_TARGET: &str = "docker-metadata-action";

/// Where `org.opencontainers.image.created` comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Created {
    /// `SOURCE_DATE_EPOCH` when set, else the current time.
    #[default]
    Auto,
    /// The current time (`SHIPGATE_NOW` when set), like docker/metadata-action.
    Now,
    /// `SOURCE_DATE_EPOCH` (an error when unset).
    SourceDateEpoch,
    /// The commit time (the event payload, GitLab's `CI_COMMIT_TIMESTAMP` or git).
    Commit,
}

/// Where the git context comes from (the action's `context` input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ContextKind {
    /// The CI's environment and event payload (git when not in CI).
    #[default]
    Workflow,
    /// The local git repository.
    Git,
}

/// The machine output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for people on stderr.
    #[default]
    Human,
    /// One JSON document on stdout (or in `--output`).
    Json,
}

/// Command-line arguments of `buildx-plan`. Every metadata-action input is also read from
/// `SHIPGATE_<NAME>` and from the action's `INPUT_<NAME>`.
#[derive(Debug, Default, Parser)]
#[command(
    name = "buildx-plan",
    version,
    about = "shipgate's buildx-plan: computes image tags, labels, annotations, the platform build matrix and a bake file from docker/metadata-action inputs",
    after_help = Exit::help_table()
)]
pub struct Cli {
    /// Images to tag, one per line: `ghcr.io/acme/web` or `name=...,enable=true`.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_IMAGES",
        help_heading = "metadata-action inputs"
    )]
    pub images: Vec<String>,
    /// Tag rules, one per line (`type=semver,pattern={{version}}`); default: schedule,
    /// branch, tag and pr refs.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_TAGS",
        help_heading = "metadata-action inputs"
    )]
    pub tags: Vec<String>,
    /// Flavor lines: `latest=auto|true|false`, `prefix=`, `suffix=`, `onlatest=`.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_FLAVOR",
        help_heading = "metadata-action inputs"
    )]
    pub flavor: Vec<String>,
    /// Extra labels, one `key=value` per line.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_LABELS",
        help_heading = "metadata-action inputs"
    )]
    pub labels: Vec<String>,
    /// Extra annotations, one `key=value` per line.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_ANNOTATIONS",
        help_heading = "metadata-action inputs"
    )]
    pub annotations: Vec<String>,
    /// Separator of the `tags` output [default: newline].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_SEP_TAGS",
        help_heading = "metadata-action inputs"
    )]
    pub sep_tags: Option<String>,
    /// Separator of the `labels` output [default: newline].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_SEP_LABELS",
        help_heading = "metadata-action inputs"
    )]
    pub sep_labels: Option<String>,
    /// Separator of the `annotations` output [default: newline].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_SEP_ANNOTATIONS",
        help_heading = "metadata-action inputs"
    )]
    pub sep_annotations: Option<String>,
    /// Target name in the bake files [default: docker-metadata-action].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_BAKE_TARGET",
        help_heading = "metadata-action inputs"
    )]
    pub bake_target: Option<String>,
    /// Where the git context comes from.
    #[arg(
        long,
        value_enum,
        hide_env_values = true,
        env = "SHIPGATE_CONTEXT",
        help_heading = "metadata-action inputs"
    )]
    pub context: Option<ContextKind>,

    /// Platforms to build, comma- or newline-separated [default: linux/amd64].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_PLATFORMS",
        help_heading = "Build plan"
    )]
    pub platforms: Option<String>,
    /// Layer cache: gha, registry or none [default: gha].
    #[arg(long, hide_env_values = true, env = "SHIPGATE_CACHE", value_parser = ["gha", "registry", "none"], help_heading = "Build plan")]
    pub cache: Option<String>,
    /// A build argument, `KEY=VALUE` (repeatable).
    #[arg(
        long = "build-arg",
        value_name = "KEY=VALUE",
        help_heading = "Build plan"
    )]
    pub build_args: Vec<String>,
    /// A build secret id, read from the variable of the same name in upper case (repeatable).
    #[arg(long = "secret", value_name = "ID", help_heading = "Build plan")]
    pub secrets: Vec<String>,
    /// The build context directory [default: .].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_BUILD_CONTEXT",
        help_heading = "Build plan"
    )]
    pub build_context: Option<String>,
    /// The Dockerfile [default: Dockerfile].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_DOCKERFILE",
        help_heading = "Build plan"
    )]
    pub dockerfile: Option<String>,
    /// The Dockerfile stage to build.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_TARGET",
        help_heading = "Build plan"
    )]
    pub target: Option<String>,
    /// Where builds write the OCI image layout [default: .shipgate/oci].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_OCI_DEST",
        help_heading = "Build plan"
    )]
    pub oci_dest: Option<String>,

    /// The JSON of GitHub's `GET /repos/{owner}/{repo}`, for the title, description, url,
    /// source and licenses labels [default: asked from the GitHub API when
    /// `GITHUB_REPOSITORY` is set].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_REPO_METADATA",
        value_name = "FILE",
        help_heading = "Context"
    )]
    pub repo_metadata: Option<PathBuf>,
    /// Do not ask the GitHub API (`GITHUB_API_URL`, `GET /repos/$GITHUB_REPOSITORY`) for the
    /// repository metadata: without --repo-metadata its labels are left out.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_NO_GITHUB_API",
        help_heading = "Context"
    )]
    pub no_github_api: bool,
    /// Where the `created` label's time comes from.
    #[arg(
        long,
        value_enum,
        hide_env_values = true,
        env = "SHIPGATE_CREATED",
        help_heading = "Context"
    )]
    pub created: Option<Created>,
    /// On pull requests, use the PR head commit instead of the merge commit (also
    /// `DOCKER_METADATA_PR_HEAD_SHA=true`).
    #[arg(long, help_heading = "Context")]
    pub pr_head_sha: bool,
    /// Exit 0 with a warning when no tag is generated (default: exit 1).
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_ALLOW_EMPTY",
        help_heading = "Context"
    )]
    pub allow_empty: bool,

    /// Output format.
    #[arg(
        long,
        value_enum,
        default_value_t,
        hide_env_values = true,
        env = "SHIPGATE_FORMAT",
        help_heading = "Output"
    )]
    pub format: Format,
    /// Write the JSON document to FILE instead of stdout.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_OUTPUT",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Write the build bake file (with context, platforms, cache, output) to FILE.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_BAKE_FILE",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub bake_file: Option<PathBuf>,
    /// Directory for the action-compatible bake files [default: a new directory under
    /// $RUNNER_TEMP or the system temp dir, only inside GitHub Actions].
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_BAKE_DIR",
        value_name = "DIR",
        help_heading = "Output"
    )]
    pub bake_dir: Option<PathBuf>,
    /// GitLab CI dotenv report for the outputs.
    #[arg(
        long,
        hide_env_values = true,
        env = "SHIPGATE_DOTENV",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub dotenv: Option<PathBuf>,
}

/// Everything a plan is computed from, once inputs are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanRequest {
    /// The metadata-action list inputs.
    pub inputs: MetaInputs,
    /// The bake target name.
    pub bake_target: String,
    /// How the image is built.
    pub build: BuildSettings,
    /// Repository metadata for the labels.
    pub repo: Option<RepoMetadata>,
    /// Where `created` comes from.
    pub created: Created,
    /// Use the PR head sha.
    pub pr_head_sha: bool,
    /// Where the git context comes from.
    pub context: ContextKind,
    /// The default branch when the CI context has none (no event payload, no
    /// `CI_DEFAULT_BRANCH`, no `origin/HEAD`): the spec's `ci.default-branch`.
    pub default_branch: Option<String>,
    /// Ask the GitHub API for the commit date when a rule or `--created commit` needs it
    /// and the event payload lacks it (inside GitHub Actions, as the action does).
    pub github_api: bool,
}

/// Options of [`plan_from_spec`] that the spec does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecOptions {
    /// Repository metadata for the labels.
    pub repo: Option<RepoMetadata>,
    /// Where `created` comes from.
    pub created: Created,
    /// Use the PR head sha.
    pub pr_head_sha: bool,
    /// Overrides the spec's platforms.
    pub platforms: Option<Vec<String>>,
    /// The bake target name (default `docker-metadata-action`).
    pub bake_target: Option<String>,
    /// Ask the GitHub API for the commit date when needed (see [`PlanRequest::github_api`]).
    pub github_api: bool,
}

/// A computed plan: the action's metadata plus the build matrix and bake file.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Tags, labels, annotations and version.
    pub meta: Meta,
    /// The bake target name.
    pub bake_target: String,
    /// How the image is built.
    pub build: BuildSettings,
    /// One job per platform.
    pub matrix: Vec<MatrixEntry>,
    /// The build bake file.
    pub bake: Value,
    /// What the plan was computed for, for messages: "`push` of `refs/heads/main`".
    pub trigger: String,
}

/// How [`write_outputs`] writes a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// Output format.
    pub format: Format,
    /// Separator of the `tags` output.
    pub sep_tags: String,
    /// Separator of the `labels` output.
    pub sep_labels: String,
    /// Separator of the `annotations` output.
    pub sep_annotations: String,
    /// Write the build bake file here.
    pub bake_file: Option<PathBuf>,
    /// Directory for the action-compatible bake files (`None`: a temporary one, and only
    /// inside GitHub Actions).
    pub bake_dir: Option<PathBuf>,
    /// Exit 0 when no tag is generated.
    pub allow_empty: bool,
}

fn non_empty<'a>(env: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    env.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// A list input: the flag values joined by newlines, else `INPUT_<NAME>`.
fn list_input(values: &[String], env: &HashMap<String, String>, name: &str) -> String {
    let joined = values
        .iter()
        .filter(|v| !v.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if !joined.is_empty() {
        return joined;
    }
    non_empty(env, &format!("INPUT_{}", name.to_uppercase()))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// A separator: not trimmed, empty means newline (`core.getInput(name, {trimWhitespace: false}) || '\n'`).
fn separator(value: Option<&String>, env: &HashMap<String, String>, name: &str) -> String {
    value
        .filter(|v| !v.is_empty())
        .map(String::as_str)
        .or_else(|| non_empty(env, &format!("INPUT_{}", name.to_uppercase())))
        .unwrap_or("\n")
        .to_owned()
}

fn annotation_levels(env: &HashMap<String, String>) -> Result<Vec<String>> {
    let raw = non_empty(env, "DOCKER_METADATA_ANNOTATIONS_LEVELS").unwrap_or("manifest");
    let mut levels = Vec::new();
    for level in raw.split(',').map(str::trim).filter(|l| !l.is_empty()) {
        let kind = level.split('[').next().unwrap_or(level);
        if !matches!(
            kind,
            "manifest" | "index" | "manifest-descriptor" | "index-descriptor"
        ) {
            return Err(Error::value(
                "DOCKER_METADATA_ANNOTATIONS_LEVELS",
                raw,
                format!("unknown level `{level}`"),
                "levels: manifest, index, manifest-descriptor, index-descriptor (comma-separated)",
            ));
        }
        levels.push(level.to_owned());
    }
    Ok(levels)
}

/// Reads `--repo-metadata FILE`: the JSON of GitHub's `GET /repos/{owner}/{repo}`.
pub fn read_repo_metadata(path: &Path) -> Result<RepoMetadata> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        what: "the repository metadata",
        source,
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|source| Error::Json {
        what: "the repository metadata",
        path: path.to_owned(),
        hint: "pass the JSON of GitHub's GET /repos/{owner}/{repo}",
        source,
    })?;
    Ok(RepoMetadata::from_api_json(&value))
}

/// The repository metadata for the labels: `given` (`--repo-metadata`) when set, else the
/// GitHub API's answer when `use_api` is on and `GITHUB_REPOSITORY` is set in `env`. A
/// failed request is not an error: one warning line on the output's human channel, and
/// `None` (the repository labels are left out).
pub fn repo_metadata(
    given: Option<RepoMetadata>,
    use_api: bool,
    env: &HashMap<String, String>,
    output: &Output,
) -> Option<RepoMetadata> {
    if given.is_some() || !use_api {
        return given;
    }
    let api = RepoApi::from_env(env)?;
    match api.fetch() {
        Ok(repo) => Some(repo),
        Err(error) => {
            output.human(&format!(
                "warning: cannot read the repository metadata from {}: {error}; the title, description, url, source and licenses labels are left out (pass --repo-metadata FILE, or --no-github-api to skip the request)",
                api.url()
            ));
            None
        }
    }
}

fn split_platforms(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Resolves the command line (and `INPUT_*` variables in `env`) into a request.
pub fn request_from_cli(cli: &Cli, env: &HashMap<String, String>) -> Result<PlanRequest> {
    let inputs = MetaInputs {
        images: list_input(&cli.images, env, "images"),
        tags: list_input(&cli.tags, env, "tags"),
        flavor: list_input(&cli.flavor, env, "flavor"),
        labels: list_input(&cli.labels, env, "labels"),
        annotations: list_input(&cli.annotations, env, "annotations"),
        annotation_levels: annotation_levels(env)?,
    };
    let bake_target = cli
        .bake_target
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| non_empty(env, "INPUT_BAKE-TARGET").map(|t| t.trim().to_owned()))
        .unwrap_or_else(|| DEFAULT_BAKE_TARGET.to_owned());
    let context = match cli.context {
        Some(kind) => kind,
        None => match non_empty(env, "INPUT_CONTEXT").map(str::trim) {
            None | Some("workflow") => ContextKind::Workflow,
            Some("git") => ContextKind::Git,
            Some(other) => {
                return Err(Error::value(
                    "context",
                    other,
                    "not `workflow` or `git`",
                    "use `context: workflow` (default) or `context: git`",
                ));
            }
        },
    };
    let mut build = BuildSettings::default();
    if let Some(platforms) = cli.platforms.as_deref().filter(|p| !p.trim().is_empty()) {
        build.platforms = split_platforms(platforms);
    }
    build.cache = match cli.cache.as_deref() {
        Some("registry") => CacheMode::Registry,
        Some("none") => CacheMode::None,
        _ => CacheMode::Gha,
    };
    for arg in &cli.build_args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Error::value(
                "--build-arg",
                arg,
                "not `KEY=VALUE`",
                "e.g. `--build-arg VERSION=1.2.3`",
            ));
        };
        build.args.insert(key.to_owned(), value.to_owned());
    }
    build.secrets.clone_from(&cli.secrets);
    if let Some(context) = &cli.build_context {
        build.context.clone_from(context);
    }
    if let Some(dockerfile) = &cli.dockerfile {
        build.dockerfile.clone_from(dockerfile);
    }
    build.target.clone_from(&cli.target);
    if let Some(dest) = &cli.oci_dest {
        build.oci_dest.clone_from(dest);
    }
    let repo = cli
        .repo_metadata
        .as_deref()
        .map(read_repo_metadata)
        .transpose()?;
    Ok(PlanRequest {
        inputs,
        bake_target,
        build,
        repo,
        created: cli.created.unwrap_or_default(),
        pr_head_sha: cli.pr_head_sha,
        context,
        default_branch: None,
        github_api: !cli.no_github_api,
    })
}

fn now(env: &HashMap<String, String>) -> Result<datetime::Millis> {
    if let Some(text) = non_empty(env, "SHIPGATE_NOW") {
        return datetime::parse_rfc3339(text).ok_or_else(|| {
            Error::value(
                "SHIPGATE_NOW",
                text,
                "not an RFC 3339 time",
                "e.g. `2026-11-23T10:00:00Z`",
            )
        });
    }
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Ok(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
}

fn short_sha_length(env: &HashMap<String, String>) -> Result<usize> {
    match non_empty(env, "DOCKER_METADATA_SHORT_SHA_LENGTH") {
        None => Ok(7),
        Some(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n as usize)
            .ok_or_else(|| {
                Error::value(
                    "DOCKER_METADATA_SHORT_SHA_LENGTH",
                    text,
                    "not a number",
                    "e.g. `DOCKER_METADATA_SHORT_SHA_LENGTH=12`",
                )
            }),
    }
}

/// The tag event's `base_ref` from the GitHub event payload (not in [`CiContext`]).
fn payload_base_ref(env: &HashMap<String, String>) -> Option<String> {
    let path = non_empty(env, "GITHUB_EVENT_PATH")?;
    let text = fs_err::read_to_string(path).ok()?;
    let payload: Value = serde_json::from_str(&text).ok()?;
    payload
        .get("base_ref")
        .and_then(Value::as_str)
        .map(|r| r.strip_prefix("refs/heads/").unwrap_or(r).to_owned())
}

/// Builds what rules see from the CI context.
pub fn meta_context(
    ci: &CiContext,
    env: &HashMap<String, String>,
    created: Created,
    pr_head_sha: bool,
) -> Result<MetaContext> {
    let now = now(env)?;
    let event_name = ci.event_name.clone().unwrap_or_default();
    let mut ref_full = ci.ref_full.clone().unwrap_or_default();
    // GitLab merge requests are pull requests for `type=ref,event=pr`.
    if ci.provider == CiProvider::GitlabCi
        && ci.ref_type == Some(RefType::PullRequest)
        && let Some(number) = ci.pr_number
    {
        ref_full = format!("refs/pull/{number}/merge");
    }
    let mut sha = ci.sha.clone().unwrap_or_default();
    let env_head = non_empty(env, "DOCKER_METADATA_PR_HEAD_SHA")
        .is_some_and(|v| v.to_lowercase().contains("true"));
    let on_pr = event_name.contains("pull_request")
        || (ci.provider == CiProvider::GitlabCi && ci.ref_type == Some(RefType::PullRequest));
    if (env_head || pr_head_sha)
        && on_pr
        && let Some(head) = &ci.pr_head_sha
    {
        sha.clone_from(head);
    }
    let base_ref = if ref_full.starts_with("refs/tags/") {
        if ci.provider == CiProvider::GithubActions {
            payload_base_ref(env).unwrap_or_default()
        } else {
            String::new()
        }
    } else if ref_full.starts_with("refs/pull/") {
        ci.pr_base_ref.clone().unwrap_or_default()
    } else {
        String::new()
    };
    let commit_date = ci
        .commit_timestamp
        .as_deref()
        .and_then(datetime::parse_rfc3339);
    let epoch = || -> Result<Option<datetime::Millis>> {
        match non_empty(env, "SOURCE_DATE_EPOCH") {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .map(|s| Some(s * 1000))
                .map_err(|_| {
                    Error::value(
                        "SOURCE_DATE_EPOCH",
                        text,
                        "not a number of seconds",
                        "e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`",
                    )
                }),
        }
    };
    let created = match created {
        Created::Auto => epoch()?,
        Created::Now => None,
        Created::SourceDateEpoch => Some(epoch()?.ok_or_else(|| {
            Error::value(
                "SOURCE_DATE_EPOCH",
                "",
                "is not set but --created source-date-epoch asks for it",
                "export SOURCE_DATE_EPOCH, or use --created commit",
            )
        })?),
        Created::Commit => Some(commit_date.unwrap_or(now)),
    };
    Ok(MetaContext {
        event_name,
        ref_full,
        sha,
        base_ref,
        default_branch: ci.default_branch.clone(),
        now,
        commit_date: commit_date.unwrap_or(now),
        short_sha_length: short_sha_length(env)?,
        created,
    })
}

/// True when the commit date is used: `{{commit_date}}` in an input, or `--created commit`.
fn needs_commit_date(request: &PlanRequest) -> bool {
    let inputs = &request.inputs;
    request.created == Created::Commit
        || [
            &inputs.tags,
            &inputs.flavor,
            &inputs.labels,
            &inputs.annotations,
        ]
        .iter()
        .any(|text| text.contains("commit_date"))
}

/// Computes a plan: reads the CI context from `env` (git at `dir` outside CI), evaluates
/// the rules and builds the matrix and bake file. With [`PlanRequest::github_api`], inside
/// GitHub Actions, a commit date the payload lacks is asked from the GitHub API when the
/// rules use it (a failure is a warning in the plan, and the current time is used).
pub fn plan(request: &PlanRequest, env: &HashMap<String, String>, dir: &Path) -> Result<Plan> {
    let mut ci = match request.context {
        ContextKind::Workflow => CiContext::from_env_map(env, dir)?,
        ContextKind::Git => {
            let mut local = CiContext::local(dir);
            local.event_name = non_empty(env, "GITHUB_EVENT_NAME").map(str::to_owned);
            local
        }
    };
    if ci.default_branch.is_none() {
        ci.default_branch.clone_from(&request.default_branch);
    }
    let mut context = meta_context(&ci, env, request.created, request.pr_head_sha)?;
    let mut api_warning = None;
    if request.github_api
        && ci.provider == CiProvider::GithubActions
        && ci.commit_timestamp.is_none()
        && !context.sha.is_empty()
        && needs_commit_date(request)
        && let Some(api) = RepoApi::from_env(env)
    {
        match api.fetch_commit_date(&context.sha) {
            Ok(date) if datetime::parse_rfc3339(&date).is_some() => {
                ci.commit_timestamp = Some(date);
                context = meta_context(&ci, env, request.created, request.pr_head_sha)?;
            }
            result => {
                let reason = match result {
                    Ok(date) => format!("`{date}` is not an RFC 3339 time"),
                    Err(error) => error.to_string(),
                };
                api_warning = Some(format!(
                    "cannot read the commit date from {}: {reason}; the current time is used instead",
                    api.commit_url(&context.sha)
                ));
            }
        }
    }
    let mut meta = compute(&request.inputs, &context, request.repo.as_ref())?;
    meta.warnings.splice(0..0, api_warning);
    let github = ci.provider == CiProvider::GithubActions;
    let matrix = matrix(&request.build, &request.bake_target, &meta.images, github)?;
    let bake = bake_file(&meta, &request.build, &request.bake_target, &matrix);
    let trigger = match (context.event_name.as_str(), context.ref_full.as_str()) {
        ("", "") => "a run without event or ref".to_owned(),
        ("", git_ref) => format!("`{git_ref}`"),
        (event, "") => format!("a `{event}` event without a ref"),
        (event, git_ref) => format!("`{event}` of `{git_ref}`"),
    };
    Ok(Plan {
        trigger,
        meta,
        bake_target: request.bake_target.clone(),
        build: request.build.clone(),
        matrix,
        bake,
    })
}

/// Computes the plan of a loaded `shipgate.yaml` (what `shipgate plan` runs). Paths are
/// resolved against `base_dir`, the spec's directory.
pub fn plan_from_spec(
    spec: &shipgate_spec::Spec,
    base_dir: &Path,
    options: &SpecOptions,
    env: &HashMap<String, String>,
) -> Result<Plan> {
    let image = &spec.image;
    let pairs = |map: &BTreeMap<String, String>| {
        map.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let join_path = |p: &str| {
        let relative = p.trim_start_matches("./");
        if base_dir.as_os_str().is_empty() || base_dir == Path::new(".") {
            p.to_owned()
        } else if relative.is_empty() || relative == "." {
            base_dir.display().to_string()
        } else {
            base_dir.join(relative).display().to_string()
        }
    };
    let build_spec = spec.build.clone().unwrap_or_default();
    let request = PlanRequest {
        inputs: MetaInputs {
            images: image.repositories().join("\n"),
            tags: image.tags.join("\n"),
            flavor: image.flavor.join("\n"),
            labels: pairs(&image.labels),
            annotations: pairs(&image.annotations),
            annotation_levels: annotation_levels(env)?,
        },
        bake_target: options
            .bake_target
            .clone()
            .unwrap_or_else(|| DEFAULT_BAKE_TARGET.to_owned()),
        build: BuildSettings {
            context: join_path(&image.context),
            dockerfile: join_path(&image.dockerfile),
            target: image.target.clone(),
            platforms: options
                .platforms
                .clone()
                .unwrap_or_else(|| image.platforms.clone()),
            cache: build_spec.cache,
            args: build_spec.args,
            secrets: build_spec.secrets,
            ..BuildSettings::default()
        },
        repo: options.repo.clone(),
        created: options.created,
        pr_head_sha: options.pr_head_sha,
        context: ContextKind::Workflow,
        default_branch: spec.ci.as_ref().map(|ci| ci.default_branch.clone()),
        github_api: options.github_api,
    };
    plan(&request, env, base_dir)
}

/// The action's `json` output.
pub fn action_json(meta: &Meta) -> Value {
    json!({
        "tags": meta.tags,
        "tag-names": meta.tag_names,
        "labels": build::object(&meta.labels),
        "annotations": meta.annotations,
    })
}

/// The machine-readable plan (`--format json`).
pub fn plan_json(plan: &Plan, bake_file: Option<&Path>) -> Value {
    let mut doc = json!({
        "version": plan.meta.version.main.clone().unwrap_or_default(),
        "latest": plan.meta.version.latest,
        "tags": plan.meta.tags,
        "tag-names": plan.meta.tag_names,
        "labels": build::object(&plan.meta.labels),
        "annotations": plan.meta.annotations,
        "platforms": plan.build.platforms,
        "matrix": {"include": plan.matrix},
        "warnings": plan.meta.warnings,
    });
    if let Some(path) = bake_file {
        doc["bake-file"] = json!(path.display().to_string());
    }
    doc
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(|source| Error::Write {
            what: "a bake file",
            source,
        })?;
    }
    fs_err::write(path, text).map_err(|source| Error::Write {
        what: "a bake file",
        source,
    })
}

fn bake_dir(
    options: &OutputOptions,
    output: &Output,
    env: &HashMap<String, String>,
) -> Option<PathBuf> {
    if let Some(dir) = &options.bake_dir {
        return Some(dir.clone());
    }
    output.env().github_output.as_ref()?;
    let base = non_empty(env, "RUNNER_TEMP").map_or_else(std::env::temp_dir, PathBuf::from);
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    Some(base.join(format!("buildx-plan-{}-{unique}", std::process::id())))
}

/// Writes a plan: the action's outputs (`$GITHUB_OUTPUT` / dotenv), the bake files, the
/// JSON document or the human summary. Returns [`Error::Empty`] when no tag was generated
/// and `allow_empty` is off (after writing the outputs).
pub fn write_outputs(
    plan: &Plan,
    output: &Output,
    options: &OutputOptions,
    env: &HashMap<String, String>,
) -> Result<Exit> {
    let meta = &plan.meta;
    let target = &plan.bake_target;
    let bake_target_file =
        |content: Value| escape_bake(json!({"target": {target.as_str(): content}}));
    let mut tags_target = serde_json::Map::new();
    tags_target.insert("tags".into(), json!(meta.tags));
    tags_target.insert("args".into(), Value::Object(build::meta_args(meta)));
    let mut outputs: Vec<(&str, String)> = vec![
        ("version", meta.version.main.clone().unwrap_or_default()),
        ("tags", meta.tags.join(&options.sep_tags)),
        ("tag-names", meta.tag_names.join(&options.sep_tags)),
        (
            "labels",
            meta.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(&options.sep_labels),
        ),
        (
            "annotations",
            meta.annotations.join(&options.sep_annotations),
        ),
        (
            "json",
            serde_json::to_string(&action_json(meta)).unwrap_or_default(),
        ),
    ];
    if let Some(dir) = bake_dir(options, output, env) {
        let files = [
            (
                "bake-file-tags",
                "tags",
                bake_target_file(Value::Object(tags_target.clone())),
            ),
            (
                "bake-file-labels",
                "labels",
                bake_target_file(json!({"labels": build::object(&meta.labels)})),
            ),
            (
                "bake-file-annotations",
                "annotations",
                bake_target_file(json!({"annotations": meta.annotations})),
            ),
            ("bake-file", "", {
                let mut all = tags_target.clone();
                all.insert("labels".into(), build::object(&meta.labels));
                bake_target_file(Value::Object(all))
            }),
            ("bake-file-build", "build", plan.bake.clone()),
        ];
        for (name, suffix, content) in files {
            let file = match suffix {
                "" => dir.join("docker-metadata-action-bake.json"),
                "build" => dir.join("buildx-plan-bake.json"),
                _ => dir.join(format!("docker-metadata-action-bake-{suffix}.json")),
            };
            write_json(&file, &content)?;
            outputs.push((name, file.display().to_string()));
        }
    }
    if let Some(path) = &options.bake_file {
        write_json(path, &plan.bake)?;
    }
    outputs.push((
        "matrix",
        serde_json::to_string(&json!({"include": plan.matrix})).unwrap_or_default(),
    ));
    outputs.push(("platforms", plan.build.platforms.join(",")));
    for (name, value) in &outputs {
        output.set_output(name, value)?;
    }
    export_env(&outputs, output, env)?;
    for warning in &meta.warnings {
        output.human(&format!("warning: {warning}"));
    }
    match options.format {
        Format::Json => output.try_json(&plan_json(plan, options.bake_file.as_deref()))?,
        Format::Human => {
            output.human(&format!(
                "version: {}",
                meta.version.main.as_deref().unwrap_or("(none)")
            ));
            output.human("tags:");
            for tag in &meta.tags {
                output.human(&format!("  {tag}"));
            }
            output.human("labels:");
            for (key, value) in &meta.labels {
                output.human(&format!("  {key}={value}"));
            }
            if !meta.annotations.is_empty() {
                output.human("annotations:");
                for annotation in &meta.annotations {
                    output.human(&format!("  {annotation}"));
                }
            }
            output.human("matrix:");
            for entry in &plan.matrix {
                output.human(&format!(
                    "  {} on {}{}",
                    entry.platform,
                    entry.runner,
                    if entry.qemu { " (QEMU)" } else { "" }
                ));
            }
        }
    }
    if meta.version.main.is_none() && !options.allow_empty {
        return Err(Error::Empty {
            trigger: plan.trigger.clone(),
        });
    }
    Ok(Exit::Pass)
}

/// The action's `DOCKER_METADATA_OUTPUT_<NAME>` variables: every output is also appended
/// to `$GITHUB_ENV` inside GitHub Actions, unless `DOCKER_METADATA_SET_OUTPUT_ENV` is false.
fn export_env(
    outputs: &[(&str, String)],
    output: &Output,
    env: &HashMap<String, String>,
) -> Result<()> {
    let enabled = match non_empty(env, "DOCKER_METADATA_SET_OUTPUT_ENV") {
        None => true,
        Some(text) => match text.to_lowercase().as_str() {
            "1" | "t" | "true" => true,
            "0" | "f" | "false" => false,
            _ => {
                return Err(Error::value(
                    "DOCKER_METADATA_SET_OUTPUT_ENV",
                    text,
                    "not a boolean",
                    "use true or false",
                ));
            }
        },
    };
    let Some(path) =
        non_empty(env, "GITHUB_ENV").filter(|_| enabled && output.env().github_actions)
    else {
        return Ok(());
    };
    let mut text = String::new();
    for (name, value) in outputs {
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        text.push_str(&shipgate_core::output::github_output_entry(
            &format!("DOCKER_METADATA_OUTPUT_{name}"),
            value,
        ));
    }
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| Error::Write {
            what: "the step environment ($GITHUB_ENV)",
            source,
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|source| Error::Write {
        what: "the step environment ($GITHUB_ENV)",
        source,
    })
}

/// Runs `buildx-plan` with parsed arguments, in this process's environment.
pub fn run(cli: Cli) -> Result<Exit> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let output = Output::from_env()
        .with_json_file(cli.output.clone())
        .with_dotenv(cli.dotenv.clone());
    run_with(&cli, &env, &dir, &output)
}

/// Runs `buildx-plan` with an explicit environment, directory and output sink (tests).
pub fn run_with(
    cli: &Cli,
    env: &HashMap<String, String>,
    dir: &Path,
    output: &Output,
) -> Result<Exit> {
    let mut request = request_from_cli(cli, env)?;
    request.repo = repo_metadata(request.repo.take(), !cli.no_github_api, env, output);
    let plan = plan(&request, env, dir)?;
    let options = OutputOptions {
        format: cli.format,
        sep_tags: separator(cli.sep_tags.as_ref(), env, "sep-tags"),
        sep_labels: separator(cli.sep_labels.as_ref(), env, "sep-labels"),
        sep_annotations: separator(cli.sep_annotations.as_ref(), env, "sep-annotations"),
        bake_file: cli.bake_file.clone(),
        bake_dir: cli.bake_dir.clone(),
        allow_empty: cli.allow_empty,
    };
    write_outputs(&plan, output, &options, env)
}

/// The PEP 440 normal form of `text` (`1.1beta2` → `1.1b2`), or `None` when it is not a
/// PEP 440 version.
pub fn pep440_normalize(text: &str) -> Option<String> {
    version::Pep440::parse(text).map(|v| v.normalized())
}

/// `x.y.z[-pre]` of a SemVer version (`v1.2.3+build` → `1.2.3`), or `None` when node-semver
/// would reject it.
pub fn semver_normalize(text: &str) -> Option<String> {
    version::Semver::parse(text).map(|v| v.version())
}
