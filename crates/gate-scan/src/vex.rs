//! VEX documents: OpenVEX 0.2 (and the 0.0.x plain-string vulnerability) and CycloneDX
//! VEX (`vulnerabilities[].analysis`). A statement applies to a finding when its
//! vulnerability name or one of its aliases is the finding's id or one of its aliases,
//! and its product matches the finding's package (by purl; a versionless purl matches
//! every version; an image or other non-package product matches every package of it
//! unless subcomponents narrow it). For each finding the latest applicable statement
//! wins (statements inherit the document timestamp; on equal times the later one in
//! the order given wins); `not_affected` and `fixed` suppress, as trivy and grype do.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::purl::{Purl, matches_package};

/// The status of a statement, in OpenVEX's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexStatus {
    /// Not affected: suppresses.
    NotAffected,
    /// Fixed: suppresses.
    Fixed,
    /// Affected.
    Affected,
    /// Under investigation.
    UnderInvestigation,
}

impl VexStatus {
    /// OpenVEX's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotAffected => "not_affected",
            Self::Fixed => "fixed",
            Self::Affected => "affected",
            Self::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether it suppresses a finding.
    pub const fn suppresses(self) -> bool {
        matches!(self, Self::NotAffected | Self::Fixed)
    }
}

/// What a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Product {
    /// Any package (an image or other non-package product).
    Any,
    /// Packages matching one of these purls.
    Packages(Vec<Purl>),
}

/// One statement, normalised.
#[derive(Debug, Clone)]
pub struct Statement {
    ids: Vec<String>,
    products: Vec<Product>,
    /// Its status.
    pub status: VexStatus,
    /// Its justification or impact statement, when given.
    pub justification: Option<String>,
    /// Seconds since the epoch (0 when unknown).
    timestamp: i64,
    order: usize,
    /// The document it came from.
    pub source: PathBuf,
}

/// Every statement of the VEX documents given.
#[derive(Debug, Clone, Default)]
pub struct VexSet {
    statements: Vec<Statement>,
    by_id: HashMap<String, Vec<usize>>,
    /// The documents read, with their sha256.
    pub documents: Vec<(PathBuf, String)>,
}

