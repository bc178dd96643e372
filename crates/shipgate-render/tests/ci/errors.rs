//! Specs a CI file cannot express are refused with a diagnostic naming the spec value,
//! never rendered into a broken file. (The loader catches most of these first; the
//! renderer does not rely on it.)

use miette::Diagnostic;
use serde_json::{Value, json};
use shipgate_core::exit::{Exit, ExitStatus};
use shipgate_render::{RenderOptions, render_ci};

fn error_for(spec: Value, spec_path: &str) -> String {
    let spec = serde_json::from_value(spec).unwrap();
    let error = render_ci(
        &spec,
        &RenderOptions {
            spec_path: spec_path.to_owned(),
        },
    )
    .unwrap_err();
    assert_eq!(error.exit(), Exit::BadInput);
    format!(
        "[{}] {error}\nhelp: {}",
        error
            .code()
            .map(|code| code.to_string())
            .unwrap_or_default(),
        error
            .help()
            .map(|help| help.to_string())
            .unwrap_or_default()
    )
}

fn with_image(image: Value) -> Value {
    json!({"version": 1, "image": image})
}

#[test]
fn windows_platform() {
    insta::assert_snapshot!(error_for(
        with_image(json!({"name": "ghcr.io/a/b", "platforms": ["linux/amd64", "windows/amd64"]})),
        "shipgate.yaml"
    ));
}

#[test]
fn context_outside_the_repository() {
    insta::assert_snapshot!(error_for(
        with_image(json!({"name": "ghcr.io/a/b", "context": "../.."})),
        "app/shipgate.yaml"
    ));
}

#[test]
fn spec_path_outside_the_repository() {
    insta::assert_snapshot!(error_for(
        with_image(json!({"name": "ghcr.io/a/b"})),
        "../shipgate.yaml"
    ));
}

#[test]
fn registry_host_that_cannot_log_in() {
    insta::assert_snapshot!(error_for(
        json!({"version": 1, "image": {"name": "ghcr.io/a/b"}, "push": {"registries": ["[::1]:5000/b"]}}),
        "shipgate.yaml"
    ));
}

#[test]
fn needs_cycle() {
    insta::assert_snapshot!(error_for(
        json!({"version": 1, "image": {"name": "ghcr.io/a/b"}, "deploy": {"environments": [
            {"name": "a", "on": {"branch": "main"}, "needs": "b"},
            {"name": "b", "on": {"branch": "main"}, "needs": "a"},
        ]}}),
        "shipgate.yaml"
    ));
}

#[test]
fn key_variable_that_cannot_be_a_secret() {
    insta::assert_snapshot!(error_for(
        json!({"version": 1, "image": {"name": "ghcr.io/a/b"}, "sign": {"key": "env://GITHUB_TOKEN"}}),
        "shipgate.yaml"
    ));
}

#[test]
fn multi_line_build_argument() {
    insta::assert_snapshot!(error_for(
        json!({"version": 1, "image": {"name": "ghcr.io/a/b"}, "build": {"args": {"A": "one\ntwo"}}}),
        "shipgate.yaml"
    ));
}

#[test]
fn expression_in_a_trigger() {
    insta::assert_snapshot!(error_for(
        json!({"version": 1, "image": {"name": "ghcr.io/a/b"}, "deploy": {"environments": [
            {"name": "a", "on": {"tag": "${{ github.token }}"}},
        ]}}),
        "shipgate.yaml"
    ));
}
