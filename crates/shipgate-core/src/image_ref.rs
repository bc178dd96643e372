//! TODO(core helper): see crates/shipgate-core/src/lib.rs
