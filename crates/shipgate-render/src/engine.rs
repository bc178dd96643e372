//! The template engine behind `shipgate render` and `shipgate init`, and what every CI
//! provider shares.
//!
//! One Handlebars registry in strict mode (a typo in a template is an error, not an empty
//! string), with HTML escaping off, holding every template of the workspace's `templates/`
//! folder (`github/`, `gitlab/`, `partials/` for CI files; `init/`, `dockerfile/` for the
//! scaffolder), embedded in the binary. Helpers:
//!
//! - `{{yaml value}}` writes any JSON value as a YAML scalar that parses back to exactly
//!   that value (see [`yaml_scalar`]), after `key: `, after `- `, and as an item of a flow
//!   sequence or mapping; `{{yaml value indent=10}}` may write a multi-line string as a
//!   literal block indented by that many spaces. Every user value in YAML goes through it.
//! - `{{docker_str value}}` writes a string as a double-quoted Dockerfile string (see
//!   [`docker_string`]).
//! - `{{uses "owner/repo"}}` writes `owner/repo@<sha> # vX.Y.Z` from [`crate::pins`].
//! - `{{image "registry/repo"}}` writes `registry/repo@sha256:… # vX.Y.Z` from [`crate::pins`].
//!
//! GitHub's `${{ … }}` is written in templates as `${{{{raw}}}}{{ … }}{{{{/raw}}}}` or
//! `$\{{ … }}`, so Handlebars leaves it alone.
//!
//! [`render_ci`] is the entry point the CLI calls.

use std::path::PathBuf;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, no_escape,
};
use include_dir::{Dir, include_dir};
use serde::Serialize;
use serde_json::Value;
use shipgate_core::exit::{Exit, ExitStatus};
pub use shipgate_core::generated::GeneratedFile;
use shipgate_spec::{CiProvider, Spec};

use crate::pins;

/// The workspace's `templates/` folder, embedded at build time.
pub static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../templates");

/// Why CI files could not be rendered from a spec.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// A spec value cannot be expressed in the CI file (the loader accepts more than one
    /// provider can run, or the spec did not come through the loader).
    #[error("cannot render {pointer}: {message}")]
    #[diagnostic(code("render-unsupported"), help("{help}"))]
    Unsupported {
        /// Where in the spec, as a JSON pointer, e.g. `/image/platforms/0`.
        pointer: String,
        /// What is wrong with it.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// The `spec_path` option is not a relative path inside the repository.
    #[error("the spec path `{spec_path}` is not a relative path inside the repository")]
    #[diagnostic(
        code("render-spec-path"),
        help(
            "pass the spec's path relative to the repository root, with `/` separators, e.g. `shipgate.yaml`"
        )
    )]
    SpecPath {
        /// The path given.
        spec_path: String,
    },
    /// A template failed to parse or render: a bug in shipgate's templates.
    #[error("cannot render the template {name}: {message}")]
    #[diagnostic(
        code("render-template"),
        help("this is a bug in shipgate: please report it with the spec that triggers it")
    )]
    Template {
        /// The template's name, e.g. `github/shipgate.yml`.
        name: String,
        /// What Handlebars said.
        message: String,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Unsupported { .. } | Self::SpecPath { .. } => Exit::BadInput,
            Self::Template { .. } => Exit::Environment,
        }
    }
}

/// This module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How [`render_ci`] renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// The spec's path relative to the repository root, with `/` separators, e.g.
    /// `shipgate.yaml` or `deploy/shipgate.yaml`. Paths in the spec are relative to its
    /// directory; the generated files name it in their header and pass it to every stage.
    pub spec_path: String,
}

/// Renders the CI files `spec.ci.providers` asks for (GitHub Actions when unset):
/// `.github/workflows/shipgate.yml` and/or `.gitlab-ci.yml`, in that order.
pub fn render_ci(spec: &Spec, options: &RenderOptions) -> Result<Vec<GeneratedFile>> {
    let engine = Engine::new()?;
    let model = Model::new(spec, options)?;
    let mut providers = spec
        .ci
        .as_ref()
        .map(|ci| ci.providers.clone())
        .unwrap_or_default();
    if providers.is_empty() {
        providers.push(CiProvider::Github);
    }
    providers.sort();
    providers.dedup();
    providers
        .into_iter()
        .map(|provider| match provider {
            CiProvider::Github => crate::github::render(&engine, &model),
            CiProvider::Gitlab => crate::gitlab::render(&engine, &model),
        })
        .collect()
}

/// The Handlebars registry holding every template and helper.
#[derive(Debug)]
pub struct Engine {
    registry: Handlebars<'static>,
}

impl Engine {
    /// Registers every `*.hbs` template under `templates/`, named by its path without the
    /// extension (e.g. `github/shipgate.yml`, `partials/header`, `init/shipgate.yaml`);
    /// a template is also usable as a partial under that name.
    pub fn new() -> Result<Self> {
        let mut registry = registry();
        register_dir(&mut registry, &TEMPLATES)?;
        Ok(Self { registry })
    }

    /// Renders the template `name` with `data`.
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String> {
        self.registry
            .render(name, data)
            .map_err(|error| Error::Template {
                name: name.to_owned(),
                message: error.to_string(),
            })
    }

    /// Renders the template `name` with `data` into the file at `path`.
    pub fn render_file(
        &self,
        name: &str,
        path: &str,
        data: &impl Serialize,
    ) -> Result<GeneratedFile> {
        Ok(GeneratedFile {
            path: PathBuf::from(path),
            contents: self.render(name, data)?,
        })
    }

    /// The names of the registered templates, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .registry
            .get_templates()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names
    }
}

