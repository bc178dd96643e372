//! rpm's version ordering (`rpmio/rpmvercmp.c` and `rpmverCmp` in `lib/rpmver.c`, rpm 4.18).

use std::cmp::Ordering;

use super::{Error, invalid};

const NAME: &str = "rpm";

/// `[epoch:]version[-release]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evr {
    epoch: Option<String>,
    version: String,
    release: Option<String>,
}

impl Evr {
    /// Splits an EVR string as `rpmverParse` does.
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let s = text.trim();
        if s.is_empty() {
            return Err(invalid(NAME, text, "version string is empty"));
        }
        if s.contains(char::is_whitespace) {
            return Err(invalid(NAME, text, "version string has embedded spaces"));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((epoch, rest)) if epoch.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(if epoch.is_empty() { "0" } else { epoch }), rest)
            }
            Some(_) => return Err(invalid(NAME, text, "epoch is not a number")),
            None => (None, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release)),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(invalid(NAME, text, "version is empty"));
        }
        if version.contains('-') {
            return Err(invalid(NAME, text, "version holds a `-`"));
        }
        Ok(Self {
            epoch: epoch.map(str::to_owned),
            version: version.to_owned(),
            release: release.map(str::to_owned),
        })
    }

    /// `rpmverCmp` as rpm 4.18's `rpm.vercmp` runs it: epochs (missing = 0), versions, then
    /// releases (a missing release is empty, so it sorts before any release).
    pub(crate) fn cmp_evr(&self, other: &Self) -> Ordering {
        let e1 = self.epoch.as_deref().unwrap_or("0");
        let e2 = other.epoch.as_deref().unwrap_or("0");
        rpmvercmp(e1, e2)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| {
                rpmvercmp(
                    self.release.as_deref().unwrap_or(""),
                    other.release.as_deref().unwrap_or(""),
                )
            })
    }
}

/// rpm's `rpmvercmp` (with `~` and `^`).
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let a = a.as_bytes();
    let b = b.as_bytes();
    let (mut one, mut two) = (0usize, 0usize);
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let separator = |c: u8| c != 0 && !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    while at(a, one) != 0 || at(b, two) != 0 {
        while separator(at(a, one)) {
            one += 1;
        }
        while separator(at(b, two)) {
            two += 1;
        }
        let (c1, c2) = (at(a, one), at(b, two));
        if c1 == b'~' || c2 == b'~' {
            if c1 != b'~' {
                return Ordering::Greater;
            }
            if c2 != b'~' {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        if c1 == b'^' || c2 == b'^' {
            if c1 == 0 {
                return Ordering::Less;
            }
            if c2 == 0 {
                return Ordering::Greater;
            }
            if c1 != b'^' {
                return Ordering::Greater;
            }
            if c2 != b'^' {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        if c1 == 0 || c2 == 0 {
            break;
        }
        let (start1, start2) = (one, two);
        let isnum = c1.is_ascii_digit();
        let class = |c: u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        while class(at(a, one)) {
            one += 1;
        }
        while class(at(b, two)) {
            two += 1;
        }
        if two == start2 {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let seg1 = &a[start1..one];
        let seg2 = &b[start2..two];
        let rc = if isnum {
            let s1 = trim_zeros(seg1);
            let s2 = trim_zeros(seg2);
            s1.len().cmp(&s2.len()).then_with(|| s1.cmp(s2))
        } else {
            seg1.cmp(seg2)
        };
        if rc != Ordering::Equal {
            return rc;
        }
    }
    let (c1, c2) = (at(a, one), at(b, two));
    if c1 == 0 && c2 == 0 {
        Ordering::Equal
    } else if c1 == 0 {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| c != b'0').unwrap_or(s.len());
    &s[start..]
}
