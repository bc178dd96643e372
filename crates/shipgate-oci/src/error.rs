//! The crate's error type. Everything a layout, archive or source can get wrong on the
//! user's side is bad input (exit 2); failing to write a layout is the environment (exit 3).

use std::path::PathBuf;

use shipgate_core::exit::{Exit, ExitStatus};
use shipgate_core::image_ref::ImageRefError;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an image source, layout, archive or blob could not be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// An image source (`oci-dir:PATH`, `registry:REF`, …) that does not parse.
    #[error("invalid image source `{input}`: {reason}")]
    #[diagnostic(
        code("invalid-image-source"),
        help(
            "write `registry:REF`, `oci-dir:PATH[:TAG]`, `oci-archive:FILE`, `docker-archive:FILE` or `dir:PATH`, or a path or reference alone"
        )
    )]
    InvalidSource {
        /// The source as written.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A registry reference that does not parse.
    #[error(transparent)]
    #[diagnostic(transparent)]
    ImageRef(#[from] ImageRefError),
    /// A platform that is not `os/arch[/variant]`.
    #[error("invalid platform `{input}`")]
    #[diagnostic(
        code("invalid-platform"),
        help(
            "write a platform as `os/arch` or `os/arch/variant`, e.g. `linux/amd64` or `linux/arm/v7`"
        )
    )]
    InvalidPlatform {
        /// The platform as written.
        input: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code("oci-read"))]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file or blob could not be written.
    #[error("cannot write {path}: {source}")]
    #[diagnostic(
        code("oci-write"),
        help("check that the folder is writable and the disk is not full")
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A directory or archive that is not an OCI image layout.
    #[error("{path} is not an OCI image layout: {reason}")]
    #[diagnostic(
        code("oci-not-a-layout"),
        help(
            "an OCI image layout holds `oci-layout`, `index.json` and `blobs/`, as `buildx build --output type=oci` or `skopeo copy … oci:DIR` write"
        )
    )]
    NotALayout {
        /// The directory or archive.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// `index.json`, a manifest, an index or a config that is not valid JSON of its kind.
    #[error("{file}: malformed {what}{}: {message}", digest_suffix(.digest.as_deref()))]
    #[diagnostic(
        code("oci-malformed-json"),
        help(
            "the layout is damaged or was not written by an OCI tool; rebuild or re-export the image"
        )
    )]
    MalformedJson {
        /// What the file should hold: `index.json`, `image manifest`, …
        what: &'static str,
        /// The file, e.g. `out/blobs/sha256/<hex>`, with `:LINE:COL` when the JSON
        /// parser gave a position.
        file: String,
        /// The blob's digest, when the file is a blob.
        digest: Option<String>,
        /// What the JSON parser said.
        message: String,
    },
    /// A descriptor whose blob is not in the layout or archive.
    #[error("blob {digest} is missing: {file} does not exist")]
    #[diagnostic(
        code("oci-missing-blob"),
        help(
            "the layout is incomplete; re-export the image (e.g. `skopeo copy` copies every blob)"
        )
    )]
    MissingBlob {
        /// The digest the descriptor names.
        digest: String,
        /// Where the blob should be.
        file: String,
    },
    /// A blob whose content does not hash to its digest.
    #[error("digest mismatch in {file}: expected {expected}, content hashes to {actual}")]
    #[diagnostic(
        code("oci-digest-mismatch"),
        help("the blob is corrupt or was modified after it was written; rebuild the image")
    )]
    DigestMismatch {
        /// The blob's file.
        file: String,
        /// The digest the descriptor names.
        expected: String,
        /// The digest of the content.
        actual: String,
    },
    /// A blob whose length differs from its descriptor's size.
    #[error(
        "size mismatch in {file} ({digest}): descriptor says {expected} bytes, blob has {actual}"
    )]
    #[diagnostic(
        code("oci-size-mismatch"),
        help("the blob is truncated or was modified after it was written; rebuild the image")
    )]
    SizeMismatch {
        /// The blob's file.
        file: String,
        /// The digest the descriptor names.
        digest: String,
        /// The size the descriptor gives.
        expected: u64,
        /// The bytes found (`N or more` when reading stopped early).
        actual: String,
    },
    /// A digest that is not `sha256:<64 hex>` or `sha512:<128 hex>`.
    #[error("unsupported or malformed digest `{digest}` in {file}")]
    #[diagnostic(
        code("oci-bad-digest"),
        help("OCI content is addressed by `sha256:<64 lower-case hex>` (or sha512)")
    )]
    BadDigest {
        /// The digest as written.
        digest: String,
        /// The file that holds it.
        file: String,
    },
    /// No `index.json` entry carries the requested tag.
    #[error("tag `{tag}` is not in {layout}")]
    #[diagnostic(code("oci-tag-not-found"), help("{}", tags_help(.available)))]
    TagNotFound {
        /// The layout.
        layout: String,
        /// The requested tag.
        tag: String,
        /// The tags the layout has.
        available: Vec<String>,
    },
    /// A layout with several images and no tag to choose one.
    #[error("{layout} holds {count} images; choose one with a tag")]
    #[diagnostic(code("oci-ambiguous-image"), help("{}", tags_help(.available)))]
    AmbiguousImage {
        /// The layout.
        layout: String,
        /// How many candidate images.
        count: usize,
        /// The tags the layout has.
        available: Vec<String>,
    },
    /// A layout whose `index.json` lists no image.
    #[error("{layout} holds no image")]
    #[diagnostic(code("oci-empty-layout"), help("build or copy an image into it first"))]
    EmptyLayout {
        /// The layout.
        layout: String,
    },
    /// An index with no manifest for the requested platform.
    #[error("{file} has no image for platform {platform}")]
    #[diagnostic(code("oci-no-platform"), help("{}", platforms_help(.available)))]
    NoPlatform {
        /// The index (file and digest).
        file: String,
        /// The requested platform.
        platform: String,
        /// The platforms the index has.
        available: Vec<String>,
    },
    /// A descriptor whose media type cannot be read as what it should be.
    #[error("{file}: unsupported media type `{media_type}` for {what}")]
    #[diagnostic(
        code("oci-unsupported-media-type"),
        help(
            "shipgate reads OCI and Docker v2 manifests, indexes and tar layers (plain, gzip, zstd)"
        )
    )]
    UnsupportedMediaType {
        /// Where the descriptor points.
        file: String,
        /// The media type.
        media_type: String,
        /// What was expected: `a manifest`, `a layer`, …
        what: &'static str,
    },
    /// A tar archive (a layer, `oci-archive`, `docker-archive`) that cannot be read.
    #[error("malformed tar archive {file}: {message}")]
    #[diagnostic(
        code("oci-malformed-tar"),
        help("the archive is truncated or not a tar file; re-export it")
    )]
    MalformedTar {
        /// The archive or layer blob.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A `docker save` archive whose `manifest.json` does not describe an image.
    #[error("malformed docker archive {file}: {reason}")]
    #[diagnostic(
        code("oci-malformed-docker-archive"),
        help("write the archive with `docker save IMAGE -o FILE`")
    )]
    DockerArchive {
        /// The archive.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// An image manifest given to the writer as a referrer has no `subject`.
    #[error("the manifest has no `subject`, so it is not a referrer")]
    #[diagnostic(
        code("oci-referrer-without-subject"),
        help("set `subject` to the descriptor of the image manifest it refers to")
    )]
    NotAReferrer,
    /// A tag that the writer cannot store.
    #[error("invalid tag `{tag}`")]
    #[diagnostic(
        code("oci-invalid-tag"),
        help("tags use letters, digits, `_`, `.` and `-`, at most 128 characters")
    )]
    InvalidTag {
        /// The tag.
        tag: String,
    },
    /// The source kind is not available offline (a registry) or is not an image (a
    /// root filesystem).
    #[error("{source_text} cannot be opened as {what}")]
    #[diagnostic(code("oci-unsupported-source"))]
    UnsupportedSource {
        /// The source.
        source_text: String,
        /// What was asked for.
        what: &'static str,
    },
    /// A registry that cannot be reached (connection refused, DNS, TLS, timeout).
    #[error("cannot reach registry {registry}: {message}")]
    #[diagnostic(
        code("registry-unreachable"),
        help(
            "check the address and the network; a registry on a non-loopback host without TLS needs --insecure"
        )
    )]
    RegistryUnreachable {
        /// The registry host.
        registry: String,
        /// What failed.
        message: String,
    },
    /// A registry that refused the credentials (or asked for some and none were found).
    #[error("registry {registry} refused authentication: {message}")]
    #[diagnostic(
        code("registry-auth"),
        help(
            "log in with `docker login {registry}`, or set SHIPGATE_REGISTRY_USERNAME and SHIPGATE_REGISTRY_PASSWORD"
        )
    )]
    RegistryAuth {
        /// The registry host.
        registry: String,
        /// The registry's own error text.
        message: String,
    },
    /// A registry that answered a request with an error.
    #[error("registry {registry}: {operation} failed with HTTP {status}: {message}")]
    #[diagnostic(code("registry-error"))]
    Registry {
        /// The registry host.
        registry: String,
        /// What was asked, e.g. `PUT manifest app:1.0`.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The registry's own error text.
        message: String,
    },
    /// An image, manifest or blob the registry does not have.
    #[error("{reference} is not in the registry: {message}")]
    #[diagnostic(
        code("registry-not-found"),
        help("check the repository, the tag and the digest")
    )]
    RegistryNotFound {
        /// The reference asked for.
        reference: String,
        /// The registry's own error text.
        message: String,
    },
    /// A docker credential helper that failed.
    #[error("docker-credential-{helper} failed for {registry}: {message}")]
    #[diagnostic(
        code("credential-helper"),
        help("check that docker-credential-{helper} is on PATH and that you are logged in")
    )]
    CredentialHelper {
        /// The helper's name (`desktop`, `ecr-login`, …).
        helper: String,
        /// The registry.
        registry: String,
        /// What went wrong (never the secret).
        message: String,
    },
    /// A docker `config.json` that is not valid.
    #[error("{path}: malformed docker config: {message}")]
    #[diagnostic(
        code("docker-config"),
        help("fix or remove the file, then log in again")
    )]
    DockerConfig {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the secret).
        message: String,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        match self {
            Self::Write { .. }
            | Self::RegistryUnreachable { .. }
            | Self::RegistryAuth { .. }
            | Self::Registry { .. }
            | Self::CredentialHelper { .. } => Exit::Environment,
            _ => Exit::BadInput,
        }
    }
}

