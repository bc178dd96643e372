//! Source-mode catalogers (`dir:` on a checkout): the lock files a repository commits, read
//! the way syft's source catalogers read them.
//!
//! - `Cargo.lock`: every `[[package]]` (workspace members included) → `pkg:cargo/`;
//! - `package-lock.json`: v1 top-level `dependencies`, v2/v3 `packages` (the root project
//!   included), development-only packages left out → `pkg:npm/`;
//! - `poetry.lock`, `uv.lock`: every `[[package]]` → `pkg:pypi/` with normalised names;
//! - `*requirements*.txt`: pinned `name==version` lines only (ranges, wildcards, URLs,
//!   editable installs and option lines are not a pinned version and are left out);
//! - `go.mod`: `require` entries with `replace` applied and `exclude`d paths removed →
//!   `pkg:golang/` (`go.sum` adds no module that go.mod does not require).

use std::collections::BTreeMap;
use std::io::{self, Read};

use serde_json::Value;
use shipgate_oci::layers::FileEntry;

use super::{CatalogContext, Cataloger, Issue, METADATA_LIMIT, read_capped};
use crate::catalog::go::{go_cpes, golang_purl};
use crate::catalog::node::npm_purl;
use crate::catalog::python::{normalize_name, pypi_purl};
use crate::catalog::rust::cargo_purl;
use crate::cpe::expand_cpes;
use crate::package::{Package, PackageType};

/// The catalogers of this module.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(LockfileCataloger::default())]
}

/// Percent-encodes one purl part exactly as syft 1.x does: `@`, `+`, `?`, `#`, space and
/// non-ASCII bytes are encoded; everything else (`:`, `~`, `(`, `)`, `!`, `/` inside a
/// namespace segment split beforehand, …) is written as is.
pub(crate) fn purl_escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        match byte {
            b'@' | b'+' | b'?' | b'#' | b' ' | 0x80..=0xff | 0..=0x1f | 0x7f => {
                out.push_str(&format!("%{byte:02X}"));
            }
            other => out.push(char::from(other)),
        }
    }
    out
}

/// A package URL as syft writes it: namespace segments encoded one by one, the version
/// left out when empty, qualifiers in the given order (empty values left out).
pub(crate) fn package_url(
    kind: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut purl = format!("pkg:{kind}/");
    if !namespace.is_empty() {
        for segment in namespace.split('/') {
            purl.push_str(&purl_escape(segment));
            purl.push('/');
        }
    }
    purl.push_str(&purl_escape(name));
    if !version.is_empty() {
        purl.push('@');
        purl.push_str(&purl_escape(version));
    }
    let mut first = true;
    for (key, value) in qualifiers.iter().filter(|(_, v)| !v.is_empty()) {
        purl.push(if first { '?' } else { '&' });
        first = false;
        purl.push_str(key);
        purl.push('=');
        purl.push_str(&purl_escape(value));
    }
    purl
}

/// The kinds of lock file this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CargoLock,
    PackageLock,
    PoetryLock,
    UvLock,
    Requirements,
    GoMod,
}

fn kind_of(path: &str) -> Option<Kind> {
    let file = path.rsplit('/').next().unwrap_or(path);
    match file {
        "Cargo.lock" => Some(Kind::CargoLock),
        "package-lock.json" => Some(Kind::PackageLock),
        "poetry.lock" => Some(Kind::PoetryLock),
        "uv.lock" => Some(Kind::UvLock),
        "go.mod" => Some(Kind::GoMod),
        _ if file.ends_with(".txt") && file.contains("requirements") => Some(Kind::Requirements),
        _ => None,
    }
}

/// The lock file cataloger (one for every kind, so a checkout is walked once).
#[derive(Debug, Default)]
pub struct LockfileCataloger {
    packages: Vec<Package>,
}