/// An empty registry in strict mode, without HTML escaping, with every helper.
fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(no_escape);
    registry.register_helper("yaml", Box::new(yaml_helper));
    registry.register_helper(
        "docker_str",
        string_helper("docker_str", |text| Ok(docker_string(text))),
    );
    registry.register_helper(
        "uses",
        string_helper("uses", |action| {
            pins::pin(action)
                .map(|pin| pin.uses())
                .ok_or_else(|| not_pinned(format!("`{action}`")))
        }),
    );
    registry.register_helper(
        "image",
        string_helper("image", |image| {
            pins::image(image)
                .map(|pin| pin.pinned())
                .ok_or_else(|| not_pinned(format!("image `{image}`")))
        }),
    );
    registry
}

fn register_dir(registry: &mut Handlebars<'static>, dir: &Dir<'_>) -> Result<()> {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        let Some(name) = path.strip_suffix(".hbs") else {
            continue;
        };
        let source = file.contents_utf8().ok_or_else(|| Error::Template {
            name: name.to_owned(),
            message: "the template is not UTF-8".to_owned(),
        })?;
        registry
            .register_template_string(name, source)
            .map_err(|error| Error::Template {
                name: name.to_owned(),
                message: error.to_string(),
            })?;
    }
    for sub in dir.dirs() {
        register_dir(registry, sub)?;
    }
    Ok(())
}

fn yaml_helper(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let param = helper
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("yaml", 0))?;
    // Strict mode does not check helper parameters: a missing field is a template bug.
    if param.is_value_missing() {
        return Err(RenderErrorReason::Other(format!(
            "`yaml` of `{}`, which is not in the template's data",
            param.relative_path().map(String::as_str).unwrap_or("?")
        ))
        .into());
    }
    let value = param.value();
    let indent = helper.hash_get("indent").and_then(|v| v.value().as_u64());
    let text = match (value, indent) {
        (Value::String(text), Some(indent)) => {
            yaml_block(text, usize::try_from(indent).unwrap_or(0))
                .unwrap_or_else(|| yaml_string(text))
        }
        _ => yaml_scalar(value),
    };
    out.write(&text)?;
    Ok(())
}

/// A helper that writes `write(text)` for its one string parameter `text`, e.g.
/// `{{uses "actions/checkout"}}`.
fn string_helper(
    name: &'static str,
    write: impl Fn(&str) -> Result<String, RenderError> + Send + Sync + 'static,
) -> Box<dyn HelperDef + Send + Sync> {
    Box::new(
        move |helper: &Helper<'_>,
              _: &Handlebars<'_>,
              _: &Context,
              _: &mut RenderContext<'_, '_>,
              out: &mut dyn Output|
              -> HelperResult {
            let text = helper
                .param(0)
                .and_then(|param| param.value().as_str())
                .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
            out.write(&write(text)?)?;
            Ok(())
        },
    )
}

/// The error of `uses` and `image` for a name missing from [`crate::pins`].
fn not_pinned(what: String) -> RenderError {
    RenderErrorReason::Other(format!(
        "{what} is not in the pin table (crates/shipgate-render/src/pins.rs)"
    ))
    .into()
}

// ---------------------------------------------------------------------------------------
// YAML scalars

/// Writes a JSON value as a YAML value that parses back to the same value, for use after
/// `key: ` or `- ` in block context, or as an item of a flow sequence (`[…]`) or mapping
/// (`{k: …}`).
///
/// Strings stay plain only when plain style is unambiguous in both YAML 1.1 and 1.2 (so
/// GitHub's and GitLab's parsers agree) and in both block and flow context; otherwise
/// they are double-quoted with escapes. Arrays and objects are written in flow style with
/// every string double-quoted.
pub fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => yaml_string(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(yaml_flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{}: {}", yaml_double_quoted(key), yaml_flow(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn yaml_flow(value: &Value) -> String {
    match value {
        Value::String(text) => yaml_double_quoted(text),
        other => yaml_scalar(other),
    }
}

/// A string as a YAML scalar: plain when unambiguous in block and flow context, else
/// double-quoted.
pub fn yaml_string(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        yaml_double_quoted(text)
    }
}

/// Words YAML 1.1 or 1.2 resolves to a boolean or null in plain style (any case).
const RESERVED_WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// True when `text` written plain, in block or flow context, parses back as the same
/// string under YAML 1.1 and 1.2. Deliberately conservative: anything doubtful is quoted.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // Letters, `_`, `/` and `$` never start an indicator, a number, `~`, `.inf` or `<<`.
    if !(first.is_ascii_alphabetic() || matches!(first, '_' | '/' | '$')) {
        return false;
    }
    // Flow indicators end a plain scalar inside `[…]` or `{…}` (and `{{`/`}}` would read
    // as a template expression); some YAML 1.1 parsers reject any `:` in a flow scalar.
    text.chars()
        .all(|c| (' '..='~').contains(&c) && !matches!(c, ',' | '[' | ']' | '{' | '}' | ':'))
        && !text.ends_with(' ')
        && !text.contains(" #")
        && !RESERVED_WORDS
            .iter()
            .any(|word| text.eq_ignore_ascii_case(word))
}

