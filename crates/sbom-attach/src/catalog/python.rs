//! The `python` cataloger: installed distributions, from `*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO`, `EGG-INFO/PKG-INFO` and `*.egg-info` files, read as syft reads
//! them: the name normalised (`PyYAML` → `pyyaml`, `zope.interface` → `zope-interface`),
//! `License-Expression` else `License` as written (classifiers are not used),
//! `Requires-Dist` names (without extras-only requirements) as dependencies, the files
//! of `RECORD` (or `installed-files.txt`), and a `vcs_url` qualifier from
//! `direct_url.json` for VCS installs.
//!
//! Deliberate differences from syft 1.18: a distribution whose `direct_url.json` is
//! malformed is still reported (with an issue; syft drops it), and no license is guessed
//! from `License-File` contents. Language CPEs (syft derives them from author fields and
//! an NVD dictionary) are not generated.

use std::collections::BTreeMap;
use std::io::{self, Read};

use serde_json::Value;
use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue, METADATA_LIMIT, read_capped};
use crate::catalog::lockfiles::package_url;
use crate::package::{Package, PackageType};

/// The name of the cataloger, also [`Package::cataloger`].
const NAME: &str = "python";

/// The most files kept from one `RECORD`.
const RECORD_FILES_LIMIT: usize = 100_000;

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(PythonCataloger::default())]
}

/// A distribution name as syft writes it (PEP 503: lower case, runs of `-`, `_`, `.`
/// become one `-`).
pub(crate) fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// `pkg:pypi/name@version`.
pub(crate) fn pypi_purl(name: &str, version: &str) -> String {
    package_url("pypi", "", name, version, &[])
}

/// What one metadata file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `Name`.
    pub name: String,
    /// `Version`.
    pub version: String,
    /// `License` (continuation lines joined with `"\n "`, as syft keeps them).
    pub license: Option<String>,
    /// `License-Expression`.
    pub license_expression: Option<String>,
    /// `Requires-Dist` values.
    pub requires_dist: Vec<String>,
}

/// Parses the RFC 822 style header of a `METADATA`/`PKG-INFO` file; the body (after the
/// first blank line) is the description and is not read.
pub fn parse_metadata(text: &str) -> Metadata {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            if fields.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str("\n ");
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':')
            && !key.is_empty()
        {
            fields.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut metadata = Metadata::default();
    for (key, value) in fields {
        match key.to_ascii_lowercase().as_str() {
            "name" => metadata.name = value,
            "version" => metadata.version = value,
            "license" => metadata.license = Some(value),
            "license-expression" => metadata.license_expression = Some(value),
            "requires-dist" => metadata.requires_dist.push(value),
            _ => {}
        }
    }
    metadata
}

/// The distribution name a `Requires-Dist` value needs, unless it is only needed for an
/// extra (`; extra == "test"`).
fn requirement_name(requirement: &str) -> Option<String> {
    let (spec, marker) = match requirement.split_once(';') {
        Some((spec, marker)) => (spec, marker),
        None => (requirement, ""),
    };
    if marker.contains("extra") {
        return None;
    }
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = spec[..end].trim();
    (!name.is_empty()).then(|| normalize_name(name))
}

/// What kind of file of a distribution a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Metadata,
    Record,
    InstalledFiles,
    DirectUrl,
}

fn role(path: &str) -> Option<Role> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let dir_name = dir.rsplit('/').next().unwrap_or(dir);
    let dist_info = dir_name.ends_with(".dist-info");
    let egg_info = dir_name.ends_with(".egg-info") || dir_name == "EGG-INFO";
    match file {
        "METADATA" if dist_info => Some(Role::Metadata),
        "PKG-INFO" if egg_info => Some(Role::Metadata),
        "RECORD" if dist_info || egg_info => Some(Role::Record),
        "installed-files.txt" if egg_info => Some(Role::InstalledFiles),
        "direct_url.json" if dist_info => Some(Role::DirectUrl),
        _ if file.ends_with(".egg-info") => Some(Role::Metadata),
        _ => None,
    }
}

