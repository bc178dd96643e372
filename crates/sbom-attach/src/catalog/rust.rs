//! The `cargo-auditable` cataloger: Rust binaries built with `cargo auditable` carry their
//! dependency tree as zlib-compressed JSON in an ELF section called `.dep-v0`. Every crate
//! in it becomes `pkg:cargo/name@version`, the root crate included, with its dependencies
//! by name.

use std::io::Read;

use flate2::read::ZlibDecoder;
use serde::Deserialize;
use shipgate_oci::layers::FileEntry;

use super::{Cataloger, Issue};
use crate::catalog::go::elf::Elf;
use crate::catalog::lockfiles::package_url;
use crate::cpe::expand_cpes;
use crate::package::{Package, PackageType};

/// The name of the cataloger, also [`Package::cataloger`].
const NAME: &str = "cargo-auditable";

/// The most bytes the dependency JSON may inflate to.
const DEPENDENCY_JSON_LIMIT: u64 = 8 * 1024 * 1024;

/// The catalogers of this module: none of its own. The executable cataloger of
/// [`super::go`] calls `catalog_elf` on every ELF executable, so each one is read once
/// for both Go and Rust.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    Vec::new()
}

/// The crates of one ELF file's `.dep-v0` section (none without one); a malformed section
/// is an issue.
pub(crate) fn catalog_elf(
    entry: &FileEntry,
    bytes: &[u8],
    issues: &mut Vec<Issue>,
) -> Vec<Package> {
    let Some(section) = Elf::parse(bytes).and_then(|elf| elf.section(".dep-v0")) else {
        return Vec::new();
    };
    match parse_dep_v0(section, &entry.path) {
        Ok(packages) => packages,
        Err(error) => {
            issues.push(Issue {
                cataloger: NAME,
                path: entry.path.clone(),
                layer: Some(entry.layer),
                message: error.to_string(),
            });
            Vec::new()
        }
    }
}

/// `pkg:cargo/name@version`.
pub(crate) fn cargo_purl(name: &str, version: &str) -> String {
    package_url("cargo", "", name, version, &[])
}

#[derive(Debug, Deserialize)]
struct VersionInfo {
    packages: Vec<AuditablePackage>,
}

#[derive(Debug, Deserialize)]
struct AuditablePackage {
    name: String,
    version: String,
    #[serde(default)]
    dependencies: Vec<usize>,
    /// `build` for build-time-only crates (build scripts, proc macros' deps), which syft
    /// leaves out: they are not in the binary.
    #[serde(default)]
    kind: Option<String>,
}

impl AuditablePackage {
    fn is_build_only(&self) -> bool {
        self.kind.as_deref() == Some("build")
    }
}

/// Why a `.dep-v0` section could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepInfoError(pub String);

impl std::fmt::Display for DepInfoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed cargo-auditable data: {}", self.0)
    }
}

/// Decodes a `.dep-v0` section (zlib-compressed JSON) into packages.
pub fn parse_dep_v0(section: &[u8], location: &str) -> Result<Vec<Package>, DepInfoError> {
    let mut json = Vec::new();
    ZlibDecoder::new(section)
        .take(DEPENDENCY_JSON_LIMIT + 1)
        .read_to_end(&mut json)
        .map_err(|e| DepInfoError(format!("zlib: {e}")))?;
    if json.len() as u64 > DEPENDENCY_JSON_LIMIT {
        return Err(DepInfoError(format!(
            "inflates to more than {DEPENDENCY_JSON_LIMIT} bytes"
        )));
    }
    let info: VersionInfo =
        serde_json::from_slice(&json).map_err(|e| DepInfoError(format!("JSON: {e}")))?;
    let names: Vec<Option<&str>> = info
        .packages
        .iter()
        .map(|p| (!p.is_build_only()).then_some(p.name.as_str()))
        .collect();
    Ok(info
        .packages
        .iter()
        .filter(|p| !p.is_build_only())
        .map(|p| Package {
            name: p.name.clone(),
            version: p.version.clone(),
            kind: PackageType::Cargo,
            purl: cargo_purl(&p.name, &p.version),
            cpes: expand_cpes(&p.name, &p.name, &p.version),
            licenses: Vec::new(),
            locations: vec![location.to_owned()],
            cataloger: NAME,
            architecture: None,
            source_package: None,
            files: Vec::new(),
            dependencies: p
                .dependencies
                .iter()
                .filter_map(|&i| names.get(i).copied().flatten().map(str::to_owned))
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, write::ZlibEncoder};

    use super::*;

    fn compress(json: &str) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(json.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn dep_v0_decodes() {
        let section = compress(
            r#"{"packages":[{"name":"demo","version":"0.3.1","source":"local","dependencies":[1,2],"root":true},{"name":"toml","version":"1.2.1+spec-1.1.0","source":"crates.io"},{"name":"autocfg","version":"1.5.1","source":"crates.io","kind":"build"}],"format":1}"#,
        );
        let packages = parse_dep_v0(&section, "usr/bin/demo").unwrap();
        assert_eq!(packages[0].purl, "pkg:cargo/demo@0.3.1");
        assert_eq!(packages[0].dependencies, ["toml"]);
        assert_eq!(packages[1].purl, "pkg:cargo/toml@1.2.1%2Bspec-1.1.0");
        assert_eq!(packages.len(), 2);
    }

    #[test]
    fn malformed_sections_are_errors() {
        assert!(parse_dep_v0(b"not zlib", "x").is_err());
        assert!(parse_dep_v0(&compress("{\"packages\":1}"), "x").is_err());
        // A zlib bomb stops at the limit.
        let bomb = compress(&" ".repeat(usize::try_from(DEPENDENCY_JSON_LIMIT).unwrap() + 10));
        assert!(parse_dep_v0(&bomb, "x").is_err());
    }
}
