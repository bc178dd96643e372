//! A small, tolerant package-URL parser (`pkg:type/namespace/name@version?qualifiers#subpath`).

use std::collections::BTreeMap;

/// A parsed package URL; every part is percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The package type, lowercased (`deb`, `npm`, `pypi`, …).
    pub ty: String,
    /// The namespace (`debian`, `@angular`, `org.apache.logging.log4j`), when present.
    pub namespace: Option<String>,
    /// The package name.
    pub name: String,
    /// The version, when present.
    pub version: Option<String>,
    /// Qualifiers (`distro`, `arch`, `epoch`, `upstream`…), keys lowercased.
    pub qualifiers: BTreeMap<String, String>,
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Purl {
    /// Parses a package URL, or says why it is not one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text
            .trim()
            .strip_prefix("pkg:")
            .ok_or_else(|| "does not start with `pkg:`".to_owned())?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _subpath)| r);
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (ty, path) = rest
            .split_once('/')
            .ok_or_else(|| "has no `type/name`".to_owned())?;
        if ty.is_empty() {
            return Err("has an empty type".to_owned());
        }
        let path = path.trim_end_matches('/');
        // The version follows the last `@` after the last `/` (an `@` in a namespace such as
        // `@angular` may be left unencoded).
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path[last_slash..].rfind('@') {
            Some(at) => {
                let at = last_slash + at;
                (&path[..at], Some(decode(&path[at + 1..])))
            }
            None => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, name)) => {
                let ns: Vec<String> = ns
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode)
                    .collect();
                (
                    if ns.is_empty() {
                        None
                    } else {
                        Some(ns.join("/"))
                    },
                    decode(name),
                )
            }
            None => (None, decode(path)),
        };
        if name.is_empty() {
            return Err("has an empty name".to_owned());
        }
        let mut qualifiers = BTreeMap::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if let Some((k, v)) = pair.split_once('=') {
                qualifiers.insert(k.to_ascii_lowercase(), decode(v));
            }
        }
        Ok(Self {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }
}
