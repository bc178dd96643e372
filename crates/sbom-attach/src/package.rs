//! The package model every cataloger fills and every SBOM writer reads.

use serde::Serialize;

/// The packaging system a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageType {
    /// A Debian package (dpkg database or distroless `status.d`).
    Deb,
    /// An Alpine package (apk database).
    Apk,
    /// An RPM package (rpm sqlite database).
    Rpm,
    /// A Python distribution (`*.dist-info`, `*.egg-info`, lock files).
    Python,
    /// An npm package (`node_modules/**/package.json`, `package-lock.json`).
    Npm,
    /// A Rust crate (cargo-auditable binaries, `Cargo.lock`).
    Cargo,
    /// A Go module (binary build info, `go.mod`/`go.sum`).
    Go,
    /// A Java archive (jar, war, ear; nested jars).
    Java,
}

/// One package found in an image or a source tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Package {
    /// The package name as its ecosystem spells it (npm scopes included: `@scope/name`).
    pub name: String,
    /// The version as the ecosystem records it (dpkg/rpm versions with their epoch).
    pub version: String,
    /// The packaging system.
    pub kind: PackageType,
    /// The package URL, in exactly the form syft emits.
    pub purl: String,
    /// CPEs (2.3 formatted strings) where syft gives them.
    pub cpes: Vec<String>,
    /// License expressions or names as the package database states them.
    pub licenses: Vec<String>,
    /// Paths (relative to the root, no leading `/`) of the evidence: the database, the
    /// metadata file, the binary or the lock file the package was read from.
    pub locations: Vec<String>,
    /// The module that found it (`dpkg`, `python`, `go-binary`, …).
    pub cataloger: &'static str,
    /// The architecture, where the package database records one.
    pub architecture: Option<String>,
    /// The source (upstream) package, where it differs from the name.
    pub source_package: Option<String>,
    /// Files the package owns, when the database lists them cheaply.
    pub files: Vec<String>,
    /// Names (in the same ecosystem) of the packages this one depends on, where known.
    pub dependencies: Vec<String>,
}
