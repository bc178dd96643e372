//! Native matching of SBOM components against an offline OSV database.
//!
//! Components are read by package URL from CycloneDX or SPDX JSON, mapped to OSV
//! ecosystems (`pkg:deb/debian/…?distro=debian-12` → `Debian:12`, `pkg:apk/alpine/…` →
//! `Alpine:v3.20`, `pkg:rpm/redhat/…` → `Red Hat`, `pkg:pypi/…` → `PyPI`, …) and looked up
//! by (ecosystem, normalised package name). Each record's `affected[]` is evaluated as the
//! OSV schema specifies (`versions[]`, `SEMVER` and `ECOSYSTEM` ranges with
//! `introduced`/`fixed`/`last_affected`/`limit`) with the ecosystem's own version
//! ordering; `GIT` ranges cannot be evaluated offline and are counted.

mod db;
mod purl;
mod record;
mod sbom;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use shipgate_core::Severity;
use shipgate_core::exit::{Exit, ExitStatus};

use crate::finding::{Cvss, Finding, FixState, PackageRef};
use crate::version::{self, Scheme};

pub use purl::Purl;

/// Why matching could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("cannot read {what}")]
    #[diagnostic(code("gate-scan-read"), help("check the path"))]
    Read {
        /// What was read.
        what: &'static str,
        /// The I/O error, naming the path.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file is malformed.
    #[error("{what} {} is not valid JSON", path.display())]
    #[diagnostic(code("gate-scan-json"))]
    Json {
        /// What was read.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The JSON error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The SBOM is JSON but neither a CycloneDX nor an SPDX document this reader knows.
    #[error("{} is not an SBOM gate-scan can read: {reason}", path.display())]
    #[diagnostic(
        code("gate-scan-sbom"),
        help("give a CycloneDX JSON (1.2 to 1.7) or SPDX 2.2/2.3 JSON document")
    )]
    SbomFormat {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The zip archive is unreadable.
    #[error("{} is not a readable zip archive", path.display())]
    #[diagnostic(
        code("gate-scan-osv-zip"),
        help("give a folder of OSV JSON files or an ecosystem's `all.zip` as published")
    )]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The zip error.
        #[source]
        source: zip::result::ZipError,
    },
    /// The SBOM lists packages, but not one of them could be looked up (no package URL,
    /// an ecosystem OSV does not cover, no version): matching would check nothing.
    #[error("{}: none of its {components} packages could be matched against OSV", path.display())]
    #[diagnostic(
        code("gate-scan-sbom-unmatched"),
        help(
            "the SBOM needs package URLs with versions (pkg:TYPE/NAME@VERSION) of ecosystems OSV covers; generate it with `sbom-attach generate` or syft"
        )
    )]
    NothingMatchable {
        /// The SBOM.
        path: PathBuf,
        /// How many packages it lists.
        components: usize,
    },
    /// Not a single valid OSV record could be read from the database.
    #[error("{} holds no readable OSV record ({bad} invalid)", path.display())]
    #[diagnostic(
        code("gate-scan-osv-empty"),
        help(
            "give a folder of OSV JSON files or an ecosystem's `all.zip`; a scan against an empty database would pass without checking anything"
        )
    )]
    EmptyDatabase {
        /// The database.
        path: PathBuf,
        /// How many entries were invalid.
        bad: usize,
    },
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        Exit::BadInput
    }
}

/// The result of matching one SBOM against one database.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchReport {
    /// One finding per (vulnerability record, SBOM component), sorted by component then id.
    pub findings: Vec<Finding>,
    /// Everything that was skipped or could not be evaluated, for the user to read.
    pub warnings: Vec<String>,
    /// OSV records read from the database.
    pub records_read: usize,
    /// Database entries that were not valid OSV records (each also a warning).
    pub bad_records: usize,
    /// `GIT` ranges skipped (commit ranges are not evaluated offline).
    pub git_ranges_skipped: usize,
    /// SBOM components read (with a package URL).
    pub components_read: usize,
    /// Components whose package URL maps to an OSV ecosystem, so they were looked up.
    pub components_checked: usize,
    /// `CycloneDX` or `SPDX`.
    pub sbom_format: &'static str,
}

