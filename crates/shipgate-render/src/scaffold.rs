//! The repository scaffolder behind `shipgate init`.
//!
//! [`detect`] looks at a repository (its manifests, sources, an existing Dockerfile and the
//! git remote) and returns a [`Detection`]; [`scaffold`] turns a detection into the files
//! `shipgate init` offers to write: a commented `shipgate.yaml`, and a hardened multi-stage
//! `Dockerfile` and a `.dockerignore` when the repository has none. Whether an existing
//! file may be overwritten is the caller's decision.
//!
//! Templates live in `templates/init/` and `templates/dockerfile/` and are embedded in the
//! binary.

mod detect;
mod go;
mod node;
mod python;
mod render;
mod rust;

use std::path::{Path, PathBuf};

use serde::Serialize;
use shipgate_core::exit::{Exit, ExitStatus};

/// The files [`scaffold`] proposes: the same type the CI renderers return.
pub use crate::engine::GeneratedFile;
pub use detect::{parse_git_remote, sanitize_name};

/// The kind of project found in a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectKind {
    /// A Cargo package or workspace (`Cargo.toml`).
    Rust,
    /// A Go module (`go.mod`).
    Go,
    /// A Python project (`pyproject.toml`, `requirements*.txt` or `setup.py`).
    Python,
    /// A Node.js package (`package.json`).
    Node,
    /// An existing Dockerfile in a language shipgate does not recognise.
    Dockerfile,
    /// Nothing recognisable: the scaffold is a skeleton to complete.
    Unknown,
}

impl ProjectKind {
    /// The kind's display name, e.g. `Rust`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rust => "Rust",
            Self::Go => "Go",
            Self::Python => "Python",
            Self::Node => "Node.js",
            Self::Dockerfile => "Dockerfile",
            Self::Unknown => "unknown",
        }
    }

    /// The kind's identifier, as used in template names, e.g. `rust`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::Go => "go",
            Self::Python => "python",
            Self::Node => "node",
            Self::Dockerfile => "dockerfile",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ProjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A network server found in the project: the port it listens on and the framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHint {
    /// The TCP port the server listens on inside the container.
    pub port: u16,
    /// The web framework or server, e.g. `axum`, `flask`, `express`; `None` when only the
    /// standard library (or an `EXPOSE` line) says it is a server.
    pub framework: Option<String>,
}

impl std::fmt::Display for ServerHint {
    /// `axum server on port 3000`, or `server on port 3000` without a framework.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.framework {
            Some(framework) => write!(f, "{framework} server on port {}", self.port),
            None => write!(f, "server on port {}", self.port),
        }
    }
}

/// The code forge hosting the repository, from its `origin` remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    /// github.com: images on `ghcr.io`, GitHub Actions, GitHub's OIDC issuer.
    GitHub,
    /// gitlab.com: images on `registry.gitlab.com`, GitLab CI, GitLab's OIDC issuer.
    GitLab,
}

/// What an existing Dockerfile says about the image it builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingDockerfile {
    /// Its path relative to the repository root (`Dockerfile` or `Containerfile`).
    pub path: String,
    /// The ports of its `EXPOSE` lines, in order.
    pub exposes: Vec<u16>,
    /// Whether it declares a `HEALTHCHECK` (other than `HEALTHCHECK NONE`).
    pub has_healthcheck: bool,
}

/// How the scaffolded Dockerfile builds the project, per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildRecipe {
    /// `cargo build --release --bin <binary>`.
    Rust {
        /// The binary target to build and run.
        binary: String,
        /// Whether `Cargo.lock` exists, so the build can pass `--locked`.
        locked: bool,
        /// The Rust toolchain of the builder image, e.g. `1.95`.
        rust_version: String,
    },
    /// `go build` of one main package, cross-compiled with `GOOS`/`GOARCH`.
    Go {
        /// The main package, relative to the module root: `.` or `./cmd/<name>`.
        package: String,
        /// The Go release of the builder image, e.g. `1.24` (from the `go` directive).
        go_version: String,
    },
    /// A virtualenv built with pip and copied into a slim runtime.
    Python {
        /// The Python release of both images, e.g. `3.13`.
        python_version: String,
        /// The requirements file installed first, when there is one.
        requirements: Option<String>,
        /// Whether the project itself is installed (`pip install .`): it has a
        /// `pyproject.toml` with a build system or a `setup.py`.
        install_project: bool,
        /// The command the container runs, in exec form.
        command: Vec<String>,
    },
    /// `npm ci` of the production dependencies, and `npm run build` when there is one.
    Node {
        /// The Node.js major release of both images, e.g. `24`.
        node_version: String,
        /// Whether `package-lock.json` exists (`npm ci`), else `npm install`.
        lockfile: bool,
        /// Whether `package.json` has a `build` script to run.
        build_script: bool,
        /// The command the container runs, in exec form.
        command: Vec<String>,
    },
}

