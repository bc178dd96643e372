//! A structural check of SBOMs from any tool: CycloneDX 1.4 to 1.7 JSON and SPDX 2.3 JSON.
//! Required fields, their types, enumerations, identifier syntax and references between
//! elements are checked, and every problem is reported with its JSON path. It is not a
//! full JSON Schema validation (no schema is fetched); it catches what makes an SBOM
//! unusable for the gates that read it.

use std::collections::HashSet;

use serde_json::Value;

use crate::error::{Error, Result};

/// What a valid SBOM is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `CycloneDX` or `SPDX`.
    pub format: &'static str,
    /// The spec version (`1.5`, `2.3`).
    pub version: String,
    /// How many components (CycloneDX, nested included) or packages (SPDX) it lists.
    pub packages: usize,
}

impl Report {
    /// The media type of the document.
    pub fn media_type(&self) -> &'static str {
        if self.format == "SPDX" {
            crate::sbom::Format::SpdxJson.media_type()
        } else {
            crate::sbom::Format::CycloneDxJson.media_type()
        }
    }
}

/// Checks `bytes` (the content of `file`); an invalid SBOM is an [`Error::Invalid`]
/// listing every problem.
pub fn validate(bytes: &[u8], file: &str) -> Result<Report> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| Error::Unreadable {
        file: format!("{file}:{}:{}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })?;
    let Some(object) = document.as_object() else {
        return Err(Error::Unreadable {
            file: file.to_owned(),
            message: "the document is not a JSON object".to_owned(),
        });
    };
    let mut problems = Problems::default();
    let report = if object.contains_key("bomFormat") {
        cyclonedx(&document, &mut problems)
    } else if object.contains_key("spdxVersion") {
        spdx(&document, &mut problems)
    } else {
        return Err(Error::Unreadable {
            file: file.to_owned(),
            message: "neither CycloneDX (`bomFormat`) nor SPDX (`spdxVersion`)".to_owned(),
        });
    };
    if problems.0.is_empty() {
        Ok(report)
    } else {
        Err(Error::Invalid {
            file: file.to_owned(),
            format: format!("{} {}", report.format, report.version),
            problems: problems.0,
        })
    }
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, path: &str, message: impl std::fmt::Display) {
        self.0.push(format!("{path}: {message}"));
    }

    /// The string at `key`, reporting a missing or non-string value when `required`.
    fn string<'a>(
        &mut self,
        value: &'a Value,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'a str> {
        match value.get(key) {
            None if required => {
                self.add(&format!("{path}.{key}"), "required field missing");
                None
            }
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.add(
                    &format!("{path}.{key}"),
                    format!("must be a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    fn array<'a>(
        &mut self,
        value: &'a Value,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'a Vec<Value>> {
        match value.get(key) {
            None if required => {
                self.add(&format!("{path}.{key}"), "required field missing");
                None
            }
            None => None,
            Some(Value::Array(a)) => Some(a),
            Some(other) => {
                self.add(
                    &format!("{path}.{key}"),
                    format!("must be an array, found {}", kind(other)),
                );
                None
            }
        }
    }

    fn object(&mut self, value: &Value, path: &str) -> bool {
        if value.is_object() {
            true
        } else {
            self.add(path, format!("must be an object, found {}", kind(value)));
            false
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` followed by an optional fraction and a zone.
fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && {
            let rest = &text[19..];
            let rest = rest
                .strip_prefix('.')
                .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
                .unwrap_or(rest);
            matches!(rest, "Z" | "z")
                || (rest.len() == 6
                    && matches!(rest.as_bytes()[0], b'+' | b'-')
                    && rest.as_bytes()[3] == b':')
        }
}

const CYCLONEDX_VERSIONS: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];
const COMPONENT_TYPES: [&str; 12] = [
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
];
const COMPONENT_TYPES_1_4: usize = 10;
const CRYPTOGRAPHIC_ASSET: &str = "cryptographic-asset";

fn cyclonedx(document: &Value, problems: &mut Problems) -> Report {
    if let Some(format) = problems.string(document, "$", "bomFormat", true)
        && format != "CycloneDX"
    {
        problems.add(
            "$.bomFormat",
            format!("must be `CycloneDX`, found `{format}`"),
        );
    }
    let version = problems
        .string(document, "$", "specVersion", true)
        .unwrap_or("")
        .to_owned();
    if !version.is_empty() && !CYCLONEDX_VERSIONS.contains(&version.as_str()) {
        problems.add(
            "$.specVersion",
            format!("`{version}` is not a CycloneDX version read here (1.4 to 1.7)"),
        );
    }
    if let Some(serial) = problems.string(document, "$", "serialNumber", false)
        && !is_urn_uuid(serial)
    {
        problems.add(
            "$.serialNumber",
            format!("`{serial}` is not `urn:uuid:` followed by a UUID"),
        );
    }
    match document.get("version") {
        None => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v >= 1) => {}
        Some(other) => problems.add(
            "$.version",
            format!("must be an integer of at least 1, found {other}"),
        ),
    }
    if let Some(metadata) = document.get("metadata")
        && problems.object(metadata, "$.metadata")
    {
        if let Some(timestamp) = problems.string(metadata, "$.metadata", "timestamp", false)
            && !is_date_time(timestamp)
        {
            problems.add(
                "$.metadata.timestamp",
                format!("`{timestamp}` is not an RFC 3339 date-time"),
            );
        }
        match metadata.get("tools") {
            None | Some(Value::Array(_)) => {}
            Some(Value::Object(tools)) if version != "1.4" => {
                for key in ["components", "services"] {
                    if let Some(v) = tools.get(key)
                        && !v.is_array()
                    {
                        problems.add(&format!("$.metadata.tools.{key}"), "must be an array");
                    }
                }
            }
            Some(other) => problems.add(
                "$.metadata.tools",
                format!(
                    "must be an array{}, found {}",
                    if version == "1.4" {
                        ""
                    } else {
                        " or an object"
                    },
                    kind(other)
                ),
            ),
        }
        if let Some(component) = metadata.get("component") {
            let mut refs = HashSet::new();
            check_component(
                component,
                "$.metadata.component",
                &version,
                problems,
                &mut refs,
                &mut 0,
            );
        }
    }
    let mut refs = HashSet::new();
    if let Some(component) = document.get("metadata").and_then(|m| m.get("component"))
        && let Some(r) = component.get("bom-ref").and_then(Value::as_str)
    {
        refs.insert(r.to_owned());
    }
    let mut count = 0;
    if let Some(components) = problems.array(document, "$", "components", false) {
        for (i, component) in components.iter().enumerate() {
            check_component(
                component,
                &format!("$.components[{i}]"),
                &version,
                problems,
                &mut refs,
                &mut count,
            );
        }
    }
    if let Some(services) = problems.array(document, "$", "services", false) {
        for (i, service) in services.iter().enumerate() {
            let path = format!("$.services[{i}]");
            if problems.object(service, &path) {
                problems.string(service, &path, "name", true);
                if let Some(r) = problems.string(service, &path, "bom-ref", false) {
                    refs.insert(r.to_owned());
                }
            }
        }
    }
    if let Some(dependencies) = problems.array(document, "$", "dependencies", false) {
        for (i, dependency) in dependencies.iter().enumerate() {
            let path = format!("$.dependencies[{i}]");
            if !problems.object(dependency, &path) {
                continue;
            }
            if let Some(r) = problems.string(dependency, &path, "ref", true)
                && !refs.contains(r)
            {
                problems.add(
                    &format!("{path}.ref"),
                    format!("`{r}` is not the bom-ref of a component"),
                );
            }
            for key in ["dependsOn", "provides"] {
                if let Some(targets) = problems.array(dependency, &path, key, false) {
                    for (j, target) in targets.iter().enumerate() {
                        match target.as_str() {
                            Some(t) if refs.contains(t) => {}
                            Some(t) => problems.add(
                                &format!("{path}.{key}[{j}]"),
                                format!("`{t}` is not the bom-ref of a component"),
                            ),
                            None => problems.add(&format!("{path}.{key}[{j}]"), "must be a string"),
                        }
                    }
                }
            }
        }
    }
    Report {
        format: "CycloneDX",
        version,
        packages: count,
    }
}

fn is_urn_uuid(text: &str) -> bool {
    let Some(uuid) = text.strip_prefix("urn:uuid:") else {
        return false;
    };
    uuid.len() == 36
        && uuid.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn check_component(
    component: &Value,
    path: &str,
    version: &str,
    problems: &mut Problems,
    refs: &mut HashSet<String>,
    count: &mut usize,
) {
    if !problems.object(component, path) {
        return;
    }
    *count += 1;
    if let Some(kind) = problems.string(component, path, "type", true) {
        let allowed: &[&str] = if version == "1.4" {
            &COMPONENT_TYPES[..COMPONENT_TYPES_1_4]
        } else {
            &COMPONENT_TYPES
        };
        let crypto = kind == CRYPTOGRAPHIC_ASSET && matches!(version, "1.6" | "1.7");
        if !allowed.contains(&kind) && !crypto {
            problems.add(
                &format!("{path}.type"),
                format!("`{kind}` is not a CycloneDX {version} component type"),
            );
        }
    }
    problems.string(component, path, "name", true);
    problems.string(component, path, "version", false);
    problems.string(component, path, "cpe", false);
    if let Some(purl) = problems.string(component, path, "purl", false)
        && !purl.starts_with("pkg:")
    {
        problems.add(
            &format!("{path}.purl"),
            format!("`{purl}` is not a package URL (`pkg:TYPE/…`)"),
        );
    }
    if let Some(r) = problems.string(component, path, "bom-ref", false)
        && !refs.insert(r.to_owned())
    {
        problems.add(
            &format!("{path}.bom-ref"),
            format!("`{r}` is used more than once"),
        );
    }
    if let Some(licenses) = problems.array(component, path, "licenses", false) {
        for (i, choice) in licenses.iter().enumerate() {
            let lpath = format!("{path}.licenses[{i}]");
            if !problems.object(choice, &lpath) {
                continue;
            }
            match (choice.get("license"), choice.get("expression")) {
                (Some(license), None) => {
                    let inner = format!("{lpath}.license");
                    if problems.object(license, &inner) {
                        let id = problems.string(license, &inner, "id", false);
                        let name = problems.string(license, &inner, "name", false);
                        if id.is_some() == name.is_some() {
                            problems.add(&inner, "needs exactly one of `id` and `name`");
                        }
                    }
                }
                (None, Some(expression)) => {
                    if !expression.is_string() {
                        problems.add(&format!("{lpath}.expression"), "must be a string");
                    }
                }
                _ => problems.add(&lpath, "needs exactly one of `license` and `expression`"),
            }
        }
    }
    if let Some(properties) = problems.array(component, path, "properties", false) {
        for (i, property) in properties.iter().enumerate() {
            let ppath = format!("{path}.properties[{i}]");
            if problems.object(property, &ppath) {
                problems.string(property, &ppath, "name", true);
                problems.string(property, &ppath, "value", false);
            }
        }
    }
    if let Some(children) = problems.array(component, path, "components", false) {
        for (i, child) in children.iter().enumerate() {
            check_component(
                child,
                &format!("{path}.components[{i}]"),
                version,
                problems,
                refs,
                count,
            );
        }
    }
}

const SPDX_CATEGORIES: [&str; 5] = [
    "SECURITY",
    "PACKAGE-MANAGER",
    "PACKAGE_MANAGER",
    "PERSISTENT-ID",
    "OTHER",
];

fn is_spdx_ref(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

fn spdx(document: &Value, problems: &mut Problems) -> Report {
    let version = problems
        .string(document, "$", "spdxVersion", true)
        .unwrap_or("")
        .to_owned();
    let version_number = version.strip_prefix("SPDX-").unwrap_or(&version).to_owned();
    if !version.is_empty() && version != "SPDX-2.3" {
        problems.add(
            "$.spdxVersion",
            format!("`{version}` is not read here (SPDX-2.3)"),
        );
    }
    if let Some(license) = problems.string(document, "$", "dataLicense", true)
        && license != "CC0-1.0"
    {
        problems.add(
            "$.dataLicense",
            format!("must be `CC0-1.0`, found `{license}`"),
        );
    }
    if let Some(id) = problems.string(document, "$", "SPDXID", true)
        && id != "SPDXRef-DOCUMENT"
    {
        problems.add(
            "$.SPDXID",
            format!("must be `SPDXRef-DOCUMENT`, found `{id}`"),
        );
    }
    problems.string(document, "$", "name", true);
    if let Some(namespace) = problems.string(document, "$", "documentNamespace", true)
        && (!namespace.contains(':') || namespace.contains('#'))
    {
        problems.add(
            "$.documentNamespace",
            format!("`{namespace}` is not an absolute URI without `#`"),
        );
    }
    match document.get("creationInfo") {
        None => problems.add("$.creationInfo", "required field missing"),
        Some(info) if problems.object(info, "$.creationInfo") => {
            if let Some(created) = problems.string(info, "$.creationInfo", "created", true)
                && !is_date_time(created)
            {
                problems.add(
                    "$.creationInfo.created",
                    format!("`{created}` is not an RFC 3339 date-time"),
                );
            }
            match problems.array(info, "$.creationInfo", "creators", true) {
                Some(creators) if creators.is_empty() => {
                    problems.add("$.creationInfo.creators", "must name at least one creator");
                }
                Some(creators) => {
                    for (i, creator) in creators.iter().enumerate() {
                        let ok = creator.as_str().is_some_and(|c| {
                            ["Person:", "Organization:", "Tool:"]
                                .iter()
                                .any(|p| c.starts_with(p))
                        });
                        if !ok {
                            problems.add(
                                &format!("$.creationInfo.creators[{i}]"),
                                "must be a string starting with `Person:`, `Organization:` or `Tool:`",
                            );
                        }
                    }
                }
                None => {}
            }
        }
        Some(_) => {}
    }
    let mut ids: HashSet<String> = HashSet::from(["SPDXRef-DOCUMENT".to_owned()]);
    let mut count = 0;
    if let Some(packages) = problems.array(document, "$", "packages", false) {
        for (i, package) in packages.iter().enumerate() {
            let path = format!("$.packages[{i}]");
            if !problems.object(package, &path) {
                continue;
            }
            count += 1;
            problems.string(package, &path, "name", true);
            problems.string(package, &path, "downloadLocation", true);
            problems.string(package, &path, "versionInfo", false);
            register_id(package, &path, problems, &mut ids);
            if let Some(analyzed) = package.get("filesAnalyzed")
                && !analyzed.is_boolean()
            {
                problems.add(&format!("{path}.filesAnalyzed"), "must be a boolean");
            }
            if let Some(refs) = problems.array(package, &path, "externalRefs", false) {
                for (j, reference) in refs.iter().enumerate() {
                    let rpath = format!("{path}.externalRefs[{j}]");
                    if !problems.object(reference, &rpath) {
                        continue;
                    }
                    if let Some(category) =
                        problems.string(reference, &rpath, "referenceCategory", true)
                        && !SPDX_CATEGORIES.contains(&category)
                    {
                        problems.add(
                            &format!("{rpath}.referenceCategory"),
                            format!("`{category}` is not an SPDX reference category"),
                        );
                    }
                    problems.string(reference, &rpath, "referenceType", true);
                    problems.string(reference, &rpath, "referenceLocator", true);
                }
            }
        }
    }
    if let Some(files) = problems.array(document, "$", "files", false) {
        for (i, file) in files.iter().enumerate() {
            let path = format!("$.files[{i}]");
            if problems.object(file, &path) {
                problems.string(file, &path, "fileName", true);
                register_id(file, &path, problems, &mut ids);
            }
        }
    }
    if let Some(snippets) = problems.array(document, "$", "snippets", false) {
        for (i, snippet) in snippets.iter().enumerate() {
            let path = format!("$.snippets[{i}]");
            if problems.object(snippet, &path) {
                register_id(snippet, &path, problems, &mut ids);
            }
        }
    }
    if let Some(relationships) = problems.array(document, "$", "relationships", false) {
        for (i, relationship) in relationships.iter().enumerate() {
            let path = format!("$.relationships[{i}]");
            if !problems.object(relationship, &path) {
                continue;
            }
            problems.string(relationship, &path, "relationshipType", true);
            for key in ["spdxElementId", "relatedSpdxElement"] {
                if let Some(id) = problems.string(relationship, &path, key, true) {
                    let known = ids.contains(id)
                        || id.starts_with("DocumentRef-")
                        || matches!(id, "NONE" | "NOASSERTION");
                    if !known {
                        problems.add(
                            &format!("{path}.{key}"),
                            format!("`{id}` is not the SPDXID of an element"),
                        );
                    }
                }
            }
        }
    }
    Report {
        format: "SPDX",
        version: version_number,
        packages: count,
    }
}

fn register_id(element: &Value, path: &str, problems: &mut Problems, ids: &mut HashSet<String>) {
    if let Some(id) = problems.string(element, path, "SPDXID", true) {
        if !is_spdx_ref(id) {
            problems.add(
                &format!("{path}.SPDXID"),
                format!("`{id}` is not `SPDXRef-` followed by letters, digits, `.` or `-`"),
            );
        } else if !ids.insert(id.to_owned()) {
            problems.add(
                &format!("{path}.SPDXID"),
                format!("`{id}` is used more than once"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_documents_are_valid() {
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"a","bom-ref":"a"}],"dependencies":[{"ref":"a","dependsOn":[]}]}"#;
        let report = validate(cdx, "bom.json").unwrap();
        assert_eq!(
            (report.format, report.version.as_str(), report.packages),
            ("CycloneDX", "1.6", 1)
        );
        let spdx = br#"{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"https://example.invalid/x","creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: x"]},"packages":[{"name":"p","SPDXID":"SPDXRef-p","downloadLocation":"NOASSERTION"}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-p","relationshipType":"DESCRIBES"}]}"#;
        assert_eq!(validate(spdx, "x.spdx.json").unwrap().packages, 1);
    }

    #[test]
    fn problems_carry_json_paths() {
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.3","serialNumber":"x","components":[{"type":"gadget"},{"type":"library","name":"b","licenses":[{"license":{}}]}],"dependencies":[{"ref":"nope"}]}"#;
        let Err(Error::Invalid { problems, .. }) = validate(cdx, "bom.json") else {
            panic!("expected problems");
        };
        assert_eq!(
            problems,
            vec![
                "$.specVersion: `1.3` is not a CycloneDX version read here (1.4 to 1.7)",
                "$.serialNumber: `x` is not `urn:uuid:` followed by a UUID",
                "$.components[0].type: `gadget` is not a CycloneDX 1.3 component type",
                "$.components[0].name: required field missing",
                "$.components[1].licenses[0].license: needs exactly one of `id` and `name`",
                "$.dependencies[0].ref: `nope` is not the bom-ref of a component",
            ]
        );
    }
}
