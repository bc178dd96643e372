//! GitLab's container-scanning report (schema version [`SCHEMA_VERSION`]): the findings
//! that are not suppressed, with their identifiers and package location.

use serde_json::{Value, json};
use shipgate_core::Severity;

use crate::verdict::Verdict;

/// The report schema version declared (supported by GitLab 15.x and later).
pub const SCHEMA_VERSION: &str = "15.0.7";

/// The file name GitLab's examples use for the report.
pub const DEFAULT_FILE: &str = "gl-container-scanning-report.json";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Unknown => "Unknown",
    }
}

fn identifier(id: &str, url: Option<&str>) -> Value {
    let kind = if id.starts_with("CVE-") {
        "cve"
    } else if id.starts_with("GHSA-") {
        "ghsa"
    } else {
        "gate-scan"
    };
    let mut value = json!({ "type": kind, "name": id, "value": id });
    if let (Some(url), Value::Object(map)) = (url, &mut value) {
        map.insert("url".to_owned(), json!(url));
    }
    value
}

/// A stable UUID-shaped id from the finding's key.
fn uuid(key: &str) -> String {
    let h = crate::readers::sha256_hex(key.as_bytes());
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The distribution an OS package comes from, as far as the package type tells.
fn os_of(kind: Option<&str>) -> &'static str {
    match kind.unwrap_or_default() {
        "alpine" | "apk" => "alpine",
        "debian" | "deb" | "dpkg" => "debian",
        "ubuntu" => "ubuntu",
        "redhat" | "rpm" | "centos" | "rocky" | "alma" | "amazon" | "oracle" => "rpm-based",
        "" => "unknown",
        _ => "none (application package)",
    }
}

/// Renders the report; `start` and `end` are seconds since the epoch.
pub fn render(verdict: &Verdict, start: i64, end: i64) -> String {
    let analyzer = json!({
        "id": "gate-scan",
        "name": "gate-scan",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "shipgate" }
    });
    // The scanned image as the reports name it (Trivy's ArtifactName, Grype's input).
    let image = verdict
        .inputs
        .iter()
        .find_map(|i| i.target.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    let vulnerabilities: Vec<Value> = verdict
        .findings
        .iter()
        .filter(|f| !f.suppressed)
        .map(|f| {
            let mut identifiers = vec![identifier(&f.id, f.url.as_deref())];
            identifiers.extend(f.aliases.iter().map(|a| identifier(a, None)));
            let solution = if f.fixed_versions.is_empty() {
                "No fixed version is known.".to_owned()
            } else {
                format!("Upgrade {} to {}", f.package.name, f.fixed_versions.join(" or "))
            };
            json!({
                "id": uuid(&format!("{}|{}|{}|{}", f.id, f.package.name, f.package.version, f.package.location.as_deref().unwrap_or_default())),
                "name": f.title.clone().unwrap_or_else(|| f.id.clone()),
                "description": f.title.clone().unwrap_or_else(|| f.id.clone()),
                "severity": severity(f.severity),
                "solution": solution,
                "identifiers": identifiers,
                "links": f.url.iter().map(|u| json!({ "url": u })).collect::<Vec<_>>(),
                "location": {
                    "dependency": {
                        "package": { "name": f.package.name },
                        "version": f.package.version
                    },
                    "operating_system": os_of(f.package.kind.as_deref()),
                    "image": image
                }
            })
        })
        .collect();
    let report = json!({
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": analyzer,
            "scanner": analyzer,
            "type": "container_scanning",
            "start_time": crate::time::format_timestamp(start),
            "end_time": crate::time::format_timestamp(end),
            "status": "success"
        },
        "vulnerabilities": vulnerabilities,
        "remediations": []
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
