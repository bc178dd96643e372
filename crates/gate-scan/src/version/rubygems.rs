//! RubyGems' `Gem::Version` ordering (`<=>` on canonical segments).

use std::cmp::Ordering;

use super::{Error, cmp_digits, invalid};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(String),
    Text(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Self::Number(n) if n.is_empty())
    }
}

/// A gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    canonical: Vec<Segment>,
}

/// `ANCHORED_VERSION_PATTERN`:
/// `\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`.
fn valid(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let (main, pre) = match s.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|pre| {
        pre.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl Version {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let s = text.trim();
        if !valid(s) {
            return Err(invalid("RubyGems", text, "malformed version number string"));
        }
        let s = if s.is_empty() { "0" } else { s };
        let s = s.replace('-', ".pre.");
        // `scan(/[0-9]+|[a-z]+/i)`.
        let mut segments = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                segments.push(Segment::Number(
                    s[start..i].trim_start_matches('0').to_owned(),
                ));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segments.push(Segment::Text(s[start..i].to_owned()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: split at the first string segment, drop trailing zeros of
        // each half, then join.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Text(_)))
            .unwrap_or(segments.len());
        let strings = segments.split_off(split);
        let mut numbers = segments;
        let mut strings = strings;
        while numbers.last().is_some_and(Segment::is_zero) {
            numbers.pop();
        }
        while strings.last().is_some_and(Segment::is_zero) {
            strings.pop();
        }
        numbers.extend(strings);
        Ok(Self { canonical: numbers })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number(String::new());
        let n = self.canonical.len().max(other.canonical.len());
        for i in 0..n {
            let l = self.canonical.get(i).unwrap_or(&zero);
            let r = other.canonical.get(i).unwrap_or(&zero);
            let o = match (l, r) {
                (Segment::Number(a), Segment::Number(b)) => cmp_digits(a, b),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(a), Segment::Text(b)) => a.cmp(b),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
