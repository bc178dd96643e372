//! Why an audit could not run (not a finding: an unreadable input).

use std::path::PathBuf;

use miette::{NamedSource, SourceSpan};
use shipgate_core::exit::{Exit, ExitStatus};

/// A Dockerfile that BuildKit would refuse too. Its `Display` is the message; the file,
/// line and source line come from the diagnostic's source code and label.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code("audit::dockerfile"))]
pub struct DockerfileError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[help]
    pub hint: String,
    /// The file's text, named by its path.
    #[source_code]
    pub src: NamedSource<String>,
    /// The offending line.
    #[label("here")]
    pub span: SourceSpan,
}

/// A YAML or JSON file that does not parse. Its `Display` is the message; the file, line
/// and source line come from the diagnostic's source code and label.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code("audit::syntax"))]
pub struct SyntaxError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[help]
    pub hint: Option<String>,
    /// The file's text, named by its path.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where it went wrong.
    #[label("here")]
    pub span: SourceSpan,
}

/// Why an audit could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code("audit::read"))]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A Dockerfile that BuildKit would refuse too.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Dockerfile(Box<DockerfileError>),
    /// A YAML or JSON file that does not parse.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),
    /// A workload object without the pod spec its kind must have.
    #[error("{}: {object} has no `{field}`", path.display())]
    #[diagnostic(
        code("audit::no-pod-spec"),
        help(
            "check the spelling of the keys on the way to the pod spec (`spec.template.spec` for a Deployment)"
        )
    )]
    NoPodSpec {
        /// The file.
        path: PathBuf,
        /// The object (`Deployment/web`).
        object: String,
        /// The missing field path.
        field: String,
    },
    /// A file or folder that holds no Kubernetes object to audit.
    #[error("{} holds no Kubernetes object (nothing has both `apiVersion` and `kind`)", path.display())]
    #[diagnostic(
        code("audit::no-objects"),
        help(
            "pass rendered manifests; for a Helm chart run `helm-render audit` or `helm template` first"
        )
    )]
    NoObjects {
        /// The file or folder.
        path: PathBuf,
    },
}

impl Error {
    /// A [`Error::Syntax`] at byte `offset` of `text`.
    pub(crate) fn syntax(
        path: &std::path::Path,
        text: &str,
        offset: usize,
        message: String,
        hint: Option<String>,
    ) -> Self {
        let offset = offset.min(text.len());
        let (line, column) = shipgate_core::diagnostic::line_col(text, offset);
        Self::Syntax(Box::new(SyntaxError {
            path: path.to_owned(),
            line,
            column,
            message,
            hint,
            src: NamedSource::new(path.display().to_string(), text.to_owned()),
            span: (offset, 1).into(),
        }))
    }

    /// A [`Error::Dockerfile`] at 1-based `line` of `text`.
    pub(crate) fn dockerfile(
        path: &std::path::Path,
        text: &str,
        line: usize,
        message: String,
        hint: String,
    ) -> Self {
        let start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = text[start.min(text.len())..]
            .split('\n')
            .next()
            .map_or(1, |l| l.trim_end_matches('\r').len().max(1));
        Self::Dockerfile(Box::new(DockerfileError {
            path: path.to_owned(),
            line,
            message,
            hint,
            src: NamedSource::new(path.display().to_string(), text.to_owned()),
            span: (start.min(text.len()), len).into(),
        }))
    }
}

/// The result of an audit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Read { .. }
            | Self::Dockerfile(_)
            | Self::Syntax(_)
            | Self::NoObjects { .. }
            | Self::NoPodSpec { .. } => Exit::BadInput,
        }
    }
}
