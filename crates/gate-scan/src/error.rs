//! gate-scan's errors and their exit codes: an input that cannot be read is exit 2, never
//! a pass; a file that cannot be written is exit 3.

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};

use crate::policy::InvalidPolicy;

/// Why `gate-scan` could not reach a verdict.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// An input file could not be read.
    #[error("cannot read {what} {}", path.display())]
    #[diagnostic(code("scan-read"), help("check the path"))]
    Read {
        /// What was read ("report", "VEX document", …).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A report is not valid JSON or not the shape its format requires.
    #[error("{} is not a readable {format} report: {message} (at {json_path})", path.display())]
    #[diagnostic(
        code("scan-report-invalid"),
        help(
            "a truncated or hand-edited report cannot be gated; produce it again with the scanner's JSON output"
        )
    )]
    Report {
        /// The file.
        path: PathBuf,
        /// The format it was read as.
        format: &'static str,
        /// The JSON path of the problem (`Results[3].Vulnerabilities[0].Severity`), `$` for
        /// the document.
        json_path: String,
        /// What is wrong.
        message: String,
    },
    /// A report whose format could not be recognised.
    #[error("{} is not a report gate-scan knows: {reason}", path.display())]
    #[diagnostic(
        code("scan-report-unknown"),
        help(
            "gate-scan reads Trivy JSON, Grype JSON, SARIF 2.1.0 from Trivy or Grype, CycloneDX with vulnerabilities and osv-scanner JSON; pass --format-in to say which"
        )
    )]
    UnknownReport {
        /// The file.
        path: PathBuf,
        /// Why it was not recognised.
        reason: String,
    },
    /// A known format in a version gate-scan does not read.
    #[error("{} has {field} {found}, which gate-scan does not read (it reads {expected})", path.display())]
    #[diagnostic(
        code("scan-report-version"),
        help("produce the report with a supported version of the scanner, or convert it")
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version field (`SchemaVersion`, `specVersion`, `version`).
        field: &'static str,
        /// Its value.
        found: String,
        /// What is supported.
        expected: &'static str,
    },
    /// The policy file is invalid (every problem points at `FILE:LINE:COL`).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] InvalidPolicy),
    /// A VEX document or a baseline verdict cannot be used.
    #[error("{} is not a usable {what}: {message}", path.display())]
    #[diagnostic(code("scan-document-invalid"), help("{hint}"))]
    Document {
        /// What it was read as ("OpenVEX document", "baseline verdict").
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: &'static str,
    },
    /// A flag or variable has a value gate-scan cannot use.
    #[error("invalid {name} `{value}`: {message}")]
    #[diagnostic(code("scan-usage"))]
    Usage {
        /// The flag or variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A line of `versions compare` input is not `A B`, or a version does not parse.
    #[error("line {line}: {message}")]
    #[diagnostic(
        code("scan-version-compare"),
        help("give one `A B` pair per line on stdin")
    )]
    VersionInput {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The native OSV matcher could not run.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Osv(#[from] crate::osv::Error),
    /// A configuration audit could not run.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Audit(#[from] shipgate_audit::Error),
    /// An output file could not be written.
    #[error("cannot write {what} {}", path.display())]
    #[diagnostic(
        code("scan-write"),
        help("check that the directory exists and is writable")
    )]
    Write {
        /// What was written.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The output sink failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] shipgate_core::output::OutputError),
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Write { .. } => Exit::Environment,
            Self::Osv(error) => error.exit(),
            Self::Audit(error) => error.exit(),
            Self::Output(error) => error.exit(),
            _ => Exit::BadInput,
        }
    }
}

/// A `Result` whose error is gate-scan's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