/// A string as a YAML double-quoted scalar, escaping `"`, `\` and every character YAML
/// does not allow raw (controls, DEL, C1 controls, line and paragraph separators, BOM).
pub fn yaml_double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A multi-line string as a YAML literal block (`|` or `|-`) whose lines are indented by
/// `indent` spaces, or `None` when a literal block could not hold it exactly (a single
/// line, control characters, a line starting or ending with a space, several trailing
/// newlines), in which case the caller quotes it.
pub fn yaml_block(text: &str, indent: usize) -> Option<String> {
    if !text.contains('\n') || indent == 0 {
        return None;
    }
    let (body, header) = match text.strip_suffix('\n') {
        Some(body) if body.ends_with('\n') || body.is_empty() => return None,
        Some(body) => (body, "|"),
        None => (text, "|-"),
    };
    let printable = |c: char| {
        c == '\n' || (!c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}'))
    };
    if !body.chars().all(printable) {
        return None;
    }
    let lines: Vec<&str> = body.split('\n').collect();
    if lines.first().is_some_and(|line| line.is_empty())
        || lines
            .iter()
            .any(|line| line.starts_with(' ') || line.ends_with(' '))
    {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = header.to_owned();
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Some(out)
}

/// A double-quoted Dockerfile string (JSON escapes), with `$` escaped so the builder does
/// not expand it.
pub fn docker_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_else(|_| format!("\"{}\"", text.replace('"', "'")))
        .replace('$', "\\$")
}

/// A word for a POSIX shell: unchanged when it holds only safe characters, else
/// single-quoted (a `'` inside becomes `'\''`).
pub fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '.' | '/' | '-' | '+' | '=' | ':' | '@' | ',')
        });
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

// ---------------------------------------------------------------------------------------
// What every provider needs to know about the spec

/// The spec, resolved into the facts a CI file is written from: paths relative to the
/// repository root, registry hosts and their credentials, the platform matrix, the
/// deploy graph. Built once and validated before any template runs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Model {
    /// The spec's path relative to the repository root.
    pub(crate) spec_path: String,
    /// The command that regenerates the files, for their header.
    pub(crate) regenerate: String,
    /// The repository's default branch.
    pub(crate) default_branch: String,
    /// Build context, relative to the repository root (`.` for the root).
    pub(crate) context: String,
    /// Dockerfile, relative to the repository root.
    pub(crate) dockerfile: String,
    /// Build stage to target.
    pub(crate) target: Option<String>,
    /// Platforms, in the spec's order.
    pub(crate) platforms: Vec<Platform>,
    /// Build arguments, sorted by name.
    pub(crate) build_args: Vec<BuildArg>,
    /// Build secrets, in the spec's order.
    pub(crate) build_secrets: Vec<BuildSecret>,
    /// The layer cache.
    pub(crate) cache: Cache,
    /// Registries to log in to before the push, in order of first appearance.
    pub(crate) registries: Vec<Registry>,
    /// Signing, when the spec signs.
    pub(crate) sign: Option<Signing>,
    /// The SBOM file name the sbom stage writes.
    pub(crate) sbom_file: &'static str,
    /// Deploy environments, in the spec's order.
    pub(crate) environments: Vec<Environment>,
}

/// One platform of the build matrix.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Platform {
    /// `os/arch[/variant]`, e.g. `linux/arm64`.
    pub(crate) platform: String,
    /// A name-safe form, e.g. `linux-arm64` (artifact and cache names).
    pub(crate) slug: String,
    /// The GitHub-hosted runner that builds it natively (or under QEMU when `emulated`).
    pub(crate) runner: &'static str,
    /// True when no GitHub-hosted runner has this architecture: QEMU emulates it.
    pub(crate) emulated: bool,
}

/// A `--build-arg`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BuildArg {
    /// Argument name.
    pub(crate) name: String,
    /// Argument value.
    pub(crate) value: String,
}

/// A build secret and the CI secret/variable it is read from.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BuildSecret {
    /// The id the Dockerfile mounts (`RUN --mount=type=secret,id=…`).
    pub(crate) id: String,
    /// The CI secret (GitHub) or variable (GitLab) holding it: the id in upper case.
    pub(crate) env: String,
}

/// The layer cache.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub(crate) enum Cache {
    /// The GitHub Actions cache.
    Gha,
    /// A registry repository.
    Registry {
        /// The repository cache tags go to (the first push registry).
        repository: String,
        /// Its registry.
        registry: Registry,
    },
    /// No cache.
    None,
}

/// A registry host and where its credentials come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Registry {
    /// The host, e.g. `ghcr.io`, `docker.io`, `registry.example.com:5000`.
    pub(crate) host: String,
    /// The secret/variable name prefix: `<PREFIX>_USERNAME`, `<PREFIX>_PASSWORD`.
    pub(crate) secret_prefix: String,
    /// True for `ghcr.io` (GitHub's token logs in).
    pub(crate) ghcr: bool,
    /// True for `registry.gitlab.com` (GitLab's job credentials log in).
    pub(crate) gitlab: bool,
}

/// How the image is signed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Signing {
    /// Keyless: the CI's OIDC identity.
    pub(crate) keyless: bool,
    /// The secret/variable holding the private key (`key: env://VAR`, or `COSIGN_KEY`
    /// when neither a key nor keyless is set).
    pub(crate) key_env: Option<String>,
    /// A key file in the repository (`key: path`), relative to the repository root.
    pub(crate) key_file: Option<String>,
}

/// Whether a trigger is a branch or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RefKind {
    /// `on: { branch: … }`
    Branch,
    /// `on: { tag: … }`
    Tag,
}

impl RefKind {
    /// `branch` or `tag`, for comments.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::Tag => "tag",
        }
    }

    /// The full ref prefix, `refs/heads/` or `refs/tags/`.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Self::Branch => "refs/heads/",
            Self::Tag => "refs/tags/",
        }
    }
}

/// How a ref glob can be matched: the first three fit an expression, the last needs a
/// regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefMatch {
    /// No `*`: the name itself.
    Exact(String),
    /// `prefix*` with no `/` in the prefix: starts with it, no `/` after it.
    Prefix(String),
    /// `prefix**`: starts with it.
    PrefixAny(String),
    /// Anything else: the regex of [`glob_regex`].
    Pattern,
}