/// An index key: (OSV ecosystem without suffix, normalised package name).
pub(crate) type Key = (String, String);

/// Most individual warnings listed per kind before they are summarised.
const WARNINGS_PER_KIND: usize = 20;

/// The base ecosystem and the suffix of an OSV ecosystem (`Debian:12` → `Debian`, `12`).
fn split_ecosystem(ecosystem: &str) -> (&str, Option<&str>) {
    match ecosystem.split_once(':') {
        Some((base, suffix)) => (base.trim(), Some(suffix.trim()).filter(|s| !s.is_empty())),
        None => (ecosystem.trim(), None),
    }
}

/// The package name as the index keys it: PEP 503 for PyPI, case-folded where the
/// ecosystem ignores case.
fn normalise_name(base: &str, name: &str) -> String {
    let name = name.trim();
    match base {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut separator = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    separator = true;
                } else {
                    if separator && !out.is_empty() {
                        out.push('-');
                    }
                    separator = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        "crates.io" => name.to_ascii_lowercase().replace('_', "-"),
        "NuGet" | "Debian" | "Ubuntu" | "Alpine" | "Wolfi" | "Chainguard" | "Packagist" => {
            name.to_ascii_lowercase()
        }
        _ => name.to_owned(),
    }
}

fn key_of(ecosystem: &str, name: &str) -> Option<Key> {
    let (base, _) = split_ecosystem(ecosystem);
    if base.is_empty() || name.trim().is_empty() {
        return None;
    }
    Some((base.to_owned(), normalise_name(base, name)))
}

/// Debian codenames to release numbers (for `distro=bookworm`).
fn debian_release(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        _ => return None,
    })
}

/// Ubuntu codenames to release numbers (for `distro=jammy`).
fn ubuntu_release(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "xenial" => "16.04",
        "bionic" => "18.04",
        "focal" => "20.04",
        "jammy" => "22.04",
        "kinetic" => "22.10",
        "lunar" => "23.04",
        "mantic" => "23.10",
        "noble" => "24.04",
        "oracular" => "24.10",
        "plucky" => "25.04",
        _ => return None,
    })
}

/// The release part of a `distro` qualifier (`debian-12.4` → `12.4`, `alpine-3.20.1` →
/// `3.20.1`, `bookworm` → `bookworm`).
fn distro_release(purl: &Purl) -> Option<String> {
    let distro = purl.qualifiers.get("distro")?.trim().to_ascii_lowercase();
    let release = match distro.find(|c: char| c.is_ascii_digit()) {
        Some(i) => distro[i..].to_owned(),
        None => distro.rsplit('-').next().unwrap_or(&distro).to_owned(),
    };
    Some(release).filter(|r| !r.is_empty())
}

/// A component's OSV ecosystem and release (`Debian`, `12`).
fn ecosystem_of(purl: &Purl) -> Option<(&'static str, Option<String>)> {
    let namespace = purl.namespace.as_deref().unwrap_or("").to_ascii_lowercase();
    let release = distro_release(purl);
    let major = |r: &str| r.split('.').next().unwrap_or(r).to_owned();
    Some(match purl.ty.as_str() {
        "deb" => match namespace.as_str() {
            "debian" => (
                "Debian",
                release.map(|r| debian_release(&r).map_or_else(|| major(&r), str::to_owned)),
            ),
            "ubuntu" => (
                "Ubuntu",
                release.map(|r| ubuntu_release(&r).map_or(r, str::to_owned)),
            ),
            _ => return None,
        },
        "apk" => match namespace.as_str() {
            "alpine" | "alpinelinux" => (
                "Alpine",
                release.map(|r| {
                    let mut parts = r.trim_start_matches('v').split('.');
                    match (parts.next(), parts.next()) {
                        (Some(a), Some(b)) => format!("v{a}.{b}"),
                        _ => format!("v{r}"),
                    }
                }),
            ),
            "wolfi" => ("Wolfi", None),
            "chainguard" => ("Chainguard", None),
            _ => return None,
        },
        "rpm" => {
            let base = match namespace.as_str() {
                "redhat" | "rhel" => "Red Hat",
                "almalinux" | "alma" => "AlmaLinux",
                "rocky" | "rocky-linux" | "rockylinux" => "Rocky Linux",
                "opensuse" => "openSUSE",
                "suse" | "sles" => "SUSE",
                "mageia" => "Mageia",
                "openeuler" => "openEuler",
                "azurelinux" | "mariner" => "Azure Linux",
                _ => return None,
            };
            (base, release.map(|r| major(&r)))
        }
        "pypi" => ("PyPI", None),
        "npm" => ("npm", None),
        "cargo" => ("crates.io", None),
        "golang" => ("Go", None),
        "maven" => ("Maven", None),
        "gem" => ("RubyGems", None),
        "nuget" => ("NuGet", None),
        "hex" => ("Hex", None),
        "pub" => ("Pub", None),
        "swift" => ("SwiftURL", None),
        "composer" => ("Packagist", None),
        _ => return None,
    })
}

