//! Kubernetes object rules (`SG-K8S-…`). Not written yet beyond the entry point.

use std::path::Path;

use crate::{AuditFinding, Result};

/// Audits a YAML file (several documents allowed) or every `*.yaml`/`*.yml`/`*.json`
/// file under a folder.
pub fn audit_path(path: &Path) -> Result<Vec<AuditFinding>> {
    let _ = path;
    Ok(Vec::new())
}
