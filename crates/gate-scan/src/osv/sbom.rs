//! Reads the components of an SBOM by package URL: CycloneDX JSON (1.2–1.7) and SPDX 2.2/2.3
//! JSON (`externalRefs` of type `purl`).

use std::path::Path;

use serde_json::Value;

use super::Error;
use super::purl::Purl;

/// One SBOM component with a package URL.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// The component's name as the SBOM gives it (else the purl's).
    pub(crate) name: String,
    /// Its version as the SBOM gives it (else the purl's).
    pub(crate) version: Option<String>,
    /// The package URL as written.
    pub(crate) purl_text: String,
    /// The parsed package URL.
    pub(crate) purl: Purl,
    /// Where it was found, when the SBOM says.
    pub(crate) location: Option<String>,
    /// The source package name (Debian source, Alpine origin, rpm source), when known.
    pub(crate) source_name: Option<String>,
    /// The source package version, when known.
    pub(crate) source_version: Option<String>,
}

/// What an SBOM held.
#[derive(Debug, Default)]
pub(crate) struct Sbom {
    pub(crate) format: &'static str,
    pub(crate) components: Vec<Component>,
    /// Components without a package URL.
    pub(crate) without_purl: usize,
    /// Package URLs that could not be parsed, with the reason.
    pub(crate) bad_purls: Vec<String>,
}

/// Reads `path` as CycloneDX or SPDX JSON.
pub(crate) fn read(path: &Path) -> Result<Sbom, Error> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        what: "SBOM",
        source,
    })?;
    let head = text.trim_start();
    if head.starts_with('<') || head.starts_with("SPDXVersion:") {
        return Err(Error::SbomFormat {
            path: path.to_path_buf(),
            reason: "XML and SPDX tag-value SBOMs are not read; give CycloneDX JSON or SPDX JSON"
                .to_owned(),
        });
    }
    let value: Value = serde_json::from_str(&text).map_err(|source| Error::Json {
        what: "SBOM",
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |reason: String| Error::SbomFormat {
        path: path.to_path_buf(),
        reason,
    };
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let spec = value
            .get("specVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !matches!(spec, "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") {
            return Err(bad(format!(
                "CycloneDX specVersion `{spec}` is not one this reader knows (1.2 to 1.7)"
            )));
        }
        let mut sbom = Sbom {
            format: "CycloneDX",
            ..Sbom::default()
        };
        if let Some(components) = value.get("components") {
            let Some(list) = components.as_array() else {
                return Err(bad("`components` is not an array".to_owned()));
            };
            cyclonedx_components(list, &mut sbom);
        }
        return Ok(sbom);
    }
    if let Some(version) = value.get("spdxVersion").and_then(Value::as_str) {
        if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
            return Err(bad(format!(
                "spdxVersion `{version}` is not one this reader knows (SPDX-2.2, SPDX-2.3)"
            )));
        }
        let mut sbom = Sbom {
            format: "SPDX",
            ..Sbom::default()
        };
        let packages = match value.get("packages") {
            None => &Vec::new(),
            Some(Value::Array(list)) => list,
            Some(_) => return Err(bad("`packages` is not an array".to_owned())),
        };
        for package in packages {
            spdx_package(package, &mut sbom);
        }
        return Ok(sbom);
    }
    Err(bad(
        "neither CycloneDX JSON (`bomFormat`) nor SPDX JSON (`spdxVersion`)".to_owned(),
    ))
}

fn string(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn push(
    sbom: &mut Sbom,
    purl_text: Option<String>,
    name: Option<String>,
    version: Option<String>,
    location: Option<String>,
    source: (Option<String>, Option<String>),
) {
    let Some(purl_text) = purl_text else {
        sbom.without_purl += 1;
        return;
    };
    match Purl::parse(&purl_text) {
        Ok(purl) => sbom.components.push(Component {
            name: name.unwrap_or_else(|| purl.name.clone()),
            version: version.or_else(|| purl.version.clone()),
            purl_text,
            purl,
            location,
            source_name: source.0,
            source_version: source.1,
        }),
        Err(reason) => sbom.bad_purls.push(format!("`{purl_text}` {reason}")),
    }
}

fn cyclonedx_components(list: &[Value], sbom: &mut Sbom) {
    for component in list {
        let property = |names: &[&str]| -> Option<String> {
            component
                .get("properties")
                .and_then(Value::as_array)?
                .iter()
                .find(|p| {
                    p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| names.contains(&n))
                })
                .and_then(|p| string(p, "value"))
        };
        let location = component
            .pointer("/evidence/occurrences/0/location")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                property(&[
                    "syft:location:0:path",
                    "aquasecurity:trivy:FilePath",
                    "aquasecurity:trivy:PkgPath",
                ])
            });
        let source_name = property(&["aquasecurity:trivy:SrcName", "syft:metadata:source"]);
        let source_version = property(&[
            "aquasecurity:trivy:SrcVersion",
            "syft:metadata:sourceVersion",
        ])
        .map(|v| {
            let release = property(&["aquasecurity:trivy:SrcRelease"]);
            let epoch = property(&["aquasecurity:trivy:SrcEpoch"]).filter(|e| e != "0");
            let v = match release {
                Some(r) => format!("{v}-{r}"),
                None => v,
            };
            match epoch {
                Some(e) => format!("{e}:{v}"),
                None => v,
            }
        });
        push(
            sbom,
            string(component, "purl"),
            string(component, "name"),
            string(component, "version"),
            location,
            (source_name, source_version),
        );
        if let Some(children) = component.get("components").and_then(Value::as_array) {
            cyclonedx_components(children, sbom);
        }
    }
}

fn spdx_package(package: &Value, sbom: &mut Sbom) {
    let purl = package
        .get("externalRefs")
        .and_then(Value::as_array)
        .and_then(|refs| {
            refs.iter().find(|r| {
                r.get("referenceType").and_then(Value::as_str) == Some("purl")
                    && r.get("referenceCategory")
                        .and_then(Value::as_str)
                        .is_none_or(|c| matches!(c, "PACKAGE-MANAGER" | "PACKAGE_MANAGER"))
            })
        })
        .and_then(|r| string(r, "referenceLocator"));
    push(
        sbom,
        purl,
        string(package, "name"),
        string(package, "versionInfo"),
        None,
        (None, None),
    );
}
