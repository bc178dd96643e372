//! The one image-reference parser of the project, following Docker's grammar as
//! `github.com/distribution/reference` implements it:
//!
//! ```text
//! reference   := name [ ":" tag ] [ "@" digest ]
//! name        := [ domain "/" ] path-component [ "/" path-component ]*
//! domain      := host [ ":" port ]          host: DNS name, IPv4, or [IPv6]
//! path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag         := [\w][\w.-]{0,127}
//! digest      := algorithm ":" hex
//! ```
//!
//! Normalisation is Docker's: without a registry the reference is on `docker.io`; a
//! single-component name there gets `library/`; `index.docker.io` is `docker.io`. The
//! first component is a registry only when it contains `.` or `:`, or is `localhost`.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use miette::Diagnostic;

/// Docker Hub's canonical registry name.
pub const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
const MAX_NAME_LENGTH: usize = 255;
const MAX_TAG_LENGTH: usize = 128;

/// A content digest such as `sha256:<64 hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: String,
    hex: String,
}

impl Digest {
    /// Parses `algorithm:hex`, checking the hex length of sha256 (64) and sha512 (128).
    pub fn parse(text: &str) -> Result<Self, ImageRefError> {
        let invalid = |reason: String| ImageRefError::InvalidDigest {
            digest: text.to_owned(),
            reason,
        };
        let (algorithm, hex) = text
            .split_once(':')
            .ok_or_else(|| invalid("a digest is `algorithm:hex`, e.g. `sha256:…`".to_owned()))?;
        let expected = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            "" => return Err(invalid("the algorithm is empty".to_owned())),
            other => {
                return Err(invalid(format!(
                    "algorithm `{other}` is not supported (use sha256 or sha512)"
                )));
            }
        };
        if hex.len() != expected
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(invalid(format!(
                "{algorithm} digests are {expected} lower-case hex characters"
            )));
        }
        Ok(Self {
            algorithm: algorithm.to_owned(),
            hex: hex.to_owned(),
        })
    }

    /// The algorithm, e.g. `sha256`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The hex-encoded hash.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl FromStr for Digest {
    type Err = ImageRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageRef {
    /// The registry host (with port), e.g. `ghcr.io` or `localhost:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path inside the registry, e.g. `library/alpine`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, when one was given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when one was given.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Docker's short form: no `docker.io/`, no `library/` (`alpine:3.20`).
    pub fn familiar(&self) -> String {
        let name = if self.registry == DOCKER_HUB {
            self.repository
                .strip_prefix("library/")
                .filter(|rest| !rest.contains('/'))
                .unwrap_or(&self.repository)
                .to_owned()
        } else {
            self.name()
        };
        self.with_suffix(name)
    }

    fn with_suffix(&self, mut out: String) -> String {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(&digest.to_string());
        }
        out
    }

    /// True when the registry is on this machine (`localhost`, `127.0.0.0/8`, `[::1]`),
    /// where Docker uses plain HTTP by default.
    pub fn is_loopback_registry(&self) -> bool {
        let host = host_of(&self.registry);
        host == "localhost"
            || host == "[::1]"
            || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// The host part of `host[:port]`, keeping IPv6 brackets.
fn host_of(domain: &str) -> &str {
    if domain.starts_with('[') {
        return domain.find(']').map_or(domain, |end| &domain[..=end]);
    }
    domain.split(':').next().unwrap_or(domain)
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_suffix(self.name()))
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// Why an image reference does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefError {
    /// Nothing was given.
    #[error("image reference is empty")]
    Empty,
    /// The repository path has upper-case letters.
    #[error("repository name must be lower case: `{name}`")]
    Uppercase {
        /// The path as written.
        name: String,
    },
    /// A character that cannot appear in a repository path.
    #[error("invalid character `{ch}` at position {position} of `{input}`")]
    InvalidCharacter {
        /// The whole reference.
        input: String,
        /// The character.
        ch: char,
        /// 1-based character position in `input`.
        position: usize,
    },
    /// A path component that is empty or starts or ends with a separator.
    #[error("invalid path component `{component}` in `{input}`: {reason}")]
    InvalidComponent {
        /// The whole reference.
        input: String,
        /// The component.
        component: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A registry host or port that does not parse.
    #[error("invalid registry `{domain}`: {reason}")]
    InvalidRegistry {
        /// The registry as written.
        domain: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A tag outside `[\w][\w.-]{0,127}`.
    #[error("invalid tag `{tag}`: {reason}")]
    InvalidTag {
        /// The tag.
        tag: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A malformed digest.
    #[error("invalid digest `{digest}`: {reason}")]
    InvalidDigest {
        /// The digest as written.
        digest: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The name is longer than 255 characters.
    #[error("repository name is {length} characters long, more than the 255 allowed")]
    NameTooLong {
        /// The length of `registry/repository`.
        length: usize,
    },
    /// A name that is only 64 hex characters, which Docker reads as an image ID.
    #[error("`{name}` looks like an image ID (64 hex characters), not a repository name")]
    LooksLikeId {
        /// The name.
        name: String,
    },
    /// A tag where only a repository belongs.
    #[error("`{input}` has a tag (`{tag}`); only a repository belongs here")]
    TagNotAllowed {
        /// The whole reference.
        input: String,
        /// The tag.
        tag: String,
    },
    /// A digest where only a repository belongs.
    #[error("`{input}` has a digest; only a repository belongs here")]
    DigestNotAllowed {
        /// The whole reference.
        input: String,
    },
}

impl Diagnostic for ImageRefError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("invalid-image-reference"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = match self {
            Self::Empty => "write a reference like `ghcr.io/owner/name:tag`".to_owned(),
            Self::Uppercase { name } => format!("use `{}`", name.to_lowercase()),
            Self::InvalidCharacter { .. } => {
                "repository paths use lower-case letters, digits and the separators `.`, `_`, `__` and `-`".to_owned()
            }
            Self::InvalidComponent { .. } => {
                "each `/`-separated part starts and ends with a letter or digit".to_owned()
            }
            Self::InvalidRegistry { .. } => {
                "a registry is a host name or IP address with an optional `:port`, e.g. `ghcr.io` or `localhost:5000`".to_owned()
            }
            Self::InvalidTag { .. } => {
                "tags are up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`".to_owned()
            }
            Self::InvalidDigest { .. } => {
                "a digest is `sha256:` followed by 64 lower-case hex characters".to_owned()
            }
            Self::NameTooLong { .. } => "shorten the repository path".to_owned(),
            Self::LooksLikeId { .. } => "use a repository name, e.g. `owner/name`".to_owned(),
            Self::TagNotAllowed { .. } => {
                "remove the tag: tags are computed from `image.tags`".to_owned()
            }
            Self::DigestNotAllowed { .. } => "remove the `@sha256:…` part".to_owned(),
        };
        Some(Box::new(help))
    }
}

/// Parses a full reference (`[registry/]path[:tag][@digest]`) with Docker's defaults.
pub fn parse(input: &str) -> Result<ImageRef, ImageRefError> {
    if input.is_empty() {
        return Err(ImageRefError::Empty);
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((name, digest)) => (name, Some(Digest::parse(digest)?)),
        None => (input, None),
    };
    // A tag is after the last `:` that follows the last `/` (a `:` before it is a port).
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => {
            let split = last_slash + i;
            (
                &name_and_tag[..split],
                Some(name_and_tag[split + 1..].to_owned()),
            )
        }
        None => (name_and_tag, None),
    };
    if name.is_empty() {
        return Err(ImageRefError::Empty);
    }
    if let Some(tag) = &tag {
        check_tag(tag)?;
    }
    let (registry, repository) = split_registry(name);
    if let Some(domain) = registry {
        check_registry(domain)?;
    }
    if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ImageRefError::LooksLikeId {
            name: name.to_owned(),
        });
    }
    if repository.to_lowercase() != repository {
        return Err(ImageRefError::Uppercase {
            name: repository.to_owned(),
        });
    }
    let offset = input.len() - input[name.len() - repository.len()..].len();
    check_path(input, repository, offset)?;
    let mut registry = registry.unwrap_or(DOCKER_HUB).to_owned();
    if registry == DOCKER_HUB_LEGACY {
        registry = DOCKER_HUB.to_owned();
    }
    let repository = if registry == DOCKER_HUB && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository.to_owned()
    };
    let length = registry.len() + 1 + repository.len();
    if length > MAX_NAME_LENGTH {
        return Err(ImageRefError::NameTooLong { length });
    }
    Ok(ImageRef {
        registry,
        repository,
        tag,
        digest,
    })
}

