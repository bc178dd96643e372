//! Why an audit could not run (not a finding: an unreadable input).

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};

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
}

/// The result of an audit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Read { .. } => Exit::BadInput,
        }
    }
}
