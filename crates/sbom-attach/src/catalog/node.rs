//! The `npm` cataloger: every `package.json` of the image (installed packages under
//! `node_modules/`, a global `lib/node_modules/`, and application roots, as syft's image
//! cataloger reads them) that has a name (a missing version is `UNKNOWN`, as in syft).
//! Scoped names become `pkg:npm/%40scope/name@version`; the license comes from
//! `license` as a string, an object (`{"type": …}`) or an array, or from the legacy
//! `licenses` array (syft 1.18 reports nothing for an array of strings; we report its
//! entries). CPEs are syft's generated candidates (name spellings and prefixes, the
//! GitHub owner of `homepage` or `repository`); syft's NVD dictionary entries
//! (`debug_project:debug`, target software `node.js`) are not reproduced.

use std::io::{self, Read};

use serde_json::Value;
use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue, METADATA_LIMIT, read_capped};
use crate::catalog::lockfiles::package_url;
use crate::cpe::expand_cpes_with;
use crate::package::{Package, PackageType};

/// The name of the cataloger, also [`Package::cataloger`].
const NAME: &str = "npm";

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(NodeCataloger::default())]
}

/// `pkg:npm/name@version`, the scope of `@scope/name` as the namespace.
pub(crate) fn npm_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((scope, rest)) if scope.starts_with('@') => {
            package_url("npm", scope, rest, version, &[])
        }
        _ => package_url("npm", "", name, version, &[]),
    }
}