/// Whether a record's ecosystem suffix covers the component's release.
fn release_matches(base: &str, suffix: Option<&str>, release: Option<&str>) -> bool {
    let (Some(suffix), Some(release)) = (suffix, release) else {
        return true;
    };
    match base {
        "Debian" | "Alpine" => suffix == release,
        "Ubuntu" => suffix.split(':').any(|t| t == release),
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "openSUSE" | "SUSE" | "Mageia" | "openEuler"
        | "Azure Linux" => suffix
            .split(':')
            .any(|t| t == release || t.strip_prefix(release).is_some_and(|r| r.starts_with('.'))),
        _ => true,
    }
}

/// The package name OSV uses for a purl (`group:artifact` for Maven, the module path for
/// Go, `@scope/name` for npm).
fn osv_name(purl: &Purl) -> String {
    match (purl.ty.as_str(), purl.namespace.as_deref()) {
        ("maven", Some(ns)) => format!("{ns}:{}", purl.name),
        ("golang" | "npm" | "swift" | "composer", Some(ns)) => format!("{ns}/{}", purl.name),
        _ => purl.name.clone(),
    }
}

/// How one component is looked up: its OSV ecosystem, its release, and its targets.
type Plan = (&'static str, Option<String>, Vec<Target>);

/// One (name, version) to look a component up by.
struct Target {
    name: String,
    version: String,
}

fn targets(component: &sbom::Component) -> Vec<Target> {
    let purl = &component.purl;
    let Some(mut version) = purl.version.clone().or_else(|| component.version.clone()) else {
        return Vec::new();
    };
    if purl.ty == "rpm"
        && let Some(epoch) = purl.qualifiers.get("epoch")
        && !version.contains(':')
        && epoch != "0"
    {
        version = format!("{epoch}:{version}");
    }
    if purl.ty == "golang"
        && purl.name == "stdlib"
        && let Some(bare) = version.strip_prefix("go")
    {
        // The Go standard library as some SBOM tools write it (`go1.21.5`).
        version = bare.to_owned();
    }
    let mut out = vec![Target {
        name: osv_name(purl),
        version: version.clone(),
    }];
    if matches!(purl.ty.as_str(), "deb" | "apk") {
        // OSV's distribution records name source packages: Debian's source, Alpine's origin.
        let upstream = purl.qualifiers.get("upstream").map(|u| {
            let u = u.trim();
            match u.split_once('@') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => match u.split_once(" (") {
                    Some((n, v)) => (n.to_owned(), Some(v.trim_end_matches(')').to_owned())),
                    None => (u.to_owned(), None),
                },
            }
        });
        let (source, source_version) = match upstream {
            Some((n, v)) => (Some(n), v.or_else(|| component.source_version.clone())),
            None => (
                component.source_name.clone(),
                component.source_version.clone(),
            ),
        };
        if let Some(source) = source.filter(|s| !s.is_empty() && *s != purl.name) {
            out.push(Target {
                name: source,
                version: source_version.unwrap_or(version),
            });
        } else if let Some(sv) = source_version.filter(|v| *v != version) {
            out.push(Target {
                name: purl.name.clone(),
                version: sv,
            });
        }
    }
    out
}

