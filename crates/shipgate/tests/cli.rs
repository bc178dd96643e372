//! The `shipgate` binary end to end: exit codes, what it prints, what it writes.
//! Runs the real binary with a scrubbed environment (no GITHUB_*, CI, NO_COLOR leaks).

// Test helpers may panic: a failed expectation is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use test_support::{bin, workspace_root};

/// Exit code, stdout and stderr of a run, with temp paths replaced by `[TMP]`.
fn transcript(output: &Output, temp: Option<&Path>) -> String {
    let scrub = |text: &[u8]| {
        let mut text = String::from_utf8_lossy(text).into_owned();
        if let Some(temp) = temp {
            text = text.replace(&temp.display().to_string(), "[TMP]");
        }
        text.replace(&workspace_root().display().to_string(), "[ROOT]")
    };
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        scrub(&output.stdout),
        scrub(&output.stderr)
    )
}

fn shipgate(args: &[&str], dir: &Path) -> Output {
    bin("shipgate")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn example(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `--help` of every command, walked from the clap tree so a new command cannot be missed.
#[test]
fn help_of_every_command() {
    use clap::CommandFactory;
    let root = shipgate::Cli::command();
    let mut paths: Vec<Vec<String>> = vec![vec![]];
    for sub in root.get_subcommands() {
        if sub.get_name() != "help" {
            paths.push(vec![sub.get_name().to_owned()]);
        }
    }
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let output = bin("shipgate")
            .args(&args)
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert!(output.status.success());
        let name = if path.is_empty() {
            "shipgate".to_owned()
        } else {
            format!("shipgate-{}", path.join("-"))
        };
        insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("help", String::from_utf8_lossy(&output.stdout));
        });
    }
}

#[test]
fn unknown_flag_is_usage_error() {
    let output = bin("shipgate")
        .args(["validate", "--nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn validate_every_example() {
    for name in ["rust-service", "python-web", "node-app"] {
        let output = shipgate(&["validate"], &example(name));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            transcript(&output, None)
        );
    }
}

#[test]
fn validate_reports_file_line_col_and_exits_2() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(
        temp.path().join("shipgate.yaml"),
        "version: 1\nimage:\n  name: ghcr.io/Acme/web\n  platforms: [linux/amd64, linux/arm46]\n",
    )
    .unwrap();
    let output = shipgate(&["validate"], temp.path());
    insta::assert_snapshot!(transcript(&output, Some(temp.path())));
}

#[test]
fn validate_json_output() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("shipgate.yaml"),
        "version: 1\nimage:\n  name: ghcr.io/acme/web\n  plattforms: []\n",
    )
    .unwrap();
    let output = shipgate(&["validate", "--format", "json"], temp.path());
    assert_eq!(output.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    insta::assert_json_snapshot!(json);
}

#[test]
fn validate_in_github_actions_annotates_each_problem() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("shipgate.yaml"),
        "version: 1\nimage:\n  name: ghcr.io/acme/web\n  plattforms: []\nscna: {}\n",
    )
    .unwrap();
    let output = bin("shipgate")
        .arg("validate")
        .current_dir(temp.path())
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // Workflow commands go to stderr, which the runner reads too, so stdout stays the
    // command's data (one JSON document with --format json).
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let annotations: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(annotations.len(), 2, "{stderr}");
    assert!(annotations[0].contains("line=4"), "{stderr}");
}

#[test]
fn missing_spec_is_bad_input() {
    let temp = tempfile::tempdir().unwrap();
    let output = shipgate(&["validate"], temp.path());
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&output, Some(temp.path())));
}