/// One deploy environment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Environment {
    /// The environment name (validated: `[a-z0-9-]`).
    pub(crate) name: String,
    /// Branch or tag.
    pub(crate) kind: RefKind,
    /// The spec's glob: `*` matches within one `/` segment, `**` across segments, every
    /// other character is literal.
    pub(crate) glob: String,
    /// The environment this one waits for.
    pub(crate) needs: Option<String>,
    /// The URL shown on the CI environment.
    pub(crate) url: Option<String>,
    /// How the trigger is matched.
    #[serde(skip)]
    pub(crate) matcher: RefMatch,
}

/// The data of `partials/header`, the comment atop every generated CI file.
#[derive(Debug, Serialize)]
pub(crate) struct Header {
    /// The command that regenerates the file.
    regenerate: String,
    /// The spec it is generated from.
    spec: String,
}

impl Model {
    /// The data of the generated file's header.
    pub(crate) fn header(&self) -> Header {
        Header {
            regenerate: self.regenerate.clone(),
            spec: self.spec_path.clone(),
        }
    }

    /// Resolves and validates `spec` for rendering.
    pub(crate) fn new(spec: &Spec, options: &RenderOptions) -> Result<Self> {
        let spec_path = options.spec_path.clone();
        let spec_dir = spec_directory(&spec_path)?;
        let ci = spec.ci.clone().unwrap_or_default();
        let default_branch = ci.default_branch.clone();
        check_ref_text(&default_branch, "/ci/default-branch")?;

        let context = join_relative(&spec_dir, &spec.image.context, "/image/context")?;
        let dockerfile = join_relative(&spec_dir, &spec.image.dockerfile, "/image/dockerfile")?;
        let platforms = spec
            .image
            .platforms
            .iter()
            .enumerate()
            .map(|(i, platform)| parse_platform(platform, &format!("/image/platforms/{i}")))
            .collect::<Result<Vec<_>>>()?;
        if platforms.is_empty() {
            return Err(unsupported(
                "/image/platforms",
                "no platform to build",
                "list at least one platform, e.g. `platforms: [linux/amd64]`",
            ));
        }

        let build = spec.build.clone().unwrap_or_default();
        let build_args = build
            .args
            .iter()
            .map(|(name, value)| {
                let pointer = format!("/build/args/{}", name.replace('~', "~0").replace('/', "~1"));
                if name.is_empty() || name.contains(['=', '\n', '\r', ' ', '\t']) {
                    return Err(unsupported(
                        &pointer,
                        "a build argument name must be non-empty, without `=` or whitespace",
                        "rename the build argument",
                    ));
                }
                if value.contains(['\n', '\r']) {
                    return Err(unsupported(
                        &pointer,
                        "a build argument value must be one line (CI files pass them one per line)",
                        "pass multi-line values through a file in the build context",
                    ));
                }
                Ok(BuildArg {
                    name: name.clone(),
                    value: value.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let build_secrets = build
            .secrets
            .iter()
            .enumerate()
            .map(|(i, id)| build_secret(id, &format!("/build/secrets/{i}")))
            .collect::<Result<Vec<_>>>()?;

        let repositories: Vec<String> = match spec.push.as_ref().map(|push| &push.registries) {
            Some(registries) if !registries.is_empty() => registries.clone(),
            _ => spec
                .image
                .repositories()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        };
        let repositories_pointer = if spec
            .push
            .as_ref()
            .is_some_and(|push| !push.registries.is_empty())
        {
            "/push/registries"
        } else {
            "/image"
        };
        let mut registries: Vec<Registry> = Vec::new();
        for (i, repository) in repositories.iter().enumerate() {
            let registry = registry_of(repository, &format!("{repositories_pointer}/{i}"))?;
            if !registries.contains(&registry) {
                registries.push(registry);
            }
        }

        let cache = match build.cache {
            shipgate_spec::CacheMode::Gha => Cache::Gha,
            shipgate_spec::CacheMode::None => Cache::None,
            shipgate_spec::CacheMode::Registry => {
                match (repositories.first(), registries.first()) {
                    (Some(repository), Some(registry)) => Cache::Registry {
                        repository: repository.clone(),
                        registry: registry.clone(),
                    },
                    _ => {
                        return Err(unsupported(
                            "/build/cache",
                            "`cache: registry` needs a registry to push the cache to",
                            "set `image.name` or `push.registries`, or use `cache: gha`",
                        ));
                    }
                }
            }
        };

        let sign = spec
            .sign
            .as_ref()
            .map(|sign| signing(sign, &spec_dir))
            .transpose()?;
        let sbom_file = match spec
            .sbom
            .as_ref()
            .map(|sbom| sbom.format)
            .unwrap_or_default()
        {
            shipgate_spec::SbomFormat::CyclonedxJson => "sbom.cdx.json",
            shipgate_spec::SbomFormat::SpdxJson => "sbom.spdx.json",
        };
        let environments = environments(spec)?;

        Ok(Self {
            regenerate: format!("shipgate render --spec {}", shell_word(&spec_path)),
            spec_path,
            default_branch,
            context,
            dockerfile,
            target: spec.image.target.clone(),
            platforms,
            build_args,
            build_secrets,
            cache,
            registries,
            sign,
            sbom_file,
            environments,
        })
    }

    /// The environment called `name`.
    pub(crate) fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments
            .iter()
            .find(|environment| environment.name == name)
    }
}

fn unsupported(pointer: &str, message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::Unsupported {
        pointer: pointer.to_owned(),
        message: message.into(),
        help: help.into(),
    }
}

/// The directory of `spec_path` (`""` at the root), after checking the path is relative,
/// inside the repository and printable.
fn spec_directory(spec_path: &str) -> Result<String> {
    let bad = || Error::SpecPath {
        spec_path: spec_path.to_owned(),
    };
    if spec_path.is_empty()
        || spec_path.starts_with('/')
        || spec_path.contains('\\')
        || spec_path.ends_with('/')
        || spec_path.chars().any(char::is_control)
    {
        return Err(bad());
    }
    let normal = normalize(spec_path).ok_or_else(bad)?;
    Ok(match normal.rsplit_once('/') {
        Some((dir, _)) => dir.to_owned(),
        None => String::new(),
    })
}

/// `path` without `.` segments and with `..` applied; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `path` (relative to the spec's directory) relative to the repository root; `.` for the
/// root itself.
fn join_relative(spec_dir: &str, path: &str, pointer: &str) -> Result<String> {
    let escape = || {
        unsupported(
            pointer,
            format!("`{path}` is not a relative path inside the repository"),
            "use a path relative to the directory of the spec, inside the repository",
        )
    };
    if path.starts_with('/') || path.contains('\\') || path.chars().any(char::is_control) {
        return Err(escape());
    }
    let joined = if spec_dir.is_empty() {
        path.to_owned()
    } else {
        format!("{spec_dir}/{path}")
    };
    let normal = normalize(&joined).ok_or_else(escape)?;
    Ok(if normal.is_empty() {
        ".".to_owned()
    } else {
        normal
    })
}

fn parse_platform(platform: &str, pointer: &str) -> Result<Platform> {
    let parts: Vec<&str> = platform.split('/').collect();
    let arch = match parts.as_slice() {
        ["linux", arch] | ["linux", arch, _] => *arch,
        [os, ..] if *os != "linux" => {
            return Err(unsupported(
                pointer,
                format!("platform `{platform}` is not a Linux platform"),
                "shipgate's CI files build Linux images; build Windows images separately",
            ));
        }
        _ => {
            return Err(unsupported(
                pointer,
                format!("`{platform}` is not a platform (`os/arch[/variant]`)"),
                "write platforms like `linux/amd64` or `linux/arm/v7`",
            ));
        }
    };
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if !parts.iter().all(|part| valid(part)) {
        return Err(unsupported(
            pointer,
            format!("`{platform}` is not a platform (`os/arch[/variant]`)"),
            "write platforms like `linux/amd64` or `linux/arm/v7`",
        ));
    }
    let (runner, emulated) = match arch {
        "amd64" | "386" => ("ubuntu-24.04", false),
        "arm64" | "arm" => ("ubuntu-24.04-arm", false),
        _ => ("ubuntu-24.04", true),
    };
    Ok(Platform {
        platform: platform.to_owned(),
        slug: parts.join("-"),
        runner,
        emulated,
    })
}

/// An upper-case secret/variable name from `text`: letters and digits kept, anything
/// else becomes `_`, prefixed when it would start with a digit.
pub(crate) fn secret_name(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "REGISTRY_");
    }
    name
}

fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.to_ascii_uppercase().starts_with("GITHUB_")
}