impl Error {
    /// Turns an I/O error from a blob stream back into the error it carries (a digest or
    /// size mismatch raised inside a reader), or into a read error for `file`.
    pub(crate) fn from_stream(error: std::io::Error, file: &str) -> Self {
        if error.get_ref().is_some_and(|inner| inner.is::<Self>()) {
            if let Some(inner) = error.into_inner() {
                match inner.downcast::<Self>() {
                    Ok(ours) => return *ours,
                    Err(other) => {
                        return Self::Read {
                            path: PathBuf::from(file),
                            source: std::io::Error::other(other),
                        };
                    }
                }
            }
            return Self::Read {
                path: PathBuf::from(file),
                source: std::io::Error::other("stream error"),
            };
        }
        Self::Read {
            path: PathBuf::from(file),
            source: error,
        }
    }

    /// A tar error for `file`, unless the I/O error carries one of ours.
    pub(crate) fn from_tar(error: std::io::Error, file: &str) -> Self {
        if error.get_ref().is_some_and(|inner| inner.is::<Self>()) {
            return Self::from_stream(error, file);
        }
        Self::MalformedTar {
            file: file.to_owned(),
            message: error.to_string(),
        }
    }
}

fn digest_suffix(digest: Option<&str>) -> String {
    digest.map(|d| format!(" ({d})")).unwrap_or_default()
}

fn tags_help(available: &[String]) -> String {
    if available.is_empty() {
        "the layout has no tagged image; omit the tag to use its only image".to_owned()
    } else {
        format!("tags in the layout: {}", available.join(", "))
    }
}

fn platforms_help(available: &[String]) -> String {
    if available.is_empty() {
        "the index lists no platform".to_owned()
    } else {
        format!(
            "choose one of: {} (e.g. `--platform {}`)",
            available.join(", "),
            available[0]
        )
    }
}
