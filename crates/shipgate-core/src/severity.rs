//! The one severity scale of every gate: vulnerability findings (gate-scan) and
//! configuration findings (shipgate-audit) are ranked on it, and policies name it.

use std::fmt;
use std::str::FromStr;

/// How bad a finding is, ordered from least to most severe (`Unknown < Low < … <
/// Critical`), so `severity >= threshold` reads as a policy does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No rating could be found or computed.
    Unknown,
    /// Low (Grype's `negligible` and Debian's `unimportant` count as low).
    Low,
    /// Medium (also `moderate`).
    Medium,
    /// High (also `important`).
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, most severe first (the order reports list them in).
    pub const ALL_DESCENDING: [Self; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Unknown,
    ];

    /// The lowercase name used in JSON, policies and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Reads a scanner's own word for a severity, case-insensitively: the five names plus
    /// `negligible`/`unimportant`/`minor` (low), `moderate` (medium), `important` (high).
    /// Anything else is `None`, so a reader can tell "unrated" from "unreadable".
    pub fn from_scanner(word: &str) -> Option<Self> {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Self::Critical),
            "high" | "important" => Some(Self::High),
            "medium" | "moderate" => Some(Self::Medium),
            "low" | "negligible" | "unimportant" | "minor" => Some(Self::Low),
            "unknown" | "none" | "" => Some(Self::Unknown),
            _ => None,
        }
    }

    /// The CVSS v3/v4 qualitative rating of a base score (0.0 is `Unknown`: "none").
    pub fn from_cvss_score(score: f64) -> Self {
        if score >= 9.0 {
            Self::Critical
        } else if score >= 7.0 {
            Self::High
        } else if score >= 4.0 {
            Self::Medium
        } else if score > 0.0 {
            Self::Low
        } else {
            Self::Unknown
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is none of the known words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a severity (expected critical, high, medium, low or unknown)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_scanner(s).ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_reads_like_a_policy() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Unknown);
        assert_eq!(Severity::from_scanner("Negligible"), Some(Severity::Low));
        assert_eq!(Severity::from_scanner("MODERATE"), Some(Severity::Medium));
        assert_eq!(Severity::from_scanner("bogus"), None);
        assert_eq!(Severity::from_cvss_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(0.0), Severity::Unknown);
    }
}