fn build_secret(id: &str, pointer: &str) -> Result<BuildSecret> {
    let valid_id = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let env = secret_name(id);
    if !valid_id || !valid_variable_name(&env) {
        return Err(unsupported(
            pointer,
            format!("`{id}` cannot name a build secret"),
            "use letters, digits, `_`, `-` and `.`, starting with a letter; the CI secret is the id in upper case with `_` for `-` and `.`",
        ));
    }
    Ok(BuildSecret {
        id: id.to_owned(),
        env,
    })
}

/// The registry host of an image repository (Docker's rules: the first component is a
/// host when it has a `.` or a `:`, or is `localhost`; otherwise Docker Hub).
fn registry_of(repository: &str, pointer: &str) -> Result<Registry> {
    let invalid = |why: &str| {
        unsupported(
            pointer,
            format!("`{repository}` {why}"),
            "write repositories as `host[:port]/path`, e.g. `ghcr.io/acme/web` or `registry.example.com:5000/web`",
        )
    };
    let (first, rest) = match repository.split_once('/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (repository, None),
    };
    let explicit_host = rest.is_some() && (first.contains(['.', ':']) || first == "localhost");
    let host = if explicit_host {
        first.to_ascii_lowercase()
    } else {
        "docker.io".to_owned()
    };
    let host = match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
        _ => host,
    };
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host.as_str(), None),
    };
    let host_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        && !name.starts_with(['.', '-'])
        && port.is_none_or(|port| {
            !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())
        });
    if !host_ok {
        return Err(invalid(
            "does not start with a registry host shipgate can log in to",
        ));
    }
    if repository
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
        || repository.contains(['@'])
    {
        return Err(invalid("is not an image repository (no tag, no digest)"));
    }
    Ok(Registry {
        ghcr: host == "ghcr.io",
        gitlab: host == "registry.gitlab.com",
        secret_prefix: secret_name(&host),
        host,
    })
}

fn signing(sign: &shipgate_spec::Sign, spec_dir: &str) -> Result<Signing> {
    let (key_env, key_file) = match (&sign.key, sign.keyless) {
        (Some(_), _) => match sign.key_env_var() {
            Some(var) if valid_variable_name(var) => (Some(var.to_owned()), None),
            Some(var) => {
                return Err(unsupported(
                    "/sign/key",
                    format!("`{var}` cannot name a CI secret"),
                    "use letters, digits and `_`, starting with a letter and not with `GITHUB_`, e.g. `env://COSIGN_KEY`",
                ));
            }
            None => {
                let path = sign.key.as_deref().unwrap_or_default();
                (None, Some(join_relative(spec_dir, path, "/sign/key")?))
            }
        },
        (None, true) => (None, None),
        (None, false) => (Some("COSIGN_KEY".to_owned()), None),
    };
    Ok(Signing {
        keyless: sign.keyless,
        key_env,
        key_file,
    })
}

