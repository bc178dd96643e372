//! SemVer (as node-semver's `valid`/`parse` read it) and PEP 440 (as `@renovate/pep440`
//! and Python's `packaging` normalise it).

use std::sync::LazyLock;

use regex::Regex;

/// A strict SemVer 2.0.0 version; a leading `v` and surrounding blanks are accepted, as
/// node-semver's `valid` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Semver {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    /// Dot-separated pre-release identifiers (`rc.1`), empty for a release.
    pub(crate) prerelease: String,
    /// Dot-separated build metadata (`build.5`), often empty.
    pub(crate) build: String,
}

static SEMVER: LazyLock<Regex> = LazyLock::new(|| {
    let numeric = r"0|[1-9]\d*";
    let identifier = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)";
    let pattern = format!(
        r"^v?({numeric})\.({numeric})\.({numeric})(?:-({identifier}(?:\.{identifier})*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
    );
    Regex::new(&pattern).unwrap_or_else(|_| unreachable!("constant regex"))
});

/// node-semver's `MAX_SAFE_INTEGER` bound on each number.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl Semver {
    /// Parses `text`, or `None` when node-semver's `valid` would reject it.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() > 256 {
            return None;
        }
        let captures = SEMVER.captures(text)?;
        let number = |i: usize| -> Option<u64> {
            captures[i]
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= MAX_SAFE_INTEGER)
        };
        Some(Self {
            major: number(1)?,
            minor: number(2)?,
            patch: number(3)?,
            prerelease: captures
                .get(4)
                .map_or_else(String::new, |m| m.as_str().to_owned()),
            build: captures
                .get(5)
                .map_or_else(String::new, |m| m.as_str().to_owned()),
        })
    }

    /// `x.y.z[-pre]`, without build metadata.
    pub(crate) fn version(&self) -> String {
        let mut out = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.prerelease.is_empty() {
            out.push('-');
            out.push_str(&self.prerelease);
        }
        out
    }

    /// The pre-release channel: the leading letters of the pre-release, lower-cased
    /// (`rc.1` and `RC1` are `rc`, `beta` is `beta`); empty for a release.
    pub(crate) fn channel(&self) -> String {
        channel_of(&self.prerelease)
    }
}

fn channel_of(prerelease: &str) -> String {
    prerelease
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}

/// A PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pep440 {
    epoch: u64,
    pub(crate) release: Vec<u64>,
    pre: Option<(&'static str, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Option<String>,
}

static PEP440: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*v?
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
        (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
        (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        \s*$",
    )
    .unwrap_or_else(|_| unreachable!("constant regex"))
});

