//! The one image-reference parser of the project, following Docker's grammar as
//! `github.com/distribution/reference` implements it (`regexp.go`, `normalize.go`):
//!
//! ```text
//! reference      := name [ ":" tag ] [ "@" digest ]
//! name           := [ domain "/" ] path-component [ "/" path-component ]*
//! domain         := host [ ":" port ]        host: DNS name, IPv4 address or [IPv6]
//! path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag            := [\w][\w.-]{0,127}
//! digest         := algorithm ":" hex        sha256: 64 hex, sha512: 128 hex, lower case
//! ```
//!
//! Normalisation is Docker's (`ParseNormalizedNamed`): the first `/`-separated component
//! is a registry only when it contains `.` or `:`, is `localhost`, or has upper case;
//! without one the reference is on `docker.io`; a single-component name there gets
//! `library/`; `index.docker.io` is `docker.io`; a bare 64-hex string is an image ID, not a
//! name; the normalised `registry/repository` is at most 255 characters.
//!
//! Where this parser is stricter than Docker, it rejects what no registry could serve: a
//! port above 65535 and an IPv6 literal that is not a valid address.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Docker Hub's canonical registry name.
pub const DOCKER_HUB: &str = "docker.io";
/// The legacy name of Docker Hub, normalised to [`DOCKER_HUB`].
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
/// The namespace of Docker Hub's official images.
const OFFICIAL_PREFIX: &str = "library/";
/// The longest `registry/repository` Docker accepts.
pub const MAX_NAME_LENGTH: usize = 255;
/// The longest tag Docker accepts.
pub const MAX_TAG_LENGTH: usize = 128;

/// A content digest such as `sha256:<64 hex>`.
///
/// Only the algorithms registries use for image content are accepted: sha256 (64
/// lower-case hex characters) and sha512 (128).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: String,
    hex: String,
}

impl Digest {
    /// Parses `algorithm:hex`.
    pub fn parse(text: &str) -> Result<Self, ImageRefError> {
        let format_error = || ImageRefError::DigestFormat {
            digest: text.to_owned(),
        };
        let (algorithm, hex) = text.split_once(':').ok_or_else(format_error)?;
        if !is_digest_algorithm(algorithm) {
            return Err(format_error());
        }
        let expected = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            other => {
                return Err(ImageRefError::UnsupportedDigestAlgorithm {
                    digest: text.to_owned(),
                    algorithm: other.to_owned(),
                });
            }
        };
        let lower_hex = hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if hex.len() != expected || !lower_hex {
            let found = match hex.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
                Some(c) if c.is_ascii_hexdigit() => "write the hex digits in lower case".to_owned(),
                Some(c) => format!("{} is not a hex character", describe_char(&c)),
                None => format!(
                    "found {} character{}; copy the whole digest, e.g. from `docker buildx imagetools inspect`",
                    hex.len(),
                    if hex.len() == 1 { "" } else { "s" }
                ),
            };
            return Err(ImageRefError::DigestHex {
                digest: text.to_owned(),
                algorithm: algorithm.to_owned(),
                expected,
                found,
            });
        }
        Ok(Self {
            algorithm: algorithm.to_owned(),
            hex: hex.to_owned(),
        })
    }

    /// The algorithm: `sha256` or `sha512`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The lower-case hex-encoded hash.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

