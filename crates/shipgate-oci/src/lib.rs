//! OCI images for shipgate: image sources (`registry:`, `oci-dir:`, `oci-archive:`,
//! `docker-archive:`, `dir:`), OCI image layouts read and written, referrers kept next to
//! an image before it is pushed, the OCI 1.1 referrers fallback index, and layer streams
//! with whiteouts applied; a registry client, `push` from a layout and `promote` between
//! registries, with referrers and tags last.
//!
//! Every blob read here is checked against its descriptor's digest and size while it
//! streams; a layout or archive that does not hold what its JSON claims is a bad-input
//! error (exit 2) naming the file and the digest.

pub mod docker_archive;
pub mod error;
pub mod layers;
pub mod layout;
pub mod platform;
pub mod promote;
pub mod push;
pub mod referrers;
pub mod registry;
pub mod remote;
pub mod source;
pub mod store;
pub mod writer;

mod digest;
mod json;

pub use error::{Error, Result};
pub use layout::{Image, Layout};
pub use oci_spec::image as spec;
pub use platform::Platform;
pub use promote::{promote, promote_to};
pub use push::{PushOptions, PushReport, parse_destination, push, push_source};
pub use registry::{Client, ClientOptions, CredentialSource};
pub use source::{LocalImage, Source};
pub use store::{BlobReader, BlobStore};
pub use writer::LayoutWriter;

/// The media type of an OCI image index.
pub const MEDIA_TYPE_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The media type of an OCI image manifest.
pub const MEDIA_TYPE_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The media type of a Docker manifest list (read like an OCI index).
pub const MEDIA_TYPE_DOCKER_LIST: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
/// The media type of a Docker image manifest v2 schema 2 (read like an OCI manifest).
pub const MEDIA_TYPE_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The annotation holding a tag in an image layout's `index.json`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
