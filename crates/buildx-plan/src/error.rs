//! buildx-plan's errors and their exit codes.

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};

/// Why `buildx-plan` could not compute or write a plan.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// A line of a list input (`tags`, `flavor`, `images`, `labels`, `annotations`) is
    /// invalid.
    #[error("invalid `{input}` line {line}: {message}\n  | {text}")]
    #[diagnostic(code("buildx-plan-input"), help("{hint}"))]
    Input {
        /// The input's name.
        input: &'static str,
        /// The 1-based line in that input.
        line: usize,
        /// The line as written.
        text: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// Another input or an environment variable holds an invalid value.
    #[error("invalid {name} `{value}`: {message}")]
    #[diagnostic(code("buildx-plan-value"), help("{hint}"))]
    Value {
        /// The flag or variable.
        name: String,
        /// Its value.
        value: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// A file given as input cannot be read.
    #[error("cannot read {what}")]
    #[diagnostic(code("buildx-plan-read"), help("check the path"))]
    Read {
        /// What was read.
        what: &'static str,
        /// The I/O error, naming the path.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file given as input is malformed.
    #[error("{what} {} is not valid JSON", path.display())]
    #[diagnostic(code("buildx-plan-json"), help("{hint}"))]
    Json {
        /// What was read.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// How to fix it.
        hint: &'static str,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// No tag was generated and `--allow-empty` was not given.
    #[error("no Docker image version has been generated: no tag rule applies to {trigger}")]
    #[diagnostic(
        code("buildx-plan-empty"),
        help(
            "check that a tag rule applies to this event (e.g. `type=ref,event=branch` for pushes, `type=semver` only on tags), add `type=sha` as a fallback, or pass --allow-empty"
        )
    )]
    Empty {
        /// The event and ref the plan was computed for.
        trigger: String,
    },
    /// A file could not be written.
    #[error("cannot write {what}")]
    #[diagnostic(
        code("buildx-plan-write"),
        help("check that the directory is writable")
    )]
    Write {
        /// What was written.
        what: &'static str,
        /// The I/O error, naming the path.
        #[source]
        source: std::io::Error,
    },
    /// The CI context could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Context(#[from] shipgate_core::ci::CiError),
    /// An output could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] shipgate_core::output::OutputError),
}

/// `Result` with buildx-plan's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Input { .. } | Self::Value { .. } | Self::Read { .. } | Self::Json { .. } => {
                Exit::BadInput
            }
            Self::Empty { .. } => Exit::GateFailed,
            Self::Write { .. } => Exit::Environment,
            Self::Context(e) => e.exit(),
            Self::Output(e) => e.exit(),
        }
    }
}

impl Error {
    pub(crate) fn input(
        input: &'static str,
        line: usize,
        text: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Input {
            input,
            line,
            text: text.to_owned(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn value(
        name: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Value {
            name: name.into(),
            value: value.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}
