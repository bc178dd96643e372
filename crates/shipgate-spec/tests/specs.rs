//! The loader against fixture specs: every valid spec loads, every invalid one reports
//! each of its problems at the right line and column (snapshots), and the real
//! `check-jsonschema` agrees with our schema pass on every fixture.

// Test helpers may panic: a failed expectation is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs")
        .join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn load(dir: &Path) -> Result<shipgate_spec::Spec, shipgate_spec::Error> {
    let kind = dir.parent().unwrap().file_name().unwrap().to_string_lossy();
    let case = dir.file_name().unwrap().to_string_lossy();
    let text = std::fs::read_to_string(dir.join("shipgate.yaml")).unwrap();
    shipgate_spec::parse(&format!("{kind}/{case}/shipgate.yaml"), &text, dir)
}

#[test]
fn valid_specs_load() {
    for dir in fixtures("valid") {
        if let Err(error) = load(&dir) {
            panic!(
                "{} should be valid:\n{}",
                dir.display(),
                shipgate_core::diagnostic::render(&error)
            );
        }
    }
}

#[test]
fn invalid_specs_report_every_problem() {
    for dir in fixtures("invalid") {
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let error = load(&dir).expect_err(&case);
        let shipgate_spec::Error::Invalid(invalid) = &error else {
            panic!("{case}: expected an invalid spec, got {error:?}");
        };
        assert!(!invalid.diagnostics.is_empty(), "{case}");
        let rendered = shipgate_core::diagnostic::render(&error);
        insta::with_settings!({ snapshot_suffix => case.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("invalid", rendered);
        });
    }
}

#[test]
fn load_reads_the_file_and_resolves_paths_next_to_it() {
    let dir = fixtures("valid")
        .into_iter()
        .find(|d| d.ends_with("full"))
        .unwrap();
    let loaded = shipgate_spec::load(&dir.join("shipgate.yaml")).unwrap();
    assert_eq!(loaded.base_dir, dir);
    assert_eq!(loaded.spec.image.repositories().len(), 3);

    let missing = shipgate_spec::load(Path::new("/nonexistent/shipgate.yaml")).unwrap_err();
    assert!(matches!(missing, shipgate_spec::Error::Read { .. }));
}

/// The published schema and the loader's schema pass agree, checked with the real
/// `check-jsonschema` (YAML input, draft 2020-12).
#[test]
fn check_jsonschema_agrees_with_the_schema_pass() {
    let Some(tool) = test_support::require_tool("check-jsonschema") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let schema = temp.path().join("shipgate.v1.schema.json");
    std::fs::write(&schema, shipgate_spec::json_schema_text()).unwrap();
    let mut cases: Vec<(PathBuf, bool)> =
        fixtures("valid").into_iter().map(|d| (d, true)).collect();
    for dir in fixtures("invalid") {
        let error = load(&dir).unwrap_err();
        if let shipgate_spec::Error::Invalid(invalid) = error {
            match invalid.pass {
                shipgate_spec::Pass::Schema => cases.push((dir, false)),
                shipgate_spec::Pass::Semantics => cases.push((dir, true)),
                shipgate_spec::Pass::Syntax => {}
            }
        }
    }
    for (dir, schema_valid) in cases {
        let status = Command::new(&tool)
            .arg("--schemafile")
            .arg(&schema)
            .arg(dir.join("shipgate.yaml"))
            .output()
            .unwrap();
        assert_eq!(
            status.status.success(),
            schema_valid,
            "{}: check-jsonschema said {}\n{}",
            dir.display(),
            status.status,
            String::from_utf8_lossy(&status.stdout)
        );
    }
}

/// Every code the fixtures produce is documented in `DIAGNOSTIC_CODES`.
#[test]
fn every_emitted_code_is_documented() {
    let documented: Vec<&str> = shipgate_spec::DIAGNOSTIC_CODES
        .iter()
        .map(|(code, _, _)| *code)
        .collect();
    for dir in fixtures("invalid") {
        if let Err(shipgate_spec::Error::Invalid(invalid)) = load(&dir) {
            for diagnostic in invalid.diagnostics {
                assert!(
                    documented.contains(&diagnostic.code),
                    "{}: code `{}` is not in DIAGNOSTIC_CODES",
                    dir.display(),
                    diagnostic.code
                );
            }
        }
    }
}
