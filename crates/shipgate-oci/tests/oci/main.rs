//! Integration tests of shipgate-oci: layouts written and read back, archives, layers
//! with whiteouts, layouts made by real producers (umoci, skopeo, buildah) and a push of
//! a written layout to a real registry.

// clippy's allow-unwrap-in-tests covers `#[test]` functions only, not their helpers.
#![allow(clippy::unwrap_used)]

mod archives;
mod common;
mod errors;
mod layers;
mod layout;
mod producers;
mod push;
mod registry;
