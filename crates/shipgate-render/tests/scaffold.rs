//! `shipgate init`'s scaffolder on small fixture repositories, and the sample repositories
//! under `examples/`.
//!
//! Every scaffold is snapshotted (one gallery per fixture in `scaffold_snapshots/`), every
//! generated `shipgate.yaml` must load with the real spec loader, and every generated
//! Dockerfile must pass `hadolint` with no finding at all.

// clippy's allow-unwrap-in-tests covers `#[test]` functions only, not their helpers.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use shipgate_render::scaffold::{self, Detection, Error, Forge, ProjectKind};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scaffold_fixtures")
}

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of a fixture in a temporary folder (outside any git repository), named like the
/// fixture so that directory-name detection is stable.
fn fixture_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_tree(&fixtures().join(name), &dir);
    (temp, dir)
}

/// [`fixture_copy`] made a git repository on `branch` (no commits) with `url` as `origin`.
fn fixture_with_remote(name: &str, branch: &str, url: &str) -> (tempfile::TempDir, PathBuf) {
    let (temp, dir) = fixture_copy(name);
    git(
        &dir,
        &["init", "--quiet", &format!("--initial-branch={branch}")],
    );
    git(&dir, &["remote", "add", "origin", url]);
    (temp, dir)
}

/// Runs git in `dir` with a fixed identity and no user configuration.
fn git(dir: &Path, args: &[&str]) {
    let status = test_support::scrubbed("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed");
}

/// Writes the scaffold into `dir` and returns it as one text: a header with what was
/// detected, then every file under a separator line.
fn scaffold_into(dir: &Path) -> (Detection, String) {
    let detection = scaffold::detect(dir).unwrap();
    let files = scaffold::scaffold(&detection).unwrap();
    let mut gallery = String::new();
    gallery.push_str(&format!("kind: {:?}\n", detection.kind));
    gallery.push_str(&format!("name: {}\n", detection.name));
    gallery.push_str(&format!("image: {}\n", detection.image()));
    if let Some(server) = &detection.server {
        gallery.push_str(&format!(
            "server: port {} ({})\n",
            server.port,
            server.framework.as_deref().unwrap_or("no framework")
        ));
    }
    if let Some(build) = &detection.build {
        gallery.push_str(&format!("build: {build:?}\n"));
    }
    for file in &files {
        assert!(
            !dir.join(&file.path).exists(),
            "the scaffold proposes {}, which the repository already has",
            file.path.display()
        );
        fs_err::write(dir.join(&file.path), &file.contents).unwrap();
        gallery.push_str(&format!("\n──────── {} ────────\n", file.path.display()));
        gallery.push_str(&file.contents);
    }
    (detection, gallery)
}

/// The spec at `path` passes all three passes of the real loader.
fn assert_valid_spec(path: &Path) -> shipgate_spec::Spec {
    match shipgate_spec::load(path) {
        Ok(loaded) => loaded.spec,
        Err(error) => panic!(
            "{} is not a valid spec:\n{}",
            path.display(),
            shipgate_core::diagnostic::render(&error)
        ),
    }
}