/// The OCI digest algorithm grammar: `[a-z0-9]+([+._-][a-z0-9]+)*`.
fn is_digest_algorithm(algorithm: &str) -> bool {
    !algorithm.is_empty()
        && algorithm
            .split(['+', '.', '_', '-'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
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

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A parsed, normalised image reference: registry, repository, optional tag and digest.
///
/// `Display` prints the fully-qualified form (`docker.io/library/alpine:3.20`);
/// [`ImageRef::familiar`] prints Docker's short form (`alpine:3.20`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageRef {
    /// The registry host with its port, e.g. `docker.io`, `ghcr.io` or `localhost:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path inside the registry, e.g. `library/alpine` or `acme/web`.
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

    /// `registry/repository`, without tag or digest (`docker.io/library/alpine`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Docker's short form of the name: no `docker.io/`, and no `library/` for official
    /// images (`alpine`, `acme/web`, `ghcr.io/acme/web`).
    pub fn familiar_name(&self) -> String {
        if self.registry != DOCKER_HUB {
            return self.name();
        }
        match self.repository.strip_prefix(OFFICIAL_PREFIX) {
            Some(rest) if !rest.contains('/') => rest.to_owned(),
            _ => self.repository.clone(),
        }
    }

    /// Docker's short form with tag and digest (`alpine:3.20`).
    pub fn familiar(&self) -> String {
        self.with_suffix(self.familiar_name())
    }

    /// The same reference with `tag` instead of its tag (the digest is kept).
    pub fn with_tag(&self, tag: &str) -> Result<Self, ImageRefError> {
        check_tag(&format!("{}:{tag}", self.name()), tag)?;
        Ok(Self {
            tag: Some(tag.to_owned()),
            ..self.clone()
        })
    }

    /// The same reference pinned to `digest` (the tag is kept for readability).
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self {
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// The repository alone, without tag or digest.
    pub fn without_tag_or_digest(&self) -> Self {
        Self {
            tag: None,
            digest: None,
            ..self.clone()
        }
    }

    /// True when the registry is on this machine (`localhost`, `127.0.0.0/8`, `[::1]`,
    /// with or without a port), where Docker uses plain HTTP by default.
    pub fn is_loopback_registry(&self) -> bool {
        let host = host_of(&self.registry);
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
        }
        host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
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

impl serde::Serialize for ImageRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ImageRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The part of a reference a character was found in, for [`ImageRefError::InvalidCharacter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The registry host and port.
    Registry,
    /// The repository path.
    Repository,
    /// The tag.
    Tag,
}

impl Part {
    fn rule(self) -> &'static str {
        match self {
            Self::Registry => {
                "a registry is a host name (letters, digits, `-` and `.`) or an IP address, with an optional `:port`"
            }
            Self::Repository => {
                "repository paths use lower-case letters, digits, `/` between parts and the separators `.`, `_`, `__` and `-`"
            }
            Self::Tag => "tags use letters, digits, `_`, `.` and `-`",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Registry => "registry",
            Self::Repository => "repository path",
            Self::Tag => "tag",
        })
    }
}

/// Why an image reference does not parse. Every variant has the diagnostic code
/// `invalid-image-reference` and a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ImageRefError {
    /// Nothing was given.
    #[error("image reference is empty")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("write a reference like `ghcr.io/owner/name:tag`")
    )]
    Empty,
    /// A tag or digest without a repository name in front of it.
    #[error("image reference `{input}` has no repository name")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("write a reference like `ghcr.io/owner/name:tag`")
    )]
    MissingName {
        /// The whole reference.
        input: String,
    },
    /// A bare 64-hex string, which Docker reads as an image ID.
    #[error("`{input}` is an image ID (64 hex characters), not a repository name")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("use a repository name such as `owner/name`")
    )]
    LooksLikeId {
        /// The whole reference.
        input: String,
    },
    /// A URL such as `https://ghcr.io/acme/web` or `docker://alpine`.
    #[error("image reference `{input}` has a URL scheme (`{scheme}://`)")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("image references have no scheme: write `{rest}`")
    )]
    Scheme {
        /// The whole reference.
        input: String,
        /// The scheme, e.g. `https`.
        scheme: String,
        /// The reference without the scheme.
        rest: String,
    },
    /// A character that cannot appear in that part of a reference.
    #[error("invalid character {} in the {part} at position {position} of `{input}`", describe_char(.ch))]
    #[diagnostic(code("invalid-image-reference"), help("{}", .part.rule()))]
    InvalidCharacter {
        /// The whole reference.
        input: String,
        /// The character.
        ch: char,
        /// 1-based character position in `input`.
        position: usize,
        /// Where the character is.
        part: Part,
    },
    /// The repository path has upper-case letters.
    #[error("repository name must be lower case: `{name}`")]
    #[diagnostic(code("invalid-image-reference"), help("use `{lower}`"))]
    Uppercase {
        /// The repository path as written.
        name: String,
        /// The same path in lower case.
        lower: String,
    },
    /// Two `/` in a row, or a `/` at the end.
    #[error("empty path component in `{input}`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("remove the doubled or trailing `/`")
    )]
    EmptyComponent {
        /// The whole reference.
        input: String,
    },
    /// A path component that starts or ends with a separator.
    #[error(
        "path component `{component}` of `{input}` must start and end with a lower-case letter or digit"
    )]
    #[diagnostic(
        code("invalid-image-reference"),
        help("`.`, `_` and `-` only go between letters and digits")
    )]
    ComponentEdge {
        /// The whole reference.
        input: String,
        /// The component.
        component: String,
    },
    /// A run of separators that is not `.`, `_`, `__` or dashes.
    #[error("path component `{component}` of `{input}` has an invalid separator `{separator}`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("separate words with one `.`, one or two `_`, or one or more `-`")
    )]
    InvalidSeparator {
        /// The whole reference.
        input: String,
        /// The component.
        component: String,
        /// The separator run.
        separator: String,
    },
    /// A registry host or port that does not parse.
    #[error("invalid registry `{registry}`: {reason}")]
    #[diagnostic(
        code("invalid-image-reference"),
        help(
            "a registry is a host name or IP address with an optional `:port`, e.g. `ghcr.io`, `localhost:5000` or `[::1]:5000`"
        )
    )]
    InvalidRegistry {
        /// The registry as written.
        registry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `name:` with nothing after the colon.
    #[error("empty tag after `:` in `{input}`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("write the tag after the `:`, or remove the `:`")
    )]
    EmptyTag {
        /// The whole reference.
        input: String,
    },
    /// A tag that starts with `.` or `-`.
    #[error("tag `{tag}` must start with a letter, digit or `_`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("tags match `[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}`")
    )]
    TagStart {
        /// The tag.
        tag: String,
    },
    /// A tag longer than 128 characters.
    #[error("tag `{}` is {length} characters long, more than the 128 allowed", shorten(.tag))]
    #[diagnostic(code("invalid-image-reference"), help("shorten the tag"))]
    TagTooLong {
        /// The tag.
        tag: String,
        /// Its length.
        length: usize,
    },
    /// `name@` with nothing after the `@`.
    #[error("empty digest after `@` in `{input}`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help(
            "write the digest after the `@` (`sha256:` and 64 hex characters), or remove the `@`"
        )
    )]
    EmptyDigest {
        /// The whole reference.
        input: String,
    },
    /// Something that is not `algorithm:hex`.
    #[error("digest `{digest}` is not of the form `algorithm:hex`")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("a digest is `sha256:` followed by 64 lower-case hex characters")
    )]
    DigestFormat {
        /// The digest as written.
        digest: String,
    },
    /// A digest algorithm other than sha256 and sha512.
    #[error("digest algorithm `{algorithm}` in `{digest}` is not supported")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("use a sha256 digest (sha512 is accepted too)")
    )]
    UnsupportedDigestAlgorithm {
        /// The digest as written.
        digest: String,
        /// The algorithm.
        algorithm: String,
    },
    /// A sha256/sha512 digest with the wrong length or non-lower-case-hex characters.
    #[error("digest `{digest}` must be {expected} lower-case hex characters")]
    #[diagnostic(code("invalid-image-reference"), help("{found}"))]
    DigestHex {
        /// The digest as written.
        digest: String,
        /// The algorithm.
        algorithm: String,
        /// The number of hex characters it needs.
        expected: usize,
        /// What was found instead.
        found: String,
    },
    /// The normalised `registry/repository` is longer than 255 characters.
    #[error("repository name `{}` is {length} characters long, more than the 255 allowed", shorten(.name))]
    #[diagnostic(code("invalid-image-reference"), help("shorten the repository path"))]
    NameTooLong {
        /// The normalised `registry/repository`.
        name: String,
        /// Its length.
        length: usize,
    },
    /// A tag where only a repository belongs.
    #[error("`{input}` has the tag `{tag}`, and tags are not allowed here")]
    #[diagnostic(
        code("invalid-image-reference"),
        help("write `{repository}` here and put the tag in `tags:` (e.g. `type=raw,value={tag}`)")
    )]
    TagNotAllowed {
        /// The whole reference.
        input: String,
        /// The repository without the tag, as written.
        repository: String,
        /// The tag.
        tag: String,
    },
    /// A digest where only a repository belongs.
    #[error("`{input}` has a digest, and digests are not allowed here")]
    #[diagnostic(code("invalid-image-reference"), help("write `{repository}` here"))]
    DigestNotAllowed {
        /// The whole reference.
        input: String,
        /// The repository without tag and digest, as written.
        repository: String,
    },
}

