//! Scanner report readers. Each format has its own module; all of them turn a report into
//! [`Finding`]s without collapsing anything within the report.
//!
//! The format is detected from the document's top-level keys (`SchemaVersion`/`Results`:
//! Trivy, a bare array: Trivy ≤0.19, `matches`: Grype, `runs`: SARIF, `bomFormat`:
//! CycloneDX, `results`: osv-scanner); [`FormatIn`] overrides it. Reports are parsed once
//! into borrowed, minimal structs: fields a gate does not use (descriptions, references,
//! layers) are skipped without being allocated. When parsing fails the document is parsed
//! again, on the error path only, to name the JSON path of the problem.

mod cyclonedx;
mod grype;
mod osv_scanner;
mod sarif;
mod trivy;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shipgate_core::Severity;

use crate::error::{Error, Result};
use crate::finding::{Cvss, Finding};

/// Which report format to read a file as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum FormatIn {
    /// Detect it from the content.
    #[default]
    Auto,
    /// Trivy JSON (`SchemaVersion: 2` or the old bare array).
    Trivy,
    /// Grype JSON.
    Grype,
    /// SARIF 2.1.0 from Trivy or Grype.
    Sarif,
    /// CycloneDX JSON with `vulnerabilities`.
    Cyclonedx,
    /// osv-scanner JSON.
    OsvScanner,
}

impl FormatIn {
    /// The name used in messages and the verdict.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Trivy => "trivy-json",
            Self::Grype => "grype-json",
            Self::Sarif => "sarif",
            Self::Cyclonedx => "cyclonedx",
            Self::OsvScanner => "osv-scanner-json",
        }
    }

    const fn label(self) -> &'static str {
        match self {
            Self::Auto => "scanner",
            Self::Trivy => "Trivy JSON",
            Self::Grype => "Grype JSON",
            Self::Sarif => "SARIF",
            Self::Cyclonedx => "CycloneDX",
            Self::OsvScanner => "osv-scanner JSON",
        }
    }
}

/// One report, read.
#[derive(Debug, Clone)]
pub struct Report {
    /// The file as given.
    pub path: PathBuf,
    /// The sha256 of its bytes, hex.
    pub sha256: String,
    /// The format it was read as (`trivy-json`, `grype-json`, `sarif`, `cyclonedx`,
    /// `osv-scanner-json`).
    pub format: &'static str,
    /// The tool that wrote it.
    pub tool: String,
    /// The tool's version, when the report says.
    pub tool_version: Option<String>,
    /// What was scanned, as the report names it.
    pub target: String,
    /// Its findings, in report order.
    pub findings: Vec<Finding>,
    /// What was read but is not a finding (suppressed entries, misconfigurations, …).
    pub notes: Vec<String>,
}

/// Reads the report at `path`.
pub fn read_report(path: &Path, format: FormatIn) -> Result<Report> {
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        what: "report",
        path: path.to_owned(),
        source,
    })?;
    parse_report(path, &bytes, format)
}

/// The sha256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// What every reader needs to know about the document.
pub(crate) struct Context<'c> {
    pub(crate) path: &'c Path,
    pub(crate) format: FormatIn,
    pub(crate) tool: &'c str,
    pub(crate) target: &'c str,
}

/// The union of the top-level keys of every format: one pass decides the format and
/// reads the findings.
#[derive(Debug, Deserialize)]
struct Document<'a> {
    // Trivy
    #[serde(rename = "SchemaVersion", default)]
    schema_version: Option<serde_json::Value>,
    #[serde(rename = "ArtifactName", borrow, default)]
    artifact_name: Option<Cow<'a, str>>,
    #[serde(rename = "Trivy", default)]
    trivy: Option<TrivyInfo<'a>>,
    #[serde(rename = "Results", default)]
    trivy_results: Option<trivy::TrivyFindings>,
    // Grype
    #[serde(borrow, default)]
    matches: Option<Vec<grype::GrypeMatch<'a>>>,
    #[serde(borrow, default)]
    source: Option<GrypeSource<'a>>,
    #[serde(borrow, default)]
    descriptor: Option<Descriptor<'a>>,
    // SARIF
    #[serde(borrow, default)]
    runs: Option<Vec<sarif::Run<'a>>>,
    #[serde(default)]
    version: Option<serde_json::Value>,
    // CycloneDX
    #[serde(rename = "bomFormat", borrow, default)]
    bom_format: Option<Cow<'a, str>>,
    #[serde(rename = "specVersion", borrow, default)]
    spec_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    metadata: Option<cyclonedx::Metadata<'a>>,
    #[serde(borrow, default)]
    components: Option<Vec<cyclonedx::Component<'a>>>,
    #[serde(borrow, default)]
    vulnerabilities: Option<Vec<cyclonedx::Vulnerability<'a>>>,
    // osv-scanner
    #[serde(borrow, default)]
    results: Option<Vec<osv_scanner::OsvResult<'a>>>,
}