/// Refuses text that cannot appear in a CI ref filter or expression: empty, control
/// characters, or `${{` (GitHub would evaluate it).
fn check_ref_text(text: &str, pointer: &str) -> Result<()> {
    if text.is_empty() || text.chars().any(char::is_control) || text.contains("${{") {
        return Err(unsupported(
            pointer,
            format!("`{text}` is not a usable branch or tag name"),
            "use a git branch or tag name, optionally with `*` globs, e.g. `main` or `v*`",
        ));
    }
    Ok(())
}

fn environments(spec: &Spec) -> Result<Vec<Environment>> {
    let Some(deploy) = &spec.deploy else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Environment> = Vec::new();
    for (i, environment) in deploy.environments.iter().enumerate() {
        let base = format!("/deploy/environments/{i}");
        let name = &environment.name;
        let name_ok = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !name_ok {
            return Err(unsupported(
                &format!("{base}/name"),
                format!("`{name}` is not a valid environment name"),
                "use lower-case letters, digits and `-`, e.g. `staging`",
            ));
        }
        if out.iter().any(|other| &other.name == name) {
            return Err(unsupported(
                &format!("{base}/name"),
                format!("environment `{name}` is defined twice"),
                "give every environment its own name",
            ));
        }
        let (kind, glob) = match (&environment.on.branch, &environment.on.tag) {
            (Some(branch), None) => (RefKind::Branch, branch.clone()),
            (None, Some(tag)) => (RefKind::Tag, tag.clone()),
            _ => {
                return Err(unsupported(
                    &format!("{base}/on"),
                    format!("environment `{name}` needs exactly one of `branch` or `tag`"),
                    "use `on: { branch: main }` or `on: { tag: \"v*\" }`",
                ));
            }
        };
        check_ref_text(&glob, &format!("{base}/on"))?;
        if let Some(url) = &environment.url
            && (url.chars().any(char::is_control) || url.contains("${{"))
        {
            return Err(unsupported(
                &format!("{base}/url"),
                "the URL has control characters or `${{`",
                "write a plain URL",
            ));
        }
        out.push(Environment {
            name: name.clone(),
            kind,
            matcher: classify_glob(&glob),
            glob,
            needs: environment.needs.clone(),
            url: environment.url.clone(),
        });
    }
    // `needs` must name another environment and must not loop.
    for (i, environment) in out.iter().enumerate() {
        let pointer = format!("/deploy/environments/{i}/needs");
        let mut seen = vec![environment.name.as_str()];
        let mut current = environment.needs.as_deref();
        while let Some(needed) = current {
            if seen.contains(&needed) {
                return Err(unsupported(
                    &pointer,
                    format!(
                        "environment `{}` is part of a `needs` cycle",
                        environment.name
                    ),
                    "remove one `needs` of the cycle",
                ));
            }
            let Some(next) = out.iter().find(|other| other.name == needed) else {
                return Err(unsupported(
                    &pointer,
                    format!(
                        "environment `{}` needs `{needed}`, which is not defined",
                        environment.name
                    ),
                    "name an environment of `deploy.environments`",
                ));
            };
            seen.push(needed);
            current = next.needs.as_deref();
        }
    }
    Ok(out)
}

/// How `glob` can be matched (see [`RefMatch`]).
pub(crate) fn classify_glob(glob: &str) -> RefMatch {
    if !glob.contains('*') {
        return RefMatch::Exact(glob.to_owned());
    }
    if let Some(prefix) = glob.strip_suffix("**")
        && !prefix.contains('*')
    {
        return RefMatch::PrefixAny(prefix.to_owned());
    }
    if let Some(prefix) = glob.strip_suffix('*')
        && !prefix.contains(['*', '/'])
    {
        return RefMatch::Prefix(prefix.to_owned());
    }
    RefMatch::Pattern
}

