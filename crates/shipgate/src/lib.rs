//! The `shipgate` umbrella CLI: scaffold a repository, validate its `shipgate.yaml`,
//! print the spec's JSON Schema, render the CI files it describes, plan the image's tags
//! and build, push and promote images.
//!
//! `main.rs` only parses [`Cli`] and hands it to [`run`]; every command lives in its own
//! module under `commands/`.

mod commands;
pub mod env_vars;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use shipgate_core::exit::{Exit, ExitStatus};

/// From Dockerfile to Kubernetes, safely: build, SBOM, scan, sign, push and digest-pinned
/// deploy, described once in shipgate.yaml.
#[derive(Debug, Parser)]
#[command(
    name = "shipgate",
    version,
    propagate_version = true,
    after_help = Exit::help_table(),
    max_term_width = 100
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The `shipgate` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect the repository and write shipgate.yaml, a hardened Dockerfile and .dockerignore.
    ///
    /// Existing files are kept unless --force is given.
    #[command(after_help = Exit::help_table())]
    Init(InitArgs),
    /// Check shipgate.yaml: YAML syntax, then schema, then semantics.
    ///
    /// Every problem of the first failing pass is reported as FILE:LINE:COL with the source
    /// line and a hint; the exit code is 2 when the spec is invalid.
    #[command(after_help = Exit::help_table())]
    Validate(ValidateArgs),
    /// Print the JSON Schema of shipgate.yaml (for editors and check-jsonschema).
    #[command(after_help = Exit::help_table())]
    Schema(SchemaArgs),
    /// Write the CI files described by shipgate.yaml (GitHub Actions, GitLab CI).
    ///
    /// With --check, nothing is written: the files are rendered in memory and compared with
    /// the tree; a stale file prints its diff and the exit code is 1.
    #[command(after_help = Exit::help_table())]
    Render(RenderArgs),
    /// Show the whole flow on the bundled example repository: scaffold, validate, render.
    #[command(after_help = Exit::help_table())]
    Demo(DemoArgs),
    /// Push an image with its referrers from an OCI layout to one or more registries.
    ///
    /// Blobs go first (skipped when present, mounted when the registry has them in another
    /// repository, uploaded in parallel and checked while they stream), then manifests and
    /// indexes with their exact bytes, then every referrer in the layout (signatures, SBOMs,
    /// attestations), then tags last: if anything fails before the tag step, no tag has
    /// moved, and running the command again completes the push.
    ///
    /// Credentials come from SHIPGATE_REGISTRY_USERNAME and SHIPGATE_REGISTRY_PASSWORD,
    /// docker's config.json (credential helpers included), or GITHUB_TOKEN for ghcr.io.
    #[command(after_help = Exit::help_table())]
    Push(PushArgs),
    /// Copy an image by digest between registries with all its referrers.
    ///
    /// Indexes are copied recursively and every manifest keeps its exact bytes, so the
    /// digest is identical on both sides and a signed, attested image arrives signed and
    /// attested. The destination's tag (or else the source's) is set last.
    #[command(after_help = Exit::help_table())]
    Promote(PromoteArgs),
    /// Compute the image's tags, labels, annotations, platform matrix and bake file.
    ///
    /// Runs buildx-plan on shipgate.yaml's `image` and `build` sections: the tag rules,
    /// flavor, labels and annotations use docker/metadata-action's grammar, the git context
    /// comes from GitHub Actions, GitLab CI or the local repository. Inside GitHub Actions
    /// the action's outputs are set (`version`, `tags`, `labels`, `json`, `bake-file-*`,
    /// `matrix`...). The repository labels (title, description, url, source, licenses) come
    /// from --repo-metadata or the GitHub API (`GITHUB_API_URL`, `GITHUB_REPOSITORY`,
    /// `GITHUB_TOKEN`); offline they are left out with a warning. SHIPGATE_NOW (RFC 3339)
    /// fixes the current time, SOURCE_DATE_EPOCH the `created` label.
    #[command(after_help = Exit::help_table())]
    Plan(PlanArgs),
    /// Run the vulnerability and configuration gate with the spec's `scan` policy.
    ///
    /// Reads scanner reports (Trivy, Grype, SARIF, CycloneDX, osv-scanner), or matches the
    /// build's SBOM (given, or generated from the image) against an offline OSV database, and audits the spec's Dockerfile when
    /// `scan.misconfig` is on. The spec's `fail-on`, `only-fixed`, `ignore` and `vex` apply;
    /// flags override them. Exit 1 when findings are over the policy.
    #[command(after_help = Exit::help_table())]
    Scan(ScanArgs),
    /// Generate the image's SBOM in the spec's format, and attach it as an OCI referrer.
    ///
    /// Runs sbom-attach: the SBOM is generated from SOURCE (`oci-dir:`, `oci-archive:`,
    /// `docker-archive:`, `registry:`, `dir:`) in the spec's `sbom.format`, written to
    /// --output, and, when the spec's `sbom.attach` is `referrer` and --attach names the image
    /// by digest, attached to it: in the registry, or with --to in the OCI layout that
    /// `shipgate push` uploads next.
    #[command(after_help = Exit::help_table())]
    Sbom(SbomArgs),
}