#[derive(Debug, Deserialize)]
struct TrivyInfo<'a> {
    #[serde(rename = "Version", borrow, default)]
    version: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct GrypeSource<'a> {
    #[serde(borrow, default)]
    target: Option<GrypeTarget<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum GrypeTarget<'a> {
    Name(#[serde(borrow)] Cow<'a, str>),
    Image {
        #[serde(rename = "userInput", borrow)]
        user_input: Cow<'a, str>,
    },
    Other(serde::de::IgnoredAny),
}

#[derive(Debug, Deserialize)]
struct Descriptor<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
}

/// Parses report bytes (`path` names the file in messages). The sha256 of a large report
/// is computed on a second thread while it is parsed.
pub fn parse_report(path: &Path, bytes: &[u8], format: FormatIn) -> Result<Report> {
    if bytes.len() < 1 << 20 {
        let mut report = parse_document(path, bytes, format)?;
        report.sha256 = sha256_hex(bytes);
        return Ok(report);
    }
    std::thread::scope(|scope| {
        let digest = scope.spawn(|| sha256_hex(bytes));
        let report = parse_document(path, bytes, format);
        // The digest of the file as it is (what `sha256sum` prints);
        // should the hashing thread fail, hash here rather than record no digest.
        let sha256 = digest.join().unwrap_or_else(|_| sha256_hex(bytes));
        report.map(|mut r| {
            r.sha256 = sha256;
            r
        })
    })
}

