//! Node.js: `package.json`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::detect::{Project, read_text, server_hint, sniff_port_in, source_files};
use super::{BuildRecipe, Error, ProjectKind, Result};

/// The Node.js major release of the images when the repository pins none.
const DEFAULT_NODE: &str = "24";

/// Frameworks by dependency name (most specific first), with their usual port.
const FRAMEWORKS: &[(&str, &str, u16)] = &[
    ("next", "next", 3000),
    ("@nestjs/core", "nest", 3000),
    ("fastify", "fastify", 3000),
    ("koa", "koa", 3000),
    ("express", "express", 3000),
];

pub(super) fn detect(dir: &Path, notes: &mut Vec<String>) -> Result<Project> {
    let path = dir.join("package.json");
    let text = fs_err::read_to_string(&path)?;
    let manifest: Value = serde_json::from_str(&text).map_err(|error| Error::Manifest {
        path: path.clone(),
        message: error.to_string(),
    })?;
    let field = |key: &str| manifest.get(key).and_then(Value::as_str).map(str::to_owned);
    let script = |key: &str| {
        manifest
            .get("scripts")
            .and_then(|scripts| scripts.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };

    // `@scope/name` → `name`.
    let name = field("name").map(|name| match name.rsplit_once('/') {
        Some((_, bare)) => bare.to_owned(),
        None => name,
    });
    let has_dependency = |dependency: &str| {
        manifest
            .get("dependencies")
            .and_then(Value::as_object)
            .is_some_and(|deps| deps.contains_key(dependency))
    };

    let lockfile =
        dir.join("package-lock.json").is_file() || dir.join("npm-shrinkwrap.json").is_file();
    if !lockfile {
        if dir.join("yarn.lock").is_file() || dir.join("pnpm-lock.yaml").is_file() {
            notes.push(
                "a yarn or pnpm lock file was found, but the Dockerfile installs with npm: \
                 switch its install steps to your package manager"
                    .to_owned(),
            );
        } else {
            notes.push(
                "no package-lock.json: the Dockerfile runs `npm install`; commit a lock file \
                 for reproducible builds"
                    .to_owned(),
            );
        }
    }
    let build_script = script("build").is_some();

    // The command: the production start script when it is a plain command, else `main`.
    let start = script("start:prod").or_else(|| script("start"));
    let command = match start.as_deref().map(str::trim) {
        Some(start) if is_plain_command(start) => {
            let mut words: Vec<String> = start.split_whitespace().map(str::to_owned).collect();
            if words.first().is_some_and(|word| word != "node") {
                // A package binary, e.g. `next start`: run it without npm in between.
                words[0] = format!("node_modules/.bin/{}", words[0]);
            }
            words
        }
        Some(_) => {
            notes.push(
                "the start script uses shell syntax: the image runs `npm start`; npm does not \
                 pass every signal on, so prefer a plain `node <file>` command"
                    .to_owned(),
            );
            vec!["npm".to_owned(), "start".to_owned()]
        }
        None => {
            let entry = field("main")
                .or_else(|| {
                    ["server.js", "index.js", "app.js", "main.js"]
                        .iter()
                        .find(|file| dir.join(file).is_file())
                        .map(|file| (*file).to_owned())
                })
                .unwrap_or_else(|| {
                    notes.push(
                        "no start script, `main` or index.js found: change the Dockerfile's \
                         CMD to your program"
                            .to_owned(),
                    );
                    "index.js".to_owned()
                });
            vec!["node".to_owned(), entry]
        }
    };

    // Sources for imports and ports: the entry file first.
    let mut sources = source_files(dir, &["js", "mjs", "cjs", "ts"], 3);
    if let Some(entry) = command.iter().find(|word| is_script_file(word)) {
        let entry = dir.join(entry);
        sources.sort_by_key(|path| *path != entry);
    }
    let framework = FRAMEWORKS
        .iter()
        .find(|(dependency, _, _)| has_dependency(dependency));
    let server = match framework {
        Some((_, framework, port)) => Some(server_hint(
            Some(framework),
            sniff_port_in(&sources),
            *port,
            notes,
        )),
        None if uses_http_server(&sources) => {
            Some(server_hint(None, sniff_port_in(&sources), 3000, notes))
        }
        None => None,
    };

    Ok(Project {
        kind: ProjectKind::Node,
        name,
        description: field("description"),
        license: field("license"),
        server,
        build: BuildRecipe::Node {
            node_version: node_version(dir, &manifest),
            lockfile,
            build_script,
            command,
        },
    })
}

/// A command without shell syntax: it can run in exec form.
fn is_plain_command(command: &str) -> bool {
    !command.is_empty() && !command.contains(|ch: char| "&|;<>$`\\\"'()*?=~".contains(ch))
}

fn is_script_file(word: &str) -> bool {
    [".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| word.ends_with(ext))
}

/// True when a source creates an HTTP server with Node's own modules.
fn uses_http_server(sources: &[PathBuf]) -> bool {
    sources
        .iter()
        .filter_map(|path| read_text(path))
        .any(|text| {
            text.contains("createServer(")
                && (text.contains("'http'")
                    || text.contains("\"http\"")
                    || text.contains("node:http"))
        })
}

/// The Node.js major release from `.nvmrc`, `.node-version` or `engines.node`.
fn node_version(dir: &Path, manifest: &Value) -> String {
    let pinned = [".nvmrc", ".node-version"]
        .iter()
        .filter_map(|file| read_text(&dir.join(file)))
        .find_map(|text| major(text.lines().next().unwrap_or("")))
        .or_else(|| {
            manifest
                .get("engines")
                .and_then(|engines| engines.get("node"))
                .and_then(Value::as_str)
                .and_then(major)
        });
    pinned.unwrap_or_else(|| DEFAULT_NODE.to_owned())
}

/// The major release of `22`, `v22.3.0`, `^22`, `~22.1` or `22.x`; `None` for ranges like
/// `>=18` (the default release satisfies them) or names like `lts/*`.
fn major(spec: &str) -> Option<String> {
    let spec = spec.trim().trim_start_matches(['^', '~', '=', 'v']);
    let digits: String = spec.chars().take_while(char::is_ascii_digit).collect();
    let rest = &spec[digits.len()..];
    let major = digits.parse::<u32>().ok().filter(|major| *major >= 18)?;
    (rest.is_empty() || rest.starts_with('.')).then(|| major.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_node_majors() {
        assert_eq!(major("22").as_deref(), Some("22"));
        assert_eq!(major("v20.11.1\n").as_deref(), Some("20"));
        assert_eq!(major("^22.1").as_deref(), Some("22"));
        assert_eq!(major("22.x").as_deref(), Some("22"));
        assert_eq!(major(">=18"), None);
        assert_eq!(major("lts/*"), None);
        assert_eq!(major("16"), None);
    }

    #[test]
    fn tells_plain_commands() {
        assert!(is_plain_command("node server.js"));
        assert!(is_plain_command("next start -p 3000"));
        assert!(!is_plain_command("NODE_ENV=production node x.js"));
        assert!(!is_plain_command("npm run build && node dist/x.js"));
    }
}
