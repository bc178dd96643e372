//! Shared plumbing for every shipgate binary.
//!
//! Nothing here knows about a particular gate: it holds the exit-code contract, the
//! diagnostic renderer, the output sinks (stdout JSON, stderr text, GitHub Actions and
//! GitLab CI files), the CI context reader, the one image-reference parser and the one
//! severity scale.

pub mod ci;
pub mod diagnostic;
pub mod exit;
pub mod generated;
pub mod image_ref;
pub mod output;
pub mod severity;
pub mod yaml;

pub use exit::Exit;
pub use severity::Severity;