fn parse_document(path: &Path, bytes: &[u8], format: FormatIn) -> Result<Report> {
    let sha256 = String::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    let mut report = Report {
        path: path.to_owned(),
        sha256,
        format: "",
        tool: String::new(),
        tool_version: None,
        target: String::new(),
        findings: Vec::new(),
        notes: Vec::new(),
    };
    match first {
        None => {
            return Err(Error::Report {
                path: path.to_owned(),
                format: format.label(),
                json_path: "$".to_owned(),
                message: "the file is empty".to_owned(),
            });
        }
        Some(b'[') => {
            if !matches!(format, FormatIn::Auto | FormatIn::Trivy) {
                return Err(Error::UnknownReport {
                    path: path.to_owned(),
                    reason: format!(
                        "the document is an array, which is no {} report",
                        format.label()
                    ),
                });
            }
            let results: trivy::TrivyFindings = parse(path, bytes, FormatIn::Trivy)?;
            report.format = FormatIn::Trivy.name();
            report.tool = "trivy".to_owned();
            report
                .notes
                .push("read as the schema-less Trivy report of trivy 0.19 and older".to_owned());
            report.findings = results.0;
            return Ok(report);
        }
        Some(b'{') => {}
        Some(_) => {
            return Err(Error::UnknownReport {
                path: path.to_owned(),
                reason: "it is not a JSON object or array".to_owned(),
            });
        }
    }
    let doc: Document<'_> = parse(path, bytes, format)?;
    let detected = match format {
        FormatIn::Auto => detect(&doc).ok_or_else(|| Error::UnknownReport {
            path: path.to_owned(),
            reason: "none of the top-level keys of a known report (SchemaVersion/Results, matches, runs, bomFormat, results) is there".to_owned(),
        })?,
        other => other,
    };
    report.format = detected.name();
    let missing = |key: &str| Error::UnknownReport {
        path: path.to_owned(),
        reason: format!("it has no `{key}`, so it is no {} report", detected.label()),
    };
    match detected {
        FormatIn::Auto => unreachable_auto(path),
        FormatIn::Trivy => {
            match &doc.schema_version {
                Some(serde_json::Value::Number(n)) if n.as_u64() == Some(2) => {}
                Some(other) => {
                    return Err(Error::UnsupportedVersion {
                        path: path.to_owned(),
                        field: "SchemaVersion",
                        found: other.to_string(),
                        expected: "SchemaVersion 2, or the bare array of trivy ≤0.19",
                    });
                }
                None if doc.trivy_results.is_some() => {}
                None => return Err(missing("SchemaVersion")),
            }
            report.tool = "trivy".to_owned();
            report.tool_version = doc.trivy.and_then(|t| opt(t.version));
            report.target = doc.artifact_name.map(Cow::into_owned).unwrap_or_default();
            report.findings = doc.trivy_results.unwrap_or_default().0;
            trivy::finish(&mut report.findings, &report.target);
        }
        FormatIn::Grype => {
            let matches = doc.matches.ok_or_else(|| missing("matches"))?;
            if let Some(name) = doc.descriptor.as_ref().and_then(|d| d.name.as_deref())
                && !name.eq_ignore_ascii_case("grype")
            {
                return Err(Error::UnknownReport {
                    path: path.to_owned(),
                    reason: format!("descriptor.name is `{name}`, not grype"),
                });
            }
            report.tool = "grype".to_owned();
            report.tool_version = doc.descriptor.and_then(|d| opt(d.version));
            report.target = match doc.source.and_then(|s| s.target) {
                Some(GrypeTarget::Name(name)) => name.into_owned(),
                Some(GrypeTarget::Image { user_input }) => user_input.into_owned(),
                _ => String::new(),
            };
            let ctx = Context {
                path,
                format: detected,
                tool: "grype",
                target: &report.target,
            };
            grype::findings(matches, &ctx, &mut report.findings)?;
        }
        FormatIn::Sarif => {
            let runs = doc.runs.ok_or_else(|| missing("runs"))?;
            match &doc.version {
                Some(serde_json::Value::String(v)) if v == "2.1.0" => {}
                other => {
                    return Err(Error::UnsupportedVersion {
                        path: path.to_owned(),
                        field: "version",
                        found: other
                            .as_ref()
                            .map_or_else(|| "(none)".to_owned(), ToString::to_string),
                        expected: "SARIF 2.1.0",
                    });
                }
            }
            if let Some(run) = runs.first() {
                report.tool = run.tool.driver.name.to_ascii_lowercase();
                report.tool_version = run.tool.driver.version.as_deref().map(str::to_owned);
            } else {
                report.tool = "sarif".to_owned();
            }
            let ctx = Context {
                path,
                format: detected,
                tool: &report.tool.clone(),
                target: "",
            };
            sarif::findings(runs, &ctx, &mut report.findings, &mut report.notes)?;
        }
        FormatIn::Cyclonedx => {
            if doc.bom_format.as_deref() != Some("CycloneDX") {
                return Err(missing("bomFormat: CycloneDX"));
            }
            let spec = doc.spec_version.as_deref().unwrap_or_default();
            if !matches!(spec, "1.4" | "1.5" | "1.6" | "1.7") {
                return Err(Error::UnsupportedVersion {
                    path: path.to_owned(),
                    field: "specVersion",
                    found: if spec.is_empty() {
                        "(none)".to_owned()
                    } else {
                        spec.to_owned()
                    },
                    expected: "CycloneDX 1.4 to 1.7, the versions with vulnerabilities",
                });
            }
            if doc.vulnerabilities.is_none() {
                return Err(Error::UnknownReport {
                    path: path.to_owned(),
                    reason: "it is a CycloneDX document without `vulnerabilities`: an SBOM, not a scan result (match it with `gate-scan sbom FILE --osv DB`, or give the scanner's CycloneDX output)".to_owned(),
                });
            }
            report.tool = doc
                .metadata
                .as_ref()
                .and_then(|m| m.tools.as_ref())
                .and_then(cyclonedx::Tools::first_name)
                .map(|n| n.to_ascii_lowercase())
                .unwrap_or_else(|| "cyclonedx".to_owned());
            report.target = doc
                .metadata
                .as_ref()
                .and_then(|m| m.component.as_ref())
                .map(|c| c.name().to_owned())
                .unwrap_or_default();
            let ctx = Context {
                path,
                format: detected,
                tool: &report.tool.clone(),
                target: &report.target.clone(),
            };
            let components = doc.components.unwrap_or_default();
            cyclonedx::findings(
                doc.metadata.as_ref(),
                &components,
                doc.vulnerabilities.unwrap_or_default(),
                &ctx,
                &mut report.findings,
                &mut report.notes,
            )?;
        }
        FormatIn::OsvScanner => {
            let results = doc.results.ok_or_else(|| missing("results"))?;
            report.tool = "osv-scanner".to_owned();
            let ctx = Context {
                path,
                format: detected,
                tool: "osv-scanner",
                target: "",
            };
            osv_scanner::findings(results, &ctx, &mut report.findings)?;
        }
    }
    Ok(report)
}

