//! Rust: `Cargo.toml` (a package, a workspace, or both).

use std::path::{Path, PathBuf};

use super::detect::{
    Project, parse_toml, server_hint, sniff_port_in, source_files, toml_get, toml_str,
};
use super::{BuildRecipe, ProjectKind, Result};

/// The Rust release of the builder image when the repository pins none.
const DEFAULT_RUST: &str = "1.95";

/// Web frameworks and servers, with the port their examples use.
const FRAMEWORKS: &[(&str, u16)] = &[
    ("axum", 3000),
    ("actix-web", 8080),
    ("rocket", 8000),
    ("warp", 3030),
    ("poem", 3000),
    ("tide", 8080),
    ("hyper", 3000),
];

/// One package of the workspace.
struct Package {
    name: String,
    dir: PathBuf,
    description: Option<String>,
    license: Option<String>,
    bins: Vec<String>,
    framework: Option<&'static str>,
}

pub(super) fn detect(dir: &Path, notes: &mut Vec<String>) -> Result<Project> {
    let manifest = parse_toml(&dir.join("Cargo.toml"))?;
    let mut packages = Vec::new();
    if let Some(package) = read_package(dir, &manifest) {
        packages.push(package);
    }
    for member in workspace_members(dir, &manifest) {
        let path = member.join("Cargo.toml");
        // A broken member is cargo's to report; the scaffold only needs the binaries.
        let Ok(member_manifest) = parse_toml(&path) else {
            continue;
        };
        if let Some(package) = read_package(&member, &member_manifest)
            && !packages
                .iter()
                .any(|known: &Package| known.name == package.name)
        {
            packages.push(package);
        }
    }

    let root_name = toml_str(&manifest, "package.name").map(str::to_owned);
    // The package to containerise: a server with a binary first, then any binary.
    let chosen = packages
        .iter()
        .find(|package| package.framework.is_some() && !package.bins.is_empty())
        .or_else(|| packages.iter().find(|package| !package.bins.is_empty()))
        .or_else(|| packages.first());

    let Some(chosen) = chosen else {
        notes.push("Cargo.toml has no package and no workspace members with a binary".to_owned());
        let name = root_name.unwrap_or_else(|| "app".to_owned());
        return Ok(Project {
            kind: ProjectKind::Rust,
            name: Some(name.clone()),
            description: None,
            license: None,
            server: None,
            build: BuildRecipe::Rust {
                binary: name,
                locked: dir.join("Cargo.lock").is_file(),
                rust_version: rust_version(dir),
            },
        });
    };

    let binary = if chosen.bins.contains(&chosen.name) {
        chosen.name.clone()
    } else {
        chosen.bins.first().cloned().unwrap_or_else(|| {
            notes.push(format!(
                "package `{}` has no binary target: the Dockerfile builds `--bin {}`; \
                 change it to your binary",
                chosen.name, chosen.name
            ));
            chosen.name.clone()
        })
    };
    let all_bins: Vec<&str> = packages
        .iter()
        .flat_map(|package| package.bins.iter().map(String::as_str))
        .collect();
    if all_bins.len() > 1 {
        notes.push(format!(
            "binaries found: {}; the Dockerfile builds and runs `{binary}`",
            all_bins.join(", ")
        ));
    }

    let sources = source_files(&chosen.dir.join("src"), &["rs"], 4);
    let server = match chosen.framework {
        Some(framework) => {
            let default_port = FRAMEWORKS
                .iter()
                .find(|(name, _)| *name == framework)
                .map_or(8080, |(_, port)| *port);
            Some(server_hint(
                Some(framework),
                sniff_port_in(&sources),
                default_port,
                notes,
            ))
        }
        None => {
            // A std-only server: it binds a TcpListener.
            let listens = sources.iter().any(|path| {
                super::detect::read_text(path)
                    .is_some_and(|text| text.contains("TcpListener::bind"))
            });
            listens.then(|| server_hint(None, sniff_port_in(&sources), 8080, notes))
        }
    };

    Ok(Project {
        kind: ProjectKind::Rust,
        name: Some(root_name.unwrap_or_else(|| chosen.name.clone())),
        description: chosen.description.clone(),
        license: chosen.license.clone(),
        server,
        build: BuildRecipe::Rust {
            binary,
            locked: dir.join("Cargo.lock").is_file(),
            rust_version: rust_version(dir),
        },
    })
}