impl Pep440 {
    /// Parses `text`, or `None` when it is not a PEP 440 version.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let c = PEP440.captures(text)?;
        let number = |name: &str| -> Option<Option<u64>> {
            match c.name(name) {
                Some(m) => m.as_str().parse::<u64>().ok().map(Some),
                None => Some(None),
            }
        };
        let release = c["release"]
            .split('.')
            .map(|n| n.parse::<u64>().ok())
            .collect::<Option<Vec<_>>>()?;
        let pre = match c.name("pre_l") {
            Some(label) => {
                let label = match label.as_str().to_lowercase().as_str() {
                    "a" | "alpha" => "a",
                    "b" | "beta" => "b",
                    _ => "rc",
                };
                Some((label, number("pre_n")?.unwrap_or(0)))
            }
            None => None,
        };
        let post = if c.name("post").is_some() {
            Some(number("post_n1")?.or(number("post_n2")?).unwrap_or(0))
        } else {
            None
        };
        let dev = if c.name("dev").is_some() {
            Some(number("dev_n")?.unwrap_or(0))
        } else {
            None
        };
        Some(Self {
            epoch: number("epoch")?.unwrap_or(0),
            release,
            pre,
            post,
            dev,
            // Numeric local parts lose their leading zeros, as in packaging and renovate.
            local: c.name("local").map(|m| {
                m.as_str()
                    .to_lowercase()
                    .split(['-', '_', '.'])
                    .map(|part| match part.parse::<u64>() {
                        Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => n.to_string(),
                        _ => part.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            }),
        })
    }

    /// True for a pre-, post- or dev-release (never tagged `latest` by the action).
    pub(crate) fn is_special(&self) -> bool {
        self.pre.is_some() || self.post.is_some() || self.dev.is_some()
    }

    /// The n-th release number, 0 when absent.
    pub(crate) fn part(&self, n: usize) -> u64 {
        self.release.get(n).copied().unwrap_or(0)
    }

    /// The pre-release channel: `a`, `b`, `rc`, else `dev` or `post`, else empty.
    pub(crate) fn channel(&self) -> String {
        match (self.pre, self.dev, self.post) {
            (Some((label, _)), _, _) => label.to_owned(),
            (None, Some(_), _) => "dev".to_owned(),
            (None, None, Some(_)) => "post".to_owned(),
            _ => String::new(),
        }
    }

    /// The part after the release: `b2.post1.dev3`, without the leading separator.
    pub(crate) fn prerelease(&self) -> String {
        let full = self.normalized();
        let release = self.base();
        full.strip_prefix(&release)
            .unwrap_or_default()
            .split('+')
            .next()
            .unwrap_or_default()
            .trim_start_matches('.')
            .to_owned()
    }

    fn base(&self) -> String {
        let mut out = String::new();
        if self.epoch != 0 {
            out.push_str(&format!("{}!", self.epoch));
        }
        let release: Vec<String> = self.release.iter().map(u64::to_string).collect();
        out.push_str(&release.join("."));
        out
    }

    /// The normalised form, as `str(packaging.version.Version(text))`.
    pub(crate) fn normalized(&self) -> String {
        let mut out = self.base();
        if let Some((label, n)) = self.pre {
            out.push_str(&format!("{label}{n}"));
        }
        if let Some(n) = self.post {
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = self.dev {
            out.push_str(&format!(".dev{n}"));
        }
        if let Some(local) = &self.local {
            out.push('+');
            out.push_str(local);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_like_node_semver() {
        for (input, expected) in [
            ("1.2.3", Some("1.2.3")),
            ("v1.2.3", Some("1.2.3")),
            (" v1.2.3 ", Some("1.2.3")),
            ("1.2.3-rc.1", Some("1.2.3-rc.1")),
            ("1.2.3-rc.1+build.5", Some("1.2.3-rc.1")),
            ("1.2.3+build.01", Some("1.2.3")),
            ("1.2.3-0.3.7", Some("1.2.3-0.3.7")),
            ("1.2.3-x-y-z.--", Some("1.2.3-x-y-z.--")),
            ("1.2.3-alpha-beta", Some("1.2.3-alpha-beta")),
            ("1.2", None),
            ("1", None),
            ("01.2.3", None),
            ("1.2.3-01", None),
            ("1.2.3-rc..1", None),
            ("V1.2.3", None),
            ("=1.2.3", None),
            ("1.2.3.4", None),
            ("vv1.2.3", None),
            ("1.2.3-", None),
            ("9007199254740992.0.0", None),
            ("release-1.2.3", None),
        ] {
            assert_eq!(
                Semver::parse(input).map(|v| v.version()),
                expected.map(str::to_owned),
                "{input}"
            );
        }
        let v = Semver::parse("v2.0.0-RC1.2").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (2, 0, 0));
        assert_eq!(v.channel(), "rc");
        assert_eq!(Semver::parse("1.0.0").unwrap().channel(), "");
    }

    #[test]
    fn pep440_normalisation() {
        for (input, expected) in [
            ("1.1beta2", Some("1.1b2")),
            ("1.2post1", Some("1.2.post1")),
            ("1.0dev4", Some("1.0.dev4")),
            ("v1.2.3", Some("1.2.3")),
            ("1.0-1", Some("1.0.post1")),
            ("1.0.RC", Some("1.0rc0")),
            (
                "1!2.0a1.post2.dev3+Ubuntu-1_2",
                Some("1!2.0a1.post2.dev3+ubuntu.1.2"),
            ),
            ("0!01.002", Some("1.2")),
            ("1.0preview4", Some("1.0rc4")),
            ("1.0c1", Some("1.0rc1")),
            ("1.0-r4", Some("1.0.post4")),
            ("1.0.0-dev", Some("1.0.0.dev0")),
            ("1.2.3+abc", Some("1.2.3+abc")),
            ("1.0+Ubuntu.01-007", Some("1.0+ubuntu.1.7")),
            ("1.2.x", None),
            ("a1.0", None),
            ("1.0+", None),
        ] {
            assert_eq!(
                Pep440::parse(input).map(|v| v.normalized()),
                expected.map(str::to_owned),
                "{input}"
            );
        }
        let v = Pep440::parse("1.2rc3.dev1").unwrap();
        assert!(v.is_special());
        assert_eq!(v.channel(), "rc");
        assert_eq!(v.prerelease(), "rc3.dev1");
        assert_eq!((v.part(0), v.part(1), v.part(2)), (1, 2, 0));
        assert!(!Pep440::parse("1.2.3+local").unwrap().is_special());
    }
}
