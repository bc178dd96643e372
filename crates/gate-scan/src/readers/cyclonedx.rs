//! CycloneDX `vulnerabilities[]` (spec 1.4–1.7): one finding per vulnerability × affected
//! component. Aliases come from `references[]`; the fix from Trivy's `recommendation`
//! (`Upgrade P to version V; …`). Grype writes its own severity as the first rating, so
//! for Grype the first rated severity is used; other producers (Trivy writes one rating
//! per vendor) get the highest rating. An entry whose `analysis.state` is `not_affected`,
//! `false_positive` or `resolved*` is the producer's own VEX: it is counted in the notes,
//! not a finding.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{Context, opt, parse_severity};
use crate::finding::{Cvss, Finding, FixState, PackageRef};
use shipgate_core::Severity;

/// A component (recursive through `components`).
#[derive(Debug, Deserialize)]
pub(crate) struct Component<'a> {
    #[serde(rename = "bom-ref", borrow, default)]
    bom_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    components: Option<Vec<Self>>,
}

impl Component<'_> {
    /// The component's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// `metadata`.
#[derive(Debug, Deserialize)]
pub(crate) struct Metadata<'a> {
    #[serde(borrow, default)]
    pub(crate) component: Option<Component<'a>>,
    #[serde(borrow, default)]
    pub(crate) tools: Option<Tools<'a>>,
}

/// `metadata.tools`: an array of tools (1.4) or `{components: [...]}` (1.5+).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Tools<'a> {
    /// The legacy array.
    #[serde(borrow)]
    List(Vec<ToolEntry<'a>>),
    /// The 1.5+ object.
    #[serde(borrow)]
    Object(ToolsObject<'a>),
}

/// `{components: [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ToolsObject<'a> {
    #[serde(borrow, default)]
    components: Vec<ToolEntry<'a>>,
}

/// One tool.
#[derive(Debug, Deserialize)]
pub(crate) struct ToolEntry<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

impl Tools<'_> {
    /// The first tool's name.
    pub(crate) fn first_name(&self) -> Option<String> {
        let list = match self {
            Self::List(list) => list,
            Self::Object(object) => &object.components,
        };
        list.iter()
            .find_map(|t| t.name.as_deref())
            .map(str::to_owned)
    }
}

/// One entry of `vulnerabilities[]`.
#[derive(Debug, Deserialize)]
pub(crate) struct Vulnerability<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    references: Option<Vec<Reference<'a>>>,
    #[serde(borrow, default)]
    ratings: Option<Vec<Rating<'a>>>,
    #[serde(borrow, default)]
    advisories: Option<Vec<Advisory<'a>>>,
    #[serde(borrow, default)]
    source: Option<Source<'a>>,
    #[serde(borrow, default)]
    recommendation: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    analysis: Option<Analysis<'a>>,
    #[serde(borrow, default)]
    affects: Option<Vec<Affects<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Reference<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct Source<'a> {
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Advisory<'a> {
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Rating<'a> {
    #[serde(borrow, default)]
    source: Option<Source2<'a>>,
    #[serde(default)]
    score: Option<f64>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    vector: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Source2<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Analysis<'a> {
    #[serde(borrow, default)]
    pub(crate) state: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Affects<'a> {
    #[serde(rename = "ref", borrow)]
    reference: Cow<'a, str>,
    #[serde(borrow, default)]
    versions: Option<Vec<AffectedVersion<'a>>>,
}

#[derive(Debug, Deserialize)]
struct AffectedVersion<'a> {
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
}

/// The bom-ref a `ref` names: the fragment of a BOM-Link `urn:cdx:serial/version#ref`.
pub(crate) fn bom_ref(reference: &str) -> &str {
    if reference.starts_with("urn:cdx:") {
        reference
            .split_once('#')
            .map_or(reference, |(_, fragment)| fragment)
    } else {
        reference
    }
}

fn index<'c, 'a>(components: &'c [Component<'a>], map: &mut HashMap<&'c str, &'c Component<'a>>) {
    for c in components {
        if let Some(r) = c.bom_ref.as_deref() {
            map.insert(r, c);
        }
        if let Some(purl) = c.purl.as_deref() {
            map.entry(purl).or_insert(c);
        }
        if let Some(children) = &c.components {
            index(children, map);
        }
    }
}