/// Cuts a long value for a message: the first 40 characters and `…`.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Names a character for a message: `` `$` ``, or a description for invisible ones.
fn describe_char(ch: &char) -> String {
    match *ch {
        ' ' => "` ` (space)".to_owned(),
        '\t' => "`\\t` (tab)".to_owned(),
        c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        c => format!("`{c}`"),
    }
}

/// Parses a full reference (`[registry/]path[:tag][@digest]`) with Docker's defaults.
pub fn parse(input: &str) -> Result<ImageRef, ImageRefError> {
    if input.is_empty() {
        return Err(ImageRefError::Empty);
    }
    if input.len() == 64
        && input
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(ImageRefError::LooksLikeId {
            input: input.to_owned(),
        });
    }
    if let Some((scheme, rest)) = input.split_once("://")
        && !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        return Err(ImageRefError::Scheme {
            input: input.to_owned(),
            scheme: scheme.to_owned(),
            rest: rest.to_owned(),
        });
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (input, None),
    };
    let (domain, remainder) = split_domain(name_and_tag);
    let path_offset = domain.map_or(0, |d| d.len() + 1);
    // Path components cannot hold `:`, so the first `:` after the registry starts the tag.
    let (path, tag) = match remainder.split_once(':') {
        Some((path, tag)) => (path, Some(tag)),
        None => (remainder, None),
    };
    if path.is_empty() {
        return Err(ImageRefError::MissingName {
            input: input.to_owned(),
        });
    }
    if let Some(domain) = domain {
        check_registry(input, domain)?;
    }
    check_path(input, path, path_offset)?;
    if let Some(tag) = tag {
        check_tag_at(input, tag, path_offset + path.len() + 1)?;
    }
    let digest = match digest {
        Some("") => {
            return Err(ImageRefError::EmptyDigest {
                input: input.to_owned(),
            });
        }
        Some(digest) => Some(Digest::parse(digest)?),
        None => None,
    };

    let registry = match domain {
        None | Some(DOCKER_HUB_LEGACY) => DOCKER_HUB,
        Some(domain) => domain,
    };
    let repository = if registry == DOCKER_HUB && !path.contains('/') {
        format!("{OFFICIAL_PREFIX}{path}")
    } else {
        path.to_owned()
    };
    let length = registry.len() + 1 + repository.len();
    if length > MAX_NAME_LENGTH {
        return Err(ImageRefError::NameTooLong {
            name: format!("{registry}/{repository}"),
            length,
        });
    }
    Ok(ImageRef {
        registry: registry.to_owned(),
        repository,
        tag: tag.map(str::to_owned),
        digest,
    })
}

