//! The operating system of an image: `etc/os-release`, else `usr/lib/os-release` (the
//! path `etc/os-release` usually links to). It yields no package: the driver reads these
//! files itself, before any cataloger finishes, and hands the [`Distro`] to every
//! cataloger through [`super::CatalogContext`].

use super::{Cataloger, Distro};

/// Where os-release files are, most authoritative first.
pub const PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// The catalogers of this module: none (see the module documentation).
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    Vec::new()
}

/// Parses an os-release file (`KEY=value` lines, values optionally quoted with `"` or `'`
/// and backslash-escaped). `None` when it names no `ID`.
pub fn parse(text: &str) -> Option<Distro> {
    let mut distro = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "ID" => distro.id = value.to_ascii_lowercase(),
            "VERSION_ID" => distro.version_id = Some(value).filter(|v| !v.is_empty()),
            "ID_LIKE" => {
                distro.id_like = value.split_whitespace().map(str::to_owned).collect();
            }
            "PRETTY_NAME" => distro.pretty_name = Some(value).filter(|v| !v.is_empty()),
            "VERSION_CODENAME" => distro.codename = Some(value).filter(|v| !v.is_empty()),
            "NAME" => distro.name = Some(value).filter(|v| !v.is_empty()),
            "HOME_URL" => distro.home_url = Some(value).filter(|v| !v.is_empty()),
            "BUG_REPORT_URL" => distro.bug_report_url = Some(value).filter(|v| !v.is_empty()),
            "SUPPORT_URL" => distro.support_url = Some(value).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    (!distro.id.is_empty()).then_some(distro)
}

fn unquote(value: &str) -> String {
    let inner = match value.as_bytes() {
        [b'"', .., b'"'] | [b'\'', .., b'\''] if value.len() >= 2 => &value[1..value.len() - 1],
        _ => value,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_os_release() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n";
        let distro = parse(text).unwrap();
        assert_eq!(distro.id, "debian");
        assert_eq!(distro.version_id.as_deref(), Some("12"));
        assert_eq!(distro.codename.as_deref(), Some("bookworm"));
        assert_eq!(
            distro.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(distro.purl_qualifier().as_deref(), Some("debian-12"));
    }

    #[test]
    fn alpine_and_rhel() {
        let alpine = parse("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n").unwrap();
        assert_eq!(alpine.purl_qualifier().as_deref(), Some("alpine-3.20.3"));
        let rhel = parse("ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n").unwrap();
        assert_eq!(rhel.id_like, vec!["fedora"]);
        assert!(parse("NAME=nothing\n# ID=x\n").is_none());
    }
}
