//! An SBOM ready to be written: the catalog of one source, the time it is stamped with,
//! and the two formats (CycloneDX 1.5 JSON, SPDX 2.3 JSON).
//!
//! Output is byte-identical for the same input and the same timestamp: packages are
//! sorted, every identifier is derived from content, and the serial number (CycloneDX)
//! and document namespace (SPDX) are a UUID made from the SHA-256 of the document
//! itself.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::catalog::Issue;
use crate::package::{Package, PackageType};
use crate::scan::Catalog;

/// The SBOM formats written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CycloneDX 1.5 JSON.
    #[default]
    #[value(name = "cyclonedx-json")]
    CycloneDxJson,
    /// SPDX 2.3 JSON.
    #[value(name = "spdx-json")]
    SpdxJson,
}

impl Format {
    /// The media type, also used as the referrer's artifact type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::CycloneDxJson => "application/vnd.cyclonedx+json",
            Self::SpdxJson => "application/spdx+json",
        }
    }
}

/// The tool name written into SBOMs.
pub const TOOL: &str = "sbom-attach";
/// The tool version written into SBOMs.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A generated SBOM: the catalog and the time it is stamped with.
#[derive(Debug, Clone)]
pub struct Sbom {
    /// What was found.
    pub catalog: Catalog,
    /// Seconds since the Unix epoch (`SOURCE_DATE_EPOCH`, or the time of generation).
    pub timestamp: i64,
}

impl Sbom {
    /// Whether something could not be read, so the SBOM may miss packages.
    pub fn is_incomplete(&self) -> bool {
        !self.catalog.issues.is_empty()
    }

