//! The spec's errors: one diagnostic per problem, all of a pass reported together.

use std::fmt;
use std::path::PathBuf;

use miette::Diagnostic;
use shipgate_core::exit::{Exit, ExitStatus};

/// The loading pass that found a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Pass 1: the text is not valid YAML.
    Syntax,
    /// Pass 2: types, enums, required and unknown keys.
    Schema,
    /// Pass 3: references, names, platforms and consistency.
    Semantics,
}

impl fmt::Display for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "syntax",
            Self::Schema => "schema",
            Self::Semantics => "semantic",
        })
    }
}

/// One problem in a spec, pointing at its line and column.
pub type SpecDiagnostic = shipgate_core::diagnostic::SourceDiagnostic;

/// Every problem one pass found in a spec file.
#[derive(Debug, Clone)]
pub struct InvalidSpec {
    /// The spec file as given.
    pub file: String,
    /// The pass that found the problems (later passes did not run).
    pub pass: Pass,
    /// The problems, in document order.
    pub diagnostics: Vec<SpecDiagnostic>,
}

impl fmt::Display for InvalidSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.diagnostics.len();
        write!(
            f,
            "{} is invalid: {count} {} error{}",
            self.file,
            self.pass,
            if count == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for InvalidSpec {}

impl Diagnostic for InvalidSpec {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("invalid-spec"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics.iter().map(|d| d as &dyn Diagnostic),
        ))
    }
}

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read spec {}", path.display())]
    #[diagnostic(
        code("spec-unreadable"),
        help("pass the spec with --spec FILE, or run `shipgate init` to create shipgate.yaml")
    )]
    Read {
        /// The path that was tried.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The spec was read but is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] InvalidSpec),
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        Exit::BadInput
    }
}

/// A `Result` whose error is the spec's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