/// Where the spec is.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecArg {
    /// The spec file.
    #[arg(long, value_name = "FILE", default_value = shipgate_spec::DEFAULT_SPEC_FILE, env = env_vars::SPEC, hide_env_values = true)]
    pub spec: PathBuf,
}

/// How machine-readable results are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, on stderr.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Arguments of `shipgate init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The repository to scaffold.
    #[arg(long, value_name = "DIR", default_value = ".", env = env_vars::DIR, hide_env_values = true)]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long, env = env_vars::FORCE, hide_env_values = true)]
    pub force: bool,
}

/// Arguments of `shipgate validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub spec: SpecArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t, env = env_vars::FORMAT, hide_env_values = true)]
    pub format: Format,
}

/// Arguments of `shipgate schema`.
#[derive(Debug, Clone, clap::Args)]
pub struct SchemaArgs {
    /// Write the schema to this file instead of stdout.
    #[arg(long, value_name = "FILE", env = env_vars::OUTPUT, hide_env_values = true)]
    pub output: Option<PathBuf>,
}

/// Arguments of `shipgate render`.
#[derive(Debug, Clone, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub spec: SpecArg,
    /// The repository root the CI files are written under.
    #[arg(long, value_name = "DIR", default_value = ".", env = env_vars::DIR, hide_env_values = true)]
    pub dir: PathBuf,
    /// Compare instead of writing: exit 1 and print a diff when a file is stale.
    #[arg(long, env = env_vars::CHECK, hide_env_values = true)]
    pub check: bool,
}

/// Arguments of `shipgate demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where the example repository is written: a new or empty directory, or a previous demo's (which is replaced).
    #[arg(long, value_name = "DIR", default_value = "shipgate-demo", env = env_vars::OUT, hide_env_values = true)]
    pub out: PathBuf,
}

/// How the registry client behaves (shared by `push` and `promote`).
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Use plain HTTP for registries that are not on this machine (loopback registries always use it).
    #[arg(long, env = env_vars::INSECURE, hide_env_values = true)]
    pub insecure: bool,
    /// How many blobs are uploaded at once.
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=32), env = env_vars::JOBS, hide_env_values = true)]
    pub jobs: u16,
    /// Seconds one registry request may take (blob transfers get one more second per MiB).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..), env = env_vars::TIMEOUT, hide_env_values = true)]
    pub timeout: u64,
    /// How many times a request is retried after a connection failure, a 5xx or a 429.
    #[arg(long, value_name = "N", default_value_t = 4, env = env_vars::RETRIES, hide_env_values = true)]
    pub retries: u32,
}

/// Arguments of `shipgate push`.
#[derive(Debug, Clone, clap::Args)]
pub struct PushArgs {
    /// The image: `oci-dir:PATH[:TAG]`, `oci-archive:FILE`, a layout path, or `registry:REF`.
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Where to push: `registry:REF` or a plain reference; a tag given here is set last, a
    /// destination without one gets the layout's tag.
    #[arg(value_name = "DEST", required = true)]
    pub destinations: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub registry: RegistryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t, env = env_vars::FORMAT, hide_env_values = true)]
    pub format: Format,
    /// Write the JSON result to this file instead of stdout.
    #[arg(long, value_name = "FILE", env = env_vars::OUTPUT, hide_env_values = true)]
    pub output: Option<PathBuf>,
}

