//! Packagist (Composer) ordering: PHP's `version_compare` (`ext/standard/versioning.c`),
//! after dropping a leading `v`, as OSV's Packagist ecosystem specifies.

use std::cmp::Ordering;

use super::{Error, invalid};

fn is_special(c: u8) -> bool {
    matches!(c, b'-' | b'_' | b'+')
}

fn is_dig(c: u8) -> bool {
    c.is_ascii_digit()
}

fn is_ndig(c: u8) -> bool {
    !c.is_ascii_digit() && c != b'.'
}

/// `php_canonicalize_version`: `-`, `_`, `+` and other punctuation become `.`, a `.` goes
/// between digits and letters, and runs of `.` collapse.
fn canonicalize(version: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(version.len() * 2);
    let Some((&first, rest)) = version.split_first() else {
        return out;
    };
    out.push(first);
    let mut lp = first;
    for &c in rest {
        let last = out.last().copied().unwrap_or(0);
        if is_special(c) {
            if last != b'.' {
                out.push(b'.');
            }
        } else if (is_ndig(lp) && is_dig(c)) || (is_dig(lp) && is_ndig(c)) {
            if last != b'.' {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if last != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

/// `compare_special_version_forms`: prefix match against the known forms, else -1.
fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

/// `strtol` on a run of digits, saturating like C's `LONG_MAX`.
fn number(segment: &[u8]) -> i64 {
    segment
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i64, |acc, c| {
            acc.saturating_mul(10).saturating_add(i64::from(c - b'0'))
        })
}

const NUMBER_FORM: &[u8] = b"#N#";

/// `php_version_compare`.
fn php_version_compare(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return (!a.is_empty()).cmp(&!b.is_empty());
    }
    let v1 = if a[0] == b'#' {
        a.to_vec()
    } else {
        canonicalize(a)
    };
    let v2 = if b[0] == b'#' {
        b.to_vec()
    } else {
        canonicalize(b)
    };
    let first = |s: &[u8]| s.first().copied().unwrap_or(0);
    // Positions of the current segment and whether a `.` followed it.
    let (mut p1, mut p2) = (0usize, 0usize);
    let (mut more1, mut more2) = (true, true);
    let mut compare = Ordering::Equal;
    while p1 < v1.len() && p2 < v2.len() && more1 && more2 {
        let end1 = v1[p1..].iter().position(|&c| c == b'.').map(|i| p1 + i);
        let end2 = v2[p2..].iter().position(|&c| c == b'.').map(|i| p2 + i);
        more1 = end1.is_some();
        more2 = end2.is_some();
        let s1 = &v1[p1..end1.unwrap_or(v1.len())];
        let s2 = &v2[p2..end2.unwrap_or(v2.len())];
        compare = match (is_dig(first(s1)), is_dig(first(s2))) {
            (true, true) => number(s1).cmp(&number(s2)),
            (false, false) => special_form(s1).cmp(&special_form(s2)),
            (true, false) => special_form(NUMBER_FORM).cmp(&special_form(s2)),
            (false, true) => special_form(s1).cmp(&special_form(NUMBER_FORM)),
        };
        if compare != Ordering::Equal {
            break;
        }
        if let Some(e) = end1 {
            p1 = e + 1;
        }
        if let Some(e) = end2 {
            p2 = e + 1;
        }
    }
    if compare == Ordering::Equal {
        if more1 {
            let rest = &v1[p1.min(v1.len())..];
            compare = if is_dig(first(rest)) {
                Ordering::Greater
            } else {
                php_version_compare(rest, NUMBER_FORM)
            };
        } else if more2 {
            let rest = &v2[p2.min(v2.len())..];
            compare = if is_dig(first(rest)) {
                Ordering::Less
            } else {
                php_version_compare(NUMBER_FORM, rest)
            };
        }
    }
    compare
}

fn strip(version: &str) -> Result<&str, Error> {
    let v = version.strip_prefix(['v', 'V']).unwrap_or(version);
    if v.is_empty() || v.contains(char::is_whitespace) {
        return Err(invalid(
            "Packagist",
            version,
            "a version is a non-empty string without blanks",
        ));
    }
    Ok(v)
}

/// Compares two Packagist versions.
pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, Error> {
    Ok(php_version_compare(
        strip(a)?.as_bytes(),
        strip(b)?.as_bytes(),
    ))
}
