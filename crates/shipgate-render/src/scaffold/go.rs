//! Go: `go.mod` and the module's `package main`.

use std::path::{Path, PathBuf};

use super::detect::{Project, read_text, server_hint, sniff_port_in, source_files};
use super::{BuildRecipe, Error, ProjectKind, Result};

/// The Go release of the builder image when `go.mod` has no `go` directive.
const DEFAULT_GO: &str = "1.25";

/// Web frameworks by import path prefix, with the port their examples use.
const FRAMEWORKS: &[(&str, &str, u16)] = &[
    ("github.com/gin-gonic/gin", "gin", 8080),
    ("github.com/labstack/echo", "echo", 1323),
    ("github.com/gofiber/fiber", "fiber", 3000),
    ("github.com/go-chi/chi", "chi", 3000),
];

pub(super) fn detect(dir: &Path, notes: &mut Vec<String>) -> Result<Project> {
    let path = dir.join("go.mod");
    let text = fs_err::read_to_string(&path)?;
    let module = directive(&text, "module").ok_or_else(|| Error::Manifest {
        path: path.clone(),
        message: "no `module` directive".to_owned(),
    })?;
    let go_version = directive(&text, "go")
        .map(|version| version.split('.').take(2).collect::<Vec<_>>().join("."))
        .filter(|version| version.split('.').all(|part| part.parse::<u32>().is_ok()))
        .unwrap_or_else(|| DEFAULT_GO.to_owned());
    let name = module_name(&module);

    let sources: Vec<PathBuf> = source_files(dir, &["go"], 4)
        .into_iter()
        .filter(|path| !path.to_string_lossy().ends_with("_test.go"))
        .collect();
    let texts: Vec<(PathBuf, String)> = sources
        .iter()
        .filter_map(|path| read_text(path).map(|text| (path.clone(), text)))
        .collect();

    // Folders holding `package main`, shallow first.
    let mut mains: Vec<PathBuf> = Vec::new();
    for (path, text) in &texts {
        if declares_main(text)
            && let Some(folder) = path.parent()
            && !mains.iter().any(|known| known == folder)
        {
            mains.push(folder.to_path_buf());
        }
    }
    let relative = |folder: &Path| -> String {
        match folder.strip_prefix(dir) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
            Ok(rel) => format!("./{}", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => ".".to_owned(),
        }
    };
    let chosen = mains
        .iter()
        .find(|folder| folder.as_path() == dir)
        .or_else(|| {
            mains.iter().find(|folder| {
                folder
                    .file_name()
                    .is_some_and(|f| f.to_string_lossy() == name)
            })
        })
        .or_else(|| mains.first());
    let package = match chosen {
        Some(folder) => relative(folder),
        None => {
            notes.push(
                "no `package main` found: the Dockerfile builds `.`; change it to your main package"
                    .to_owned(),
            );
            ".".to_owned()
        }
    };
    if mains.len() > 1 {
        let all: Vec<String> = mains.iter().map(|folder| relative(folder)).collect();
        notes.push(format!(
            "main packages found: {}; the Dockerfile builds {package}",
            all.join(", ")
        ));
    }

    let framework = FRAMEWORKS.iter().find(|(import, _, _)| {
        text.contains(import) || texts.iter().any(|(_, source)| source.contains(import))
    });
    let uses_net_http = texts
        .iter()
        .any(|(_, source)| source.contains("\"net/http\""));
    // Ports: the main package's files first.
    let mut ordered = sources.clone();
    if let Some(folder) = chosen {
        ordered.sort_by_key(|path| path.parent() != Some(folder.as_path()));
    }
    let server = match framework {
        Some((_, framework, port)) => Some(server_hint(
            Some(framework),
            sniff_port_in(&ordered),
            *port,
            notes,
        )),
        None if uses_net_http => Some(server_hint(
            Some("net/http"),
            sniff_port_in(&ordered),
            8080,
            notes,
        )),
        None => None,
    };

    Ok(Project {
        kind: ProjectKind::Go,
        name: Some(name.clone()),
        description: None,
        license: None,
        server,
        build: BuildRecipe::Go {
            package,
            go_version,
        },
    })
}

/// The first argument of a top-level `go.mod` directive, unquoted.
fn directive(text: &str, keyword: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or(line).trim();
        let rest = line.strip_prefix(keyword)?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let value = rest.trim().trim_matches('"').trim_matches('`');
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// The binary name of a module path: its last element, skipping a `/vN` major suffix.
fn module_name(module: &str) -> String {
    let mut parts = module.rsplit('/');
    let last = parts.next().unwrap_or(module);
    let is_major =
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|ch| ch.is_ascii_digit());
    match (is_major, parts.next()) {
        (true, Some(previous)) => previous.to_owned(),
        _ => last.to_owned(),
    }
}

/// True when a Go source file's package clause says `package main`.
fn declares_main(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| line.starts_with("package "))
        .is_some_and(|line| line.split_whitespace().nth(1) == Some("main"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives() {
        let text =
            "// comment\nmodule \"github.com/acme/api/v2\" // x\n\ngo 1.24.1\ntoolchain go1.24.3\n";
        assert_eq!(
            directive(text, "module").as_deref(),
            Some("github.com/acme/api/v2")
        );
        assert_eq!(directive(text, "go").as_deref(), Some("1.24.1"));
        assert_eq!(module_name("github.com/acme/api/v2"), "api");
        assert_eq!(module_name("example.com/v2tool"), "v2tool");
        assert_eq!(module_name("hello"), "hello");
    }
}