impl Cataloger for LockfileCataloger {
    fn name(&self) -> &'static str {
        "lockfiles"
    }

    fn wants(&self, entry: &FileEntry) -> bool {
        kind_of(&entry.path).is_some()
    }

    fn read(
        &mut self,
        entry: &FileEntry,
        content: &mut dyn Read,
        issues: &mut Vec<Issue>,
    ) -> io::Result<()> {
        let Some(kind) = kind_of(&entry.path) else {
            return Ok(());
        };
        let name = cataloger_name(kind);
        let issue = |message: String| Issue {
            cataloger: name,
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
        let text = String::from_utf8_lossy(&bytes);
        let parsed = match kind {
            Kind::CargoLock => parse_cargo_lock(&text),
            Kind::PackageLock => parse_package_lock(&text),
            Kind::PoetryLock => parse_poetry_lock(&text),
            Kind::UvLock => parse_uv_lock(&text),
            Kind::Requirements => Ok(parse_requirements(&text)),
            Kind::GoMod => Ok(parse_go_mod(&text)),
        };
        match parsed {
            Ok(found) => {
                for mut package in found {
                    package.locations = vec![entry.path.clone()];
                    package.cataloger = name;
                    self.packages.push(package);
                }
            }
            Err(message) => issues.push(issue(message)),
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

fn cataloger_name(kind: Kind) -> &'static str {
    match kind {
        Kind::CargoLock => "cargo-lock",
        Kind::PackageLock => "npm-lock",
        Kind::PoetryLock => "poetry-lock",
        Kind::UvLock => "uv-lock",
        Kind::Requirements => "python-requirements",
        Kind::GoMod => "go-mod",
    }
}

fn package(kind: PackageType, name: &str, version: &str, purl: String) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        kind,
        purl,
        cpes: Vec::new(),
        licenses: Vec::new(),
        locations: Vec::new(),
        cataloger: "lockfiles",
        architecture: None,
        source_package: None,
        files: Vec::new(),
        dependencies: Vec::new(),
    }
}

fn parse_toml(text: &str) -> Result<toml::Table, String> {
    toml::from_str::<toml::Table>(text).map_err(|e| format!("not valid TOML: {}", e.message()))
}

fn toml_packages(table: &toml::Table) -> Vec<&toml::Table> {
    table
        .get("package")
        .and_then(toml::Value::as_array)
        .map(|packages| packages.iter().filter_map(toml::Value::as_table).collect())
        .unwrap_or_default()
}

fn toml_str<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table
        .get(key)
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
}