/// The spec's ref glob as the body of a POSIX extended regular expression (also valid
/// RE2): `**` → `.*`, `*` → `[^/]*`, every other character literal. Not anchored.
pub(crate) fn glob_regex(glob: &str) -> String {
    let mut out = String::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str(".*");
            }
            '*' => out.push_str("[^/]*"),
            c if "\\.^$|?+()[]{}".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use yaml_rust2::{Yaml, YamlLoader};

    fn parse_one(text: &str) -> Yaml {
        let mut docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(docs.len(), 1, "{text}");
        docs.remove(0)
    }

    /// Parses `key: <scalar>` and returns the value.
    fn round_trip(text: &str) -> Yaml {
        let doc = format!("key: {}\n", yaml_string(text));
        let parsed = parse_one(&doc);
        parsed["key"].clone()
    }

    const TRICKY: &[&str] = &[
        "",
        " ",
        "  leading",
        "trailing ",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "N",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "-",
        "- item",
        "-1",
        "+1",
        "0",
        "012",
        "0x1F",
        "0o17",
        "1e3",
        "1_000",
        "1:30",
        "3.14",
        ".5",
        ".inf",
        "-.inf",
        ".NaN",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "key: value",
        "key:",
        "a #comment",
        "#comment",
        "a#b",
        "{{ var }}",
        "${{ secrets.TOKEN }}",
        "${{",
        "}}",
        "{a: 1}",
        "[1, 2]",
        "&anchor",
        "*alias",
        "!tag",
        "|literal",
        ">folded",
        "'single'",
        "\"double\"",
        "%directive",
        "@at",
        "`backtick",
        "?question",
        ":colon",
        ",comma",
        "<<",
        "=",
        "---",
        "...",
        "a\nb",
        "a\n",
        "\n",
        "tab\there",
        "cr\rlf",
        "bell\u{7}",
        "del\u{7f}",
        "nel\u{85}",
        "ls\u{2028}ps\u{2029}",
        "bom\u{feff}",
        "back\\slash",
        "quote\"inside",
        "it's",
        "héllo wörld",
        "日本語",
        "emoji 🚀",
        "linux/amd64",
        "type=gha,scope=build",
        "github.ref == 'refs/heads/main'",
        "$CI_COMMIT_BRANCH == 'main'",
        "v*",
        "**",
        "release/*",
        "A=B C",
        "--flag",
    ];

    #[test]
    fn every_tricky_string_round_trips() {
        for text in TRICKY {
            match round_trip(text) {
                Yaml::String(parsed) => {
                    assert_eq!(&parsed, text, "rendered as {}", yaml_string(text))
                }
                other => panic!(
                    "{text:?} rendered as {} parsed as {other:?}",
                    yaml_string(text)
                ),
            }
        }
    }

    #[test]
    fn every_tricky_string_round_trips_in_a_sequence() {
        for text in TRICKY {
            let doc = format!("- {}\n", yaml_string(text));
            let parsed = parse_one(&doc);
            assert_eq!(parsed[0].as_str(), Some(*text), "{doc}");
        }
    }

    #[test]
    fn every_tricky_string_round_trips_in_flow_collections() {
        for text in TRICKY.iter().chain(FLOW_TRICKY) {
            let rendered = yaml_string(text);
            let doc =
                format!("seq: [{rendered}]\nmap: {{ key: {rendered} }}\nlast: [{rendered}, x]\n");
            let parsed = parse_one(&doc);
            assert_eq!(parsed["seq"][0].as_str(), Some(*text), "{doc}");
            assert_eq!(parsed["map"]["key"].as_str(), Some(*text), "{doc}");
            assert_eq!(parsed["last"][0].as_str(), Some(*text), "{doc}");
        }
    }

    /// Strings that are only ambiguous inside `[…]` or `{…}`.
    const FLOW_TRICKY: &[&str] = &[
        "a,b",
        "a, b",
        "a]",
        "a}",
        "a[0]",
        "a{b}",
        "a:b",
        "registry.local:5000/a",
        "https://github.com/acme/web",
        "type=gha,scope=build",
    ];

    #[test]
    fn ambiguous_strings_are_double_quoted() {
        for text in [
            "yes",
            "on",
            "off",
            "no",
            "true",
            "null",
            "~",
            "1",
            "1.0",
            "",
            " a",
            "a ",
            "a: b",
            "a #b",
            "{{x}}",
            "${{ x }}",
            "-a",
            "*a",
            "&a",
            "!a",
            "a,b",
            "a]",
            "a}",
            "a:b",
            "registry.local:5000/a",
            "type=gha,scope=linux-amd64",
        ] {
            let rendered = yaml_string(text);
            assert!(
                rendered.starts_with('"') && rendered.ends_with('"'),
                "{text:?} → {rendered}"
            );
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for text in [
            "main",
            "linux/arm64",
            "ghcr.io/acme/web",
            "feature/x-1",
            "v*",
            "github.ref == 'refs/heads/main'",
            "$CI_COMMIT_BRANCH == 'main'",
            "a#b",
            "Dockerfile",
            "release/*",
        ] {
            assert_eq!(yaml_string(text), text);
        }
    }

    #[test]
    fn non_string_values() {
        for value in [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-12),
            json!(2.5),
            json!(["a", "yes", 1]),
            json!({"on": "off", "n": [null]}),
        ] {
            let doc = format!("key: {}\n", yaml_scalar(&value));
            let parsed = parse_one(&doc);
            assert_eq!(yaml_to_json(&parsed["key"]), value, "{doc}");
        }
    }

    #[test]
    fn arrays_and_objects_keep_tricky_strings() {
        let strings: Vec<Value> = TRICKY.iter().map(|s| json!(s)).collect();
        let value = Value::Array(strings.clone());
        let doc = format!("key: {}\n", yaml_scalar(&value));
        assert_eq!(yaml_to_json(&parse_one(&doc)["key"]), value);
        let object: serde_json::Map<String, Value> =
            TRICKY.iter().map(|s| ((*s).to_owned(), json!(s))).collect();
        let value = Value::Object(object);
        let doc = format!("key: {}\n", yaml_scalar(&value));
        assert_eq!(yaml_to_json(&parse_one(&doc)["key"]), value);
    }

    fn yaml_to_json(yaml: &Yaml) -> Value {
        match yaml {
            Yaml::Null => Value::Null,
            Yaml::Boolean(flag) => json!(flag),
            Yaml::Integer(number) => json!(number),
            Yaml::Real(text) => json!(text.parse::<f64>().unwrap()),
            Yaml::String(text) => json!(text),
            Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
            Yaml::Hash(map) => Value::Object(
                map.iter()
                    .map(|(key, value)| (key.as_str().unwrap().to_owned(), yaml_to_json(value)))
                    .collect(),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn literal_blocks_round_trip() {
        for text in [
            "A=1\nB=two words\n",
            "A=1\nB=2",
            "a\n\nb",
            "x: y\n# not a comment\n",
            "日本\n語",
        ] {
            let block = yaml_block(text, 4).unwrap_or_else(|| panic!("{text:?} not a block"));
            let doc = format!("outer:\n  key: {block}\n");
            let parsed = parse_one(&doc);
            assert_eq!(parsed["outer"]["key"].as_str(), Some(text), "{doc}");
        }
    }

    #[test]
    fn literal_blocks_refuse_what_they_cannot_hold() {
        for text in [
            "one line",
            " leading\nx",
            "x\n trailing ",
            "a\n\n",
            "\nfirst empty",
            "tab\t\nx",
            "cr\r\nx",
            "\n",
        ] {
            assert_eq!(yaml_block(text, 4), None, "{text:?}");
        }
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("shipgate.yaml"), "shipgate.yaml");
        assert_eq!(shell_word("my spec.yaml"), "'my spec.yaml'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn globs() {
        assert_eq!(classify_glob("main"), RefMatch::Exact("main".to_owned()));
        assert_eq!(classify_glob("v*"), RefMatch::Prefix("v".to_owned()));
        assert_eq!(classify_glob("*"), RefMatch::Prefix(String::new()));
        assert_eq!(
            classify_glob("release/**"),
            RefMatch::PrefixAny("release/".to_owned())
        );
        assert_eq!(classify_glob("release/*"), RefMatch::Pattern);
        assert_eq!(classify_glob("v*-rc*"), RefMatch::Pattern);
        assert_eq!(classify_glob("*-rc"), RefMatch::Pattern);
        assert_eq!(glob_regex("v*.*.*-rc*"), "v[^/]*\\.[^/]*\\.[^/]*-rc[^/]*");
        assert_eq!(glob_regex("release/**"), "release/.*");
        assert_eq!(glob_regex("a+b(c)"), "a\\+b\\(c\\)");
    }

    #[test]
    fn registries() {
        let host = |repo: &str| registry_of(repo, "/p").map(|r| (r.host, r.secret_prefix));
        assert_eq!(
            host("ghcr.io/acme/web").unwrap(),
            ("ghcr.io".to_owned(), "GHCR_IO".to_owned())
        );
        assert_eq!(
            host("acme/web").unwrap(),
            ("docker.io".to_owned(), "DOCKER_IO".to_owned())
        );
        assert_eq!(
            host("nginx").unwrap(),
            ("docker.io".to_owned(), "DOCKER_IO".to_owned())
        );
        assert_eq!(host("index.docker.io/acme/web").unwrap().0, "docker.io");
        assert_eq!(
            host("registry.example.com:5000/team/web").unwrap(),
            (
                "registry.example.com:5000".to_owned(),
                "REGISTRY_EXAMPLE_COM_5000".to_owned()
            )
        );
        assert_eq!(host("localhost:5000/web").unwrap().0, "localhost:5000");
        assert_eq!(
            host("10.0.0.1:5000/web").unwrap().1,
            "REGISTRY_10_0_0_1_5000"
        );
        assert!(host("exa mple.com/web").is_err());
        assert!(host("ghcr.io/acme/web@sha256:abc").is_err());
        assert!(host("[::1]:5000/web").is_err());
    }

    #[test]
    fn relative_paths() {
        assert_eq!(join_relative("", ".", "/p").unwrap(), ".");
        assert_eq!(
            join_relative("", "./Dockerfile", "/p").unwrap(),
            "Dockerfile"
        );
        assert_eq!(join_relative("deploy", ".", "/p").unwrap(), "deploy");
        assert_eq!(
            join_relative("deploy/app", "../Dockerfile", "/p").unwrap(),
            "deploy/Dockerfile"
        );
        assert!(join_relative("", "../outside", "/p").is_err());
        assert!(join_relative("", "/abs", "/p").is_err());
        assert_eq!(spec_directory("shipgate.yaml").unwrap(), "");
        assert_eq!(spec_directory("./deploy/shipgate.yaml").unwrap(), "deploy");
        assert!(spec_directory("../shipgate.yaml").is_err());
        assert!(spec_directory("/etc/shipgate.yaml").is_err());
        assert!(spec_directory("").is_err());
    }

    #[test]
    fn engine_registers_every_template() {
        let engine = Engine::new().unwrap();
        let names = engine.template_names();
        assert!(names.contains(&"github/shipgate.yml"), "{names:?}");
        assert!(names.contains(&"gitlab/gitlab-ci.yml"), "{names:?}");
        assert!(names.contains(&"partials/header"), "{names:?}");
        assert!(names.contains(&"init/shipgate.yaml"), "{names:?}");
        assert!(names.contains(&"dockerfile/rust.Dockerfile"), "{names:?}");
        assert!(names.contains(&"dockerfile/partials/labels"), "{names:?}");
    }

    #[test]
    fn writes_dockerfile_strings() {
        assert_eq!(docker_string("costs $5"), "\"costs \\$5\"");
        assert_eq!(docker_string("a \"b\""), "\"a \\\"b\\\"\"");
    }

    #[test]
    fn helpers() {
        let registry = registry();
        let out = registry
            .render_template(
                "a: {{yaml a}}\nb: {{yaml b indent=2}}\nc: {{uses \"actions/checkout\"}}\nd: {{image \"quay.io/buildah/stable\"}}\nLABEL x={{docker_str e}}\n",
                &json!({"a": "yes", "b": "x\ny\n", "e": "$HOME"}),
            )
            .unwrap();
        assert_eq!(
            out,
            "a: \"yes\"\nb: |\n  x\n  y\nc: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\nd: quay.io/buildah/stable@sha256:0000000000000000000000000000000000000000000000000000000000000000 # v1.41.3\nLABEL x=\"\\$HOME\"\n"
        );
        assert!(
            registry
                .render_template("{{uses \"nobody/nothing\"}}", &json!({}))
                .is_err()
        );
        assert!(
            registry
                .render_template("{{yaml missing}}", &json!({}))
                .is_err()
        );
    }
}
