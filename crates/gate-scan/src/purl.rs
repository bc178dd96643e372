//! Just enough of the package-URL spec to match packages: type, namespace, name and
//! version, percent-decoded; qualifiers and subpath are ignored.

use crate::finding::PackageRef;

/// A parsed package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type (`deb`, `npm`, `oci`, …), lower-case.
    pub kind: String,
    /// The namespace, when any (`debian`, `@angular`).
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version, when given.
    pub version: Option<String>,
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
        let (kind, path) = rest.split_once('/')?;
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() && !p.ends_with('/') => (p, Some(decode(v))),
            _ => (path, None),
        };
        let path = path.trim_end_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, name)) => (Some(decode(ns)), decode(name)),
            None => (None, decode(path)),
        };
        if name.is_empty() {
            return None;
        }
        Some(Self {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
        })
    }

    /// An image or other non-package product (`pkg:oci/…`, `pkg:docker/…`).
    pub fn is_image(&self) -> bool {
        matches!(self.kind.as_str(), "oci" | "docker")
    }

    /// The purl without version, qualifiers and subpath (`pkg:deb/debian/openssl`).
    pub fn versionless(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("pkg:{}/{}/{}", self.kind, ns, self.name),
            None => format!("pkg:{}/{}", self.kind, self.name),
        }
    }
}

/// Whether `pattern` names this package: same type, namespace and name when the package
/// has a purl (else the same name), and the same version when the pattern has one.
pub fn matches_package(pattern: &Purl, package: &PackageRef) -> bool {
    match package.purl.as_deref().and_then(Purl::parse) {
        Some(purl) => {
            purl.kind == pattern.kind
                && purl.namespace.as_deref().map(str::to_ascii_lowercase)
                    == pattern.namespace.as_deref().map(str::to_ascii_lowercase)
                && purl.name == pattern.name
                && pattern
                    .version
                    .as_deref()
                    .is_none_or(|v| Some(v) == purl.version.as_deref() || v == package.version)
        }
        None => {
            pattern.name == package.name
                && pattern
                    .version
                    .as_deref()
                    .is_none_or(|v| v == package.version)
        }
    }
}

/// The versionless purl of a package, or `name` when it has none (the baseline key).
pub fn package_key(package: &PackageRef) -> String {
    package
        .purl
        .as_deref()
        .and_then(Purl::parse)
        .map_or_else(|| package.name.clone(), |p| p.versionless())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_purls() {
        let p = Purl::parse("pkg:npm/%40angular/core@1.2.3?x=y#sub").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("@angular"));
        assert_eq!(p.name, "core");
        assert_eq!(p.version.as_deref(), Some("1.2.3"));
        assert_eq!(p.versionless(), "pkg:npm/@angular/core");
        let p = Purl::parse("pkg:deb/debian/openssl?arch=amd64").unwrap();
        assert_eq!(p.version, None);
        assert!(Purl::parse("pkg:oci/web@sha256%3Aabc").unwrap().is_image());
    }
}