impl VexSet {
    /// Reads the documents, in order.
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut set = Self::default();
        for path in paths {
            let bytes = fs_err::read(path).map_err(|source| Error::Read {
                what: "VEX document",
                path: path.clone(),
                source,
            })?;
            set.add(path, &bytes)?;
        }
        Ok(set)
    }

    /// Adds one document's statements.
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let invalid = |message: String| Error::Document {
            what: "VEX document",
            path: path.to_owned(),
            message,
            hint: "give an OpenVEX 0.2 document or a CycloneDX document with vulnerabilities[].analysis",
        };
        let doc: VexDocument<'_> =
            serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        self.documents
            .push((path.to_owned(), crate::readers::sha256_hex(bytes)));
        if let Some(context) = doc.context.as_deref() {
            if !context.contains("openvex") {
                return Err(invalid(format!("@context `{context}` is not OpenVEX")));
            }
            let doc_time = doc
                .last_updated
                .as_deref()
                .or(doc.timestamp.as_deref())
                .and_then(crate::time::parse_timestamp)
                .unwrap_or(0);
            for (i, st) in doc.statements.unwrap_or_default().into_iter().enumerate() {
                let status = match st.status.as_ref() {
                    "not_affected" => VexStatus::NotAffected,
                    "fixed" => VexStatus::Fixed,
                    "affected" => VexStatus::Affected,
                    "under_investigation" => VexStatus::UnderInvestigation,
                    other => {
                        return Err(invalid(format!(
                            "statements[{i}].status `{other}` is not an OpenVEX status"
                        )));
                    }
                };
                let ids = match st.vulnerability {
                    OpenVexVulnerability::Name(name) => vec![name.into_owned()],
                    OpenVexVulnerability::Object { name, id, aliases } => name
                        .into_iter()
                        .chain(id)
                        .chain(aliases.unwrap_or_default())
                        .map(Cow::into_owned)
                        .collect(),
                };
                if ids.is_empty() {
                    return Err(invalid(format!(
                        "statements[{i}].vulnerability has no name"
                    )));
                }
                let products = st
                    .products
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| {
                        let subs: Vec<Purl> = p
                            .subcomponents
                            .iter()
                            .flatten()
                            .filter_map(OpenVexProduct::purl)
                            .collect();
                        if !subs.is_empty() {
                            return Product::Packages(subs);
                        }
                        match p.purl() {
                            Some(purl) if !purl.is_image() => Product::Packages(vec![purl]),
                            _ => Product::Any,
                        }
                    })
                    .collect();
                let timestamp = st
                    .last_updated
                    .as_deref()
                    .or(st.timestamp.as_deref())
                    .and_then(crate::time::parse_timestamp)
                    .unwrap_or(doc_time);
                let justification = st
                    .justification
                    .or(st.impact_statement)
                    .map(Cow::into_owned);
                self.push(Statement {
                    ids,
                    products,
                    status,
                    justification,
                    timestamp,
                    order: 0,
                    source: path.to_owned(),
                });
            }
            return Ok(());
        }
        if doc.bom_format.as_deref() == Some("CycloneDX") {
            let mut refs: HashMap<&str, Purl> = HashMap::new();
            collect_components(doc.components.as_deref().unwrap_or_default(), &mut refs);
            let doc_time = doc
                .metadata
                .as_ref()
                .and_then(|m| m.timestamp.as_deref())
                .and_then(crate::time::parse_timestamp)
                .unwrap_or(0);
            for vuln in doc.vulnerabilities.as_deref().unwrap_or_default() {
                let Some(analysis) = &vuln.analysis else {
                    continue;
                };
                let status = match analysis.state.as_deref() {
                    Some("not_affected" | "false_positive") => VexStatus::NotAffected,
                    Some("resolved" | "resolved_with_pedigree") => VexStatus::Fixed,
                    Some("exploitable") => VexStatus::Affected,
                    Some("in_triage") => VexStatus::UnderInvestigation,
                    _ => continue,
                };
                let ids: Vec<String> = vuln
                    .id
                    .iter()
                    .chain(vuln.references.iter().flatten().map(|r| &r.id))
                    .map(|s| s.to_string())
                    .collect();
                let purls: Vec<Purl> = vuln
                    .affects
                    .iter()
                    .flatten()
                    .filter_map(|a| {
                        let r = crate::readers::bom_ref_of(&a.reference);
                        refs.get(r).cloned().or_else(|| Purl::parse(r))
                    })
                    .collect();
                let products = if purls.is_empty() {
                    vec![Product::Any]
                } else {
                    vec![Product::Packages(purls)]
                };
                let timestamp = analysis
                    .last_updated
                    .as_deref()
                    .or(analysis.first_issued.as_deref())
                    .or(vuln.updated.as_deref())
                    .or(vuln.published.as_deref())
                    .and_then(crate::time::parse_timestamp)
                    .unwrap_or(doc_time);
                let justification = analysis
                    .justification
                    .as_deref()
                    .or(analysis.detail.as_deref())
                    .map(str::to_owned);
                self.push(Statement {
                    ids,
                    products,
                    status,
                    justification,
                    timestamp,
                    order: 0,
                    source: path.to_owned(),
                });
            }
            return Ok(());
        }
        Err(invalid(
            "it has neither an OpenVEX @context nor bomFormat CycloneDX".to_owned(),
        ))
    }

    fn push(&mut self, mut statement: Statement) {
        statement.order = self.statements.len();
        let index = self.statements.len();
        for id in &statement.ids {
            self.by_id
                .entry(id.to_ascii_uppercase())
                .or_default()
                .push(index);
        }
        self.statements.push(statement);
    }

    /// The statement that decides a finding: the latest applicable one.
    pub fn decide(&self, finding: &Finding) -> Option<&Statement> {
        if self.statements.is_empty() {
            return None;
        }
        let mut candidates: Vec<usize> = std::iter::once(&finding.id)
            .chain(&finding.aliases)
            .filter_map(|id| self.by_id.get(&id.to_ascii_uppercase()))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.statements[i])
            .filter(|st| {
                st.products.is_empty()
                    || st.products.iter().any(|p| match p {
                        Product::Any => true,
                        Product::Packages(purls) => purls
                            .iter()
                            .any(|purl| matches_package(purl, &finding.package)),
                    })
            })
            .max_by_key(|st| (st.timestamp, st.order))
    }

    /// Whether no statement was read.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

