//! Package URLs written exactly as syft 1.18 writes them (its `packageurl-go` fork):
//! qualifiers in the order given (syft sorts them by key, `distro` included), each part percent-encoded like Go's `url.PathEscape` with `@` and
//! `+` encoded as well (`libstdc%2B%2B6`, `upstream=bash%405.2.15-2`), `:` and `~` kept.

/// A package URL being built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purl {
    /// `deb`, `apk`, `rpm`, `pypi`, `npm`, …
    pub kind: String,
    /// The namespace (`debian`, `@scope`, `github.com/cli`), split on `/` when written.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version.
    pub version: Option<String>,
    /// Qualifiers in the order they are written; empty values are left out.
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    /// A purl of `kind` for `name`.
    pub fn new(kind: &str, name: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// Sets the namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned()).filter(|n| !n.is_empty());
        self
    }

    /// Sets the version.
    #[must_use]
    pub fn version(mut self, version: &str) -> Self {
        self.version = Some(version.to_owned()).filter(|v| !v.is_empty());
        self
    }

    /// Appends a qualifier (left out when `value` is empty).
    #[must_use]
    pub fn qualifier(mut self, key: &str, value: &str) -> Self {
        if !value.is_empty() {
            self.qualifiers.push((key.to_owned(), value.to_owned()));
        }
        self
    }
}

impl std::fmt::Display for Purl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pkg:{}/", self.kind)?;
        if let Some(namespace) = &self.namespace {
            for part in namespace.split('/') {
                write!(f, "{}/", escape(part))?;
            }
        }
        f.write_str(&escape(&self.name))?;
        if let Some(version) = &self.version {
            write!(f, "@{}", escape(version))?;
        }
        for (i, (key, value)) in self.qualifiers.iter().enumerate() {
            let separator = if i == 0 { '?' } else { '&' };
            write!(f, "{separator}{key}={}", escape(value))?;
        }
        Ok(())
    }
}

/// Percent-encodes one purl part as syft does.
pub fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b'$' | b'&' | b':' | b'=' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purls_match_syft() {
        let purl = Purl::new("deb", "libcap2")
            .namespace("debian")
            .version("1:2.66-4+deb12u3+b1")
            .qualifier("arch", "amd64")
            .qualifier("upstream", "libcap2@1:2.66-4+deb12u3")
            .qualifier("distro", "debian-12");
        assert_eq!(
            purl.to_string(),
            "pkg:deb/debian/libcap2@1:2.66-4%2Bdeb12u3%2Bb1?arch=amd64&upstream=libcap2%401:2.66-4%2Bdeb12u3&distro=debian-12"
        );
        let purl = Purl::new("deb", "libstdc++6")
            .namespace("debian")
            .version("252.39-1~deb12u2")
            .qualifier("upstream", "");
        assert_eq!(
            purl.to_string(),
            "pkg:deb/debian/libstdc%2B%2B6@252.39-1~deb12u2"
        );
    }

    #[test]
    fn npm_scopes_are_encoded() {
        let purl = Purl::new("npm", "core")
            .namespace("@babel")
            .version("7.0.0");
        assert_eq!(purl.to_string(), "pkg:npm/%40babel/core@7.0.0");
    }
}