/// Collects warnings, listing the first few of each kind and counting the rest.
#[derive(Default)]
struct Warnings {
    lines: Vec<String>,
    per_kind: BTreeMap<&'static str, usize>,
}

impl Warnings {
    fn push(&mut self, kind: &'static str, line: String) {
        let count = self.per_kind.entry(kind).or_default();
        *count += 1;
        if *count <= WARNINGS_PER_KIND {
            self.lines.push(line);
        }
    }
    fn finish(mut self) -> Vec<String> {
        for (kind, count) in &self.per_kind {
            if *count > WARNINGS_PER_KIND {
                self.lines.push(format!(
                    "{} more {kind} warnings not listed ({count} in all)",
                    count - WARNINGS_PER_KIND
                ));
            }
        }
        self.lines
    }
}

/// The record's own rating (GHSA's `database_specific.severity`, an ecosystem's
/// `severity`/`urgency`, an `Ubuntu` priority), ignoring unknown and unrated words.
fn own_rating(record: &record::Record, affected: &record::Affected) -> Option<Severity> {
    let from = |value: Option<&serde_json::Value>| -> Option<Severity> {
        let value = value?;
        ["severity", "urgency"]
            .iter()
            .filter_map(|k| value.get(*k).and_then(serde_json::Value::as_str))
            .filter_map(Severity::from_scanner)
            .find(|s| *s != Severity::Unknown)
    };
    from(affected.ecosystem_specific.as_ref())
        .or_else(|| from(affected.database_specific.as_ref()))
        .or_else(|| from(record.database_specific.as_ref()))
        .or_else(|| {
            record
                .severity
                .iter()
                .chain(&affected.severity)
                .filter(|s| !s.kind.starts_with("CVSS"))
                .filter_map(|s| Severity::from_scanner(&s.score))
                .find(|s| *s != Severity::Unknown)
        })
}

fn cvss_of(
    record: &record::Record,
    affected: &record::Affected,
    warnings: &mut Warnings,
) -> Vec<Cvss> {
    let source = record
        .id
        .split('-')
        .next()
        .map(str::to_ascii_lowercase)
        .filter(|s| !s.is_empty());
    let mut out: Vec<Cvss> = Vec::new();
    for entry in record.severity.iter().chain(&affected.severity) {
        if !entry.kind.starts_with("CVSS") {
            continue;
        }
        if out
            .iter()
            .any(|c| c.vector.as_deref() == Some(entry.score.as_str()))
        {
            continue;
        }
        match crate::cvss::base_score(&entry.score) {
            Ok(score) => out.push(Cvss {
                vector: Some(entry.score.clone()),
                score: Some(score),
                source: source.clone(),
            }),
            Err(error) => warnings.push(
                "CVSS",
                format!("OSV record {}: {error}; this rating is ignored", record.id),
            ),
        }
    }
    out
}

/// `aliases`, plus the upstream id when a distribution record covers exactly one upstream
/// vulnerability (`ALPINE-CVE-…`, `UBUNTU-CVE-…`), so an ignore by CVE id applies to it.
/// An advisory covering several CVEs keeps them out: ignoring one CVE must not hide the rest.
fn aliases_of(record: &record::Record) -> Vec<String> {
    let mut aliases: Vec<String> = record
        .aliases
        .iter()
        .filter(|a| **a != record.id)
        .cloned()
        .collect();
    if let [only] = record.upstream.as_slice()
        && *only != record.id
        && !aliases.contains(only)
    {
        aliases.push(only.clone());
    }
    aliases
}

fn primary_url(record: &record::Record) -> Option<String> {
    ["ADVISORY", "WEB"]
        .iter()
        .find_map(|kind| record.references.iter().find(|r| r.kind == *kind))
        .or_else(|| record.references.first())
        .map(|r| r.url.clone())
        .filter(|u| !u.is_empty())
}

/// A finding under construction, keyed by (component, record).
struct Pending {
    component: usize,
    record: usize,
    affected: usize,
    fixed: Vec<String>,
    scheme: Scheme,
}

