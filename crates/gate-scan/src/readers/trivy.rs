//! Trivy JSON (`--format json`): `SchemaVersion: 2`, and the bare array of results that
//! trivy ≤0.19 wrote. Only `Results[].Vulnerabilities[]` are findings;
//! `ExperimentalModifiedFindings` (suppressed by trivy's own ignore files or VEX),
//! misconfigurations, secrets and licenses are not read.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use shipgate_core::Severity;

use super::{fixed_list, max_score_severity, opt, parse_severity};
use crate::finding::{Cvss, Finding, FixState, PackageRef};

#[derive(Debug, Deserialize)]
struct TrivyVulnerability<'a> {
    #[serde(rename = "VulnerabilityID", borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "VendorIDs", borrow, default)]
    vendor_ids: Option<Vec<Cow<'a, str>>>,
    #[serde(rename = "PkgName", borrow)]
    name: Cow<'a, str>,
    #[serde(rename = "PkgPath", borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(rename = "PkgIdentifier", borrow, default)]
    identifier: Option<PkgIdentifier<'a>>,
    #[serde(rename = "InstalledVersion", borrow, default)]
    installed: Cow<'a, str>,
    #[serde(rename = "FixedVersion", borrow, default)]
    fixed: Option<Cow<'a, str>>,
    #[serde(rename = "Status", borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(rename = "Severity", borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(rename = "CVSS", default, deserialize_with = "cvss_list")]
    cvss: Vec<Cvss>,
    #[serde(rename = "Title", borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(rename = "PrimaryURL", borrow, default)]
    url: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct PkgIdentifier<'a> {
    #[serde(rename = "PURL", borrow, default)]
    purl: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct TrivyCvss<'a> {
    #[serde(rename = "V2Vector", borrow, default)]
    v2_vector: Option<Cow<'a, str>>,
    #[serde(rename = "V3Vector", borrow, default)]
    v3_vector: Option<Cow<'a, str>>,
    #[serde(rename = "V40Vector", borrow, default)]
    v40_vector: Option<Cow<'a, str>>,
    #[serde(rename = "V2Score", default)]
    v2_score: Option<f64>,
    #[serde(rename = "V3Score", default)]
    v3_score: Option<f64>,
    #[serde(rename = "V40Score", default)]
    v40_score: Option<f64>,
}

/// The findings of `Results[]`, converted while the array is parsed: a 100,000-finding
/// report never holds its vulnerabilities twice.
#[derive(Debug, Default)]
pub(crate) struct TrivyFindings(pub(crate) Vec<Finding>);

impl<'de> Deserialize<'de> for TrivyFindings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Results;
        impl<'de> Visitor<'de> for Results {
            type Value = Vec<Finding>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of Trivy results")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Finding>, A::Error> {
                let mut out = Vec::new();
                while seq
                    .next_element_seed(ResultSeed { out: &mut out })?
                    .is_some()
                {}
                Ok(out)
            }
        }
        deserializer.deserialize_seq(Results).map(Self)
    }
}

/// One entry of `Results[]`: `Target` and `Type` are applied to its findings once the
/// object is read, whatever the key order.
struct ResultSeed<'o> {
    out: &'o mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Trivy result object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.out.len();
        let mut target: Option<Cow<'de, str>> = None;
        let mut kind: Option<Cow<'de, str>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "Target" => target = map.next_value()?,
                "Type" => kind = map.next_value()?,
                "Vulnerabilities" => map.next_value_seed(VulnerabilitiesSeed { out: self.out })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let target = target.map(Cow::into_owned).unwrap_or_default();
        let kind = opt(kind);
        for f in &mut self.out[start..] {
            f.target.clone_from(&target);
            f.package.kind.clone_from(&kind);
        }
        Ok(())
    }
}

/// `Vulnerabilities` (an array, or `null`).
struct VulnerabilitiesSeed<'o> {
    out: &'o mut Vec<Finding>,
}

impl<'de> DeserializeSeed<'de> for VulnerabilitiesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for VulnerabilitiesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Trivy vulnerabilities")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some(n) = seq.size_hint() {
            self.out.reserve(n);
        }
        let mut i = 0usize;
        while let Some(vuln) = seq.next_element::<TrivyVulnerability<'de>>()? {
            let finding =
                convert(vuln).map_err(|m| serde::de::Error::custom(format!("[{i}].{m}")))?;
            self.out.push(finding);
            i += 1;
        }
        Ok(())
    }
}

/// `CVSS`: a map of rating source to vectors and scores, read straight into a list.
fn cvss_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Cvss>, D::Error> {
    struct Ratings;
    impl<'de> Visitor<'de> for Ratings {
        type Value = Vec<Cvss>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of CVSS ratings")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Vec<Cvss>, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<Cvss>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Cvss>, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Cvss>, A::Error> {
            let mut cvss = Vec::new();
            while let Some((source, c)) = map.next_entry::<Cow<'de, str>, TrivyCvss<'de>>()? {
                for (vector, score) in [
                    (c.v40_vector, c.v40_score),
                    (c.v3_vector, c.v3_score),
                    (c.v2_vector, c.v2_score),
                ] {
                    if vector.is_some() || score.is_some() {
                        cvss.push(Cvss {
                            vector: opt(vector),
                            score,
                            source: Some(source.to_string()),
                        });
                    }
                }
            }
            Ok(cvss)
        }
    }
    deserializer.deserialize_option(Ratings)
}

/// One vulnerability as a finding (target and package kind are filled in by the result).
fn convert(vuln: TrivyVulnerability<'_>) -> Result<Finding, String> {
    let cvss = vuln.cvss;
    let severity = match vuln
        .severity
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        Some(word) => parse_severity(word)
            .ok_or_else(|| format!("Severity is `{word}`, which is not a severity"))?,
        None => max_score_severity(&cvss).unwrap_or(Severity::Unknown),
    };
    let fixed_versions = fixed_list(vuln.fixed.as_deref());
    let fix_state = match vuln.status.as_deref() {
        _ if !fixed_versions.is_empty() => FixState::Fixed,
        Some("fixed") => FixState::Fixed,
        Some("will_not_fix") => FixState::WontFix,
        Some("affected" | "fix_deferred" | "end_of_life" | "under_investigation") => {
            FixState::NotFixed
        }
        _ => FixState::Unknown,
    };
    let id = vuln.id.into_owned();
    let aliases = vuln
        .vendor_ids
        .unwrap_or_default()
        .into_iter()
        .map(Cow::into_owned)
        .filter(|a| *a != id)
        .collect();
    Ok(Finding {
        id,
        aliases,
        severity,
        cvss,
        package: PackageRef {
            name: vuln.name.into_owned(),
            version: vuln.installed.into_owned(),
            purl: vuln.identifier.and_then(|i| opt(i.purl)),
            kind: None,
            location: opt(vuln.path),
        },
        fixed_versions,
        fix_state,
        source_tool: "trivy".to_owned(),
        target: String::new(),
        title: opt(vuln.title),
        url: opt(vuln.url),
    })
}

/// Fills in the report's artifact name where a result had no target.
pub(crate) fn finish(findings: &mut [Finding], artifact: &str) {
    for f in findings.iter_mut().filter(|f| f.target.is_empty()) {
        artifact.clone_into(&mut f.target);
    }
}