/// `Cargo.lock`: every package, its dependencies by name.
pub fn parse_cargo_lock(text: &str) -> Result<Vec<Package>, String> {
    let table = parse_toml(text)?;
    let mut out = Vec::new();
    for entry in toml_packages(&table) {
        let name = toml_str(entry, "name");
        let version = toml_str(entry, "version");
        if name.is_empty() {
            continue;
        }
        let mut found = package(PackageType::Cargo, name, version, cargo_purl(name, version));
        found.cpes = expand_cpes(name, name, version);
        found.dependencies = entry
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .map(|deps| {
                deps.iter()
                    .filter_map(toml::Value::as_str)
                    .filter_map(|d| d.split_whitespace().next())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push(found);
    }
    Ok(out)
}

/// `poetry.lock`: every package, names normalised as syft does.
pub fn parse_poetry_lock(text: &str) -> Result<Vec<Package>, String> {
    let table = parse_toml(text)?;
    let mut out = Vec::new();
    for entry in toml_packages(&table) {
        let name = normalize_name(toml_str(entry, "name"));
        let version = toml_str(entry, "version");
        if name.is_empty() {
            continue;
        }
        let mut found = package(
            PackageType::Python,
            &name,
            version,
            pypi_purl(&name, version),
        );
        found.dependencies = entry
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .map(|deps| deps.keys().map(|k| normalize_name(k)).collect())
            .unwrap_or_default();
        out.push(found);
    }
    Ok(out)
}

/// `uv.lock`: every package (the project itself included), as newer syft releases read it.
pub fn parse_uv_lock(text: &str) -> Result<Vec<Package>, String> {
    let table = parse_toml(text)?;
    if table
        .get("version")
        .and_then(toml::Value::as_integer)
        .is_some_and(|v| v > 1)
    {
        return Err("unsupported uv.lock version".to_owned());
    }
    let mut out = Vec::new();
    for entry in toml_packages(&table) {
        let name = normalize_name(toml_str(entry, "name"));
        let version = toml_str(entry, "version");
        if name.is_empty() {
            continue;
        }
        let mut found = package(
            PackageType::Python,
            &name,
            version,
            pypi_purl(&name, version),
        );
        found.dependencies = entry
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .map(|deps| {
                deps.iter()
                    .filter_map(toml::Value::as_table)
                    .filter(|d| !toml_str(d, "marker").contains("extra =="))
                    .map(|d| normalize_name(toml_str(d, "name")))
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        out.push(found);
    }
    Ok(out)
}

/// `*requirements*.txt`: the pinned (`==`) requirements, as syft 1.18 selects them.
pub fn parse_requirements(text: &str) -> Vec<Package> {
    let mut out = Vec::new();
    let mut logical = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if let Some(continued) = line.strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let whole = std::mem::take(&mut logical);
        if let Some((name, version)) = pinned_requirement(&whole) {
            let mut found = package(
                PackageType::Python,
                &name,
                &version,
                pypi_purl(&name, &version),
            );
            found.cataloger = "python-requirements";
            out.push(found);
        }
    }
    out
}

/// One requirements line → `(normalised name, version)` when it pins a single version.
fn pinned_requirement(line: &str) -> Option<(String, String)> {
    let line = line.split('#').next().unwrap_or_default();
    let line = line.split(';').next().unwrap_or_default();
    let line = line.split("--hash").next().unwrap_or_default().trim();
    if line.is_empty() || line.starts_with('-') || line.contains("://") || line.contains(" @ ") {
        return None;
    }
    let (left, right) = line.split_once("==")?;
    // syft's pattern needs at least two characters before `==` (`f[x]` or `b ` count,
    // `b` alone does not).
    if left.chars().count() < 2 {
        return None;
    }
    let name = left.split('[').next().unwrap_or_default().trim();
    let version = right.trim();
    if name.is_empty()
        || name.contains(|c: char| c.is_whitespace() || "<>!=~,".contains(c))
        || version.is_empty()
        || version.contains(|c: char| c.is_whitespace() || ",*!<>".contains(c))
    {
        return None;
    }
    // A local version label (`+local`) is dropped, as syft does.
    let version = version.split('+').next().unwrap_or_default();
    if version.is_empty() {
        return None;
    }
    Some((normalize_name(name), version.to_owned()))
}

/// `package-lock.json`, lockfile versions 1, 2 and 3.
pub fn parse_package_lock(text: &str) -> Result<Vec<Package>, String> {
    let lock: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Some(lock) = lock.as_object() else {
        return Err("not a JSON object".to_owned());
    };
    let mut out = Vec::new();
    let new = |name: &str, version: &str, meta: &serde_json::Map<String, Value>| {
        // An entry without a version is `UNKNOWN` with a versionless purl, as in syft.
        let shown = if version.is_empty() {
            "UNKNOWN"
        } else {
            version
        };
        let mut found = package(PackageType::Npm, name, shown, npm_purl(name, version));
        found.cpes = expand_cpes(name, name, version);
        if let Some(license) = meta.get("license").and_then(Value::as_str)
            && !license.is_empty()
        {
            found.licenses = vec![license.to_owned()];
        }
        let mut deps: Vec<String> = ["requires", "dependencies"]
            .iter()
            .filter_map(|key| meta.get(*key).and_then(Value::as_object))
            .flat_map(|deps| deps.keys().cloned())
            .collect();
        deps.sort();
        deps.dedup();
        found.dependencies = deps;
        found
    };
    if let Some(packages) = lock.get("packages").and_then(Value::as_object) {
        for (key, meta) in packages {
            let Some(meta) = meta.as_object() else {
                continue;
            };
            // Workspace links stay (versionless), as in syft.
            if meta.get("dev").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let declared = meta.get("name").and_then(Value::as_str);
            let name = if key.is_empty() {
                declared
                    .or_else(|| lock.get("name").and_then(Value::as_str))
                    .unwrap_or_default()
                    .to_owned()
            } else if let Some((_, tail)) = key.rsplit_once("node_modules/") {
                declared.unwrap_or(tail).to_owned()
            } else {
                // A workspace folder (`packages/b`): its declared name, else the path.
                declared.unwrap_or(key).to_owned()
            };
            if name.is_empty() {
                continue;
            }
            let version = meta
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // v2/v3 `requires` is a map from name to range, only under `dependencies`.
            let mut found = new(&name, version, meta);
            if let Some(deps) = meta.get("dependencies").and_then(Value::as_object) {
                found.dependencies = deps.keys().cloned().collect();
            }
            out.push(found);
        }
    } else if let Some(dependencies) = lock.get("dependencies").and_then(Value::as_object) {
        for (name, meta) in dependencies {
            let Some(meta) = meta.as_object() else {
                continue;
            };
            if meta.get("dev").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let version = meta
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut found = new(name, version, meta);
            found.licenses.clear();
            found.dependencies = meta
                .get("requires")
                .and_then(Value::as_object)
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            out.push(found);
        }
    }
    Ok(out)
}

/// `go.mod`: the required modules with replacements applied and excluded paths removed.
pub fn parse_go_mod(text: &str) -> Vec<Package> {
    let mut required: BTreeMap<String, String> = BTreeMap::new();
    let mut replaces: Vec<(String, String, String)> = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if block.is_some() && line == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match &block {
            Some(verb) => (verb.clone(), line),
            None => {
                let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(verb.to_owned());
                    continue;
                }
                (verb.to_owned(), rest)
            }
        };
        let fields: Vec<&str> = rest.split_whitespace().map(unquote_go).collect();
        match verb.as_str() {
            "require" => {
                if let [path, version, ..] = fields.as_slice() {
                    required.insert((*path).to_owned(), (*version).to_owned());
                }
            }
            "replace" => {
                if let Some(arrow) = fields.iter().position(|f| *f == "=>") {
                    let old = fields.first().copied().unwrap_or_default().to_owned();
                    let new = fields
                        .get(arrow + 1)
                        .copied()
                        .unwrap_or_default()
                        .to_owned();
                    let new_version = fields.get(arrow + 2).copied().unwrap_or_default();
                    replaces.push((old, new, new_version.to_owned()));
                }
            }
            "exclude" => {
                if let Some(path) = fields.first() {
                    excluded.push((*path).to_owned());
                }
            }
            _ => {}
        }
    }
    // As syft does: every replacement adds its target and removes its source, whether or
    // not the source is required (and whatever version the left side names).
    let mut modules = required;
    for (old, new, new_version) in replaces {
        modules.remove(&old);
        modules.insert(new, new_version);
    }
    for path in excluded {
        modules.remove(&path);
    }
    modules
        .into_iter()
        .filter(|(path, _)| !path.is_empty())
        .map(|(path, version)| {
            // A local-directory replacement has no version: syft writes `UNKNOWN` and a
            // purl without one.
            let purl = golang_purl(&path, &version);
            let shown = if version.is_empty() {
                "UNKNOWN"
            } else {
                &version
            };
            let mut found = package(PackageType::Go, &path, shown, purl);
            found.cpes = go_cpes(&path, &version);
            found
        })
        .collect()
}

fn unquote_go(field: &str) -> &str {
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purls(packages: &[Package]) -> Vec<&str> {
        packages.iter().map(|p| p.purl.as_str()).collect()
    }

    #[test]
    fn escaping_matches_syft() {
        assert_eq!(
            package_url("npm", "@Sc.ope", "B_x", "1.0.0+b ü#?@", &[]),
            "pkg:npm/%40Sc.ope/B_x@1.0.0%2Bb%20%C3%BC%23%3F%40"
        );
        assert_eq!(
            package_url("npm", "", "a", "2.0.0+incompatible(x)~y:z!*'$&=,;[]", &[]),
            "pkg:npm/a@2.0.0%2Bincompatible(x)~y:z!*'$&=,;[]"
        );
        assert_eq!(
            package_url("golang", "..", "local", "", &[]),
            "pkg:golang/../local"
        );
    }

    #[test]
    fn requirements_pins_as_syft() {
        let text = "aa==1.0,<2\ncc==1.*\ndd===1.0\nee==v1.0\nmm>=1.0,==1.5\nrr==1!2.0\nss==1.0+local\npp==1.0 \\\n   --hash=sha256:aa\nqq==\ntt==1.0 ; python_version<\"3\" # x\nuu==1.0#frag\nvv == 1.0 , != 1.1\n-e git+https://example.invalid/x.git#egg=ww==1.0\nxx[a] == 3.0\ng==1.0\nb == 1.0 --hash=sha256:x\nFlask_SQLAlchemy == 3.0.5  # trailing\n";
        let found = parse_requirements(text);
        assert_eq!(
            purls(&found),
            [
                "pkg:pypi/dd@=1.0",
                "pkg:pypi/ee@v1.0",
                "pkg:pypi/ss@1.0",
                "pkg:pypi/pp@1.0",
                "pkg:pypi/tt@1.0",
                "pkg:pypi/uu@1.0",
                "pkg:pypi/xx@3.0",
                "pkg:pypi/b@1.0",
                "pkg:pypi/flask-sqlalchemy@3.0.5",
            ]
        );
    }

    #[test]
    fn go_mod_replace_and_exclude() {
        let text = "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/text v0.14.0 // indirect\n\tgithub.com/old/thing v0.0.0-20200101000000-abcdefabcdef\n)\n\nrequire github.com/single/line v1.0.0\n\nreplace github.com/old/thing => github.com/new/thing v1.2.0\n\nreplace github.com/single/line v1.0.0 => ../local\n\nexclude golang.org/x/text v0.13.0\n";
        let found = parse_go_mod(text);
        assert_eq!(
            purls(&found),
            [
                "pkg:golang/../local",
                "pkg:golang/github.com/google/uuid@v1.6.0",
                "pkg:golang/github.com/new/thing@v1.2.0",
            ]
        );
        assert_eq!(found[0].version, "UNKNOWN");
        let text = "module example.com/app\n\ngo 1.21\n\ntoolchain go1.22.1\n\nrequire (\n\tgithub.com/a/one v1.0.0\n\t\"github.com/b/two\" v2.0.0+incompatible\n\tgithub.com/c/three/v3 v3.1.0\n\tgithub.com/d/four v1.0.0\n)\n\nreplace (\n\tgithub.com/not/required => github.com/z/zz v0.9.0\n\tgithub.com/a/one v0.9.0 => github.com/a/one-fork v1.1.0\n\tgithub.com/d/four => github.com/d/four v1.0.5\n)\n\nretract v0.1.0\n";
        assert_eq!(
            purls(&parse_go_mod(text)),
            [
                "pkg:golang/github.com/a/one-fork@v1.1.0",
                "pkg:golang/github.com/b/two@v2.0.0%2Bincompatible",
                "pkg:golang/github.com/c/three@v3.1.0#v3",
                "pkg:golang/github.com/d/four@v1.0.5",
                "pkg:golang/github.com/z/zz@v0.9.0",
            ]
        );
    }

    #[test]
    fn package_lock_v1_top_level_without_dev() {
        let text = r#"{"name":"old-app","version":"0.1.0","lockfileVersion":1,"dependencies":{
            "@babel/code-frame":{"version":"7.0.0","requires":{"ms":"2.1.3"}},
            "ms":{"version":"2.1.3","dev":true},
            "nested":{"version":"1.0.0","dependencies":{"ms":{"version":"2.0.0"}}},
            "gitdep":{"version":"github:user/repo#abc123"}}}"#;
        let found = parse_package_lock(text).unwrap();
        let mut got = purls(&found);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "pkg:npm/%40babel/code-frame@7.0.0",
                "pkg:npm/gitdep@github:user/repo%23abc123",
                "pkg:npm/nested@1.0.0",
            ]
        );
    }

    #[test]
    fn package_lock_v3_with_root() {
        let text = r#"{"name":"node","version":"1.0.0","lockfileVersion":3,"packages":{
            "":{"name":"node","version":"1.0.0","license":"ISC","dependencies":{"debug":"^4"}},
            "node_modules/debug":{"version":"4.4.3","license":"MIT","dependencies":{"ms":"^2.1.3"}},
            "node_modules/@sindresorhus/is":{"version":"7.2.0","license":"MIT"},
            "node_modules/devonly":{"version":"1.0.0","dev":true},
            "node_modules/alias":{"name":"real","version":"2.0.0"}}}"#;
        let found = parse_package_lock(text).unwrap();
        let mut got = purls(&found);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "pkg:npm/%40sindresorhus/is@7.2.0",
                "pkg:npm/debug@4.4.3",
                "pkg:npm/node@1.0.0",
                "pkg:npm/real@2.0.0",
            ]
        );
        assert_eq!(found[0].licenses, ["ISC"]);
        assert_eq!(found[1].dependencies, ["ms"]);
    }

    #[test]
    fn toml_locks() {
        let poetry = "[[package]]\nname = \"Requests\"\nversion = \"2.31.0\"\n[package.dependencies]\ncertifi = \">=2017\"\n\n[[package]]\nname = \"typing_extensions\"\nversion = \"4.8.0\"\n";
        let found = parse_poetry_lock(poetry).unwrap();
        assert_eq!(
            purls(&found),
            [
                "pkg:pypi/requests@2.31.0",
                "pkg:pypi/typing-extensions@4.8.0"
            ]
        );
        assert_eq!(found[0].dependencies, ["certifi"]);
        let uv = "version = 1\n[[package]]\nname = \"myproj\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"idna\" }]\n\n[[package]]\nname = \"idna\"\nversion = \"3.7\"\n";
        assert_eq!(
            purls(&parse_uv_lock(uv).unwrap()),
            ["pkg:pypi/myproj@0.1.0", "pkg:pypi/idna@3.7"]
        );
        let cargo = "version = 4\n[[package]]\nname = \"toml\"\nversion = \"1.2.1+spec-1.1.0\"\ndependencies = [\"serde\", \"winnow 1.0.5\"]\n";
        let found = parse_cargo_lock(cargo).unwrap();
        assert_eq!(purls(&found), ["pkg:cargo/toml@1.2.1%2Bspec-1.1.0"]);
        assert_eq!(found[0].dependencies, ["serde", "winnow"]);
    }

    #[test]
    fn malformed_lock_files_are_issues() {
        assert!(parse_cargo_lock("[[package]\nname=").is_err());
        assert!(parse_package_lock("{").is_err());
        assert!(parse_package_lock("[]").is_err());
        assert!(parse_uv_lock("version = 7").is_err());
        let mut cataloger = LockfileCataloger::default();
        let entry = FileEntry {
            path: "app/package-lock.json".to_owned(),
            kind: shipgate_oci::layers::EntryKind::File,
            size: 1,
            mode: 0o644,
            link_target: None,
            layer: 0,
        };
        assert!(cataloger.wants(&entry));
        let mut issues = Vec::new();
        cataloger
            .read(&entry, &mut &b"{nope"[..], &mut issues)
            .unwrap();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].cataloger, "npm-lock");
    }
}
