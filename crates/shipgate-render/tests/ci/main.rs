//! Integration tests of `render_ci`: every fixture spec rendered, snapshotted, linted with
//! the real tools (actionlint, zizmor, check-jsonschema) and parsed back.

// clippy's allow-unwrap-in-tests covers `#[test]` functions only, not their helpers.
#![allow(clippy::unwrap_used)]

mod errors;
mod fixtures;
mod github;
mod gitlab;
mod lint;
mod triggers;