    /// The SBOM in `format`, as bytes (pretty JSON with a final newline).
    pub fn render(&self, format: Format) -> Vec<u8> {
        match format {
            Format::CycloneDxJson => cyclonedx(self),
            Format::SpdxJson => spdx(self),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `seconds` since the Unix epoch.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// A UUID (RFC 9562 version 8, "custom") made from the SHA-256 of `data`.
pub fn uuid_from(data: &[u8]) -> String {
    let hash = Sha256::digest(data);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn hex16(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// A stable identifier of one package (16 hex digits).
pub fn package_id(package: &Package) -> String {
    let kind = kind_name(package.kind);
    let locations = package.locations.join("\n");
    hex16(&[
        kind,
        &package.name,
        &package.version,
        &package.purl,
        &locations,
    ])
}

/// The package type as syft names it.
pub fn kind_name(kind: PackageType) -> &'static str {
    match kind {
        PackageType::Deb => "deb",
        PackageType::Apk => "apk",
        PackageType::Rpm => "rpm",
        PackageType::Python => "python",
        PackageType::Npm => "npm",
        PackageType::Cargo => "rust-crate",
        PackageType::Go => "go-module",
        PackageType::Java => "java-archive",
    }
}

fn bom_ref(package: &Package, id: &str) -> String {
    if package.purl.is_empty() {
        format!(
            "{}:{}@{}?package-id={id}",
            kind_name(package.kind),
            package.name,
            package.version
        )
    } else if package.purl.contains('?') {
        format!("{}&package-id={id}", package.purl)
    } else {
        format!("{}?package-id={id}", package.purl)
    }
}

/// The image's own purl: `pkg:oci/NAME@sha256:…` with the repository and tag when known.
pub fn subject_purl(catalog: &Catalog) -> Option<String> {
    let digest = catalog.subject.digest.as_deref()?;
    let mut purl =
        crate::purl::Purl::new("oci", &catalog.subject.name.to_ascii_lowercase()).version(digest);
    if let Some(repository) = &catalog.subject.repository {
        purl = purl.qualifier("repository_url", repository);
    }
    if let Some(tag) = &catalog.subject.tag {
        purl = purl.qualifier("tag", tag);
    }
    Some(purl.to_string())
}

/// The dependencies of each package, as indexes into `packages`: a dependency name
/// resolves to the packages of the same type with that name.
fn dependency_graph(packages: &[Package]) -> Vec<Vec<usize>> {
    let mut by_name: BTreeMap<(PackageType, &str), Vec<usize>> = BTreeMap::new();
    for (i, package) in packages.iter().enumerate() {
        by_name
            .entry((package.kind, package.name.as_str()))
            .or_default()
            .push(i);
    }
    packages
        .iter()
        .enumerate()
        .map(|(i, package)| {
            let mut targets: Vec<usize> = package
                .dependencies
                .iter()
                .filter_map(|name| by_name.get(&(package.kind, name.as_str())))
                .flatten()
                .copied()
                .filter(|&j| j != i)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            targets
        })
        .collect()
}

fn issue_text(issue: &Issue) -> String {
    match issue.layer {
        Some(layer) => format!(
            "{} ({}, layer {layer}): {}",
            issue.path, issue.cataloger, issue.message
        ),
        None => format!("{} ({}): {}", issue.path, issue.cataloger, issue.message),
    }
}

/// Licenses as CycloneDX writes them: SPDX ids first (sorted), then names (sorted).
fn cyclonedx_licenses(licenses: &[String]) -> Vec<Value> {
    let mut ids: Vec<&String> = licenses
        .iter()
        .filter(|l| crate::license::is_spdx_id(l))
        .collect();
    let mut names: Vec<&String> = licenses
        .iter()
        .filter(|l| !crate::license::is_spdx_id(l))
        .collect();
    ids.sort();
    ids.dedup();
    names.sort();
    names.dedup();
    ids.into_iter()
        .map(|id| json!({"license": {"id": id}}))
        .chain(
            names
                .into_iter()
                .map(|name| json!({"license": {"name": name}})),
        )
        .collect()
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// CycloneDX 1.5 JSON.
fn cyclonedx(sbom: &Sbom) -> Vec<u8> {
    let catalog = &sbom.catalog;
    let packages = &catalog.packages;
    let ids: Vec<String> = packages.iter().map(package_id).collect();
    let refs: Vec<String> = packages
        .iter()
        .zip(&ids)
        .map(|(p, id)| bom_ref(p, id))
        .collect();
    let mut components: Vec<Value> = Vec::with_capacity(packages.len() + 1);
    for (package, reference) in packages.iter().zip(&refs) {
        let mut component = serde_json::Map::new();
        component.insert("bom-ref".into(), json!(reference));
        component.insert("type".into(), json!("library"));
        component.insert("name".into(), json!(package.name));
        if !package.version.is_empty() {
            component.insert("version".into(), json!(package.version));
        }
        let licenses = cyclonedx_licenses(&package.licenses);
        if !licenses.is_empty() {
            component.insert("licenses".into(), Value::Array(licenses));
        }
        if let Some(cpe) = package.cpes.first() {
            component.insert("cpe".into(), json!(cpe));
        }
        if !package.purl.is_empty() {
            component.insert("purl".into(), json!(package.purl));
        }
        let mut properties = vec![
            json!({"name": "shipgate:package:cataloger", "value": package.cataloger}),
            json!({"name": "shipgate:package:type", "value": kind_name(package.kind)}),
        ];
        if let Some(architecture) = &package.architecture {
            properties
                .push(json!({"name": "shipgate:package:architecture", "value": architecture}));
        }
        if let Some(source) = &package.source_package {
            properties.push(json!({"name": "shipgate:package:sourcePackage", "value": source}));
        }
        for cpe in package.cpes.iter().skip(1) {
            properties.push(json!({"name": "shipgate:cpe23", "value": cpe}));
        }
        for (i, location) in package.locations.iter().enumerate() {
            properties.push(json!({"name": format!("shipgate:location:{i}:path"), "value": format!("/{location}")}));
        }
        component.insert("properties".into(), Value::Array(properties));
        components.push(Value::Object(component));
    }
    if let Some(distro) = &catalog.distro {
        let mut os = serde_json::Map::new();
        let version = distro.version_id.clone().unwrap_or_default();
        os.insert(
            "bom-ref".into(),
            json!(format!("os:{}@{}", distro.id, version)),
        );
        os.insert("type".into(), json!("operating-system"));
        os.insert("name".into(), json!(distro.id));
        if !version.is_empty() {
            os.insert("version".into(), json!(version));
        }
        if let Some(pretty) = &distro.pretty_name {
            os.insert("description".into(), json!(pretty));
        }
        components.push(Value::Object(os));
    }

    let mut metadata = serde_json::Map::new();
    metadata.insert("timestamp".into(), json!(rfc3339(sbom.timestamp)));
    metadata.insert(
        "tools".into(),
        json!({"components": [{"type": "application", "author": "shipgate", "name": TOOL, "version": TOOL_VERSION}]}),
    );
    let subject = &catalog.subject;
    let mut root = serde_json::Map::new();
    let root_ref = match &subject.digest {
        Some(digest) => format!("image:{}@{digest}", subject.name),
        None => format!("dir:{}", subject.name),
    };
    root.insert("bom-ref".into(), json!(root_ref));
    root.insert(
        "type".into(),
        json!(if subject.digest.is_some() {
            "container"
        } else {
            "file"
        }),
    );
    root.insert("name".into(), json!(subject.name));
    if let Some(digest) = &subject.digest {
        root.insert("version".into(), json!(digest));
    }
    if let Some(purl) = subject_purl(catalog) {
        root.insert("purl".into(), json!(purl));
    }
    metadata.insert("component".into(), Value::Object(root));
    let mut properties = Vec::new();
    if let Some(platform) = &subject.platform {
        properties.push(json!({"name": "shipgate:image:platform", "value": platform}));
    }
    properties.push(json!({"name": "shipgate:sbom:complete", "value": if sbom.is_incomplete() { "false" } else { "true" }}));
    for (i, issue) in catalog.issues.iter().enumerate() {
        properties
            .push(json!({"name": format!("shipgate:sbom:issue:{i}"), "value": issue_text(issue)}));
    }
    metadata.insert("properties".into(), Value::Array(properties));

    let graph = dependency_graph(packages);
    let mut dependencies = Vec::new();
    for (i, targets) in graph.iter().enumerate() {
        if targets.is_empty() {
            continue;
        }
        let mut depends: Vec<&String> = targets.iter().map(|&j| &refs[j]).collect();
        depends.sort();
        dependencies.push(json!({"ref": refs[i], "dependsOn": depends}));
    }

    let mut document = serde_json::Map::new();
    document.insert(
        "$schema".into(),
        json!("http://cyclonedx.org/schema/bom-1.5.schema.json"),
    );
    document.insert("bomFormat".into(), json!("CycloneDX"));
    document.insert("specVersion".into(), json!("1.5"));
    document.insert("serialNumber".into(), json!(""));
    document.insert("version".into(), json!(1));
    document.insert("metadata".into(), Value::Object(metadata));
    document.insert("components".into(), Value::Array(components));
    if !dependencies.is_empty() {
        document.insert("dependencies".into(), Value::Array(dependencies));
    }
    if sbom.is_incomplete() {
        document.insert(
            "compositions".into(),
            json!([{"aggregate": "incomplete", "assemblies": [root_ref]}]),
        );
    }
    let mut document = Value::Object(document);
    let serial = format!("urn:uuid:{}", uuid_from(&to_bytes(&document)));
    document["serialNumber"] = json!(serial);
    to_bytes(&document)
}

/// An SPDX identifier part: letters, digits, `.` and `-` only.
fn spdx_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// SPDX 2.3 JSON.
fn spdx(sbom: &Sbom) -> Vec<u8> {
    let catalog = &sbom.catalog;
    let subject = &catalog.subject;
    let packages = &catalog.packages;
    let root_id = format!(
        "SPDXRef-DocumentRoot-{}-{}",
        if subject.digest.is_some() {
            "Image"
        } else {
            "Directory"
        },
        spdx_safe(&subject.name)
    );
    let ids: Vec<String> = packages
        .iter()
        .map(|p| {
            format!(
                "SPDXRef-Package-{}-{}-{}",
                kind_name(p.kind),
                spdx_safe(&p.name),
                package_id(p)
            )
        })
        .collect();
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    let mut spdx_packages = Vec::with_capacity(packages.len() + 1);
    let mut root = serde_json::Map::new();
    root.insert("name".into(), json!(subject.name));
    root.insert("SPDXID".into(), json!(root_id));
    if let Some(digest) = &subject.digest {
        root.insert("versionInfo".into(), json!(digest));
    }
    root.insert("downloadLocation".into(), json!("NOASSERTION"));
    root.insert("filesAnalyzed".into(), json!(false));
    root.insert("licenseConcluded".into(), json!("NOASSERTION"));
    root.insert("licenseDeclared".into(), json!("NOASSERTION"));
    root.insert("copyrightText".into(), json!("NOASSERTION"));
    if let Some(purl) = subject_purl(catalog) {
        root.insert(
            "externalRefs".into(),
            json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]),
        );
    }
    root.insert(
        "primaryPackagePurpose".into(),
        json!(if subject.digest.is_some() {
            "CONTAINER"
        } else {
            "FILE"
        }),
    );
    spdx_packages.push(Value::Object(root));
    for (package, id) in packages.iter().zip(&ids) {
        let mut entry = serde_json::Map::new();
        entry.insert("name".into(), json!(package.name));
        entry.insert("SPDXID".into(), json!(id));
        if !package.version.is_empty() {
            entry.insert("versionInfo".into(), json!(package.version));
        }
        entry.insert("downloadLocation".into(), json!("NOASSERTION"));
        entry.insert("filesAnalyzed".into(), json!(false));
        entry.insert("licenseConcluded".into(), json!("NOASSERTION"));
        let mut terms: Vec<String> = package
            .licenses
            .iter()
            .map(|license| {
                if crate::license::is_spdx_id(license) {
                    license.clone()
                } else {
                    let reference = format!("LicenseRef-{}", spdx_safe(license));
                    extracted.insert(reference.clone(), license.clone());
                    reference
                }
            })
            .collect();
        terms.sort();
        terms.dedup();
        let declared = if terms.is_empty() {
            "NOASSERTION".to_owned()
        } else {
            terms.join(" AND ")
        };
        entry.insert("licenseDeclared".into(), json!(declared));
        entry.insert("copyrightText".into(), json!("NOASSERTION"));
        let locations: Vec<String> = package.locations.iter().map(|l| format!("/{l}")).collect();
        entry.insert(
            "sourceInfo".into(),
            json!(format!(
                "acquired package info from {}",
                locations.join(", ")
            )),
        );
        let mut refs = Vec::new();
        for cpe in &package.cpes {
            refs.push(json!({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": cpe}));
        }
        if !package.purl.is_empty() {
            refs.push(json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": package.purl}));
        }
        if !refs.is_empty() {
            entry.insert("externalRefs".into(), Value::Array(refs));
        }
        entry.insert("primaryPackagePurpose".into(), json!("LIBRARY"));
        spdx_packages.push(Value::Object(entry));
    }
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relatedSpdxElement": root_id,
        "relationshipType": "DESCRIBES"
    })];
    for id in &ids {
        relationships.push(json!({
            "spdxElementId": root_id,
            "relatedSpdxElement": id,
            "relationshipType": "CONTAINS"
        }));
    }
    for (i, targets) in dependency_graph(packages).iter().enumerate() {
        for &j in targets {
            relationships.push(json!({
                "spdxElementId": ids[i],
                "relatedSpdxElement": ids[j],
                "relationshipType": "DEPENDS_ON"
            }));
        }
    }
    let mut document = serde_json::Map::new();
    document.insert("spdxVersion".into(), json!("SPDX-2.3"));
    document.insert("dataLicense".into(), json!("CC0-1.0"));
    document.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    document.insert("name".into(), json!(subject.name));
    document.insert("documentNamespace".into(), json!(""));
    document.insert(
        "creationInfo".into(),
        json!({
            "creators": ["Organization: shipgate", format!("Tool: {TOOL}-{TOOL_VERSION}")],
            "created": rfc3339(sbom.timestamp)
        }),
    );
    if sbom.is_incomplete() {
        let lines: Vec<String> = catalog.issues.iter().map(issue_text).collect();
        document.insert(
            "comment".into(),
            json!(format!(
                "incomplete: {} problem(s) while cataloging: {}",
                lines.len(),
                lines.join("; ")
            )),
        );
    }
    document.insert("packages".into(), Value::Array(spdx_packages));
    document.insert("relationships".into(), Value::Array(relationships));
    if !extracted.is_empty() {
        let infos: Vec<Value> = extracted
            .iter()
            .map(|(id, name)| json!({"licenseId": id, "name": name, "extractedText": name}))
            .collect();
        document.insert("hasExtractedLicensingInfos".into(), Value::Array(infos));
    }
    let mut document = Value::Object(document);
    let uuid = uuid_from(&to_bytes(&document));
    let kind = if subject.digest.is_some() {
        "image"
    } else {
        "dir"
    };
    document["documentNamespace"] = json!(format!(
        "https://github.com/shipgate/shipgate/sbom/{kind}/{}-{uuid}",
        spdx_safe(&subject.name)
    ));
    to_bytes(&document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn uuids_are_version_8() {
        let uuid = uuid_from(b"x");
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(uuid, uuid_from(b"x"));
    }
}