fn collect_components<'a>(components: &'a [CdxComponent<'a>], refs: &mut HashMap<&'a str, Purl>) {
    for c in components {
        if let (Some(r), Some(purl)) = (
            c.bom_ref.as_deref(),
            c.purl.as_deref().and_then(Purl::parse),
        ) {
            refs.insert(r, purl);
        }
        collect_components(c.components.as_deref().unwrap_or_default(), refs);
    }
}

#[derive(Debug, Deserialize)]
struct VexDocument<'a> {
    #[serde(rename = "@context", borrow, default)]
    context: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_updated: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    statements: Option<Vec<OpenVexStatement<'a>>>,
    #[serde(rename = "bomFormat", borrow, default)]
    bom_format: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    metadata: Option<CdxMetadata<'a>>,
    #[serde(borrow, default)]
    components: Option<Vec<CdxComponent<'a>>>,
    #[serde(borrow, default)]
    vulnerabilities: Option<Vec<CdxVulnerability<'a>>>,
}

#[derive(Debug, Deserialize)]
struct OpenVexStatement<'a> {
    #[serde(borrow)]
    vulnerability: OpenVexVulnerability<'a>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_updated: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    products: Option<Vec<OpenVexProduct<'a>>>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow, default)]
    justification: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    impact_statement: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OpenVexVulnerability<'a> {
    Name(#[serde(borrow)] Cow<'a, str>),
    Object {
        #[serde(borrow, default)]
        name: Option<Cow<'a, str>>,
        #[serde(rename = "@id", borrow, default)]
        id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        aliases: Option<Vec<Cow<'a, str>>>,
    },
}

#[derive(Debug, Deserialize)]
struct OpenVexProduct<'a> {
    #[serde(rename = "@id", borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    identifiers: Option<Identifiers<'a>>,
    #[serde(borrow, default)]
    subcomponents: Option<Vec<Self>>,
}

impl OpenVexProduct<'_> {
    fn purl(&self) -> Option<Purl> {
        self.identifiers
            .as_ref()
            .and_then(|i| i.purl.as_deref())
            .and_then(Purl::parse)
            .or_else(|| self.id.as_deref().and_then(Purl::parse))
    }
}

#[derive(Debug, Deserialize)]
struct Identifiers<'a> {
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct CdxMetadata<'a> {
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct CdxComponent<'a> {
    #[serde(rename = "bom-ref", borrow, default)]
    bom_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    components: Option<Vec<Self>>,
}

#[derive(Debug, Deserialize)]
struct CdxVulnerability<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    references: Option<Vec<CdxReference<'a>>>,
    #[serde(borrow, default)]
    analysis: Option<CdxAnalysis<'a>>,
    #[serde(borrow, default)]
    affects: Option<Vec<CdxAffects<'a>>>,
    #[serde(borrow, default)]
    updated: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct CdxReference<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct CdxAnalysis<'a> {
    #[serde(borrow, default)]
    state: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    justification: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    detail: Option<Cow<'a, str>>,
    #[serde(rename = "firstIssued", borrow, default)]
    first_issued: Option<Cow<'a, str>>,
    #[serde(rename = "lastUpdated", borrow, default)]
    last_updated: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct CdxAffects<'a> {
    #[serde(rename = "ref", borrow)]
    reference: Cow<'a, str>,
}