/// The package declared by a manifest, with its binaries and web framework.
fn read_package(dir: &Path, manifest: &toml::Table) -> Option<Package> {
    let name = toml_str(manifest, "package.name")?.to_owned();
    // `description.workspace = true` and friends are tables: ignore them.
    let description = toml_str(manifest, "package.description").map(str::to_owned);
    let license = toml_str(manifest, "package.license").map(str::to_owned);

    let targets: &[toml::Value] = toml_get(manifest, "bin")
        .and_then(toml::Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut bins: Vec<String> = targets
        .iter()
        .filter_map(|target| target.get("name").and_then(toml::Value::as_str))
        .map(str::to_owned)
        .collect();
    // A `[[bin]]` whose path is src/main.rs replaces the implicit binary.
    let main_is_explicit = targets
        .iter()
        .any(|target| target.get("path").and_then(toml::Value::as_str) == Some("src/main.rs"));
    let autobins = toml_get(manifest, "package.autobins")
        .and_then(toml::Value::as_bool)
        .unwrap_or(true);
    if dir.join("src/main.rs").is_file() && !main_is_explicit && !bins.contains(&name) {
        bins.insert(0, name.clone());
    }
    if autobins {
        let mut extra: Vec<String> = fs_err::read_dir(dir.join("src/bin"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() && path.join("main.rs").is_file() {
                    Some(file_name)
                } else {
                    file_name.strip_suffix(".rs").map(str::to_owned)
                }
            })
            .filter(|bin| !bins.contains(bin))
            .collect();
        extra.sort();
        bins.extend(extra);
    }

    let framework = FRAMEWORKS
        .iter()
        .map(|(name, _)| *name)
        .find(|framework| depends_on(manifest, framework));

    Some(Package {
        name,
        dir: dir.to_path_buf(),
        description,
        license,
        bins,
        framework,
    })
}

/// True when `[dependencies]` (or a `[target.*.dependencies]`) names `crate_name`,
/// directly or through `package = "..."`.
fn depends_on(manifest: &toml::Table, crate_name: &str) -> bool {
    let names = |deps: Option<&toml::Value>| -> bool {
        deps.and_then(toml::Value::as_table).is_some_and(|deps| {
            deps.iter().any(|(key, value)| {
                key == crate_name
                    || value.get("package").and_then(toml::Value::as_str) == Some(crate_name)
            })
        })
    };
    names(manifest.get("dependencies"))
        || manifest
            .get("target")
            .and_then(toml::Value::as_table)
            .is_some_and(|targets| {
                targets
                    .values()
                    .any(|target| names(target.get("dependencies")))
            })
}

/// The member folders of `[workspace] members`, with `dir/*` globs expanded.
fn workspace_members(dir: &Path, manifest: &toml::Table) -> Vec<PathBuf> {
    let Some(members) = toml_get(manifest, "workspace.members").and_then(toml::Value::as_array)
    else {
        return Vec::new();
    };
    let mut folders = Vec::new();
    for member in members.iter().filter_map(toml::Value::as_str) {
        match member.strip_suffix("/*") {
            Some(parent) => {
                let mut children: Vec<PathBuf> = fs_err::read_dir(dir.join(parent))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.join("Cargo.toml").is_file())
                    .collect();
                children.sort();
                folders.extend(children);
            }
            None if !member.contains('*') => folders.push(dir.join(member)),
            None => {}
        }
    }
    folders
}

/// The toolchain from `rust-toolchain.toml` (or `rust-toolchain`) when it names a release,
/// e.g. `1.88` or `1.88.0`; otherwise [`DEFAULT_RUST`].
fn rust_version(dir: &Path) -> String {
    let channel = parse_toml(&dir.join("rust-toolchain.toml"))
        .ok()
        .and_then(|table| toml_str(&table, "toolchain.channel").map(str::to_owned))
        .or_else(|| {
            super::detect::read_text(&dir.join("rust-toolchain")).map(|text| text.trim().to_owned())
        });
    match channel {
        Some(channel) if is_release(&channel) => channel,
        _ => DEFAULT_RUST.to_owned(),
    }
}

fn is_release(channel: &str) -> bool {
    let parts: Vec<&str> = channel.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|ch| ch.is_ascii_digit()))
}
