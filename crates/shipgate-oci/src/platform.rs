//! Platforms (`os/arch[/variant]`) and how an index entry is chosen for one.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// A platform an image runs on, as `--platform` spells it: `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch` or `os/arch/variant` (lower case; `aarch64` and `x86_64` are
    /// accepted as `arm64` and `amd64`).
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = || Error::InvalidPlatform {
            input: input.to_owned(),
        };
        let parts: Vec<&str> = input.split('/').collect();
        let valid_part = |part: &&str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(valid_part) {
            return Err(invalid());
        }
        Ok(Self::new(parts[0], parts[1], parts.get(2).copied()))
    }

    /// A platform from its parts, with the architecture normalised.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Self {
            os: os.to_owned(),
            architecture: normalize_arch(architecture).to_owned(),
            variant: variant.map(str::to_owned),
        }
    }

    /// The platform of the machine this runs on (what `docker` picks by default).
    pub fn host() -> Self {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "x86" => ("386", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "powerpc64" if cfg!(target_endian = "little") => ("ppc64le", None),
            "powerpc64" => ("ppc64", None),
            "loongarch64" => ("loong64", None),
            other => (other, None),
        };
        // Images for macOS and Windows hosts are almost always Linux images.
        let os = if os == "windows" { os } else { "linux" };
        Self::new(os, architecture, variant)
    }

    /// The operating system, e.g. `linux`.
    pub fn os(&self) -> &str {
        &self.os
    }

    /// The CPU architecture, e.g. `amd64`.
    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// The CPU variant, e.g. `v7`.
    pub fn variant(&self) -> Option<&str> {
        self.variant.as_deref()
    }

    /// The platform of an index entry, if it has one.
    pub fn from_spec(platform: &oci_spec::image::Platform) -> Self {
        Self::new(
            &platform.os().to_string(),
            &platform.architecture().to_string(),
            platform.variant().as_deref(),
        )
    }

    /// Whether an image for `candidate` runs on this platform: same OS and architecture,
    /// and the same variant when this platform names one (`arm64` without a variant is
    /// `arm64/v8`, `arm` without one is `arm/v7`).
    pub fn matches(&self, candidate: &Self) -> bool {
        if self.os != candidate.os || self.architecture != candidate.architecture {
            return false;
        }
        match &self.variant {
            None => true,
            Some(wanted) => {
                candidate
                    .variant
                    .as_deref()
                    .unwrap_or(default_variant(&candidate.architecture))
                    == wanted
            }
        }
    }
}

fn normalize_arch(architecture: &str) -> &str {
    match architecture {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn default_variant(architecture: &str) -> &'static str {
    match architecture {
        "arm64" => "v8",
        "arm" => "v7",
        _ => "",
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Default for Platform {
    fn default() -> Self {
        Self::host()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_and_three_parts() {
        assert_eq!(
            Platform::parse("linux/amd64").unwrap().to_string(),
            "linux/amd64"
        );
        let arm = Platform::parse("linux/arm/v7").unwrap();
        assert_eq!(arm.variant(), Some("v7"));
        assert_eq!(
            Platform::parse("linux/aarch64").unwrap().architecture(),
            "arm64"
        );
    }

    #[test]
    fn rejects_malformed_platforms() {
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "linux/amd64/v8/x",
            "Linux/amd64",
            "linux amd64",
        ] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn variant_matching() {
        let arm64 = Platform::parse("linux/arm64").unwrap();
        let arm64_v8 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64.matches(&arm64_v8));
        assert!(arm64_v8.matches(&arm64));
        let arm_v6 = Platform::parse("linux/arm/v6").unwrap();
        let arm_v7 = Platform::parse("linux/arm/v7").unwrap();
        let arm = Platform::parse("linux/arm").unwrap();
        assert!(!arm_v6.matches(&arm_v7));
        assert!(arm_v7.matches(&arm));
        assert!(arm.matches(&arm_v6));
        assert!(!arm64.matches(&Platform::parse("linux/amd64").unwrap()));
        assert!(!arm64.matches(&Platform::parse("windows/arm64").unwrap()));
    }

    #[test]
    fn host_is_a_linux_platform_here() {
        let host = Platform::host();
        assert!(!host.architecture().is_empty());
        assert_eq!(Platform::parse(&host.to_string()).unwrap(), host);
    }
}
