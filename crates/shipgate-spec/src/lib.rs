//! The `shipgate.yaml` v1 spec: its model, its loader and its JSON Schema.
//!
//! [`load`] reads a spec in three passes and reports every problem of the first pass that
//! finds any, each pointing at `FILE:LINE:COL`:
//! 1. YAML syntax;
//! 2. schema: types, enums, required and unknown keys (checked against the JSON Schema
//!    generated from [`model`], so the published schema and the loader never disagree);
//! 3. semantics: referenced files exist, image names and platforms parse, an
//!    environment's `needs` exists, signing is configured one way.

pub mod model;

pub use model::*;
