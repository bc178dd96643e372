//! osv-scanner JSON (`--format json`): a finding is one (package, group), where a group's
//! `ids` are the alias-merged OSV record ids. The severity is the group's
//! `max_severity` (a CVSS base score), else the records' own rating
//! (`database_specific.severity`, as GHSA writes it); fixed versions are the `fixed` events
//! of the records' `affected` entries for the package.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Context, opt, parse_severity};
use crate::finding::{Cvss, Finding, FixState, PackageRef};
use shipgate_core::Severity;

/// One entry of `results[]`.
#[derive(Debug, Deserialize)]
pub(crate) struct OsvResult<'a> {
    /// `packageSource` in osv-scanner before 1.0.
    #[serde(borrow, default, alias = "packageSource")]
    source: Option<ResultSource<'a>>,
    #[serde(borrow, default)]
    packages: Option<Vec<PackageEntry<'a>>>,
}

#[derive(Debug, Deserialize)]
struct ResultSource<'a> {
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry<'a> {
    #[serde(borrow)]
    package: Package<'a>,
    #[serde(borrow, default)]
    vulnerabilities: Option<Vec<Record<'a>>>,
    #[serde(borrow, default)]
    groups: Option<Vec<Group<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Package<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ecosystem: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    commit: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    aliases: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    summary: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    severity: Option<Vec<RecordSeverity<'a>>>,
    #[serde(borrow, default)]
    affected: Option<Vec<Affected<'a>>>,
    #[serde(borrow, default)]
    database_specific: Option<DatabaseSpecific<'a>>,
}

#[derive(Debug, Deserialize)]
struct RecordSeverity<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    score: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct DatabaseSpecific<'a> {
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Affected<'a> {
    #[serde(borrow, default)]
    package: Option<AffectedPackage<'a>>,
    #[serde(borrow, default)]
    ranges: Option<Vec<Range<'a>>>,
}

#[derive(Debug, Deserialize)]
struct AffectedPackage<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Range<'a> {
    #[serde(borrow, default)]
    events: Option<Vec<Event<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Event<'a> {
    #[serde(borrow, default)]
    fixed: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Group<'a> {
    #[serde(borrow, default)]
    ids: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    aliases: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    max_severity: Option<Cow<'a, str>>,
}

