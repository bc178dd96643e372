//! Version ordering, CVSS scoring and native OSV matching, checked against real tools
//! (dpkg, rpm, Python `packaging`, node `semver`, Python `cvss`) and each ecosystem's own
//! published test vectors.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod cvss;
mod matching;
mod oracle;
mod vectors;

/// A small deterministic generator (SplitMix64), so every run checks the same pairs.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// `-1`, `0` or `1` as the oracles print them.
pub(crate) fn sign(o: std::cmp::Ordering) -> &'static str {
    match o {
        std::cmp::Ordering::Less => "-1",
        std::cmp::Ordering::Equal => "0",
        std::cmp::Ordering::Greater => "1",
    }
}
