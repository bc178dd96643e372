//! License names as package databases write them, turned into SPDX identifiers where one
//! clearly applies (Debian's `GPL-2+` is `GPL-2.0-or-later`, `BSD-3-clause` is
//! `BSD-3-Clause`); anything else stays a free-form license name.

/// SPDX license identifiers recognised (case-insensitively) as they are.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "Beerware",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "curl",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.1-only",
    "GFDL-1.1-or-later",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "ISC",
    "Kazlib",
    "Latex2e",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "libpng-2.0",
    "Libpng",
    "LPPL-1.3c",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "OFL-1.1",
    "OpenSSL",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "SGI-B-2.0",
    "Sleepycat",
    "SMAIL-GPL",
    "SMLNJ",
    "TCL",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
];

/// Deprecated SPDX identifiers that name the same license as a current one.
const DEPRECATED: &[(&str, &str)] = &[
    ("BSD-2-Clause-NetBSD", "BSD-2-Clause"),
    ("BSD-2-Clause-FreeBSD", "BSD-2-Clause"),
    ("eCos-2.0", "GPL-2.0-or-later"),
    ("StandardML-NJ", "SMLNJ"),
];

/// The SPDX identifier for `name`, when it is one (in any letter case) or a Debian short
/// name of one (`GPL-2`, `LGPL-2.1+`, `GFDL-1.3`, `Apache-2`).
pub fn spdx_id(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Some(id) = SPDX_IDS.iter().find(|id| id.eq_ignore_ascii_case(name)) {
        return Some(id);
    }
    // Deprecated SPDX identifiers and their replacements.
    for (deprecated, replacement) in DEPRECATED {
        if deprecated.eq_ignore_ascii_case(name) {
            return Some(replacement);
        }
    }
    // `BSL-1` is `BSL-1.0`.
    if let Some((family, major)) = name.rsplit_once('-')
        && !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
    {
        let dotted = format!("{family}-{major}.0");
        if let Some(id) = SPDX_IDS.iter().find(|id| id.eq_ignore_ascii_case(&dotted))
            && !matches!(
                family.to_ascii_uppercase().as_str(),
                "GPL" | "LGPL" | "AGPL" | "GFDL"
            )
        {
            return Some(id);
        }
    }
    let (base, or_later) = match name.strip_suffix('+') {
        Some(base) => (base, true),
        None => (name, false),
    };
    let (family, version) = base.rsplit_once('-')?;
    let family = family.to_ascii_uppercase();
    let version = match version {
        "1" | "1.0" => "1.0",
        "2" | "2.0" => "2.0",
        "2.1" => "2.1",
        "3" | "3.0" => "3.0",
        "1.1" => "1.1",
        "1.2" => "1.2",
        "1.3" => "1.3",
        _ => return None,
    };
    let candidate = match family.as_str() {
        "GPL" | "LGPL" | "AGPL" | "GFDL" => {
            let suffix = if or_later { "or-later" } else { "only" };
            format!("{family}-{version}-{suffix}")
        }
        "APACHE" | "MPL" | "ARTISTIC" if !or_later => {
            let family = match family.as_str() {
                "APACHE" => "Apache",
                "ARTISTIC" => "Artistic",
                other => other,
            };
            format!("{family}-{version}")
        }
        _ => return None,
    };
    SPDX_IDS.iter().find(|id| **id == candidate).copied()
}

/// Whether `value` is an SPDX identifier known here (exactly, as written).
pub fn is_spdx_id(value: &str) -> bool {
    SPDX_IDS.contains(&value)
}

/// Normalises a license name: its SPDX identifier when known, else the name as written.
pub fn normalise(name: &str) -> String {
    spdx_id(name).map_or_else(|| name.trim().to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_short_names() {
        assert_eq!(spdx_id("GPL-2"), Some("GPL-2.0-only"));
        assert_eq!(spdx_id("GPL-2+"), Some("GPL-2.0-or-later"));
        assert_eq!(spdx_id("LGPL-2.1+"), Some("LGPL-2.1-or-later"));
        assert_eq!(spdx_id("BSD-3-clause"), Some("BSD-3-Clause"));
        assert_eq!(spdx_id("GFDL-1.3"), Some("GFDL-1.3-only"));
        assert_eq!(spdx_id("Apache-2"), Some("Apache-2.0"));
        assert_eq!(spdx_id("Expat"), None);
        assert_eq!(spdx_id("public-domain"), None);
        assert_eq!(normalise("GPL"), "GPL");
        assert_eq!(spdx_id("BSL-1"), Some("BSL-1.0"));
        assert_eq!(spdx_id("BSD-2-clause-NetBSD"), Some("BSD-2-Clause"));
    }
}
