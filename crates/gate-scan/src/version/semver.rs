//! SemVer 2.0 precedence (npm's `semver.compare`, crates.io, the OSV `SEMVER` range type),
//! Go module versions (`golang.org/x/mod/semver`) and NuGet versions.

use std::cmp::Ordering;

use super::{Error, cmp_digits, invalid};

/// One dot-separated pre-release identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ident {
    Numeric(String),
    Alpha(String),
}

impl Ident {
    fn cmp_with(&self, other: &Self, fold_case: bool) -> Ordering {
        match (self, other) {
            (Self::Numeric(a), Self::Numeric(b)) => cmp_digits(a, b),
            (Self::Numeric(_), Self::Alpha(_)) => Ordering::Less,
            (Self::Alpha(_), Self::Numeric(_)) => Ordering::Greater,
            (Self::Alpha(a), Self::Alpha(b)) => {
                if fold_case {
                    a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase())
                } else {
                    a.cmp(b)
                }
            }
        }
    }
}

fn is_numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn ident_chars(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Parses dot-separated pre-release identifiers; numeric ones may not have leading zeros
/// when `strict_zeros`.
fn parse_pre(s: &str, strict_zeros: bool) -> Option<Vec<Ident>> {
    s.split('.')
        .map(|part| {
            if !ident_chars(part) {
                None
            } else if is_numeric(part) {
                if strict_zeros && part.len() > 1 && part.starts_with('0') {
                    None
                } else {
                    Some(Ident::Numeric(part.to_owned()))
                }
            } else {
                Some(Ident::Alpha(part.to_owned()))
            }
        })
        .collect()
}

fn cmp_pre(a: &[Ident], b: &[Ident], fold_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            for (x, y) in a.iter().zip(b) {
                let o = x.cmp_with(y, fold_case);
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.len().cmp(&b.len())
        }
    }
}

/// A numeric core part without leading zeros (`0` alone is fine).
fn core_number(s: &str) -> Option<String> {
    if is_numeric(s) && (s.len() == 1 || !s.starts_with('0')) {
        Some(s.to_owned())
    } else {
        None
    }
}

/// A SemVer 2.0 version; a leading `v` and surrounding blanks are accepted, as npm's
/// `semver.valid` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Semver {
    core: [String; 3],
    pre: Vec<Ident>,
}

impl Semver {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| invalid("SemVer", text, reason);
        let s = text.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split_once('+').map_or(s, |(core, build)| {
            if build.split('.').all(ident_chars) {
                core
            } else {
                "\0"
            }
        });
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) => (
                core,
                parse_pre(pre, true).ok_or_else(|| bad("invalid pre-release"))?,
            ),
            None => (s, Vec::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(bad("expected MAJOR.MINOR.PATCH"));
        };
        let number = |p: &str| core_number(p).ok_or_else(|| bad("invalid number"));
        Ok(Self {
            core: [number(major)?, number(minor)?, number(patch)?],
            pre,
        })
    }
}

fn cmp_core(a: &[String], b: &[String]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| cmp_digits(x, y))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

impl Ord for Semver {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_core(&self.core, &other.core).then_with(|| cmp_pre(&self.pre, &other.pre, false))
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A Go module version, as `golang.org/x/mod/semver` reads it after adding the `v` OSV
/// records leave out: `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`; `+incompatible` and other
/// build metadata do not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoVersion {
    core: [String; 3],
    pre: Vec<Ident>,
}

impl GoVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| invalid("Go", text, reason);
        let s = text.strip_prefix('v').unwrap_or(text);
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (s, None),
        };
        if let Some(build) = build
            && !build.split('.').all(ident_chars)
        {
            return Err(bad("invalid build metadata"));
        }
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (
                core,
                Some(parse_pre(pre, true).ok_or_else(|| bad("invalid pre-release"))?),
            ),
            None => (rest, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 3 {
            return Err(bad("too many numbers"));
        }
        if parts.len() < 3 && (pre.is_some() || build.is_some()) {
            return Err(bad(
                "a shorthand version cannot carry a pre-release or build",
            ));
        }
        let mut numbers = [String::from("0"), String::from("0"), String::from("0")];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = core_number(part).ok_or_else(|| bad("invalid number"))?;
        }
        Ok(Self {
            core: numbers,
            pre: pre.unwrap_or_default(),
        })
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_core(&self.core, &other.core).then_with(|| cmp_pre(&self.pre, &other.pre, false))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A NuGet version (`NuGet.Versioning`): 1 to 4 numeric parts (missing ones are 0),
/// pre-release labels compared case-insensitively, metadata ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NuGet {
    core: [String; 4],
    pre: Vec<Ident>,
}

impl NuGet {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| invalid("NuGet", text, reason);
        let s = text.trim();
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (s, None),
        };
        if let Some(build) = build
            && !build.split('.').all(ident_chars)
        {
            return Err(bad("invalid metadata"));
        }
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (
                core,
                parse_pre(pre, false).ok_or_else(|| bad("invalid release label"))?,
            ),
            None => (rest, Vec::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return Err(bad("expected 1 to 4 numbers"));
        }
        let mut numbers: [String; 4] = Default::default();
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if !is_numeric(part) || part.len() > 10 {
                return Err(bad("invalid number"));
            }
            *slot = (*part).to_owned();
        }
        Ok(Self { core: numbers, pre })
    }
}

impl Ord for NuGet {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_core(&self.core, &other.core).then_with(|| cmp_pre(&self.pre, &other.pre, true))
    }
}

impl PartialOrd for NuGet {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