/// Parses a repository only (`ghcr.io/acme/web`): a tag or a digest is an error.
pub fn parse_repository(input: &str) -> Result<ImageRef, ImageRefError> {
    let parsed = parse(input)?;
    let without_digest = input.split_once('@').map_or(input, |(name, _)| name);
    let (domain, remainder) = split_domain(without_digest);
    let path = remainder
        .split_once(':')
        .map_or(remainder, |(path, _)| path);
    let repository = match domain {
        Some(domain) => format!("{domain}/{path}"),
        None => path.to_owned(),
    };
    if let Some(tag) = parsed.tag() {
        return Err(ImageRefError::TagNotAllowed {
            input: input.to_owned(),
            repository,
            tag: tag.to_owned(),
        });
    }
    if parsed.digest.is_some() {
        return Err(ImageRefError::DigestNotAllowed {
            input: input.to_owned(),
            repository,
        });
    }
    Ok(parsed)
}

/// Docker's `splitDockerDomain`: the part before the first `/` is a registry when it has
/// `.` or `:`, is `localhost`, or has upper case (which a path may not).
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_registry(input: &str, domain: &str) -> Result<(), ImageRefError> {
    let invalid = |reason: String| ImageRefError::InvalidRegistry {
        registry: domain.to_owned(),
        reason,
    };
    let port = if let Some(rest) = domain.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| invalid("the IPv6 address is not closed with `]`".to_owned()))?;
        let address = &rest[..end];
        // Docker allows only hex digits and `:`: no zone (`%eth0`), no dotted IPv4 tail.
        if address.is_empty()
            || !address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
            || address.parse::<Ipv6Addr>().is_err()
        {
            return Err(invalid(format!("`{address}` is not an IPv6 address")));
        }
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => {
                return Err(invalid(format!(
                    "unexpected `{after}` after the IPv6 address"
                )));
            }
        }
    } else {
        let (host, port) = match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        check_host(input, host)?;
        port
    };
    if let Some(port) = port {
        if port.is_empty() {
            return Err(invalid("the port after `:` is empty".to_owned()));
        }
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!("the port `{port}` is not a number")));
        }
        if port.parse::<u16>().is_err() {
            return Err(invalid(format!("the port `{port}` is more than 65535")));
        }
    }
    Ok(())
}

/// A DNS name or IPv4 address: labels `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?` joined by
/// `.`. The registry starts at the beginning of `input`.
fn check_host(input: &str, host: &str) -> Result<(), ImageRefError> {
    let invalid = |reason: String| ImageRefError::InvalidRegistry {
        registry: input.split('/').next().unwrap_or(input).to_owned(),
        reason,
    };
    if host.is_empty() {
        return Err(invalid("the host name is empty".to_owned()));
    }
    if let Some((i, ch)) = host
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
    {
        return Err(invalid_character(input, ch, i, Part::Registry));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(invalid(
                "the host name has an empty label (`..`, or a `.` at an end)".to_owned(),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(format!(
                "the host label `{label}` starts or ends with `-`"
            )));
        }
    }
    Ok(())
}

