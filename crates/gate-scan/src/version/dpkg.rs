//! dpkg's version ordering (`lib/dpkg/version.c`: `dpkg_version_compare`, `verrevcmp`).

use std::cmp::Ordering;

use super::{Error, invalid};

const NAME: &str = "Debian (dpkg)";

/// `[epoch:]upstream[-revision]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    epoch: u64,
    upstream: String,
    revision: String,
}

impl Version {
    /// Parses a version the way `dpkg --compare-versions` accepts it without warnings.
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid(NAME, text, "version string is empty"));
        }
        if trimmed.contains(char::is_whitespace) {
            return Err(invalid(NAME, text, "version string has embedded spaces"));
        }
        let (epoch, rest) = match trimmed.split_once(':') {
            Some((epoch, rest)) => {
                if epoch.is_empty() {
                    return Err(invalid(NAME, text, "epoch in version is empty"));
                }
                if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid(NAME, text, "epoch in version is not a number"));
                }
                let epoch: u64 = epoch
                    .parse()
                    .ok()
                    .filter(|e| *e <= i32::MAX as u64)
                    .ok_or_else(|| invalid(NAME, text, "epoch in version is too big"))?;
                if rest.is_empty() {
                    return Err(invalid(NAME, text, "nothing after colon in version number"));
                }
                (epoch, rest)
            }
            None => (0, trimmed),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => {
                if revision.is_empty() {
                    return Err(invalid(NAME, text, "revision number is empty"));
                }
                (upstream, revision)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(invalid(NAME, text, "version number is empty"));
        }
        if !upstream.as_bytes()[0].is_ascii_digit() {
            return Err(invalid(
                NAME,
                text,
                "version number does not start with digit",
            ));
        }
        if !upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+~:".contains(&b))
        {
            return Err(invalid(NAME, text, "invalid character in version number"));
        }
        if !revision
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b))
        {
            return Err(invalid(NAME, text, "invalid character in revision number"));
        }
        Ok(Self {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// dpkg's `order()`: digits and the end sort as 0, letters by code, `~` before
/// everything, other characters after letters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let mut first_diff: i32 = 0;
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        while i < a.len() && a[i].is_ascii_digit() && j < b.len() && b[j].is_ascii_digit() {
            if first_diff == 0 {
                first_diff = i32::from(a[i]) - i32::from(b[j]);
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != 0 {
            return first_diff.cmp(&0);
        }
    }
    Ordering::Equal
}
