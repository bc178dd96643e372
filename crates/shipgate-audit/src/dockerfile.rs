//! Dockerfile rules (`SG-DF-…`). Not written yet beyond the entry point.

use std::path::Path;

use crate::{AuditFinding, Result};

/// Audits one Dockerfile.
pub fn audit_file(path: &Path) -> Result<Vec<AuditFinding>> {
    let _ = path;
    Ok(Vec::new())
}