/// Checks `path`, which starts at byte `offset` of `input`.
fn check_path(input: &str, path: &str, offset: usize) -> Result<(), ImageRefError> {
    let mut uppercase = false;
    for (i, ch) in path.char_indices() {
        if ch.is_ascii_uppercase() {
            uppercase = true;
        } else if !(ch.is_ascii_lowercase()
            || ch.is_ascii_digit()
            || matches!(ch, '.' | '_' | '-' | '/'))
        {
            return Err(invalid_character(input, ch, offset + i, Part::Repository));
        }
    }
    if uppercase {
        return Err(ImageRefError::Uppercase {
            name: path.to_owned(),
            lower: path.to_ascii_lowercase(),
        });
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    for component in path.split('/') {
        let bytes = component.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return Err(ImageRefError::EmptyComponent {
                input: input.to_owned(),
            });
        };
        if !alnum(first) || !alnum(last) {
            return Err(ImageRefError::ComponentEdge {
                input: input.to_owned(),
                component: component.to_owned(),
            });
        }
        for separator in component.split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            let valid = separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.bytes().all(|b| b == b'-');
            if !valid {
                return Err(ImageRefError::InvalidSeparator {
                    input: input.to_owned(),
                    component: component.to_owned(),
                    separator: separator.to_owned(),
                });
            }
        }
    }
    Ok(())
}

fn invalid_character(input: &str, ch: char, byte_offset: usize, part: Part) -> ImageRefError {
    ImageRefError::InvalidCharacter {
        input: input.to_owned(),
        ch,
        position: input[..byte_offset].chars().count() + 1,
        part,
    }
}

/// Checks a tag on its own (`input` is only used in messages).
fn check_tag(input: &str, tag: &str) -> Result<(), ImageRefError> {
    check_tag_at(input, tag, input.len() - tag.len())
}