/// The spec also validates against the published JSON Schema with check-jsonschema.
fn assert_schema_valid(path: &Path) {
    let Some(tool) = test_support::require_tool("check-jsonschema") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let schema = temp.path().join("shipgate.v1.schema.json");
    fs_err::write(&schema, shipgate_spec::json_schema_text()).unwrap();
    let output = test_support::scrubbed(tool)
        .arg("--schemafile")
        .arg(&schema)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "check-jsonschema rejected {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The schema check above is not vacuous: check-jsonschema rejects an unknown key.
#[test]
fn check_jsonschema_rejects_an_invalid_spec() {
    let Some(tool) = test_support::require_tool("check-jsonschema") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let schema = temp.path().join("schema.json");
    fs_err::write(&schema, shipgate_spec::json_schema_text()).unwrap();
    let spec = temp.path().join("shipgate.yaml");
    fs_err::write(
        &spec,
        "version: 1\nimage:\n  name: ghcr.io/a/b\n  colour: blue\n",
    )
    .unwrap();
    let status = test_support::scrubbed(tool)
        .arg("--schemafile")
        .arg(&schema)
        .arg(&spec)
        .output()
        .unwrap()
        .status;
    assert!(!status.success());
}

/// hadolint reports nothing at its default level (info and above).
fn assert_hadolint_clean(dockerfile: &Path) {
    let Some(tool) = test_support::require_tool("hadolint") else {
        return;
    };
    // Not run from the repository: a `.python-version` there would confuse a pyenv shim.
    let output = test_support::scrubbed(tool)
        .current_dir(std::env::temp_dir())
        .arg("--no-color")
        .arg(dockerfile)
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && findings.trim().is_empty(),
        "hadolint findings in {}:\n{findings}{}",
        dockerfile.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "scaffold_snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Scaffolds a fixture, checks the result with the loader and hadolint, and snapshots it.
fn check_fixture(name: &str, kind: ProjectKind) -> Detection {
    let (_temp, dir) = fixture_copy(name);
    let (detection, gallery) = scaffold_into(&dir);
    assert_eq!(detection.kind, kind);
    assert_valid_spec(&dir.join("shipgate.yaml"));
    assert_schema_valid(&dir.join("shipgate.yaml"));
    assert_hadolint_clean(&dir.join("Dockerfile"));
    snapshot(&format!("scaffold_{name}"), &gallery);
    detection
}

#[test]
fn rust_axum_service() {
    let detection = check_fixture("rust-axum", ProjectKind::Rust);
    assert_eq!(detection.name, "hello_api");
    assert_eq!(detection.server.as_ref().map(|s| s.port), Some(8080));
    assert!(detection.is_placeholder());
}

#[test]
fn rust_virtual_workspace() {
    let detection = check_fixture("rust-workspace", ProjectKind::Rust);
    assert_eq!(detection.name, "toolbox");
    assert_eq!(detection.server, None);
}

#[test]
fn go_net_http_module() {
    let detection = check_fixture("go-http", ProjectKind::Go);
    assert_eq!(detection.name, "inventory");
    assert_eq!(detection.server.as_ref().map(|s| s.port), Some(9000));
}

#[test]
fn python_fastapi_src_layout() {
    check_fixture("python-fastapi", ProjectKind::Python);
}

#[test]
fn python_flask_requirements() {
    check_fixture("python-flask", ProjectKind::Python);
}

#[test]
fn node_express_app() {
    let detection = check_fixture("node-express", ProjectKind::Node);
    assert_eq!(detection.name, "storefront");
    assert_eq!(detection.server.as_ref().map(|s| s.port), Some(8081));
}

#[test]
fn existing_dockerfile_only() {
    let (_temp, dir) = fixture_copy("dockerfile-only");
    let (detection, gallery) = scaffold_into(&dir);
    assert_eq!(detection.kind, ProjectKind::Dockerfile);
    assert!(detection.has_dockerfile);
    assert_eq!(detection.server.as_ref().map(|s| s.port), Some(8080));
    assert_valid_spec(&dir.join("shipgate.yaml"));
    snapshot("scaffold_dockerfile-only", &gallery);
}

#[test]
fn unknown_repository_gets_a_skeleton() {
    check_fixture("unknown", ProjectKind::Unknown);
}

#[test]
fn github_remote_names_the_image_and_the_signing_identity() {
    let (_temp, dir) = fixture_with_remote(
        "rust-axum",
        "trunk",
        "git@github.com:Acme-Corp/hello-api.git",
    );
    let detection = scaffold::detect(&dir).unwrap();
    assert_eq!(detection.forge, Some(Forge::GitHub));
    assert_eq!(detection.repository.as_deref(), Some("Acme-Corp/hello-api"));
    assert_eq!(detection.default_branch, "trunk");
    assert_eq!(detection.image(), "ghcr.io/acme-corp/hello_api");
    let files = scaffold::scaffold(&detection).unwrap();
    for file in &files {
        fs_err::write(dir.join(&file.path), &file.contents).unwrap();
    }
    let spec = assert_valid_spec(&dir.join("shipgate.yaml"));
    let production = &spec.deploy.as_ref().unwrap().environments[1];
    assert_eq!(
        production.verify.as_ref().unwrap().identity,
        "https://github.com/Acme-Corp/hello-api/.github/workflows/shipgate.yml@refs/tags/v*"
    );
    snapshot("scaffold_github_remote_shipgate.yaml", &files[0].contents);
}

#[test]
fn gitlab_remote_uses_gitlab_registry_ci_and_issuer() {
    let (_temp, dir) = fixture_with_remote(
        "go-http",
        "main",
        "https://gitlab.com/acme/platform/inventory.git",
    );
    let detection = scaffold::detect(&dir).unwrap();
    assert_eq!(detection.forge, Some(Forge::GitLab));
    let files = scaffold::scaffold(&detection).unwrap();
    for file in &files {
        fs_err::write(dir.join(&file.path), &file.contents).unwrap();
    }
    let spec = assert_valid_spec(&dir.join("shipgate.yaml"));
    assert_eq!(
        spec.image.name.as_deref(),
        Some("registry.gitlab.com/acme/platform/inventory")
    );
    assert_eq!(
        spec.ci.unwrap().providers,
        vec![shipgate_spec::CiProvider::Gitlab]
    );
    snapshot("scaffold_gitlab_remote_shipgate.yaml", &files[0].contents);
}

#[test]
fn other_remotes_keep_the_placeholder_and_say_so() {
    let (_temp, dir) = fixture_with_remote(
        "node-express",
        "main",
        "https://ci:hunter2@git.example.com/acme/web.git",
    );
    let detection = scaffold::detect(&dir).unwrap();
    assert!(detection.is_placeholder());
    assert_eq!(detection.image(), "ghcr.io/example/storefront");
    let note = detection
        .notes
        .iter()
        .find(|note| note.contains("git.example.com"))
        .expect("a note about the remote");
    assert!(!note.contains("hunter2"), "credentials leaked into: {note}");
}

#[test]
fn existing_files_are_not_proposed_again() {
    let (_temp, dir) = fixture_copy("python-flask");
    fs_err::write(
        dir.join("Dockerfile"),
        "FROM python:3.13-slim\nEXPOSE 7000\n",
    )
    .unwrap();
    fs_err::write(dir.join(".dockerignore"), ".git\n").unwrap();
    let detection = scaffold::detect(&dir).unwrap();
    assert_eq!(detection.kind, ProjectKind::Python);
    assert_eq!(detection.server.as_ref().map(|s| s.port), Some(7000));
    let files = scaffold::scaffold(&detection).unwrap();
    let paths: Vec<&Path> = files.iter().map(|file| file.path.as_path()).collect();
    assert_eq!(paths, [Path::new("shipgate.yaml")]);
}

#[test]
fn containerfile_is_used_as_the_dockerfile() {
    let (_temp, dir) = fixture_copy("unknown");
    fs_err::write(dir.join("Containerfile"), "FROM busybox:1.37\n").unwrap();
    let detection = scaffold::detect(&dir).unwrap();
    assert_eq!(detection.kind, ProjectKind::Dockerfile);
    let files = scaffold::scaffold(&detection).unwrap();
    for file in &files {
        fs_err::write(dir.join(&file.path), &file.contents).unwrap();
    }
    let spec = assert_valid_spec(&dir.join("shipgate.yaml"));
    assert_eq!(spec.image.dockerfile, "Containerfile");
}

#[test]
fn errors_name_the_problem() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("file");
    fs_err::write(&file, "").unwrap();
    assert!(matches!(
        scaffold::detect(&file),
        Err(Error::NotADirectory { .. })
    ));

    fs_err::write(temp.path().join("Cargo.toml"), "[package\nname = 1\n").unwrap();
    let error = scaffold::detect(temp.path()).unwrap_err();
    assert!(matches!(error, Error::Manifest { .. }), "{error:?}");
    assert!(error.to_string().contains("Cargo.toml"), "{error}");

    fs_err::remove_file(temp.path().join("Cargo.toml")).unwrap();
    fs_err::write(temp.path().join("package.json"), "{\"name\": ").unwrap();
    let error = scaffold::detect(temp.path()).unwrap_err();
    assert!(error.to_string().contains("package.json"), "{error}");
}

/// Writes `files` (path, contents) into a fresh repository folder named `name`.
fn repo_with(name: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    for (path, contents) in files {
        let path = dir.join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
    (temp, dir)
}

/// Scaffolds a repository made of `files` and checks the result like a fixture, returning
/// the detection and the Dockerfile.
fn check_variant(name: &str, files: &[(&str, &str)]) -> (Detection, String) {
    let (_temp, dir) = repo_with(name, files);
    let (detection, _) = scaffold_into(&dir);
    assert_valid_spec(&dir.join("shipgate.yaml"));
    assert_hadolint_clean(&dir.join("Dockerfile"));
    let dockerfile = fs_err::read_to_string(dir.join("Dockerfile")).unwrap();
    (detection, dockerfile)
}

#[test]
fn node_with_a_build_step_and_no_lock_file() {
    let package = r#"{"name": "web", "scripts": {"build": "next build", "start": "next start"},
        "engines": {"node": "22.x"}, "dependencies": {"next": "15.0.0"}}"#;
    let (detection, dockerfile) = check_variant("web", &[("package.json", package)]);
    assert_eq!(
        detection.server.as_ref().unwrap().framework.as_deref(),
        Some("next")
    );
    assert!(
        dockerfile.contains("FROM node:22-slim AS build"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("npm run build"), "{dockerfile}");
    assert!(dockerfile.contains("npm install\n"), "{dockerfile}");
    assert!(
        dockerfile.contains(r#"CMD ["node_modules/.bin/next", "start"]"#),
        "{dockerfile}"
    );
    assert!(
        detection
            .notes
            .iter()
            .any(|note| note.contains("package-lock.json"))
    );
}

#[test]
fn node_start_script_with_shell_syntax_runs_npm_start() {
    let package =
        r#"{"name": "worker", "scripts": {"start": "NODE_ENV=production node worker.js"}}"#;
    let (detection, dockerfile) = check_variant(
        "worker",
        &[
            ("package.json", package),
            ("package-lock.json", "{}"),
            ("worker.js", ""),
        ],
    );
    assert_eq!(detection.server, None);
    assert!(
        dockerfile.contains(r#"CMD ["npm", "start"]"#),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("HEALTHCHECK --"), "{dockerfile}");
}

#[test]
fn django_with_gunicorn_serves_the_wsgi_module() {
    let (detection, dockerfile) = check_variant(
        "blog",
        &[
            ("requirements.txt", "Django==5.2\ngunicorn==23.0.0\n"),
            ("manage.py", ""),
            ("blog/settings.py", ""),
            ("blog/wsgi.py", "application = get_wsgi_application()\n"),
        ],
    );
    assert_eq!(detection.server.as_ref().unwrap().port, 8000);
    assert!(
        dockerfile.contains(r#"CMD ["gunicorn", "--bind", "0.0.0.0:8000", "blog.wsgi"]"#),
        "{dockerfile}"
    );
}

#[test]
fn python_console_script_without_a_server() {
    let pyproject = "[project]\nname = \"etl-jobs\"\n[project.scripts]\netl = \"etl_jobs:main\"\n\
                     [build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n";
    let (detection, dockerfile) = check_variant("etl", &[("pyproject.toml", pyproject)]);
    assert_eq!(detection.name, "etl-jobs");
    assert_eq!(detection.server, None);
    assert!(dockerfile.contains("pip install ."), "{dockerfile}");
    assert!(dockerfile.contains(r#"CMD ["etl"]"#), "{dockerfile}");
    assert!(!dockerfile.contains("EXPOSE"), "{dockerfile}");
}

#[test]
fn flask_without_gunicorn_uses_the_development_server_and_says_so() {
    let (detection, dockerfile) = check_variant(
        "hello",
        &[
            ("requirements.txt", "flask\n"),
            (
                "hello/__init__.py",
                "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
            ),
        ],
    );
    assert_eq!(detection.server.as_ref().unwrap().port, 5000);
    assert!(
        dockerfile.contains(r#""--app", "hello:create_app()""#),
        "{dockerfile}"
    );
    assert!(detection.notes.iter().any(|note| note.contains("gunicorn")));
}

#[test]
fn go_command_line_tool_without_a_server() {
    let (detection, dockerfile) = check_variant(
        "tool",
        &[
            ("go.mod", "module example.com/tool\n"),
            ("main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    assert_eq!(detection.server, None);
    assert!(dockerfile.contains("FROM --platform=$BUILDPLATFORM golang:1.25 AS build"));
    assert!(dockerfile.contains("-o /out/tool ."), "{dockerfile}");
    assert!(!dockerfile.contains("EXPOSE"), "{dockerfile}");
}

#[test]
fn rust_without_a_lock_file_builds_unlocked_with_the_pinned_toolchain() {
    let (detection, dockerfile) = check_variant(
        "cli",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"cli\"\nversion = \"0.1.0\"\n\n[[bin]]\nname = \"cli-main\"\npath = \"src/main.rs\"\n",
            ),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.88.0\"\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
    );
    assert_eq!(detection.server, None);
    assert!(
        dockerfile.contains("FROM rust:1.88.0-slim-trixie AS build"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("cargo build --release --bin cli-main"),
        "{dockerfile}"
    );
}

mod examples {
    use super::*;

    fn examples() -> Vec<PathBuf> {
        let root = test_support::workspace_root().join("examples");
        let mut dirs: Vec<PathBuf> = fs_err::read_dir(&root)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.join("shipgate.yaml").is_file())
            .collect();
        dirs.sort();
        dirs
    }

    #[test]
    fn every_example_is_a_valid_small_repository() {
        let dirs = examples();
        assert!(
            dirs.len() >= 3,
            "expected at least three examples, found {dirs:?}"
        );
        for dir in &dirs {
            assert!(
                dir.join("README.md").is_file(),
                "{} has no README.md",
                dir.display()
            );
            let spec = assert_valid_spec(&dir.join("shipgate.yaml"));
            assert_schema_valid(&dir.join("shipgate.yaml"));
            assert_hadolint_clean(&dir.join(&spec.image.context).join(&spec.image.dockerfile));
        }
    }

    /// Together, the examples show every shape of the spec the docs talk about.
    #[test]
    fn examples_cover_the_spec() {
        let specs: Vec<shipgate_spec::Spec> = examples()
            .iter()
            .map(|dir| assert_valid_spec(&dir.join("shipgate.yaml")))
            .collect();
        let any = |check: &dyn Fn(&shipgate_spec::Spec) -> bool| specs.iter().any(check);
        assert!(
            any(&|s| s.image.platforms.len() == 1),
            "a single-platform image"
        );
        assert!(
            any(&|s| s.image.platforms.len() == 2),
            "a two-platform image"
        );
        assert!(
            any(&|s| s.image.platforms.len() >= 3),
            "a three-platform image"
        );
        assert!(
            any(&|s| s.image.repositories().len() > 1),
            "several registries"
        );
        let registries: std::collections::BTreeSet<String> = specs
            .iter()
            .flat_map(|s| {
                s.image
                    .repositories()
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .map(|name| name.split('/').next().unwrap().to_owned())
            .collect();
        for host in ["ghcr.io", "docker.io", "quay.io"] {
            assert!(
                registries.contains(host),
                "a {host} repository in {registries:?}"
            );
        }
        assert!(
            registries.iter().any(|host| host.contains(':')),
            "a host:port registry in {registries:?}"
        );
        assert!(
            any(&|s| s.sign.as_ref().is_some_and(|sign| sign.keyless)),
            "keyless signing"
        );
        assert!(
            any(&|s| s.sign.as_ref().is_some_and(|sign| sign.key.is_some())),
            "key signing"
        );
        assert!(
            any(
                &|s| s.deploy.as_ref().is_some_and(|d| d.environments.len() >= 3
                    && d.environments.iter().filter(|e| e.needs.is_some()).count() >= 2)
            ),
            "environments chained with needs"
        );
        assert!(
            any(&|s| s
                .ci
                .as_ref()
                .is_some_and(|ci| ci.providers.contains(&shipgate_spec::CiProvider::Gitlab))),
            "the gitlab provider"
        );
        assert!(
            any(&|s| s
                .scan
                .as_ref()
                .is_some_and(|scan| scan.ignore.is_some() && !scan.vex.is_empty())),
            "an ignore file and VEX documents"
        );
    }

    /// The scaffolder recognises each example for what it is.
    #[test]
    fn the_scaffolder_detects_the_examples() {
        let root = test_support::workspace_root().join("examples");
        let expected = [
            ("rust-service", ProjectKind::Rust, "rust-service", 8080),
            ("python-web", ProjectKind::Python, "python-web", 8000),
            ("node-app", ProjectKind::Node, "node-app", 3000),
        ];
        for (folder, kind, name, port) in expected {
            let temp = tempfile::tempdir().unwrap();
            let dir = temp.path().join(folder);
            copy_tree(&root.join(folder), &dir);
            let detection = scaffold::detect(&dir).unwrap();
            assert_eq!(detection.kind, kind, "{folder}");
            assert_eq!(detection.name, name, "{folder}");
            assert_eq!(
                detection.server.as_ref().map(|s| s.port),
                Some(port),
                "{folder}"
            );
            assert!(
                detection.has_dockerfile && detection.has_dockerignore,
                "{folder}"
            );
        }
    }

    #[test]
    fn example_rust_service_is_its_own_workspace() {
        let manifest = test_support::workspace_root().join("examples/rust-service/Cargo.toml");
        let text = fs_err::read_to_string(manifest).unwrap();
        assert!(text.lines().any(|line| line.trim() == "[workspace]"));
    }
}

#[test]
fn kinds_have_stable_ids() {
    let ids: Vec<&str> = [
        ProjectKind::Rust,
        ProjectKind::Go,
        ProjectKind::Python,
        ProjectKind::Node,
        ProjectKind::Dockerfile,
        ProjectKind::Unknown,
    ]
    .iter()
    .map(|kind| kind.id())
    .collect();
    assert_eq!(
        ids,
        ["rust", "go", "python", "node", "dockerfile", "unknown"]
    );
}
