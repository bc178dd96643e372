//! Version ordering of every ecosystem the OSV schema names, as each ecosystem's own tool
//! orders versions: dpkg (Debian, Ubuntu), apk (Alpine, Wolfi, Chainguard), rpm (Red Hat,
//! AlmaLinux, Rocky Linux, openSUSE, SUSE, Mageia), PEP 440 (PyPI), SemVer 2.0 (npm,
//! crates.io, Hex, the `SEMVER` range type), Go module versions, Maven's
//! `ComparableVersion`, RubyGems' `Gem::Version`, NuGet and Packagist (PHP's
//! `version_compare`).
//!
//! A version the ecosystem's tool would reject is an error, never a guess.

mod apk;
mod dpkg;
mod maven;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;

/// Why two versions could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// The ecosystem has no known version ordering.
    #[error("no version ordering is known for ecosystem `{0}`")]
    #[diagnostic(
        code("gate-scan-ecosystem"),
        help(
            "use an ecosystem name as the OSV schema spells it: Debian, Ubuntu, Alpine, Red Hat, AlmaLinux, Rocky Linux, PyPI, npm, crates.io, Go, Maven, RubyGems, NuGet, Packagist, or SEMVER"
        )
    )]
    UnknownEcosystem(String),
    /// A version is not valid in its ecosystem.
    #[error("`{version}` is not a valid {ecosystem} version: {reason}")]
    #[diagnostic(code("gate-scan-version"))]
    Invalid {
        /// The ordering the version was read with (`dpkg`, `PEP 440`, …).
        ecosystem: &'static str,
        /// The version as given.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl shipgate_core::exit::ExitStatus for Error {
    fn exit(&self) -> shipgate_core::exit::Exit {
        shipgate_core::exit::Exit::BadInput
    }
}

/// A version ordering (several ecosystems share one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// dpkg's (Debian, Ubuntu).
    Dpkg,
    /// apk-tools' (Alpine, Wolfi, Chainguard).
    Apk,
    /// rpm's `rpmvercmp` with epoch and release (Red Hat, AlmaLinux, Rocky Linux, SUSE…).
    Rpm,
    /// PEP 440 (PyPI).
    Pep440,
    /// SemVer 2.0 precedence (npm, crates.io, Hex, `SEMVER` ranges).
    Semver,
    /// Go module versions (SemVer with an optional `v`, `vX`/`vX.Y` shorthands,
    /// `+incompatible` ignored).
    Go,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// NuGet's `NuGetVersion` (four numeric parts, case-insensitive labels).
    NuGet,
    /// PHP's `version_compare` (Packagist, Composer).
    Packagist,
}

/// The version ordering of an OSV ecosystem name; a suffix after `:` (`Debian:12`,
/// `Alpine:v3.20`, `Ubuntu:22.04:LTS`) is ignored.
pub fn ordering_of(ecosystem: &str) -> Result<Scheme, Error> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
    let ordering = match base {
        "Debian" | "Ubuntu" => Scheme::Dpkg,
        "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "BellSoft Hardened Containers" => {
            Scheme::Apk
        }
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "openSUSE" | "SUSE" | "Mageia" | "openEuler"
        | "Azure Linux" => Scheme::Rpm,
        "PyPI" => Scheme::Pep440,
        "npm" | "crates.io" | "Hex" | "SEMVER" | "Pub" | "SwiftURL" => Scheme::Semver,
        "Go" => Scheme::Go,
        "Maven" => Scheme::Maven,
        "RubyGems" => Scheme::RubyGems,
        "NuGet" => Scheme::NuGet,
        "Packagist" => Scheme::Packagist,
        _ => return Err(Error::UnknownEcosystem(ecosystem.to_owned())),
    };
    Ok(ordering)
}

impl Scheme {
    /// Compares two versions with this ordering.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, Error> {
        match self {
            Self::Dpkg => Ok(dpkg::Version::parse(a)?.cmp(&dpkg::Version::parse(b)?)),
            Self::Apk => apk::compare(a, b),
            Self::Rpm => Ok(rpm::Evr::parse(a)?.cmp_evr(&rpm::Evr::parse(b)?)),
            Self::Pep440 => Ok(pep440::Version::parse(a)?.cmp(&pep440::Version::parse(b)?)),
            Self::Semver => Ok(semver::Semver::parse(a)?.cmp(&semver::Semver::parse(b)?)),
            Self::Go => Ok(semver::GoVersion::parse(a)?.cmp(&semver::GoVersion::parse(b)?)),
            Self::Maven => Ok(maven::compare(a, b)),
            Self::RubyGems => Ok(rubygems::Version::parse(a)?.cmp(&rubygems::Version::parse(b)?)),
            Self::NuGet => Ok(semver::NuGet::parse(a)?.cmp(&semver::NuGet::parse(b)?)),
            Self::Packagist => packagist::compare(a, b),
        }
    }

    /// Checks that `version` is valid in this ordering.
    pub fn validate(self, version: &str) -> Result<(), Error> {
        self.compare(version, version).map(|_| ())
    }
}

/// Compares two versions of `ecosystem` (an OSV ecosystem name, with or without a suffix
/// such as `Debian:12`, or `SEMVER`) the way that ecosystem's own tools do.
pub fn compare(ecosystem: &str, a: &str, b: &str) -> Result<Ordering, Error> {
    ordering_of(ecosystem)?.compare(a, b)
}

/// Compares two runs of ASCII digits as unbounded numbers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

pub(crate) fn invalid(ecosystem: &'static str, version: &str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        ecosystem,
        version: version.to_owned(),
        reason: reason.into(),
    }
}