/// Checks `tag`, which starts at byte `offset` of `input`: `[\w][\w.-]{0,127}`.
fn check_tag_at(input: &str, tag: &str, offset: usize) -> Result<(), ImageRefError> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some(first) = tag.chars().next() else {
        return Err(ImageRefError::EmptyTag {
            input: input.to_owned(),
        });
    };
    if let Some((i, ch)) = tag
        .char_indices()
        .find(|&(_, c)| !(word(c) || c == '.' || c == '-'))
    {
        return Err(invalid_character(input, ch, offset + i, Part::Tag));
    }
    if !word(first) {
        return Err(ImageRefError::TagStart {
            tag: tag.to_owned(),
        });
    }
    if tag.len() > MAX_TAG_LENGTH {
        return Err(ImageRefError::TagTooLong {
            tag: tag.to_owned(),
            length: tag.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    fn full(s: &str) -> String {
        parse(s).map_or_else(|e| format!("error: {e}"), |r| r.to_string())
    }

    /// Valid references and their fully-qualified form. Taken from distribution/reference's
    /// `reference_test.go` and `normalize_test.go`, read with the normalising parser.
    #[test]
    fn normalises_like_docker() {
        let d = SHA256;
        let cases: Vec<(String, String)> = [
            ("alpine", "docker.io/library/alpine"),
            ("alpine:3.20", "docker.io/library/alpine:3.20"),
            ("library/alpine", "docker.io/library/alpine"),
            ("acme/web", "docker.io/acme/web"),
            ("docker.io/alpine", "docker.io/library/alpine"),
            ("docker.io/library/foo/bar", "docker.io/library/foo/bar"),
            ("index.docker.io/acme/web", "docker.io/acme/web"),
            ("index.docker.io/debian", "docker.io/library/debian"),
            ("ghcr.io/acme/web:1.2.3", "ghcr.io/acme/web:1.2.3"),
            ("localhost/web", "localhost/web"),
            ("localhost:5000/a/b/c:tag", "localhost:5000/a/b/c:tag"),
            ("127.0.0.1:5000/web", "127.0.0.1:5000/web"),
            ("[::1]:5000/web:v1", "[::1]:5000/web:v1"),
            ("registry.example.com:5000/team/web", "registry.example.com:5000/team/web"),
            ("a/b.c/d__e/f-g--h", "docker.io/a/b.c/d__e/f-g--h"),
            // reference_test.go
            ("test_com", "docker.io/library/test_com"),
            ("test.com:tag", "docker.io/library/test.com:tag"),
            ("test.com:5000", "docker.io/library/test.com:5000"),
            ("test.com/repo:tag", "test.com/repo:tag"),
            ("test:5000/repo", "test:5000/repo"),
            ("test:5000/repo:tag", "test:5000/repo:tag"),
            ("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase"),
            ("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux"),
            ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
            ("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com"),
            ("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com"),
            ("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
            ("foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080"),
            ("192.168.1.1", "docker.io/library/192.168.1.1"),
            ("192.168.1.1:tag", "docker.io/library/192.168.1.1:tag"),
            ("192.168.1.1:5000", "docker.io/library/192.168.1.1:5000"),
            ("192.168.1.1/repo", "192.168.1.1/repo"),
            ("192.168.1.1:5000/repo", "192.168.1.1:5000/repo"),
            ("[2001:db8::1]/repo", "[2001:db8::1]/repo"),
            ("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag"),
            ("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000/repo"),
            ("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo:tag"),
            ("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo"),
            // normalize_test.go (TestValidateReferenceName, TestNormalizedSplitHostname)
            ("docker/docker", "docker.io/docker/docker"),
            ("127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian"),
            ("192.168.0.1:80", "docker.io/library/192.168.0.1:80"),
            ("192.168.0.1:8/debian", "192.168.0.1:8/debian"),
            ("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
            ("[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker"),
            ("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian"),
            ("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"),
            ("Docker/docker", "Docker/docker"),
            ("DOCKER/docker", "DOCKER/docker"),
            ("test_com/foo", "docker.io/test_com/foo"),
            ("test-com:8080/foo", "test-com:8080/foo"),
            ("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"),
            // TestValidateRemoteName
            ("docker-rules/docker", "docker.io/docker-rules/docker"),
            ("docker---rules/docker", "docker.io/docker---rules/docker"),
            ("d/docker", "docker.io/d/docker"),
            ("jess/t", "docker.io/jess/t"),
            ("dock__er/docker", "docker.io/dock__er/docker"),
            ("_tag:_", "error: path component `_tag` of `_tag:_` must start and end with a lower-case letter or digit"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .chain([
            (format!("test:5000/repo@sha256:{d}"), format!("test:5000/repo@sha256:{d}")),
            (format!("test:5000/repo:tag@sha256:{d}"), format!("test:5000/repo:tag@sha256:{d}")),
            (format!("192.168.1.1:5000/repo:tag@sha256:{d}"), format!("192.168.1.1:5000/repo:tag@sha256:{d}")),
            (format!("[2001:db8::1]:5000/repo:tag@sha256:{d}"), format!("[2001:db8::1]:5000/repo:tag@sha256:{d}")),
            (
                format!("xn--7o8h.com/myimage:xn--7o8h.com@sha512:{d}{d}"),
                format!("xn--7o8h.com/myimage:xn--7o8h.com@sha512:{d}{d}"),
            ),
            (format!("{}:tag", "a".repeat(64)), format!("docker.io/library/{}:tag", "a".repeat(64))),
        ])
        .collect();
        for (input, expected) in cases {
            assert_eq!(full(&input), expected, "{input}");
            if let Ok(parsed) = parse(&input) {
                // The fully-qualified form parses back to the same reference.
                assert_eq!(parse(&parsed.to_string()).unwrap(), parsed, "{input}");
                // Docker's quirk: a familiar name of 64 hex characters reads as an image ID.
                if parsed.familiar_name().len() != 64 {
                    assert_eq!(parse(&parsed.familiar()).unwrap(), parsed, "{input}");
                }
            }
        }
    }

    #[test]
    fn components() {
        let r = parse(&format!("localhost:5000/a/b:v1@sha256:{SHA256}")).unwrap();
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.repository(), "a/b");
        assert_eq!(r.tag(), Some("v1"));
        assert_eq!(r.digest().unwrap().algorithm(), "sha256");
        assert_eq!(r.digest().unwrap().hex(), SHA256);
        assert_eq!(r.name(), "localhost:5000/a/b");
        let alpine: ImageRef = "alpine".parse().unwrap();
        assert_eq!(alpine.registry(), DOCKER_HUB);
        assert_eq!(alpine.repository(), "library/alpine");
        assert_eq!(alpine.tag(), None);
        assert_eq!(alpine.digest(), None);
    }

    /// Docker's familiar names (normalize_test.go, TestParseRepositoryInfo).
    #[test]
    fn familiar_forms() {
        for (input, familiar) in [
            ("docker.io/library/alpine:3.20", "alpine:3.20"),
            ("fooo/bar", "fooo/bar"),
            ("library/ubuntu", "ubuntu"),
            ("docker.io/library/ubuntu", "ubuntu"),
            ("index.docker.io/library/ubuntu", "ubuntu"),
            ("nonlibrary/ubuntu", "nonlibrary/ubuntu"),
            ("other/library", "other/library"),
            (
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000/private/moonbase",
            ),
            ("127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase"),
            (
                "example.com:8000/privatebasee",
                "example.com:8000/privatebasee",
            ),
            ("ubuntu-12.04-base", "ubuntu-12.04-base"),
            ("docker.io/foo", "foo"),
            ("library/foo/bar", "library/foo/bar"),
            ("store/foo/bar", "store/foo/bar"),
            ("Foo/bar", "Foo/bar"),
            ("ghcr.io/a/b", "ghcr.io/a/b"),
        ] {
            assert_eq!(parse(input).unwrap().familiar(), familiar, "{input}");
        }
        let pinned = parse(&format!("alpine:3@sha256:{SHA256}")).unwrap();
        assert_eq!(pinned.familiar(), format!("alpine:3@sha256:{SHA256}"));
        assert_eq!(pinned.familiar_name(), "alpine");
    }

    #[test]
    fn digests() {
        let r = parse(&format!("ghcr.io/acme/web:1.0@sha256:{SHA256}")).unwrap();
        assert_eq!(r.tag(), Some("1.0"));
        assert_eq!(r.digest().unwrap().to_string(), format!("sha256:{SHA256}"));
        assert!(parse(&format!("web@sha512:{}", "b".repeat(128))).is_ok());
        let bad: Vec<String> = vec![
            "sha256:abc".to_owned(),
            "sha256:".to_owned(),
            "sha256".to_owned(),
            "md5:abc".to_owned(),
            ":abc".to_owned(),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}", &SHA256[2..]),
            format!("sha512:{SHA256}"),
            format!("sha384:{}", "c".repeat(96)),
            format!("invalid digest:{SHA256}"),
        ];
        for text in bad {
            assert!(Digest::parse(&text).is_err(), "{text}");
            assert!(parse(&format!("web@{text}")).is_err(), "{text}");
        }
        let digest: Digest = format!("sha256:{SHA256}").parse().unwrap();
        assert_eq!(digest.algorithm(), "sha256");
        assert_eq!(digest.hex(), SHA256);
    }

    /// Every rejection with its rendered diagnostic, as a user sees it.
    #[test]
    fn rejections_are_precise() {
        let long_tag = format!("web:{}", "a".repeat(129));
        let long_name = format!("{}a:tag", "a/".repeat(128));
        let cases: Vec<String> = [
            "",
            ":justtag",
            "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
            "ghcr.io/Acme/Web",
            "Uppercase:tag",
            "test:5000/Uppercase/lowercase:tag",
            "docker/Docker",
            "docker.io/docker/Docker",
            "acme/we$b",
            "aa/asdf$$^/aa",
            "https://github.com/docker/docker",
            "docker://alpine:3.20",
            "ghcr.io/acme/web latest",
            "ghcr.io/acme//web",
            "docker///docker",
            "docker/",
            "ghcr.io/",
            "-docker",
            "-docker/docker",
            "docker-/docker",
            "____/____",
            "_docker/_docker",
            "ghcr.io/acme/we..b",
            "dock_.er/docker",
            "dock-.er/docker",
            "ghcr.io/acme/we___b",
            "-docker.io/docker/docker",
            "gh_cr.io/web",
            "ghcr..io/web",
            "ghcr.io:99999/web",
            "ghcr.io:/web",
            "ghcr.io:http/web",
            "fc00::1:5000/debian",
            "[2001:db8::1]",
            "[2001:db8::1]:5000",
            "[fc00::1]:5000/debian:",
            "[fe80::1%eth0]:5000/repo",
            "[::ffff:127.0.0.1]/repo",
            "[2001:db8::1/repo",
            "[2001:db8::1]x/repo",
            "web:",
            "web:-tag",
            "web:.tag",
            "web:v1$",
            "web:v1:v2",
            "lowercase:Upper@case",
            &long_tag,
            &long_name,
            "web@",
            "web@sha256:abc",
            "web@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "web@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
            "web@sha256:gfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "web@md5:d41d8cd98f00b204e9800998ecf8427e",
            "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "web@latest",
            "web@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff@x",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut out = String::new();
        for input in &cases {
            let error = match parse(input) {
                Ok(parsed) => panic!("{input} parsed as {parsed}"),
                Err(error) => error,
            };
            let shown = if input.len() > 80 {
                format!("{}…", &input[..40])
            } else {
                input.clone()
            };
            out.push_str(&format!(
                "{shown:?}\n{}\n",
                crate::diagnostic::render(&error)
            ));
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn name_length_is_counted_after_normalisation() {
        // 255 characters as written, over the limit once `docker.io/` is added.
        let long = format!("{}a", "a/".repeat(127));
        assert_eq!(long.len(), 255);
        assert!(matches!(
            parse(&long),
            Err(ImageRefError::NameTooLong { length: 265, .. })
        ));
        let fits = format!("ghcr.io/{}", "a".repeat(255 - "ghcr.io/".len()));
        assert!(parse(&fits).is_ok());
        let over = format!("ghcr.io/{}", "a".repeat(256 - "ghcr.io/".len()));
        assert!(matches!(
            parse(&over),
            Err(ImageRefError::NameTooLong { .. })
        ));
        assert!(parse(&format!("web:{}", "a".repeat(128))).is_ok());
    }

    #[test]
    fn repository_only() {
        for ok in [
            "ghcr.io/acme/web",
            "alpine",
            "localhost:5000/web",
            "[::1]:5000/a/b",
        ] {
            let parsed = parse_repository(ok).unwrap();
            assert_eq!(parsed.tag(), None, "{ok}");
        }
        let mut out = String::new();
        for bad in [
            "ghcr.io/acme/web:1.0".to_owned(),
            "localhost:5000/web:latest".to_owned(),
            format!("ghcr.io/acme/web@sha256:{SHA256}"),
            format!("ghcr.io/acme/web:1.0@sha256:{SHA256}"),
            "ghcr.io/Acme/Web".to_owned(),
        ] {
            let error = parse_repository(&bad).unwrap_err();
            out.push_str(&crate::diagnostic::render(&error));
        }
        insta::assert_snapshot!(out, @r"
        error[invalid-image-reference]: `ghcr.io/acme/web:1.0` has the tag `1.0`, and tags are not allowed here
          = hint: write `ghcr.io/acme/web` here and put the tag in `tags:` (e.g. `type=raw,value=1.0`)
        error[invalid-image-reference]: `localhost:5000/web:latest` has the tag `latest`, and tags are not allowed here
          = hint: write `localhost:5000/web` here and put the tag in `tags:` (e.g. `type=raw,value=latest`)
        error[invalid-image-reference]: `ghcr.io/acme/web@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff` has a digest, and digests are not allowed here
          = hint: write `ghcr.io/acme/web` here
        error[invalid-image-reference]: `ghcr.io/acme/web:1.0@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff` has the tag `1.0`, and tags are not allowed here
          = hint: write `ghcr.io/acme/web` here and put the tag in `tags:` (e.g. `type=raw,value=1.0`)
        error[invalid-image-reference]: repository name must be lower case: `Acme/Web`
          = hint: use `acme/web`
        ");
    }

    #[test]
    fn loopback_registries() {
        for loopback in [
            "localhost/a",
            "localhost:5000/a",
            "127.0.0.1/a",
            "127.1.2.3:80/a",
            "[::1]/a",
            "[::1]:5000/a",
            "[0:0:0:0:0:0:0:1]:5000/a",
        ] {
            assert!(
                parse(loopback).unwrap().is_loopback_registry(),
                "{loopback}"
            );
        }
        for remote in [
            "ghcr.io/a",
            "10.0.0.1:5000/a",
            "alpine",
            "localhost.example.com/a",
            "128.0.0.1/a",
            "[::2]:5000/a",
        ] {
            assert!(!parse(remote).unwrap().is_loopback_registry(), "{remote}");
        }
    }

    #[test]
    fn builders_and_serde() {
        let web = parse("ghcr.io/acme/web").unwrap();
        let tagged = web.with_tag("1.0").unwrap();
        assert_eq!(tagged.to_string(), "ghcr.io/acme/web:1.0");
        assert!(matches!(
            web.with_tag("-x"),
            Err(ImageRefError::TagStart { .. })
        ));
        let digest = Digest::parse(&format!("sha256:{SHA256}")).unwrap();
        let pinned = tagged.with_digest(digest.clone());
        assert_eq!(
            pinned.to_string(),
            format!("ghcr.io/acme/web:1.0@sha256:{SHA256}")
        );
        assert_eq!(pinned.without_tag_or_digest(), web);

        let json = serde_json::to_value(&pinned).unwrap();
        assert_eq!(json, serde_json::json!(pinned.to_string()));
        let back: ImageRef = serde_json::from_value(json).unwrap();
        assert_eq!(back, pinned);
        let error = serde_json::from_str::<ImageRef>("\"acme/web:\"").unwrap_err();
        assert!(error.to_string().contains("empty tag"), "{error}");
        let back: Digest = serde_json::from_value(serde_json::to_value(&digest).unwrap()).unwrap();
        assert_eq!(back, digest);
    }

    #[test]
    fn every_error_has_the_code_and_a_hint() {
        use miette::Diagnostic as _;
        for input in ["", "A/b/C", "a@sha256:1", "a:-", "a//b", "a b"] {
            let error = parse(input).unwrap_err();
            assert_eq!(error.code().unwrap().to_string(), "invalid-image-reference");
            let hint = error.help().unwrap().to_string();
            assert!(!hint.is_empty(), "{input}");
            let message = error.to_string();
            assert!(!message.ends_with('.'), "{message}");
            assert!(
                message.starts_with(|c: char| !c.is_uppercase()),
                "{message}"
            );
        }
    }
}
