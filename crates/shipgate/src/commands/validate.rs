//! `shipgate validate`: check a spec in three passes.

use serde_json::json;
use shipgate_core::Exit;
use shipgate_core::output::{AnnotationLevel, Output};
use shipgate_spec::Error as SpecError;

use crate::{Error, Format, ValidateArgs};

pub(crate) fn run(args: &ValidateArgs) -> Result<Exit, Error> {
    let output = Output::from_env();
    let path = &args.spec.spec;
    match shipgate_spec::load(path) {
        Ok(loaded) => {
            let spec = &loaded.spec;
            let environments = spec.deploy.as_ref().map_or(0, |d| d.environments.len());
            match args.format {
                Format::Json => output.json(&json!({
                    "spec": path.display().to_string(),
                    "valid": true,
                    "diagnostics": [],
                })),
                Format::Human => output.human(&format!(
                    "{}: valid ({} image name{}, {} platform{}, {} environment{})",
                    path.display(),
                    spec.image.repositories().len(),
                    plural(spec.image.repositories().len()),
                    spec.image.platforms.len(),
                    plural(spec.image.platforms.len()),
                    environments,
                    plural(environments),
                )),
            }
            Ok(Exit::Pass)
        }
        Err(SpecError::Invalid(invalid)) => {
            for diagnostic in &invalid.diagnostics {
                output.annotate(
                    AnnotationLevel::Error,
                    &diagnostic.message,
                    Some(&invalid.file),
                    Some(diagnostic.line),
                    Some(diagnostic.column),
                    Some(diagnostic.code),
                );
            }
            if args.format == Format::Json {
                let diagnostics: Vec<_> = invalid
                    .diagnostics
                    .iter()
                    .map(|d| {
                        json!({
                            "code": d.code,
                            "message": d.message,
                            "path": d.path,
                            "line": d.line,
                            "column": d.column,
                            "hint": d.hint,
                        })
                    })
                    .collect();
                output.json(&json!({
                    "spec": path.display().to_string(),
                    "valid": false,
                    "pass": invalid.pass.to_string(),
                    "diagnostics": diagnostics,
                }));
            }
            Err(SpecError::Invalid(invalid).into())
        }
        Err(other) => Err(other.into()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
