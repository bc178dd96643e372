//! The `shipgate.yaml` v1 spec: its model, its loader and its JSON Schema.
//!
//! [`load`] reads a spec in three passes and reports every problem of the first pass that
//! finds any, each pointing at `FILE:LINE:COL`:
//! 1. YAML syntax;
//! 2. schema: types, enums, required and unknown keys (checked against the JSON Schema
//!    generated from [`model`], so the published schema and the loader never disagree);
//! 3. semantics: referenced files exist, image names and platforms parse, an
//!    environment's `needs` exists, signing is configured one way.

mod codes;
mod error;
pub mod model;
mod schema;
mod semantics;
pub mod tag_rules;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;
use shipgate_core::yaml;

pub use codes::DIAGNOSTIC_CODES;
pub use error::{Error, InvalidSpec, Pass, Result, SpecDiagnostic};
pub use model::*;
pub use schema::{SCHEMA_ID, json_schema, json_schema_text};
pub use semantics::KNOWN_PLATFORMS;

/// The file name `shipgate` looks for when no `--spec` is given.
pub const DEFAULT_SPEC_FILE: &str = "shipgate.yaml";

/// A valid spec and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The validated spec.
    pub spec: Spec,
    /// The spec file as given (used in messages).
    pub path: PathBuf,
    /// The directory relative paths in the spec are resolved against.
    pub base_dir: PathBuf,
}

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let spec = parse(&path.display().to_string(), &text, &base_dir)?;
    Ok(LoadedSpec {
        spec,
        path: path.to_owned(),
        base_dir,
    })
}

/// Validates spec text. `name` is shown in diagnostics; relative paths in the spec are
/// checked against `base_dir`.
pub fn parse(name: &str, text: &str, base_dir: &Path) -> Result<Spec> {
    let source = Arc::new(NamedSource::new(name, Arc::<str>::from(text)));
    let invalid = |pass, diagnostics: Vec<SpecDiagnostic>| InvalidSpec {
        file: name.to_owned(),
        pass,
        diagnostics,
    };

    // Pass 1: syntax.
    let tree = yaml::parse(text, "a spec").map_err(|problems| {
        let diagnostics = problems
            .into_iter()
            .map(|p| {
                SpecDiagnostic::new(
                    &source,
                    "yaml-syntax",
                    String::new(),
                    p.span,
                    p.message,
                    p.label,
                    p.hint,
                )
            })
            .collect();
        invalid(Pass::Syntax, diagnostics)
    })?;
    let (value, spans) = yaml::to_json(&tree);

    // Pass 2: schema.
    let violations = schema::check(&value);
    if !violations.is_empty() {
        let mut diagnostics: Vec<SpecDiagnostic> = violations
            .into_iter()
            .map(|located| {
                let path = schema::dotted(&located.pointer);
                let (message, hint, label) = located.violation.explain(&path);
                let span = match &located.violation {
                    schema::Violation::UnknownKey { .. } => spans.key_or_value(&located.pointer),
                    // An empty value has no text of its own: point at its key.
                    schema::Violation::Type { found, .. } if *found == "nothing (null)" => {
                        spans.key_or_value(&located.pointer)
                    }
                    _ => spans.value(&located.pointer),
                };
                let code = located.violation.code();
                SpecDiagnostic::new(&source, code, path, span, message, label, hint)
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(invalid(Pass::Schema, diagnostics).into());
    }
    let spec: Spec = serde_json::from_value(value).map_err(|error| {
        invalid(
            Pass::Schema,
            vec![SpecDiagnostic::new(
                &source,
                "schema",
                String::new(),
                spans.value(""),
                error.to_string(),
                "here".to_owned(),
                None,
            )],
        )
    })?;

    // Pass 3: semantics.
    let problems = semantics::check(&spec, base_dir);
    if !problems.is_empty() {
        let mut diagnostics: Vec<SpecDiagnostic> = problems
            .into_iter()
            .map(|p| {
                let span = if p.at_key {
                    spans.key_or_value(&p.pointer)
                } else {
                    spans.value(&p.pointer)
                };
                SpecDiagnostic::new(
                    &source,
                    p.code,
                    schema::dotted(&p.pointer),
                    span,
                    p.message,
                    p.label,
                    p.hint,
                )
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(invalid(Pass::Semantics, diagnostics).into());
    }
    Ok(spec)
}
