//! buildx-plan's tests: docker/metadata-action behaviours through the library, and the
//! real binary.

#![allow(clippy::unwrap_used)]

mod cases;
mod cli;
mod pep440;