#[test]
fn schema_prints_the_checked_in_schema() {
    let output = bin("shipgate").arg("schema").output().unwrap();
    assert!(output.status.success());
    let checked_in =
        std::fs::read_to_string(workspace_root().join("schemas/shipgate.v1.schema.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), checked_in);
}

#[test]
fn render_then_check_then_drift() {
    let temp = tempfile::tempdir().unwrap();
    copy_dir(&example("python-web"), temp.path());
    let first = shipgate(&["render"], temp.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        transcript(&first, Some(temp.path()))
    );
    assert!(temp.path().join(".github/workflows/shipgate.yml").is_file());
    assert!(temp.path().join(".gitlab-ci.yml").is_file());

    let clean = shipgate(&["render", "--check"], temp.path());
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        transcript(&clean, Some(temp.path()))
    );

    let workflow = temp.path().join(".github/workflows/shipgate.yml");
    let edited = std::fs::read_to_string(&workflow)
        .unwrap()
        .replace("name: shipgate", "name: edited");
    std::fs::write(&workflow, edited).unwrap();
    let stale = shipgate(&["render", "--check"], temp.path());
    assert_eq!(stale.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&stale.stdout);
    assert!(
        stdout.contains("-name: edited") && stdout.contains("+name: shipgate"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("shipgate render --spec shipgate.yaml"),
        "{stderr}"
    );
}

#[test]
fn render_spec_in_a_subdirectory() {
    let temp = tempfile::tempdir().unwrap();
    copy_dir(&example("node-app"), &temp.path().join("services/node-app"));
    let output = shipgate(
        &[
            "render",
            "--spec",
            "services/node-app/shipgate.yaml",
            "--dir",
            ".",
        ],
        temp.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        transcript(&output, Some(temp.path()))
    );
    let workflow =
        std::fs::read_to_string(temp.path().join(".github/workflows/shipgate.yml")).unwrap();
    assert!(workflow.contains("services/node-app/shipgate.yaml"));
}

#[test]
fn render_refuses_an_invalid_spec() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("shipgate.yaml"), "version: 1\nimage: {}\n").unwrap();
    let output = shipgate(&["render"], temp.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(!temp.path().join(".github").exists());
}

#[test]
fn init_scaffolds_and_never_overwrites() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(
        temp.path().join("Cargo.toml"),
        "[package]\nname = \"hello-api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\n",
    )
    .unwrap();
    let first = shipgate(&["init"], temp.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        transcript(&first, Some(temp.path()))
    );
    for file in ["shipgate.yaml", "Dockerfile", ".dockerignore"] {
        assert!(temp.path().join(file).is_file(), "{file}");
    }
    std::fs::write(temp.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    let second = shipgate(&["init"], temp.path());
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    insta::assert_snapshot!(transcript(&second, Some(temp.path())));
    // --force rewrites what init generates; a Dockerfile the repository has is never
    // replaced (the spec is built around it).
    std::fs::write(temp.path().join("shipgate.yaml"), "edited\n").unwrap();
    let forced = shipgate(&["init", "--force"], temp.path());
    assert_eq!(
        forced.status.code(),
        Some(0),
        "{}",
        transcript(&forced, Some(temp.path()))
    );
    assert_ne!(
        std::fs::read_to_string(temp.path().join("shipgate.yaml")).unwrap(),
        "edited\n"
    );
    assert_eq!(
        std::fs::read_to_string(temp.path().join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    let validate = shipgate(&["validate"], temp.path());
    assert_eq!(
        validate.status.code(),
        Some(0),
        "{}",
        transcript(&validate, Some(temp.path()))
    );
}

#[test]
fn demo_writes_the_example_and_its_workflow() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("demo");
    let output = shipgate(&["demo", "--out", out.to_str().unwrap()], temp.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        transcript(&output, Some(temp.path()))
    );
    assert!(out.join("shipgate.yaml").is_file());
    assert!(out.join(".github/workflows/shipgate.yml").is_file());
    // Running it again replaces the previous demo; a directory of the user's is refused.
    let again = shipgate(&["demo", "--out", out.to_str().unwrap()], temp.path());
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        transcript(&again, Some(temp.path()))
    );
    let mine = temp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me\n").unwrap();
    let refused = shipgate(&["demo", "--out", mine.to_str().unwrap()], temp.path());
    assert_eq!(refused.status.code(), Some(2));
    assert!(mine.join("notes.txt").is_file());
}

/// Every spec `validate` accepts renders: the loader and the renderer agree on what a
/// valid spec is (the spec fixtures and the examples).
#[test]
fn every_valid_spec_renders() {
    let mut specs: Vec<PathBuf> = ["rust-service", "python-web", "node-app"]
        .iter()
        .map(|name| example(name).join("shipgate.yaml"))
        .collect();
    let fixtures = workspace_root().join("crates/shipgate-spec/tests/specs/valid");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        specs.push(entry.unwrap().path().join("shipgate.yaml"));
    }
    for spec in specs {
        let loaded = shipgate_spec::load(&spec).unwrap();
        let rendered = shipgate_render::render_ci(
            &loaded.spec,
            &shipgate_render::RenderOptions {
                spec_path: "shipgate.yaml".to_owned(),
            },
        );
        assert!(rendered.is_ok(), "{}: {:?}", spec.display(), rendered.err());
    }
}
