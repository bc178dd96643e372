//! Grype JSON (`-o json`): `matches[]` are the findings (`ignoredMatches[]` are not). Reads
//! the current `fix{state,versions,available}` shape and the legacy (grype ≤0.10)
//! `fixedInVersion` string.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Context, opt, severity_of};
use crate::finding::{Cvss, Finding, FixState, PackageRef};

/// One entry of `matches[]`.
#[derive(Debug, Deserialize)]
pub(crate) struct GrypeMatch<'a> {
    #[serde(borrow)]
    vulnerability: Vulnerability<'a>,
    #[serde(rename = "relatedVulnerabilities", borrow, default)]
    related: Option<Vec<Related<'a>>>,
    #[serde(borrow)]
    artifact: Artifact<'a>,
}

#[derive(Debug, Deserialize)]
struct Vulnerability<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(rename = "dataSource", borrow, default)]
    data_source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    urls: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    links: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    cvss: Option<Vec<GrypeCvss<'a>>>,
    #[serde(borrow, default)]
    fix: Option<Fix<'a>>,
    #[serde(rename = "fixedInVersion", borrow, default)]
    fixed_in_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct GrypeCvss<'a> {
    #[serde(borrow, default)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    vector: Option<Cow<'a, str>>,
    #[serde(default)]
    metrics: Option<Metrics>,
}

#[derive(Debug, Deserialize)]
struct Metrics {
    #[serde(rename = "baseScore", default)]
    base_score: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Fix<'a> {
    #[serde(borrow, default)]
    versions: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    state: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    available: Option<Vec<Available<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Available<'a> {
    #[serde(borrow)]
    version: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct Related<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct Artifact<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    locations: Option<Vec<Location<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Location<'a> {
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
}

/// Turns grype matches into findings.
pub(crate) fn findings(
    matches: Vec<GrypeMatch<'_>>,
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
) -> crate::Result<()> {
    for (m, item) in matches.into_iter().enumerate() {
        let vuln = item.vulnerability;
        let cvss: Vec<Cvss> = vuln
            .cvss
            .unwrap_or_default()
            .into_iter()
            .map(|c| Cvss {
                vector: opt(c.vector),
                score: c.metrics.and_then(|m| m.base_score),
                source: opt(c.source),
            })
            .collect();
        let at = || format!("matches[{m}].vulnerability.severity");
        let severity = severity_of(vuln.severity.as_deref(), &cvss, ctx, at)?;
        let mut fixed_versions: Vec<String> = Vec::new();
        let mut state = None;
        if let Some(fix) = vuln.fix {
            for v in fix.versions.unwrap_or_default() {
                push_unique(&mut fixed_versions, v.into_owned());
            }
            for a in fix.available.unwrap_or_default() {
                push_unique(&mut fixed_versions, a.version.into_owned());
            }
            state = opt(fix.state);
        }
        if let Some(v) = opt(vuln.fixed_in_version) {
            push_unique(&mut fixed_versions, v);
        }
        let fix_state = match state.as_deref() {
            _ if !fixed_versions.is_empty() => FixState::Fixed,
            Some("fixed") => FixState::Fixed,
            Some("wont-fix") => FixState::WontFix,
            Some("not-fixed") => FixState::NotFixed,
            _ => FixState::Unknown,
        };
        let id = vuln.id.into_owned();
        let mut aliases = Vec::new();
        for r in item.related.unwrap_or_default() {
            if r.id != id {
                push_unique(&mut aliases, r.id.into_owned());
            }
        }
        let artifact = item.artifact;
        let location = artifact
            .locations
            .unwrap_or_default()
            .into_iter()
            .find_map(|l| opt(l.path));
        let url = opt(vuln.data_source).or_else(|| {
            vuln.urls
                .or(vuln.links)
                .and_then(|u| u.into_iter().next())
                .map(Cow::into_owned)
        });
        let title = vuln.description.map(|d| first_line(&d));
        out.push(Finding {
            id,
            aliases,
            severity,
            cvss,
            package: PackageRef {
                name: artifact.name.into_owned(),
                version: artifact.version.into_owned(),
                purl: opt(artifact.purl),
                kind: opt(artifact.kind),
                location,
            },
            fixed_versions,
            fix_state,
            source_tool: "grype".to_owned(),
            target: ctx.target.to_owned(),
            title,
            url,
        });
    }
    Ok(())
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// The first line of a description, cut to 200 characters.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}
