//! PEP 440 ordering, as Python's `packaging.version.Version` parses and sorts versions
//! (`VERSION_PATTERN` and `_cmpkey`).

use std::cmp::Ordering;

use super::{Error, cmp_digits, invalid};

const NAME: &str = "PEP 440";

/// A number of arbitrary size, kept as its digits without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Num(String);

impl Num {
    fn new(digits: &str) -> Self {
        let trimmed = digits.trim_start_matches('0');
        Self(trimmed.to_owned())
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.0, &other.0)
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One part of a local version label: alphanumeric parts sort before numeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    Text(String),
    Number(Num),
}

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    epoch: Num,
    release: Vec<Num>,
    /// (`a` | `b` | `rc`, number).
    pre: Option<(&'static str, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Vec<LocalPart>>,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn digits(&mut self) -> Option<&'a str> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start {
            None
        } else {
            std::str::from_utf8(&self.s[start..self.i]).ok()
        }
    }
    fn separator(&mut self) -> bool {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Matches the longest of `words` at the cursor (case already folded).
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = &self.s[self.i..];
        let found = words
            .iter()
            .filter(|w| rest.starts_with(w.as_bytes()))
            .max_by_key(|w| w.len())?;
        self.i += found.len();
        Some(found)
    }
}

impl Version {
    /// Parses `text` like `packaging.version.Version` (leading/trailing blanks and a `v`
    /// allowed, case-insensitive).
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let lower = text.trim().to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut c = Cursor { s: bytes, i: 0 };
        if c.peek() == Some(b'v') {
            c.i += 1;
        }
        let bad = |reason: &str| invalid(NAME, text, reason);
        // Epoch and release.
        let first = c.digits().ok_or_else(|| bad("expected a release number"))?;
        let mut epoch = Num::new("0");
        let mut release = Vec::new();
        if c.peek() == Some(b'!') {
            c.i += 1;
            epoch = Num::new(first);
            release
                .push(Num::new(c.digits().ok_or_else(|| {
                    bad("expected a release number after the epoch")
                })?));
        } else {
            release.push(Num::new(first));
        }
        loop {
            let save = c.i;
            if c.peek() == Some(b'.') {
                c.i += 1;
                if let Some(d) = c.digits() {
                    release.push(Num::new(d));
                    continue;
                }
            }
            c.i = save;
            break;
        }
        // Pre-release.
        let mut pre = None;
        {
            let save = c.i;
            c.separator();
            if let Some(word) = c.word(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]) {
                let label = match word {
                    "alpha" | "a" => "a",
                    "beta" | "b" => "b",
                    _ => "rc",
                };
                let after_label = c.i;
                c.separator();
                let n = match c.digits() {
                    Some(d) => Num::new(d),
                    None => {
                        c.i = after_label;
                        Num::new("0")
                    }
                };
                pre = Some((label, n));
            } else {
                c.i = save;
            }
        }
        // Post-release.
        let mut post = None;
        {
            let save = c.i;
            if c.peek() == Some(b'-') {
                c.i += 1;
                if let Some(d) = c.digits() {
                    post = Some(Num::new(d));
                } else {
                    c.i = save;
                }
            }
            if post.is_none() {
                c.separator();
                if c.word(&["post", "rev", "r"]).is_some() {
                    let after_label = c.i;
                    c.separator();
                    let n = match c.digits() {
                        Some(d) => Num::new(d),
                        None => {
                            c.i = after_label;
                            Num::new("0")
                        }
                    };
                    post = Some(n);
                } else {
                    c.i = save;
                }
            }
        }
        // Development release.
        let mut dev = None;
        {
            let save = c.i;
            c.separator();
            if c.word(&["dev"]).is_some() {
                let after_label = c.i;
                c.separator();
                let n = match c.digits() {
                    Some(d) => Num::new(d),
                    None => {
                        c.i = after_label;
                        Num::new("0")
                    }
                };
                dev = Some(n);
            } else {
                c.i = save;
            }
        }
        // Local version label.
        let mut local = None;
        if c.peek() == Some(b'+') {
            c.i += 1;
            let label = &lower[c.i..];
            let mut parts = Vec::new();
            for part in label.split(['-', '_', '.']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(bad("invalid local version label"));
                }
                parts.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                    LocalPart::Number(Num::new(part))
                } else {
                    LocalPart::Text(part.to_owned())
                });
            }
            c.i = bytes.len();
            local = Some(parts);
        }
        if c.i != bytes.len() {
            return Err(bad("unexpected text after the version"));
        }
        Ok(Self {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn release_trimmed(&self) -> &[Num] {
        let keep = self
            .release
            .iter()
            .rposition(|n| !n.is_zero())
            .map_or(0, |i| i + 1);
        &self.release[..keep]
    }
}

/// `packaging`'s infinities around optional parts.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    NegInf,
    Value(T),
    PosInf,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        fn pre_key(v: &Version) -> Bound<(&'static str, &Num)> {
            match (&v.pre, &v.post, &v.dev) {
                (None, None, Some(_)) => Bound::NegInf,
                (None, _, _) => Bound::PosInf,
                (Some((label, n)), _, _) => Bound::Value((label, n)),
            }
        }
        fn post_key(v: &Version) -> Bound<&Num> {
            v.post.as_ref().map_or(Bound::NegInf, Bound::Value)
        }
        fn dev_key(v: &Version) -> Bound<&Num> {
            v.dev.as_ref().map_or(Bound::PosInf, Bound::Value)
        }
        fn local_key(v: &Version) -> Bound<&[LocalPart]> {
            v.local.as_deref().map_or(Bound::NegInf, Bound::Value)
        }
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_trimmed().cmp(other.release_trimmed()))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| post_key(self).cmp(&post_key(other)))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            .then_with(|| local_key(self).cmp(&local_key(other)))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
