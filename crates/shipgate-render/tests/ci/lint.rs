//! Every rendered file passes the real linters: actionlint (with shellcheck when it is
//! installed), zizmor's default persona offline, and check-jsonschema's GitHub workflow
//! and GitLab CI schemas.

use std::path::{Path, PathBuf};
use std::process::Output;

use shipgate_render::GeneratedFile;
use test_support::{require_tool, scrubbed};

use crate::fixtures;

/// Writes a fixture's rendered files into a fresh directory laid out like a repository.
fn checkout(files: &[GeneratedFile]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        let path = dir.path().join(&file.path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(&path, &file.contents).unwrap();
    }
    dir
}

fn report(tool: &str, fixture: &str, output: &Output) -> String {
    format!(
        "{tool} on fixture {fixture} exited with {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `shellcheck` on PATH, without failing when it is missing (it is optional for actionlint).
fn shellcheck() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("shellcheck"))
        .find(|candidate| candidate.is_file())
}

/// Runs `check` on every rendered file at `path` (e.g. the GitHub workflow).
fn each_file(path: &str, mut check: impl FnMut(&str, &Path)) {
    let mut checked = 0;
    for (name, files) in fixtures::all() {
        if fixtures::file(&files, path).is_none() {
            continue;
        }
        let dir = checkout(&files);
        check(name, &dir.path().join(path));
        checked += 1;
    }
    assert!(checked > 0, "no fixture renders {path}");
}

#[test]
fn actionlint_finds_nothing() {
    let Some(actionlint) = require_tool("actionlint") else {
        return;
    };
    let shellcheck = shellcheck();
    each_file(".github/workflows/shipgate.yml", |name, workflow| {
        let mut command = scrubbed(&actionlint);
        command.arg("-no-color").arg("-pyflakes=");
        match &shellcheck {
            Some(path) => command.arg(format!("-shellcheck={}", path.display())),
            None => command.arg("-shellcheck="),
        };
        let output = command
            .arg(workflow)
            .current_dir(workflow.parent().unwrap())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            report("actionlint", name, &output)
        );
    });
}

#[test]
fn zizmor_finds_nothing() {
    let Some(zizmor) = require_tool("zizmor") else {
        return;
    };
    each_file(".github/workflows/shipgate.yml", |name, workflow| {
        let output = scrubbed(&zizmor)
            .args(["--offline", "--no-progress", "--color=never"])
            .arg(workflow)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            report("zizmor", name, &output)
        );
    });
}

fn check_schema(schema: &str, path: &str) {
    let Some(check_jsonschema) = require_tool("check-jsonschema") else {
        return;
    };
    each_file(path, |name, file| {
        let output = scrubbed(&check_jsonschema)
            .args(["--builtin-schema", schema])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            report("check-jsonschema", name, &output)
        );
    });
}

#[test]
fn github_workflow_schema() {
    check_schema("vendor.github-workflows", ".github/workflows/shipgate.yml");
}

#[test]
fn gitlab_ci_schema() {
    check_schema("vendor.gitlab-ci", ".gitlab-ci.yml");
}

/// Each GitLab job's `script:`, as the runner runs it (the items one after the other in
/// one shell), passes shellcheck as a POSIX `sh` script. shellcheck is optional: without
/// it on PATH the test says so and passes.
#[test]
fn gitlab_scripts_pass_shellcheck() {
    let Some(shellcheck) = shellcheck() else {
        eprintln!("skipping: `shellcheck` is not on PATH");
        return;
    };
    for (name, files) in fixtures::all() {
        let Some(file) = fixtures::file(&files, ".gitlab-ci.yml") else {
            continue;
        };
        let pipeline = yaml_rust2::YamlLoader::load_from_str(&file.contents)
            .unwrap()
            .remove(0);
        for (id, job) in pipeline.as_hash().unwrap() {
            let Some(items) = job["script"].as_vec() else {
                continue;
            };
            let id = id.as_str().unwrap();
            let mut script = String::from("#!/bin/sh\n");
            // Variables GitLab sets for the job (and the job's own `variables:`).
            script.push_str(": \"${CI_COMMIT_TAG:-}\"\n");
            for item in items {
                script.push_str(item.as_str().unwrap());
                script.push('\n');
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("{id}.sh"));
            fs_err::write(&path, &script).unwrap();
            let output = scrubbed(&shellcheck)
                .args(["--shell=sh", "--severity=style", "--exclude=SC2154"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}\n{script}",
                report("shellcheck", &format!("{name}/{id}"), &output)
            );
        }
    }
}