/// Arguments of `shipgate promote`.
#[derive(Debug, Clone, clap::Args)]
pub struct PromoteArgs {
    /// The image to copy: a reference by tag or digest (`registry:` prefix optional).
    #[arg(value_name = "SRC")]
    pub source: String,
    /// Where to copy it: a repository, with a tag to set (else the source's tag is used).
    #[arg(value_name = "DEST")]
    pub destination: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub registry: RegistryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t, env = env_vars::FORMAT, hide_env_values = true)]
    pub format: Format,
    /// Write the JSON result to this file instead of stdout.
    #[arg(long, value_name = "FILE", env = env_vars::OUTPUT, hide_env_values = true)]
    pub output: Option<PathBuf>,
}

/// Arguments of `shipgate plan`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub spec: SpecArg,
    /// Platforms to build instead of the spec's, comma-separated.
    #[arg(long, value_name = "LIST", env = env_vars::PLATFORMS, hide_env_values = true)]
    pub platforms: Option<String>,
    /// Target name in the bake files.
    #[arg(long, value_name = "NAME", default_value = buildx_plan::DEFAULT_BAKE_TARGET, env = env_vars::BAKE_TARGET, hide_env_values = true)]
    pub bake_target: String,
    /// The JSON of GitHub's `GET /repos/{owner}/{repo}`, for the repository labels (instead
    /// of asking the GitHub API).
    #[arg(long, value_name = "FILE", env = env_vars::REPO_METADATA, hide_env_values = true)]
    pub repo_metadata: Option<PathBuf>,
    /// Do not ask the GitHub API for the repository metadata (its labels are then left out
    /// unless --repo-metadata is given).
    #[arg(long, env = env_vars::NO_GITHUB_API, hide_env_values = true)]
    pub no_github_api: bool,
    /// Where the `created` label's time comes from.
    #[arg(long, value_enum, default_value_t, env = env_vars::CREATED, hide_env_values = true)]
    pub created: buildx_plan::Created,
    /// On pull requests, tag the PR head commit instead of the merge commit.
    #[arg(long, env = env_vars::PR_HEAD_SHA, hide_env_values = true)]
    pub pr_head_sha: bool,
    /// Exit 0 with a warning when no tag rule applies (default: exit 1).
    #[arg(long, env = env_vars::ALLOW_EMPTY, hide_env_values = true)]
    pub allow_empty: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t, env = env_vars::FORMAT, hide_env_values = true)]
    pub format: Format,
    /// Write the JSON plan to this file instead of stdout.
    #[arg(long, value_name = "FILE", env = env_vars::OUTPUT, hide_env_values = true)]
    pub output: Option<PathBuf>,
    /// Write the build bake file (context, platforms, cache, `output: type=oci`) to FILE.
    #[arg(long, value_name = "FILE", env = env_vars::BAKE_FILE, hide_env_values = true)]
    pub bake_file: Option<PathBuf>,
    /// Directory for the action-compatible bake files [default: a new directory under
    /// $RUNNER_TEMP, only inside GitHub Actions].
    #[arg(long, value_name = "DIR", env = env_vars::BAKE_DIR, hide_env_values = true)]
    pub bake_dir: Option<PathBuf>,
    /// GitLab CI dotenv report for the outputs (written only inside GitLab CI).
    #[arg(long, value_name = "FILE", env = env_vars::DOTENV, hide_env_values = true)]
    pub dotenv: Option<PathBuf>,
}

/// Arguments of `shipgate sbom`.
#[derive(Debug, Clone, clap::Args)]
pub struct SbomArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub spec: SpecArg,
    /// What to read: `oci-dir:PATH[:TAG]`, `oci-archive:FILE`, `docker-archive:FILE`,
    /// `registry:REF` or `dir:PATH`.
    #[arg(value_name = "SOURCE", env = env_vars::SOURCE, hide_env_values = true)]
    pub source: String,
    /// The SBOM format [default: the spec's `sbom.format`].
    #[arg(long, value_enum, value_name = "FORMAT", env = env_vars::SBOM_FORMAT, hide_env_values = true)]
    pub sbom_format: Option<sbom_attach::Format>,
    /// Write the SBOM to this file (stdout when not given and nothing is attached).
    #[arg(long, short, value_name = "FILE", env = env_vars::OUTPUT, hide_env_values = true)]
    pub output: Option<PathBuf>,
    /// Attach the SBOM to this image, by digest (`NAME@sha256:…`).
    #[arg(long, value_name = "IMAGE@DIGEST", requires = "output", env = env_vars::ATTACH, hide_env_values = true)]
    pub attach: Option<String>,
    /// Write the referrer into this OCI layout (`oci-dir:PATH`) instead of the registry.
    #[arg(long, value_name = "oci-dir:PATH", requires = "attach", env = env_vars::ATTACH_TO, hide_env_values = true)]
    pub to: Option<String>,
    /// The platform to read from a multi-platform image [default: this machine's].
    #[arg(long, value_name = "OS/ARCH", env = env_vars::PLATFORM, hide_env_values = true)]
    pub platform: Option<String>,
    /// Use plain HTTP for every registry (loopback registries always do).
    #[arg(long, env = env_vars::INSECURE, hide_env_values = true)]
    pub insecure: bool,
}

