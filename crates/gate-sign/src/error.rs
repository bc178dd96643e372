//! gate-sign's errors and their exit codes.

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why `gate-sign` could not sign or verify, or why a signature did not verify.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// An image source, layout or registry problem.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Oci(#[from] shipgate_oci::Error),
    /// A key file that cannot be read.
    #[error("cannot read the key {}: {source}", path.display())]
    #[diagnostic(code("sign-key-read"), help("check the path given to --key"))]
    KeyRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// PEM text given as `--key` (or in `SHIPGATE_SIGN_KEY`) instead of a reference to it.
    #[error("the key was given as PEM text; --key takes `env://VAR` or a file path")]
    #[diagnostic(
        code("sign-key-inline"),
        help(
            "put the PEM text in a variable and pass --key env://VAR (key text is never printed)"
        )
    )]
    KeyInline,
    /// `--key env://VAR` naming a variable that is not set.
    #[error("the key variable {var} is not set (or is empty)")]
    #[diagnostic(
        code("sign-key-env"),
        help("export the PEM key in {var}, or give --key a file")
    )]
    KeyEnv {
        /// The variable.
        var: String,
    },
    /// A key that is not a usable ECDSA P-256 key. Never carries key material.
    #[error("the key {source_name} is not usable: {reason}")]
    #[diagnostic(code("sign-key-invalid"), help("{hint}"))]
    KeyInvalid {
        /// Where the key came from (a path or `env://VAR`), never its content.
        source_name: String,
        /// What is wrong.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// Input JSON (a bundle, an envelope, a statement, a payload) that is malformed.
    #[error("{file}: {message}")]
    #[diagnostic(
        code("sign-malformed"),
        help("the file is not a {what}; regenerate it or check it was not truncated")
    )]
    Malformed {
        /// What the input should have been.
        what: &'static str,
        /// The file or blob.
        file: String,
        /// What is wrong (with a JSON path where there is one).
        message: String,
    },
    /// A file given as input that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code("sign-read"), help("check the path"))]
    ReadInput {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Usage that cannot work (a source kind not supported, a bad value).
    #[error("{message}")]
    #[diagnostic(code("sign-usage"), help("{hint}"))]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// A signature or attestation that did not verify. Names the check that failed.
    #[error("verification failed: {check}: {reason}")]
    #[diagnostic(
        code("sign-verify-failed"),
        help(
            "the image is not trusted: sign it with `gate-sign sign --key`, or verify with the public key of the key it was signed with"
        )
    )]
    Verify {
        /// The check (`signature`, `digest`, `payload type`, …).
        check: &'static str,
        /// Why it failed.
        reason: String,
    },
}

impl Error {
    /// A verification failure of `check`.
    pub(crate) fn verify(check: &'static str, reason: impl Into<String>) -> Self {
        Self::Verify {
            check,
            reason: reason.into(),
        }
    }

    /// Malformed input of kind `what` in `file`.
    pub(crate) fn malformed(what: &'static str, file: &str, message: impl Into<String>) -> Self {
        Self::Malformed {
            what,
            file: file.to_owned(),
            message: message.into(),
        }
    }
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Oci(error) => error.exit(),
            Self::Verify { .. } => Exit::GateFailed,
            Self::KeyRead { .. }
            | Self::KeyInline
            | Self::KeyEnv { .. }
            | Self::KeyInvalid { .. }
            | Self::Malformed { .. }
            | Self::ReadInput { .. }
            | Self::Usage { .. } => Exit::BadInput,
        }
    }
}

/// Parses JSON of kind `what`, naming `file` and the JSON path on failure.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    data: &[u8],
    what: &'static str,
    file: &str,
) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(data);
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(&mut deserializer, &mut track);
    match T::deserialize(tracked).and_then(|value| deserializer.end().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(error) => {
            let path = track.path().to_string();
            let message = if path.is_empty() || path == "." {
                error.to_string()
            } else {
                format!("at $.{path}: {error}")
            };
            Err(Error::malformed(what, file, message))
        }
    }
}