#[allow(clippy::unreachable)]
fn unreachable_auto(_path: &Path) -> ! {
    unreachable!("the format is resolved before reading")
}

fn detect(doc: &Document<'_>) -> Option<FormatIn> {
    if doc.schema_version.is_some() || doc.trivy_results.is_some() {
        Some(FormatIn::Trivy)
    } else if doc.matches.is_some() {
        Some(FormatIn::Grype)
    } else if doc.runs.is_some() {
        Some(FormatIn::Sarif)
    } else if doc.bom_format.is_some() || doc.spec_version.is_some() {
        Some(FormatIn::Cyclonedx)
    } else if doc.results.is_some() {
        Some(FormatIn::OsvScanner)
    } else {
        None
    }
}

/// Parses `bytes` fast; on failure parses again with path tracking to name the field.
fn parse<'a, T: Deserialize<'a>>(path: &Path, bytes: &'a [u8], format: FormatIn) -> Result<T> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(value) => Ok(value),
        Err(first) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let (json_path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(_) => ("$".to_owned(), first.to_string()),
                Err(e) => {
                    let p = e.path().to_string();
                    let p = if p == "." { "$".to_owned() } else { p };
                    (p, e.into_inner().to_string())
                }
            };
            let message = if first.is_eof() {
                format!("the document ends early, it looks truncated ({message})")
            } else {
                message
            };
            Err(Error::Report {
                path: path.to_owned(),
                format: format.label(),
                json_path,
                message,
            })
        }
    }
}

/// A borrowed optional string, owned, with empty strings as `None`.
pub(crate) fn opt(value: Option<Cow<'_, str>>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(Cow::into_owned)
}

/// A scanner's severity word (also CycloneDX's `info`), or `None` when it is none.
pub(crate) fn parse_severity(word: &str) -> Option<Severity> {
    Severity::from_scanner(word).or_else(|| {
        matches!(
            word.trim().to_ascii_lowercase().as_str(),
            "info" | "informational"
        )
        .then_some(Severity::Low)
    })
}

/// The rating of the highest CVSS base score, when any score is known.
pub(crate) fn max_score_severity(cvss: &[Cvss]) -> Option<Severity> {
    cvss.iter()
        .filter_map(|c| c.score)
        .fold(None, |max: Option<f64>, s| {
            Some(max.map_or(s, |m| m.max(s)))
        })
        .map(Severity::from_cvss_score)
        .filter(|s| *s != Severity::Unknown)
}

/// The tool's own label when it wrote one (an explicit `UNKNOWN` stays unknown, as the
/// tool counts it), else the band of the highest CVSS score, else unknown. A word that is
/// no severity is an error at `at()`.
pub(crate) fn severity_of(
    label: Option<&str>,
    cvss: &[Cvss],
    ctx: &Context<'_>,
    at: impl Fn() -> String,
) -> Result<Severity> {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(word) => parse_severity(word).ok_or_else(|| Error::Report {
            path: ctx.path.to_owned(),
            format: ctx.format.label(),
            json_path: at(),
            message: format!("`{word}` is not a severity"),
        }),
        None => Ok(max_score_severity(cvss).unwrap_or(Severity::Unknown)),
    }
}

/// A fixed-version field: a comma list (`"1.2.3, 2.0.1"`), empty or absent.
pub(crate) fn fixed_list(value: Option<&str>) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    for v in value.unwrap_or_default().split(", ") {
        let v = v.trim();
        if !v.is_empty() && !list.iter().any(|x| x == v) {
            list.push(v.to_owned());
        }
    }
    list
}

/// The bom-ref a CycloneDX `ref` names (the fragment of a BOM-Link).
pub(crate) use cyclonedx::bom_ref as bom_ref_of;