/// Arguments of `shipgate scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub spec: SpecArg,
    /// A scanner report to gate (repeatable; the format is detected from the content).
    #[arg(long = "report", value_name = "FILE", env = env_vars::REPORTS, value_delimiter = ',', hide_env_values = true)]
    pub reports: Vec<PathBuf>,
    /// The build's SBOM (CycloneDX or SPDX JSON), matched against --osv.
    #[arg(long, value_name = "FILE", requires = "osv", env = env_vars::SBOM, hide_env_values = true)]
    pub sbom: Option<PathBuf>,
    /// The built image (`oci-dir:PATH`, `oci-archive:FILE`, …): its SBOM is generated here
    /// and matched against --osv.
    #[arg(long, value_name = "SOURCE", requires = "osv", conflicts_with = "sbom", env = env_vars::IMAGE, hide_env_values = true)]
    pub image: Option<String>,
    /// An offline OSV database (a folder of OSV JSON files or osv.dev's `all.zip`).
    #[arg(long, value_name = "DIR|ZIP", env = env_vars::OSV, hide_env_values = true)]
    pub osv: Option<PathBuf>,
    /// Kubernetes manifests (a file or a folder) to audit as well.
    #[arg(long, value_name = "PATH", env = env_vars::MANIFESTS, hide_env_values = true)]
    pub manifests: Option<PathBuf>,
    /// Do not audit the Dockerfile even when the spec's `scan.misconfig` is on.
    #[arg(long, env = env_vars::NO_MISCONFIG, hide_env_values = true)]
    pub no_misconfig: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub gate: gate_scan::GateArgs,
}

/// Why a `shipgate` command could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// The spec could not be loaded.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Spec(#[from] shipgate_spec::Error),
    /// Rendering failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Render(#[from] shipgate_render::Error),
    /// Detecting or scaffolding the repository failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scaffold(#[from] shipgate_render::scaffold::Error),
    /// An image source, a registry or a layout failed (push, promote).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Oci(#[from] shipgate_oci::Error),
    /// The plan could not be computed or written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] buildx_plan::Error),
    /// The gate could not read its inputs or write its outputs.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scan(#[from] gate_scan::Error),
    /// The SBOM could not be generated or attached.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Sbom(#[from] sbom_attach::Error),
    /// Reading or writing a file failed.
    #[error("{context}")]
    #[diagnostic(code("io"))]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error, which names the path.
        #[source]
        source: std::io::Error,
    },
    /// A path given on the command line cannot be used.
    #[error("{message}")]
    #[diagnostic(code("bad-usage"))]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        hint: Option<String>,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Spec(error) => error.exit(),
            Self::Scaffold(error) => error.exit(),
            Self::Oci(error) => error.exit(),
            Self::Plan(error) => error.exit(),
            Self::Scan(error) => error.exit(),
            Self::Sbom(error) => error.exit(),
            Self::Render(_) | Self::Usage { .. } => Exit::BadInput,
            Self::Io { .. } => Exit::Environment,
        }
    }
}

impl Error {
    fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}

/// Runs a parsed `shipgate` command line.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Init(args) => commands::init::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Schema(args) => commands::schema::run(&args),
        Command::Render(args) => commands::render::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
        Command::Push(args) => commands::push::run(&args),
        Command::Promote(args) => commands::promote::run(&args),
        Command::Plan(args) => commands::plan::run(&args),
        Command::Scan(args) => commands::scan::run(&args),
        Command::Sbom(args) => commands::sbom::run(&args),
    }
}