/// Turns CycloneDX vulnerabilities into findings.
pub(crate) fn findings(
    metadata: Option<&Metadata<'_>>,
    components: &[Component<'_>],
    vulnerabilities: Vec<Vulnerability<'_>>,
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
    notes: &mut Vec<String>,
) -> crate::Result<()> {
    let mut map = HashMap::new();
    index(components, &mut map);
    let meta_component = metadata.and_then(|m| m.component.as_ref());
    if let Some(c) = meta_component {
        index(std::slice::from_ref(c), &mut map);
    }
    let grype = ctx.tool.eq_ignore_ascii_case("grype");
    let mut resolved = 0usize;
    let mut unknown_refs = 0usize;
    for (v, vuln) in vulnerabilities.into_iter().enumerate() {
        let Some(id) = opt(vuln.id) else {
            return Err(crate::Error::Report {
                path: ctx.path.to_owned(),
                format: "CycloneDX",
                json_path: format!("vulnerabilities[{v}].id"),
                message: "a vulnerability has no id".to_owned(),
            });
        };
        if let Some(state) = vuln.analysis.as_ref().and_then(|a| a.state.as_deref())
            && matches!(
                state,
                "not_affected" | "false_positive" | "resolved" | "resolved_with_pedigree"
            )
        {
            resolved += 1;
            continue;
        }
        let mut aliases: Vec<String> = Vec::new();
        for r in vuln.references.unwrap_or_default() {
            if r.id != id && !aliases.iter().any(|a| *a == r.id) {
                aliases.push(r.id.into_owned());
            }
        }
        let mut cvss = Vec::new();
        let mut rated: Vec<Severity> = Vec::new();
        for (i, rating) in vuln.ratings.unwrap_or_default().into_iter().enumerate() {
            if let Some(word) = rating.severity.as_deref() {
                let severity = parse_severity(word).ok_or_else(|| crate::Error::Report {
                    path: ctx.path.to_owned(),
                    format: "CycloneDX",
                    json_path: format!("vulnerabilities[{v}].ratings[{i}].severity"),
                    message: format!("`{word}` is not a CycloneDX severity"),
                })?;
                if severity != Severity::Unknown {
                    rated.push(severity);
                }
            }
            let is_cvss = rating
                .method
                .as_deref()
                .is_some_and(|m| m.starts_with("CVSS"));
            if is_cvss && (rating.score.is_some() || rating.vector.is_some()) {
                cvss.push(Cvss {
                    vector: opt(rating.vector),
                    score: rating.score,
                    source: rating.source.and_then(|s| opt(s.name)),
                });
            }
        }
        let severity = if grype {
            rated.first().copied()
        } else {
            rated.iter().max().copied()
        }
        .or_else(|| super::max_score_severity(&cvss))
        .unwrap_or(Severity::Unknown);
        let fixes = vuln
            .recommendation
            .as_deref()
            .map(recommendation_fixes)
            .unwrap_or_default();
        let url = vuln
            .advisories
            .unwrap_or_default()
            .into_iter()
            .find_map(|a| opt(a.url))
            .or_else(|| vuln.source.and_then(|s| opt(s.url)));
        let title = vuln
            .description
            .as_deref()
            .map(|d| d.lines().next().unwrap_or_default().trim().to_owned())
            .filter(|d| !d.is_empty());
        let affects = vuln.affects.unwrap_or_default();
        let mut any = false;
        for affect in &affects {
            let all_unaffected = affect.versions.as_ref().is_some_and(|versions| {
                !versions.is_empty()
                    && versions
                        .iter()
                        .all(|v| v.status.as_deref() == Some("unaffected"))
            });
            if all_unaffected {
                continue;
            }
            any = true;
            let reference = bom_ref(&affect.reference);
            let package = match map.get(reference) {
                Some(c) => PackageRef {
                    name: c.name.to_string(),
                    version: c.version.as_deref().unwrap_or_default().to_owned(),
                    purl: c.purl.as_deref().map(str::to_owned),
                    kind: purl_type(c.purl.as_deref())
                        .or_else(|| c.kind.as_deref().map(str::to_owned)),
                    location: None,
                },
                None => {
                    unknown_refs += 1;
                    PackageRef {
                        name: reference.to_owned(),
                        version: String::new(),
                        purl: reference.starts_with("pkg:").then(|| reference.to_owned()),
                        kind: purl_type(Some(reference)),
                        location: None,
                    }
                }
            };
            let fixed_versions: Vec<String> = fixes
                .iter()
                .filter(|(name, _)| name.is_empty() || *name == package.name)
                .map(|(_, version)| version.clone())
                .collect();
            out.push(Finding {
                id: id.clone(),
                aliases: aliases.clone(),
                severity,
                cvss: cvss.clone(),
                fix_state: if fixed_versions.is_empty() {
                    FixState::Unknown
                } else {
                    FixState::Fixed
                },
                fixed_versions,
                package,
                source_tool: ctx.tool.to_owned(),
                target: ctx.target.to_owned(),
                title: title.clone(),
                url: url.clone(),
            });
        }
        if !any && affects.is_empty() {
            out.push(Finding {
                id: id.clone(),
                aliases,
                severity,
                cvss,
                package: PackageRef {
                    name: meta_component
                        .map(|c| c.name.to_string())
                        .unwrap_or_default(),
                    version: meta_component
                        .and_then(|c| c.version.as_deref())
                        .unwrap_or_default()
                        .to_owned(),
                    purl: meta_component
                        .and_then(|c| c.purl.as_deref())
                        .map(str::to_owned),
                    kind: None,
                    location: None,
                },
                fixed_versions: Vec::new(),
                fix_state: FixState::Unknown,
                source_tool: ctx.tool.to_owned(),
                target: ctx.target.to_owned(),
                title,
                url,
            });
        }
    }
    if resolved > 0 {
        notes.push(format!(
            "{resolved} vulnerability entr{} carry the producer's analysis (not_affected, false_positive or resolved) and are not findings",
            if resolved == 1 { "y" } else { "ies" }
        ));
    }
    if unknown_refs > 0 {
        notes.push(format!(
            "{unknown_refs} affected ref(s) name no component of the document; the ref is used as the package"
        ));
    }
    Ok(())
}

/// The purl type (`deb`, `npm`, …) of a purl.
fn purl_type(purl: Option<&str>) -> Option<String> {
    let rest = purl?.strip_prefix("pkg:")?;
    rest.split('/').next().map(str::to_owned)
}

/// Trivy's `Upgrade P to version V; Upgrade Q to version W` (also `V, W`).
fn recommendation_fixes(text: &str) -> Vec<(String, String)> {
    let mut fixes = Vec::new();
    for part in text.split(';') {
        let part = part.trim();
        let Some(rest) = part.strip_prefix("Upgrade ") else {
            continue;
        };
        let Some((name, versions)) = rest.split_once(" to version ") else {
            continue;
        };
        for v in versions.split(',') {
            let v = v.trim();
            if !v.is_empty() {
                fixes.push((name.trim().to_owned(), v.to_owned()));
            }
        }
    }
    fixes
}