/// Turns osv-scanner results into findings.
pub(crate) fn findings(
    results: Vec<OsvResult<'_>>,
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
) -> crate::Result<()> {
    for (r, result) in results.into_iter().enumerate() {
        let target = result
            .source
            .and_then(|s| opt(s.path))
            .unwrap_or_else(|| ctx.target.to_owned());
        for (p, entry) in result.packages.unwrap_or_default().into_iter().enumerate() {
            let records = entry.vulnerabilities.unwrap_or_default();
            let groups: Vec<(Vec<String>, Vec<String>, Option<String>)> = match entry.groups {
                Some(groups) if !groups.is_empty() => groups
                    .into_iter()
                    .map(|g| {
                        (
                            g.ids.into_iter().map(Cow::into_owned).collect(),
                            g.aliases
                                .unwrap_or_default()
                                .into_iter()
                                .map(Cow::into_owned)
                                .collect(),
                            opt(g.max_severity),
                        )
                    })
                    .collect(),
                _ => records
                    .iter()
                    .map(|rec| {
                        (
                            vec![rec.id.to_string()],
                            rec.aliases
                                .iter()
                                .flatten()
                                .map(|a| a.to_string())
                                .collect(),
                            None,
                        )
                    })
                    .collect(),
            };
            let package = &entry.package;
            for (g, (ids, group_aliases, max_severity)) in groups.into_iter().enumerate() {
                let Some(id) = ids.first().cloned() else {
                    return Err(crate::Error::Report {
                        path: ctx.path.to_owned(),
                        format: "osv-scanner",
                        json_path: format!("results[{r}].packages[{p}].groups[{g}].ids"),
                        message: "a group has no ids".to_owned(),
                    });
                };
                let members: Vec<&Record<'_>> = records
                    .iter()
                    .filter(|rec| ids.iter().any(|i| *i == rec.id))
                    .collect();
                let mut aliases: Vec<String> = Vec::new();
                for a in ids.iter().skip(1).cloned().chain(group_aliases).chain(
                    members
                        .iter()
                        .flat_map(|rec| rec.aliases.iter().flatten().map(|a| a.to_string())),
                ) {
                    if a != id && !aliases.contains(&a) {
                        aliases.push(a);
                    }
                }
                let mut cvss = Vec::new();
                for rec in &members {
                    for s in rec.severity.iter().flatten() {
                        if s.kind.as_deref().is_some_and(|k| k.starts_with("CVSS")) {
                            cvss.push(Cvss {
                                vector: s.score.as_deref().map(str::to_owned),
                                score: None,
                                source: Some(rec.id.to_string()),
                            });
                        }
                    }
                }
                // Older osv-scanner outputs have no max_severity: compute it.
                let score = max_severity
                    .as_deref()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .or_else(|| {
                        cvss.iter()
                            .filter_map(|c| c.vector.as_deref())
                            .filter_map(|v| crate::cvss::base_score(v).ok())
                            .reduce(f64::max)
                    });
                if let Some(score) = score {
                    cvss.push(Cvss {
                        vector: None,
                        score: Some(score),
                        source: Some("osv-scanner max_severity".to_owned()),
                    });
                }
                let label = members
                    .iter()
                    .filter_map(|rec| rec.database_specific.as_ref()?.severity.as_deref())
                    .filter_map(parse_severity)
                    .max();
                let severity = score
                    .map(Severity::from_cvss_score)
                    .filter(|s| *s != Severity::Unknown)
                    .or(label)
                    .unwrap_or(Severity::Unknown);
                let mut fixed_versions: Vec<String> = Vec::new();
                for rec in &members {
                    for affected in rec.affected.iter().flatten() {
                        let same = affected
                            .package
                            .as_ref()
                            .and_then(|p| p.name.as_deref())
                            .is_none_or(|n| n == package.name);
                        if !same {
                            continue;
                        }
                        for range in affected.ranges.iter().flatten() {
                            for event in range.events.iter().flatten() {
                                if let Some(f) = event.fixed.as_deref()
                                    && !fixed_versions.iter().any(|v| v == f)
                                {
                                    fixed_versions.push(f.to_owned());
                                }
                            }
                        }
                    }
                }
                // The fixes that are upgrades from the installed version, smallest first
                // (all of them when the ecosystem's ordering is unknown).
                if let (Some(eco), Some(installed)) =
                    (package.ecosystem.as_deref(), package.version.as_deref())
                {
                    let base = eco.split(':').next().unwrap_or(eco);
                    let upgrades: Option<Vec<String>> = fixed_versions
                        .iter()
                        .map(|f| {
                            crate::version::compare(base, f, installed)
                                .ok()
                                .map(|o| (o == std::cmp::Ordering::Greater).then(|| f.clone()))
                        })
                        .collect::<Option<Vec<_>>>()
                        .map(|v| v.into_iter().flatten().collect());
                    if let Some(mut upgrades) = upgrades {
                        upgrades.sort_by(|a, b| {
                            crate::version::compare(base, a, b).unwrap_or(std::cmp::Ordering::Equal)
                        });
                        fixed_versions = upgrades;
                    }
                }
                let title = members
                    .iter()
                    .find_map(|rec| rec.summary.as_deref())
                    .map(str::to_owned);
                let version = package
                    .version
                    .as_deref()
                    .or(package.commit.as_deref())
                    .unwrap_or_default()
                    .to_owned();
                let ecosystem = package.ecosystem.as_deref().map(str::to_owned);
                out.push(Finding {
                    url: Some(format!("https://osv.dev/{id}")),
                    id,
                    aliases,
                    severity,
                    cvss,
                    package: PackageRef {
                        name: package.name.to_string(),
                        version,
                        purl: None,
                        kind: ecosystem,
                        location: Some(target.clone()),
                    },
                    fix_state: if fixed_versions.is_empty() {
                        FixState::Unknown
                    } else {
                        FixState::Fixed
                    },
                    fixed_versions,
                    source_tool: "osv-scanner".to_owned(),
                    target: target.clone(),
                    title,
                });
            }
        }
    }
    Ok(())
}