/// The licenses of a `package.json` (or a lock file entry), in the forms npm accepted
/// over time.
pub(crate) fn licenses(manifest: &Value) -> Vec<String> {
    fn one(value: &Value) -> Option<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Object(o) => o
                .get("type")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_owned()),
            _ => None,
        }
    }
    let mut out = Vec::new();
    for key in ["license", "licenses"] {
        match manifest.get(key) {
            Some(Value::Array(items)) => out.extend(items.iter().filter_map(one)),
            Some(value) => out.extend(one(value)),
            None => {}
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The GitHub owners in `homepage` and `repository` (a string or `{"url": …}`), which syft
/// adds as CPE vendor candidates: `https://github.com/npm/agent#readme` → `npm`. Only
/// `http(s)://` and `git://` URLs count (syft skips `git+https://`).
fn github_owners(manifest: &Value) -> Vec<String> {
    let repository = match manifest.get("repository") {
        Some(Value::String(url)) => Some(url.as_str()),
        Some(Value::Object(o)) => o.get("url").and_then(Value::as_str),
        _ => None,
    };
    let homepage = manifest.get("homepage").and_then(Value::as_str);
    let mut owners = Vec::new();
    for url in [homepage, repository].into_iter().flatten() {
        let rest = [
            "https://github.com/",
            "http://github.com/",
            "git://github.com/",
        ]
        .iter()
        .find_map(|prefix| url.strip_prefix(prefix));
        if let Some(owner) = rest.and_then(|r| r.split(['/', '#', '?']).next())
            && !owner.is_empty()
            && !owners.iter().any(|o| o == owner)
        {
            owners.push(owner.to_owned());
        }
    }
    owners
}

/// Turns one `package.json` into a package; `None` without a name.
pub fn parse_package_json(text: &str, location: &str) -> Result<Option<Package>, String> {
    let manifest: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    if !manifest.is_object() {
        return Err("not a JSON object".to_owned());
    }
    let field = |key: &str| {
        manifest
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
    };
    let (name, version) = (field("name"), field("version"));
    if name.is_empty() {
        return Ok(None);
    }
    let mut dependencies: Vec<String> = manifest
        .get("dependencies")
        .and_then(Value::as_object)
        .map(|deps| deps.keys().cloned().collect())
        .unwrap_or_default();
    dependencies.sort();
    Ok(Some(Package {
        name: name.to_owned(),
        // syft keeps a manifest without a version, as `UNKNOWN` with a versionless purl.
        version: if version.is_empty() {
            "UNKNOWN".to_owned()
        } else {
            version.to_owned()
        },
        kind: PackageType::Npm,
        purl: npm_purl(name, version),
        cpes: {
            let owners = github_owners(&manifest);
            let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
            expand_cpes_with(name, &owners, name, version)
        },
        licenses: licenses(&manifest),
        locations: vec![location.to_owned()],
        cataloger: NAME,
        architecture: None,
        source_package: None,
        files: Vec::new(),
        dependencies,
    }))
}

/// The npm `package.json` cataloger.
#[derive(Debug, Default)]
pub struct NodeCataloger {
    packages: Vec<Package>,
}

impl Cataloger for NodeCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        entry.path == "package.json" || entry.path.ends_with("/package.json")
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let issue = |message: String| Issue {
            cataloger: NAME,
            path: entry.path.clone(),
            layer: Some(entry.layer),
            message,
        };
        let Some(bytes) = read_capped(content, METADATA_LIMIT)? else {
            issues.push(issue(format!(
                "larger than the {METADATA_LIMIT} byte limit; not read"
            )));
            return Ok(());
        };
        // Some packages ship a byte order mark.
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_start_matches('\u{feff}');
        match parse_package_json(text, &entry.path) {
            Ok(Some(package)) => self.packages.push(package),
            Ok(None) => {}
            // Test fixtures inside packages are often deliberately broken: only a
            // manifest of an installed package is worth an issue.
            Err(message) if entry.path.contains("node_modules/") => {
                let parent = entry.path.trim_end_matches("/package.json");
                let installed = parent
                    .rsplit_once("node_modules/")
                    .is_some_and(|(_, tail)| {
                        let segments = tail.split('/').count();
                        segments == 1 || (segments == 2 && tail.starts_with('@'))
                    });
                if installed {
                    issues.push(issue(message));
                }
            }
            Err(_) => {}
        }
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        _context: &CatalogContext,
        _files: &[FileEntry],
        _issues: &mut Vec<Issue>,
    ) -> Vec<Package> {
        self.packages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_purls() {
        assert_eq!(
            npm_purl("@sindresorhus/is", "7.2.0"),
            "pkg:npm/%40sindresorhus/is@7.2.0"
        );
        assert_eq!(npm_purl("debug", "4.4.3"), "pkg:npm/debug@4.4.3");
        assert_eq!(npm_purl("c", "1.0.0+build"), "pkg:npm/c@1.0.0%2Bbuild");
    }

    #[test]
    fn license_forms() {
        let forms = [
            (r#"{"license":"MIT"}"#, vec!["MIT"]),
            (r#"{"license":{"type":"ISC","url":"x"}}"#, vec!["ISC"]),
            (
                r#"{"license":["MIT","Apache-2.0"]}"#,
                vec!["MIT", "Apache-2.0"],
            ),
            (
                r#"{"licenses":[{"type":"MIT"},{"type":"BSD-3-Clause"}]}"#,
                vec!["MIT", "BSD-3-Clause"],
            ),
            (
                r#"{"license":"(MIT OR Apache-2.0)"}"#,
                vec!["(MIT OR Apache-2.0)"],
            ),
            (r#"{"license":42}"#, vec![]),
        ];
        for (json, expected) in forms {
            let value: Value = serde_json::from_str(json).unwrap();
            assert_eq!(licenses(&value), expected, "{json}");
        }
    }

    #[test]
    fn github_owners_as_syft_reads_them() {
        let owners = |json: &str| github_owners(&serde_json::from_str(json).unwrap());
        assert_eq!(
            owners(
                r#"{"homepage":"https://github.com/npm/agent#readme","repository":{"url":"git+https://github.com/npm/agent.git"}}"#
            ),
            ["npm"]
        );
        assert_eq!(
            owners(r#"{"repository":{"url":"git://github.com/wraithgar/node-promise-retry.git"}}"#),
            ["wraithgar"]
        );
        assert!(owners(r#"{"repository":"git+https://github.com/npm/fs.git"}"#).is_empty());
        assert!(owners(r#"{"repository":42}"#).is_empty());
    }

    #[test]
    fn manifests() {
        let package = parse_package_json(
            r#"{"name":"debug","version":"4.4.3","dependencies":{"ms":"^2"}}"#,
            "x",
        )
        .unwrap()
        .unwrap();
        assert_eq!(package.dependencies, ["ms"]);
        let unversioned = parse_package_json(r#"{"name":"x"}"#, "x").unwrap().unwrap();
        assert_eq!(unversioned.purl, "pkg:npm/x");
        assert_eq!(unversioned.version, "UNKNOWN");
        assert_eq!(parse_package_json(r#"{"version":"1"}"#, "x"), Ok(None));
        assert!(parse_package_json("[1]", "x").is_err());
        assert!(parse_package_json("{", "x").is_err());
    }
}