/// The directory of a path (`""` at the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Joins `relative` onto `base`, resolving `.` and `..` (never above the root).
fn join(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The Python cataloger.
#[derive(Debug, Default)]
pub struct PythonCataloger {
    metadata: BTreeMap<String, Metadata>,
    /// Directory → files listed by its `RECORD`/`installed-files.txt`.
    records: BTreeMap<String, Vec<String>>,
    /// Directory → the `vcs_url` qualifier from `direct_url.json`.
    vcs_urls: BTreeMap<String, String>,
}

impl Cataloger for PythonCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        role(&entry.path).is_some()
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let Some(role) = role(&entry.path) else {
            return Ok(());
        };
        let Some(bytes) = read_capped(content, METADATA_LIMIT)? else {
            issues.push(Issue {
                cataloger: NAME,
                path: entry.path.clone(),
                layer: Some(entry.layer),
                message: format!("larger than the {METADATA_LIMIT} byte limit; not read"),
            });
            return Ok(());
        };
        let text = String::from_utf8_lossy(&bytes);
        let dir = parent(&entry.path).to_owned();
        match role {
            Role::Metadata => {
                let metadata = parse_metadata(&text);
                if metadata.name.is_empty() {
                    issues.push(Issue {
                        cataloger: NAME,
                        path: entry.path.clone(),
                        layer: Some(entry.layer),
                        message: "no Name field; not a package".to_owned(),
                    });
                    return Ok(());
                }
                self.metadata.insert(entry.path.clone(), metadata);
            }
            Role::Record | Role::InstalledFiles => {
                // RECORD paths are relative to site-packages (the parent of the
                // .dist-info folder); installed-files.txt ones to the .egg-info folder.
                let base = if role == Role::Record {
                    parent(&dir).to_owned()
                } else {
                    dir.clone()
                };
                let files = text
                    .lines()
                    .filter_map(|line| {
                        let path = if role == Role::Record {
                            line.split(',').next().unwrap_or_default()
                        } else {
                            line
                        };
                        let path = path.trim().trim_matches('"');
                        (!path.is_empty()).then(|| join(&base, path))
                    })
                    .take(RECORD_FILES_LIMIT)
                    .collect();
                self.records.entry(dir).or_insert(files);
            }
            Role::DirectUrl => match serde_json::from_str::<Value>(&text) {
                Ok(value) => {
                    let vcs_info = value.get("vcs_info");
                    let vcs = vcs_info
                        .and_then(|v| v.get("vcs"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let commit = vcs_info
                        .and_then(|v| v.get("commit_id"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let url = value.get("url").and_then(Value::as_str).unwrap_or_default();
                    if !vcs.is_empty() {
                        self.vcs_urls.insert(dir, format!("{vcs}+{url}@{commit}"));
                    }
                }
                Err(error) => issues.push(Issue {
                    cataloger: NAME,
                    path: entry.path.clone(),
                    layer: Some(entry.layer),
                    message: format!("not valid JSON: {error}"),
                }),
            },
        }
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        _context: &CatalogContext,
        files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        let exists = |path: &str| {
            files
                .binary_search_by(|f| f.path.as_str().cmp(path))
                .is_ok()
        };
        let mut out = Vec::new();
        for (path, metadata) in &self.metadata {
            // The interpreter's own egg-info (`Python-2.7.egg-info`) is not a package.
            if metadata.name == "Python" {
                continue;
            }
            let name = normalize_name(&metadata.name);
            let dir = parent(path);
            let is_file_egg = path.ends_with(".egg-info");
            let mut locations = vec![path.clone()];
            if !is_file_egg {
                for extra in [
                    "RECORD",
                    "installed-files.txt",
                    "top_level.txt",
                    "direct_url.json",
                ] {
                    let candidate = join(dir, extra);
                    if exists(&candidate) {
                        locations.push(candidate);
                    }
                }
            }
            let qualifiers: Vec<(&str, &str)> = self
                .vcs_urls
                .get(dir)
                .map(|url| vec![("vcs_url", url.as_str())])
                .unwrap_or_default();
            let purl = package_url("pypi", "", &name, &metadata.version, &qualifiers);
            let licenses = metadata
                .license_expression
                .clone()
                .or_else(|| metadata.license.clone())
                .filter(|l| !l.is_empty())
                .into_iter()
                .collect();
            let mut dependencies: Vec<String> = metadata
                .requires_dist
                .iter()
                .filter_map(|r| requirement_name(r))
                .collect();
            dependencies.sort();
            dependencies.dedup();
            out.push(Package {
                name,
                version: metadata.version.clone(),
                kind: PackageType::Python,
                purl,
                cpes: Vec::new(),
                licenses,
                locations,
                cataloger: NAME,
                architecture: None,
                source_package: None,
                files: if is_file_egg {
                    Vec::new()
                } else {
                    self.records.get(dir).cloned().unwrap_or_default()
                },
                dependencies,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("PyYAML"), "pyyaml");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("Foo_Bar..Baz"), "foo-bar-baz");
    }

    #[test]
    fn metadata_fields() {
        let metadata = parse_metadata(
            "Metadata-Version: 2.1\nName: a\nVersion: 1.0\nLicense: BSD\n  line2\nRequires-Dist: Foo_Bar (>=1.0)\nRequires-Dist: baz[x] ; extra == \"test\"\n\nLicense: not a header\n",
        );
        assert_eq!(metadata.name, "a");
        assert_eq!(metadata.license.as_deref(), Some("BSD\n line2"));
        assert_eq!(
            metadata
                .requires_dist
                .iter()
                .filter_map(|r| requirement_name(r))
                .collect::<Vec<_>>(),
            ["foo-bar"]
        );
    }

    #[test]
    fn roles() {
        assert_eq!(
            role("usr/lib/python3/dist-packages/a-1.0.dist-info/METADATA"),
            Some(Role::Metadata)
        );
        assert_eq!(role("x/b.egg-info/PKG-INFO"), Some(Role::Metadata));
        assert_eq!(role("x/e-1.egg/EGG-INFO/PKG-INFO"), Some(Role::Metadata));
        assert_eq!(role("x/Python-2.7.egg-info"), Some(Role::Metadata));
        assert_eq!(role("x/a-1.0.dist-info/RECORD"), Some(Role::Record));
        assert_eq!(role("x/METADATA"), None);
        assert_eq!(role("x/a.dist-info/LICENSE"), None);
    }

    #[test]
    fn joins_stay_inside() {
        assert_eq!(join("a/b", "../../../etc/passwd"), "etc/passwd");
        assert_eq!(join("lib/site", "../../bin/tool"), "bin/tool");
    }
}