/// Matches the components of the SBOM at `sbom` (CycloneDX or SPDX JSON) against the OSV
/// records in `database` (a folder of OSV JSON files, one OSV JSON file, or an `all.zip`).
pub fn match_sbom(sbom: &Path, database: &Path) -> Result<MatchReport, Error> {
    match_sbom_databases(sbom, &[database])
}

/// [`match_sbom`] against several databases at once (for example one `all.zip` per
/// ecosystem); a record id found in more than one of them counts once per component.
/// Each database must hold at least one readable record.
pub fn match_sbom_databases(sbom: &Path, databases: &[&Path]) -> Result<MatchReport, Error> {
    let document = sbom::read(sbom)?;
    let mut warnings = Warnings::default();
    if document.without_purl > 0 {
        warnings.lines.push(format!(
            "SBOM components without a package URL (not matched): {}",
            document.without_purl
        ));
    }
    for bad in &document.bad_purls {
        warnings.push(
            "package URL",
            format!("SBOM package URL {bad}; not matched"),
        );
    }

    // What to look for: every (ecosystem, name) of every component.
    let mut plans: Vec<Option<Plan>> = Vec::new();
    let mut wanted: HashSet<Key> = HashSet::new();
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    for component in &document.components {
        let plan = ecosystem_of(&component.purl).map(|(base, release)| {
            let targets = targets(component);
            for target in &targets {
                wanted.insert((base.to_owned(), normalise_name(base, &target.name)));
            }
            (base, release, targets)
        });
        if let Some((base, _, targets)) = &plan
            && targets.is_empty()
        {
            warnings.push(
                "version",
                format!(
                    "{} has no version; not matched as {base}",
                    component.purl_text
                ),
            );
        }
        if plan.is_none() && !matches!(component.purl.ty.as_str(), "oci" | "docker" | "generic") {
            *unsupported.entry(component.purl.ty.clone()).or_default() += 1;
        }
        plans.push(plan);
    }
    if !unsupported.is_empty() {
        let kinds: Vec<String> = unsupported
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        warnings.lines.push(format!(
            "components whose package URL maps to no OSV ecosystem with a known version ordering were not matched ({})",
            kinds.join(", ")
        ));
    }

    let mut loaded = db::Loaded::default();
    for database in databases {
        let one = db::load(database, &wanted, &key_of)?;
        if one.records_read == 0 {
            return Err(Error::EmptyDatabase {
                path: database.to_path_buf(),
                bad: one.bad.len(),
            });
        }
        loaded.records_read += one.records_read;
        loaded.records.extend(one.records);
        loaded.bad.extend(one.bad);
    }
    for (place, why) in &loaded.bad {
        warnings.push(
            "OSV record",
            format!("{place} is not a valid OSV record: {why}"),
        );
    }

    // Index the kept records by (ecosystem, name).
    let mut index: HashMap<Key, Vec<(usize, usize)>> = HashMap::new();
    for (r, record) in loaded.records.iter().enumerate() {
        if record.withdrawn.is_some() {
            continue;
        }
        for (a, affected) in record.affected.iter().enumerate() {
            if let Some(key) = affected
                .package
                .as_ref()
                .and_then(|p| key_of(&p.ecosystem, &p.name))
            {
                index.entry(key).or_default().push((r, a));
            }
        }
    }

    let mut git_ranges = 0usize;
    let mut reported_problems: HashSet<(usize, usize)> = HashSet::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_pair: HashMap<(usize, &str), usize> = HashMap::new();
    let mut components_checked = 0usize;
    let mut no_release_warned: HashSet<usize> = HashSet::new();
    for (c, plan) in plans.iter().enumerate() {
        let Some((base, release, targets)) = plan else {
            continue;
        };
        if targets.is_empty() {
            continue;
        }
        components_checked += 1;
        let scheme = match version::ordering_of(base) {
            Ok(s) => s,
            Err(_) => continue,
        };
        let component = &document.components[c];
        for target in targets {
            let key = (base.to_string(), normalise_name(base, &target.name));
            let Some(entries) = index.get(&key) else {
                continue;
            };
            if let Err(error) = scheme.validate(&target.version) {
                warnings.push(
                    "version",
                    format!("{}: {error}; not matched", component.purl_text),
                );
                continue;
            }
            for &(r, a) in entries {
                let record = &loaded.records[r];
                let affected = &record.affected[a];
                let ecosystem = affected
                    .package
                    .as_ref()
                    .map_or("", |p| p.ecosystem.as_str());
                let (_, suffix) = split_ecosystem(ecosystem);
                if !release_matches(base, suffix, release.as_deref()) {
                    continue;
                }
                if suffix.is_some() && release.is_none() && no_release_warned.insert(c) {
                    warnings.push(
                        "release",
                        format!(
                            "{} names no {base} release (`distro` qualifier); records of every release were matched",
                            component.purl_text
                        ),
                    );
                }
                let verdict = affected.evaluate(scheme, &target.version);
                if reported_problems.insert((r, a)) {
                    git_ranges += verdict.git_ranges;
                    for problem in &verdict.problems {
                        warnings.push(
                            "OSV range",
                            format!(
                                "OSV record {} ({ecosystem} {}): {problem}; that range is not evaluated",
                                record.id,
                                affected.package.as_ref().map_or("", |p| p.name.as_str())
                            ),
                        );
                    }
                }
                if !verdict.affected {
                    continue;
                }
                match by_pair.get(&(c, record.id.as_str())) {
                    Some(&i) => pending[i].fixed.extend(verdict.fixed),
                    None => {
                        by_pair.insert((c, record.id.as_str()), pending.len());
                        pending.push(Pending {
                            component: c,
                            record: r,
                            affected: a,
                            fixed: verdict.fixed,
                            scheme,
                        });
                    }
                }
            }
        }
    }
    if git_ranges > 0 {
        warnings.lines.push(format!(
            "{git_ranges} GIT ranges were skipped: commit ranges cannot be evaluated offline (their records' `versions` lists were used)"
        ));
    }

    pending.sort_by(|a, b| {
        a.component.cmp(&b.component).then_with(|| {
            loaded.records[a.record]
                .id
                .cmp(&loaded.records[b.record].id)
        })
    });
    let target = sbom.display().to_string();
    let mut findings = Vec::with_capacity(pending.len());
    for p in pending {
        let record = &loaded.records[p.record];
        let affected = &record.affected[p.affected];
        let component = &document.components[p.component];
        let cvss = cvss_of(record, affected, &mut warnings);
        let best = cvss
            .iter()
            .filter_map(|c| c.score)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        let severity = own_rating(record, affected)
            .or_else(|| best.map(Severity::from_cvss_score))
            .unwrap_or(Severity::Unknown);
        let mut fixed = p.fixed;
        fixed.sort_by(|a, b| p.scheme.compare(a, b).unwrap_or_else(|_| a.cmp(b)));
        fixed.dedup();
        let fix_state = if fixed.is_empty() {
            FixState::NotFixed
        } else {
            FixState::Fixed
        };
        findings.push(Finding {
            id: record.id.clone(),
            aliases: aliases_of(record),
            severity,
            cvss,
            package: PackageRef {
                name: component.name.clone(),
                version: component
                    .version
                    .clone()
                    .or_else(|| component.purl.version.clone())
                    .unwrap_or_default(),
                purl: Some(component.purl_text.clone()),
                kind: Some(component.purl.ty.clone()),
                location: component.location.clone(),
            },
            fixed_versions: fixed,
            fix_state,
            source_tool: "gate-scan".to_owned(),
            target: target.clone(),
            title: record.summary.clone().filter(|s| !s.is_empty()),
            url: primary_url(record),
        });
    }

    // A well-formed SBOM without packages has nothing to match; one whose packages could
    // not be looked up at all would pass without checking anything.
    if components_checked == 0 && document.components.len() + document.without_purl > 0 {
        return Err(Error::NothingMatchable {
            path: sbom.to_path_buf(),
            components: document.components.len() + document.without_purl,
        });
    }
    Ok(MatchReport {
        findings,
        warnings: warnings.finish(),
        records_read: loaded.records_read,
        bad_records: loaded.bad.len(),
        git_ranges_skipped: git_ranges,
        components_read: document.components.len(),
        components_checked,
        sbom_format: document.format,
    })
}