/// Everything [`detect`] learned about a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The kind of project.
    pub kind: ProjectKind,
    /// The project name, sanitised into a valid image repository component (see
    /// [`sanitize_name`]), e.g. `web-api`.
    pub name: String,
    /// A one-line description from the project's manifest.
    pub description: Option<String>,
    /// The SPDX license expression from the project's manifest.
    pub license: Option<String>,
    /// The server the project runs, when one was found.
    pub server: Option<ServerHint>,
    /// Whether the repository already has a Dockerfile (or Containerfile).
    pub has_dockerfile: bool,
    /// What the existing Dockerfile declares, when there is one.
    pub dockerfile: Option<ExistingDockerfile>,
    /// Whether the repository already has a `.dockerignore`.
    pub has_dockerignore: bool,
    /// The repository's path on its forge, `owner/name` (GitLab: `group/sub/name`), parsed
    /// from `git config remote.origin.url`.
    pub repository: Option<String>,
    /// The forge `repository` lives on.
    pub forge: Option<Forge>,
    /// The branch that deploys to staging: the remote's default branch, else `main`.
    pub default_branch: String,
    /// How a scaffolded Dockerfile builds the project; `None` for [`ProjectKind::Dockerfile`]
    /// and [`ProjectKind::Unknown`].
    pub build: Option<BuildRecipe>,
    /// Things the user should know about the detection, one sentence each.
    pub notes: Vec<String>,
}

impl Detection {
    /// The image repository `shipgate.yaml` publishes: `ghcr.io/<owner>/<name>` for a GitHub
    /// remote, the project's own path on `registry.gitlab.com` for a GitLab remote, else
    /// `ghcr.io/example/<name>` (a placeholder the user must change).
    pub fn image(&self) -> String {
        match (self.forge, self.repository.as_deref()) {
            (Some(Forge::GitHub), Some(repository)) => {
                let owner = repository.split('/').next().unwrap_or("example");
                format!("ghcr.io/{}/{}", sanitize_name(owner), self.name)
            }
            (Some(Forge::GitLab), Some(repository)) => {
                let path: Vec<String> = repository.split('/').map(sanitize_name).collect();
                format!("registry.gitlab.com/{}", path.join("/"))
            }
            _ => format!("ghcr.io/example/{}", self.name),
        }
    }

    /// True when the image name and signing identity are placeholders (no known remote).
    pub fn is_placeholder(&self) -> bool {
        self.repository.is_none() || self.forge.is_none()
    }
}

/// A failure to inspect a repository or to render its scaffold.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// The path given to [`detect`] is not a directory.
    #[error("{} is not a directory", path.display())]
    #[diagnostic(
        code("scaffold-not-a-directory"),
        help("run `shipgate init` at the root of the repository to scaffold")
    )]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A project manifest could not be parsed.
    #[error("cannot parse {}: {message}", path.display())]
    #[diagnostic(
        code("scaffold-bad-manifest"),
        help(
            "fix the file (its own tool reports the same problem), then run `shipgate init` again"
        )
    )]
    Manifest {
        /// The manifest, e.g. `Cargo.toml`.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// Reading the repository failed.
    #[error(transparent)]
    #[diagnostic(code("scaffold-io"))]
    Io(#[from] std::io::Error),
    /// A scaffold template failed to render: a bug in shipgate's templates.
    #[error("cannot render the scaffold template {name}: {message}")]
    #[diagnostic(
        code("scaffold-template"),
        help("this is a bug in shipgate: please report it with the output of `shipgate init`")
    )]
    Template {
        /// The template's name, e.g. `init/shipgate.yaml`.
        name: String,
        /// What Handlebars said.
        message: String,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::NotADirectory { .. } | Self::Manifest { .. } => Exit::BadInput,
            Self::Io(_) | Self::Template { .. } => Exit::Environment,
        }
    }
}

/// This module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Inspects the repository at `dir`: its language, name, server, Dockerfile and remote.
///
/// Runs `git config --get remote.origin.url` in `dir` for the repository; without git or
/// a remote the image name is a placeholder.
pub fn detect(dir: &Path) -> Result<Detection> {
    detect::detect(dir)
}

/// The files `shipgate init` proposes for a detected repository: `shipgate.yaml` always,
/// `Dockerfile` only when the repository has none, `.dockerignore` only when it is missing.
pub fn scaffold(detection: &Detection) -> Result<Vec<GeneratedFile>> {
    render::scaffold(detection)
}
