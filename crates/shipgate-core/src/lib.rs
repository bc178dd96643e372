//! Shared plumbing for every shipgate binary.
//!
//! Nothing here knows about a particular gate: it holds the exit-code contract, the
//! diagnostic renderer, the output sinks (stdout JSON, stderr text, GitHub Actions and
//! GitLab CI files), the CI context reader and the one image-reference parser.

pub mod ci;
pub mod diagnostic;
pub mod exit;
pub mod generated;
pub mod image_ref;
pub mod output;

pub use exit::Exit;