/// Parses a repository only (`ghcr.io/acme/web`): a tag or digest is an error.
pub fn parse_repository(input: &str) -> Result<ImageRef, ImageRefError> {
    let parsed = parse(input)?;
    if parsed.digest.is_some() {
        return Err(ImageRefError::DigestNotAllowed {
            input: input.to_owned(),
        });
    }
    if let Some(tag) = parsed.tag {
        return Err(ImageRefError::TagNotAllowed {
            input: input.to_owned(),
            tag,
        });
    }
    Ok(parsed)
}

/// Docker's rule: the first component is a registry when it has `.` or `:`, is
/// `localhost`, or has upper case (which a path may not).
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_registry(domain: &str) -> Result<(), ImageRefError> {
    let invalid = |reason| ImageRefError::InvalidRegistry {
        domain: domain.to_owned(),
        reason,
    };
    let (host, port) = if let Some(rest) = domain.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| invalid("an IPv6 address must be closed with `]`"))?;
        let address = &rest[..end];
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid("not a valid IPv6 address"));
        }
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(invalid("unexpected text after the IPv6 address")),
        };
        (None, port)
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(domain), None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the port must be a number"));
        }
        if port.parse::<u16>().is_err() {
            return Err(invalid("the port must be at most 65535"));
        }
    }
    if let Some(host) = host {
        if host.is_empty() {
            return Err(invalid("the host is empty"));
        }
        for label in host.split('.') {
            let valid = !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !valid {
                return Err(invalid(
                    "host names are letters, digits and `-` separated by `.`",
                ));
            }
        }
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), ImageRefError> {
    let invalid = |reason| ImageRefError::InvalidTag {
        tag: tag.to_owned(),
        reason,
    };
    if tag.is_empty() {
        return Err(invalid("the tag is empty"));
    }
    if tag.len() > MAX_TAG_LENGTH {
        return Err(invalid("longer than 128 characters"));
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if !tag.bytes().next().is_some_and(word) {
        return Err(invalid("must start with a letter, digit or `_`"));
    }
    if !tag.bytes().all(|b| word(b) || b == b'.' || b == b'-') {
        return Err(invalid(
            "only letters, digits, `_`, `.` and `-` are allowed",
        ));
    }
    Ok(())
}

/// Checks `path` (the repository part of `input`, starting at byte `offset`).
fn check_path(input: &str, path: &str, offset: usize) -> Result<(), ImageRefError> {
    for (i, ch) in path.char_indices() {
        if !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '.' | '_' | '-' | '/'))
        {
            return Err(ImageRefError::InvalidCharacter {
                input: input.to_owned(),
                ch,
                position: input[..offset + i].chars().count() + 1,
            });
        }
    }
    for component in path.split('/') {
        let invalid = |reason| ImageRefError::InvalidComponent {
            input: input.to_owned(),
            component: component.to_owned(),
            reason,
        };
        if component.is_empty() {
            return Err(invalid("empty (two `/` in a row, or a `/` at an end)"));
        }
        let bytes = component.as_bytes();
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return Err(invalid("must start and end with a letter or digit"));
        }
        // Separators: `.`, `_`, `__` or one or more `-`, between alphanumerics.
        let mut run = String::new();
        for &b in bytes {
            if alnum(b) {
                let valid_separator = run.is_empty()
                    || run == "."
                    || run == "_"
                    || run == "__"
                    || run.bytes().all(|c| c == b'-');
                if !valid_separator {
                    return Err(invalid(
                        "separators are `.`, `_`, `__` or dashes, one at a time",
                    ));
                }
                run.clear();
            } else {
                run.push(char::from(b));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> String {
        parse(s)
            .map(|r| r.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn normalises_like_docker() {
        let cases = [
            ("alpine", "docker.io/library/alpine"),
            ("alpine:3.20", "docker.io/library/alpine:3.20"),
            ("library/alpine", "docker.io/library/alpine"),
            ("acme/web", "docker.io/acme/web"),
            ("docker.io/alpine", "docker.io/library/alpine"),
            ("index.docker.io/acme/web", "docker.io/acme/web"),
            ("ghcr.io/acme/web:1.2.3", "ghcr.io/acme/web:1.2.3"),
            ("localhost/web", "localhost/web"),
            ("localhost:5000/a/b/c:tag", "localhost:5000/a/b/c:tag"),
            ("127.0.0.1:5000/web", "127.0.0.1:5000/web"),
            ("[::1]:5000/web:v1", "[::1]:5000/web:v1"),
            (
                "registry.example.com:5000/team/web",
                "registry.example.com:5000/team/web",
            ),
            ("a/b.c/d__e/f-g--h", "docker.io/a/b.c/d__e/f-g--h"),
        ];
        for (input, expected) in cases {
            assert_eq!(full(input), expected, "{input}");
        }
    }

    #[test]
    fn digests() {
        let hex = "a".repeat(64);
        let r = parse(&format!("ghcr.io/acme/web:1.0@sha256:{hex}")).unwrap();
        assert_eq!(r.tag(), Some("1.0"));
        assert_eq!(r.digest().unwrap().hex(), hex);
        assert!(parse(&format!("web@sha512:{}", "b".repeat(128))).is_ok());
        for bad in [
            "web@sha256:abc",
            "web@sha256:",
            "web@md5:abc",
            "web@sha256",
            &format!("web@sha256:{}", "A".repeat(64)),
        ] {
            assert!(
                matches!(parse(bad), Err(ImageRefError::InvalidDigest { .. })),
                "{bad}: {:?}",
                parse(bad)
            );
        }
    }

    #[test]
    fn rejects_with_precise_messages() {
        let cases = [
            ("", "image reference is empty"),
            (
                "ghcr.io/Acme/Web",
                "repository name must be lower case: `Acme/Web`",
            ),
            (
                "acme/we$b",
                "invalid character `$` at position 8 of `acme/we$b`",
            ),
            (
                "ghcr.io/acme//web",
                "invalid path component `` in `ghcr.io/acme//web`: empty (two `/` in a row, or a `/` at an end)",
            ),
            (
                "ghcr.io/acme/-web",
                "invalid path component `-web` in `ghcr.io/acme/-web`: must start and end with a letter or digit",
            ),
            (
                "ghcr.io/acme/we..b",
                "invalid path component `we..b` in `ghcr.io/acme/we..b`: separators are `.`, `_`, `__` or dashes, one at a time",
            ),
            (
                "ghcr.io/acme/we___b",
                "invalid path component `we___b` in `ghcr.io/acme/we___b`: separators are `.`, `_`, `__` or dashes, one at a time",
            ),
            (
                "ghcr.io:99999/web",
                "invalid registry `ghcr.io:99999`: the port must be at most 65535",
            ),
            (
                "ghcr.io:/web",
                "invalid registry `ghcr.io:`: the port must be a number",
            ),
            (
                "gh_cr.io/web",
                "invalid registry `gh_cr.io`: host names are letters, digits and `-` separated by `.`",
            ),
            (
                "web:-tag",
                "invalid tag `-tag`: must start with a letter, digit or `_`",
            ),
            ("web:", "invalid tag ``: the tag is empty"),
        ];
        for (input, message) in cases {
            assert_eq!(parse(input).unwrap_err().to_string(), message, "{input}");
        }
        let long_tag = format!("web:{}", "a".repeat(129));
        assert!(matches!(
            parse(&long_tag),
            Err(ImageRefError::InvalidTag { .. })
        ));
        let long_name = format!("ghcr.io/{}", "a".repeat(250));
        assert!(matches!(
            parse(&long_name),
            Err(ImageRefError::NameTooLong { .. })
        ));
        let id = "b".repeat(64);
        assert!(matches!(parse(&id), Err(ImageRefError::LooksLikeId { .. })));
    }

    #[test]
    fn repository_only() {
        assert!(parse_repository("ghcr.io/acme/web").is_ok());
        let error = parse_repository("ghcr.io/acme/web:1.0").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`ghcr.io/acme/web:1.0` has a tag (`1.0`); only a repository belongs here"
        );
        assert!(matches!(
            parse_repository(&format!("ghcr.io/acme/web@sha256:{}", "0".repeat(64))),
            Err(ImageRefError::DigestNotAllowed { .. })
        ));
    }

    #[test]
    fn familiar_form_and_loopback() {
        assert_eq!(
            parse("docker.io/library/alpine:3").unwrap().familiar(),
            "alpine:3"
        );
        assert_eq!(parse("acme/web").unwrap().familiar(), "acme/web");
        assert_eq!(parse("ghcr.io/a/b").unwrap().familiar(), "ghcr.io/a/b");
        for loopback in [
            "localhost:5000/a",
            "127.0.0.1/a",
            "127.1.2.3:80/a",
            "[::1]:5000/a",
            "localhost/a",
        ] {
            assert!(
                parse(loopback).unwrap().is_loopback_registry(),
                "{loopback}"
            );
        }
        for remote in ["ghcr.io/a", "10.0.0.1:5000/a", "alpine"] {
            assert!(!parse(remote).unwrap().is_loopback_registry(), "{remote}");
        }
    }
}
