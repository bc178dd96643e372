//! CPE 2.3 formatted strings as syft generates them for OS packages: the package name as
//! vendor and product, the same with `-` turned into `_`, and every `-`-prefix of the name
//! as a further vendor candidate; sorted most specific vendor first. Language packages
//! (Go, npm, cargo) use [`expand_cpes`], syft's candidate rules for applications.

/// Escapes one CPE attribute value (WFN quoting: everything but letters, digits, `_`,
/// `-` and `.` gets a backslash).
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A CPE 2.3 formatted string for an application.
pub fn format(vendor: &str, product: &str, version: &str) -> String {
    format!(
        "cpe:2.3:a:{}:{}:{}:*:*:*:*:*:*:*",
        escape(vendor),
        escape(product),
        escape(version)
    )
}

/// The CPEs syft generates for an OS package (`deb`, `apk`, `rpm`) called `name`.
pub fn for_os_package(name: &str, version: &str) -> Vec<String> {
    if name.is_empty() || version.is_empty() {
        return Vec::new();
    }
    let mut products = vec![name.to_owned()];
    let underscored = name.replace('-', "_");
    if underscored != name {
        products.push(underscored);
    }
    let mut vendors: Vec<String> = products.clone();
    let parts: Vec<&str> = name.split('-').collect();
    for k in (1..parts.len()).rev() {
        let prefix = parts[..k].join("-");
        if prefix.is_empty() {
            continue;
        }
        let prefix_underscored = prefix.replace('-', "_");
        vendors.push(prefix.clone());
        if prefix_underscored != prefix {
            vendors.push(prefix_underscored);
        }
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for vendor in &vendors {
        for product in &products {
            let pair = (vendor.clone(), product.clone());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.len()
            .cmp(&a.0.len())
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| b.1.len().cmp(&a.1.len()))
            .then_with(|| a.1.cmp(&b.1))
    });
    pairs
        .iter()
        .map(|(vendor, product)| format(vendor, product, version))
        .collect()
}

/// syft's candidate expansion of one vendor and product: `-`/`_` spellings of both, and
/// every `-`-prefix of the vendor as a further vendor; most specific vendor first; an
/// unknown version is `*`. (syft prefers an NVD dictionary entry where it has one; we do
/// not carry that dictionary.)
pub(crate) fn expand_cpes(vendor: &str, product: &str, version: &str) -> Vec<String> {
    expand_cpes_with(vendor, &[], product, version)
}

/// [`expand_cpes`] with further vendor candidates taken as they are (no spellings, no
/// prefixes), as syft adds a GitHub owner.
pub(crate) fn expand_cpes_with(
    vendor: &str,
    extra_vendors: &[&str],
    product: &str,
    version: &str,
) -> Vec<String> {
    fn spellings(value: &str) -> Vec<String> {
        let mut out = vec![value.to_owned()];
        for variant in [value.replace('-', "_"), value.replace('_', "-")] {
            if !out.contains(&variant) {
                out.push(variant);
            }
        }
        out
    }
    let products = spellings(product);
    let mut vendors: Vec<String> = Vec::new();
    let parts: Vec<&str> = vendor.split('-').collect();
    let prefixes = (1..parts.len()).rev().map(|k| parts[..k].join("-"));
    for base in std::iter::once(vendor.to_owned()).chain(prefixes) {
        for variant in spellings(&base) {
            if !variant.is_empty() && !vendors.contains(&variant) {
                vendors.push(variant);
            }
        }
    }
    for extra in extra_vendors {
        if !extra.is_empty() && !vendors.iter().any(|v| v == extra) {
            vendors.push((*extra).to_owned());
        }
    }
    let mut pairs: Vec<(&String, &String)> = vendors
        .iter()
        .flat_map(|v| products.iter().map(move |p| (v, p)))
        .collect();
    pairs.sort_by(|a, b| {
        b.0.len()
            .cmp(&a.0.len())
            .then_with(|| a.0.cmp(b.0))
            .then_with(|| b.1.len().cmp(&a.1.len()))
            .then_with(|| a.1.cmp(b.1))
    });
    pairs
        .into_iter()
        .map(|(v, p)| {
            format!(
                "cpe:2.3:a:{}:{}:{}:*:*:*:*:*:*:*",
                escape(v),
                escape(p),
                if version.is_empty() {
                    "*".to_owned()
                } else {
                    escape(version)
                }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names_get_one_cpe() {
        assert_eq!(
            for_os_package("libstdc++6", "12.2.0-14+deb12u1"),
            vec!["cpe:2.3:a:libstdc\\+\\+6:libstdc\\+\\+6:12.2.0-14\\+deb12u1:*:*:*:*:*:*:*"]
        );
        assert_eq!(
            for_os_package("bsdutils", "1:2.38.1-5+deb12u3"),
            vec!["cpe:2.3:a:bsdutils:bsdutils:1\\:2.38.1-5\\+deb12u3:*:*:*:*:*:*:*"]
        );
    }

    #[test]
    fn dashed_names_match_syft_order() {
        let got = for_os_package("gcc-12-base", "1");
        let want: Vec<String> = [
            ("gcc-12-base", "gcc-12-base"),
            ("gcc-12-base", "gcc_12_base"),
            ("gcc_12_base", "gcc-12-base"),
            ("gcc_12_base", "gcc_12_base"),
            ("gcc-12", "gcc-12-base"),
            ("gcc-12", "gcc_12_base"),
            ("gcc_12", "gcc-12-base"),
            ("gcc_12", "gcc_12_base"),
            ("gcc", "gcc-12-base"),
            ("gcc", "gcc_12_base"),
        ]
        .iter()
        .map(|(v, p)| format(v, p, "1"))
        .collect();
        assert_eq!(got, want);
    }
}
