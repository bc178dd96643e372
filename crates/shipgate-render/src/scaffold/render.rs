//! Renders a [`Detection`] into `shipgate.yaml`, `Dockerfile` and `.dockerignore`, with
//! the templates of `templates/init/` and `templates/dockerfile/` and the helpers of the
//! shared [`Engine`] (`yaml` quotes a YAML scalar when it must be quoted, `docker_str`
//! writes a double-quoted Dockerfile string).

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{BuildRecipe, Detection, Error, Forge, GeneratedFile, ProjectKind, Result};
use crate::engine::{self, Engine};

/// An engine failure as the scaffolder's error: both can only be template bugs.
fn template_error(error: engine::Error) -> Error {
    match error {
        engine::Error::Template { name, message } => Error::Template { name, message },
        other => Error::Template {
            name: String::new(),
            message: other.to_string(),
        },
    }
}

fn render(engine: &Engine, name: &str, context: &Value) -> Result<String> {
    let text = engine.render(name, context).map_err(template_error)?;
    Ok(tidy(&text))
}

/// At most one blank line in a row, no trailing spaces, exactly one final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

pub(super) fn scaffold(detection: &Detection) -> Result<Vec<GeneratedFile>> {
    let engine = Engine::new().map_err(template_error)?;
    let context = context(detection);
    let mut files = vec![GeneratedFile {
        path: PathBuf::from("shipgate.yaml"),
        contents: render(&engine, "init/shipgate.yaml", &context)?,
    }];
    if !detection.has_dockerfile {
        let template = match detection.kind {
            ProjectKind::Rust => "dockerfile/rust.Dockerfile",
            ProjectKind::Go => "dockerfile/go.Dockerfile",
            ProjectKind::Python => "dockerfile/python.Dockerfile",
            ProjectKind::Node => "dockerfile/node.Dockerfile",
            ProjectKind::Dockerfile | ProjectKind::Unknown => "dockerfile/unknown.Dockerfile",
        };
        files.push(GeneratedFile {
            path: PathBuf::from("Dockerfile"),
            contents: render(&engine, template, &context)?,
        });
    }
    if !detection.has_dockerignore {
        files.push(GeneratedFile {
            path: PathBuf::from(".dockerignore"),
            contents: render(&engine, "init/dockerignore", &context)?,
        });
    }
    Ok(files)
}

/// Everything the templates read. Every key is always present (strict mode).
fn context(detection: &Detection) -> Value {
    let placeholder = detection.is_placeholder();
    let forge = if placeholder { None } else { detection.forge };
    let fallback_repository = format!("example/{}", detection.name);
    let repository = detection
        .repository
        .as_deref()
        .unwrap_or(&fallback_repository);
    let (source_url, identity, issuer, provider, cache) = match forge {
        Some(Forge::GitLab) => (
            format!("https://gitlab.com/{repository}"),
            format!("https://gitlab.com/{repository}//.gitlab-ci.yml@refs/tags/v*"),
            "https://gitlab.com",
            "gitlab",
            "registry",
        ),
        Some(Forge::GitHub) | None => (
            format!("https://github.com/{repository}"),
            format!("https://github.com/{repository}/.github/workflows/shipgate.yml@refs/tags/v*"),
            "https://token.actions.githubusercontent.com",
            "github",
            "gha",
        ),
    };
    let server = detection.server.as_ref().map(|server| {
        json!({
            "port": server.port,
            "framework": server.framework,
        })
    });

    let mut context = json!({
        "kind": detection.kind.id(),
        "name": detection.name,
        "subject": subject(detection),
        "server_summary": server_summary(detection),
        "notes": wrapped_notes(&detection.notes),
        "description": detection.description,
        "license": detection.license,
        "image_name": detection.image(),
        "placeholder": placeholder,
        "forge": provider,
        "provider": provider,
        "cache": cache,
        "source_url": source_url,
        "identity": identity,
        "issuer": issuer,
        "default_branch": detection.default_branch,
        "dockerfile_path": detection
            .dockerfile
            .as_ref()
            .map_or("Dockerfile", |existing| existing.path.as_str()),
        "server": server,
        "build_script": false,
        "base_image": "debian:trixie-slim",
    });
    let recipe = match &detection.build {
        Some(BuildRecipe::Rust {
            binary,
            locked,
            rust_version,
        }) => json!({
            "binary": binary,
            "locked": locked,
            "rust_version": rust_version,
            "base_image": format!("rust:{rust_version}-slim-trixie"),
        }),
        Some(BuildRecipe::Go {
            package,
            go_version,
        }) => json!({
            "binary": detection.name,
            "package": package,
            "go_version": go_version,
            "base_image": format!("golang:{go_version}"),
        }),
        Some(BuildRecipe::Python {
            python_version,
            requirements,
            install_project,
            command,
        }) => json!({
            "python_version": python_version,
            "requirements": requirements,
            "install_project": install_project,
            "command": exec_form(command),
            "base_image": format!("python:{python_version}-slim"),
        }),
        Some(BuildRecipe::Node {
            node_version,
            lockfile,
            build_script,
            command,
        }) => json!({
            "node_version": node_version,
            "lockfile": lockfile,
            "build_script": build_script,
            "command": exec_form(command),
            "base_image": format!("node:{node_version}-slim"),
        }),
        None => json!({}),
    };
    if let (Some(context), Value::Object(recipe)) = (context.as_object_mut(), recipe) {
        context.extend(recipe);
    }
    context
}

/// What was detected, e.g. "the Rust project `api`".
fn subject(detection: &Detection) -> String {
    match detection.kind {
        ProjectKind::Dockerfile => format!(
            "the repository `{}` and its {}",
            detection.name,
            detection
                .dockerfile
                .as_ref()
                .map_or("Dockerfile", |existing| existing.path.as_str())
        ),
        ProjectKind::Unknown => format!("the repository `{}`", detection.name),
        kind => format!("the {} project `{}`", kind.label(), detection.name),
    }
}

/// The server, e.g. "a server on port 3000 (axum)".
fn server_summary(detection: &Detection) -> Option<String> {
    detection
        .server
        .as_ref()
        .map(|server| match &server.framework {
            Some(framework) => format!("a server on port {} ({framework})", server.port),
            None => format!("a server on port {}", server.port),
        })
}

/// Each note as comment text wrapped under 90 columns: `note: ...` then indented lines,
/// joined with `\n# ` so a template writes it after `# `.
fn wrapped_notes(notes: &[String]) -> Vec<String> {
    notes
        .iter()
        .map(|note| wrap(&format!("note: {note}"), 86).join("\n#       "))
        .collect()
}

/// Greedy word wrap: the first line up to `width` characters, the next ones up to
/// `width - 6` (they are indented under `note: `).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let limit = if lines.is_empty() { width } else { width - 6 };
        if !line.is_empty() && line.len() + 1 + word.len() > limit {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A command in Dockerfile exec form: `["a", "b"]`.
fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| json_string(word)).collect();
    format!("[{}]", quoted.join(", "))
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.replace('"', "'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_exec_form() {
        assert_eq!(
            exec_form(&["node".into(), "server.js".into()]),
            "[\"node\", \"server.js\"]"
        );
    }

    #[test]
    fn wraps_notes() {
        let notes = ["one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".to_owned()];
        assert_eq!(
            wrapped_notes(&notes),
            [
                "note: one two three four five six seven eight nine ten eleven twelve thirteen fourteen\n#       fifteen sixteen"
            ]
        );
    }

    #[test]
    fn tidies_blank_lines() {
        assert_eq!(tidy("\n\na  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
