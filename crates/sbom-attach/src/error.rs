//! sbom-attach's errors and their exit codes.

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why `sbom-attach` could not generate, validate or attach an SBOM.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// An image source, layout, archive or registry problem.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Oci(#[from] shipgate_oci::Error),
    /// A CI output file (`$GITHUB_OUTPUT`, the dotenv report) could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] shipgate_core::output::OutputError),
    /// A layer that could not be read to the end (corrupt, truncated, wrong digest).
    #[error("cannot read {path} in layer {layer}: {message}")]
    #[diagnostic(
        code("sbom-layer"),
        help("the layer is corrupt or truncated; rebuild or re-export the image")
    )]
    Layer {
        /// The layer's digest.
        layer: String,
        /// The path inside the layer (or the layer's blob file).
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A file or folder given as input that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code("sbom-read"), help("check the path"))]
    ReadInput {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file that could not be written.
    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(
        code("sbom-write"),
        help("check that the folder exists and is writable")
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An SBOM that is not valid JSON or not CycloneDX or SPDX.
    #[error("{file}: {message}")]
    #[diagnostic(
        code("sbom-unreadable"),
        help("give a CycloneDX (1.4 to 1.7) or SPDX 2.3 JSON document")
    )]
    Unreadable {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An SBOM whose structure is invalid.
    #[error("{file} is not a valid {format}: {} problem(s)\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    #[diagnostic(
        code("sbom-invalid"),
        help("fix the fields named by their JSON paths, or regenerate the SBOM")
    )]
    Invalid {
        /// The file.
        file: String,
        /// `CycloneDX 1.5`, `SPDX 2.3`.
        format: String,
        /// `$.path: problem`, one per problem.
        problems: Vec<String>,
    },
    /// An SBOM over the size limit.
    #[error("the SBOM is {size} bytes, over the limit of {limit} bytes")]
    #[diagnostic(
        code("sbom-too-large"),
        help(
            "raise --max-size (SHIPGATE_MAX_SIZE) if the registry accepts larger artifacts; the SBOM is never split or compressed silently"
        )
    )]
    TooLarge {
        /// The SBOM's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An image reference without a digest where one is required.
    #[error("`{reference}` names no digest")]
    #[diagnostic(
        code("sbom-needs-digest"),
        help(
            "attach to an image by digest (`IMAGE@sha256:…`) so the SBOM refers to exactly one image; `crane digest IMAGE` or `skopeo inspect` prints it"
        )
    )]
    NeedsDigest {
        /// The reference as given.
        reference: String,
    },
    /// The image to attach to is not where `--to` points.
    #[error("{layout} does not hold {digest}")]
    #[diagnostic(
        code("sbom-subject-missing"),
        help("attach to the digest of the image the layout holds")
    )]
    SubjectMissing {
        /// The layout.
        layout: String,
        /// The digest asked for.
        digest: String,
    },
    /// A flag or variable with an invalid value.
    #[error("invalid {name} `{value}`: {message}")]
    #[diagnostic(code("sbom-usage"), help("{hint}"))]
    Usage {
        /// The flag or variable.
        name: String,
        /// Its value.
        value: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Oci(error) => error.exit(),
            Self::Output(error) => error.exit(),
            Self::Write { .. } => Exit::Environment,
            Self::TooLarge { .. } => Exit::GateFailed,
            _ => Exit::BadInput,
        }
    }
}
