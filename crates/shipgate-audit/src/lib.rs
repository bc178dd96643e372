//! Configuration rules with stable ids, shared by `gate-scan dockerfile|manifests`,
//! `helm-render audit` and the single-host deploy targets. One rule per file behind one
//! trait; a rule's id never changes once released.
//!
//! Not written yet beyond the contract below.

use std::path::PathBuf;

use shipgate_core::Severity;

/// One configuration problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditFinding {
    /// The stable rule id (`SG-DF-…` for Dockerfiles, `SG-K8S-…` for Kubernetes objects).
    pub rule: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// The file it is in.
    pub file: PathBuf,
    /// The 1-based line, where one applies.
    pub line: Option<usize>,
    /// The Kubernetes object (`Deployment/web`) or Dockerfile stage it is about.
    pub object: Option<String>,
    /// The field path (`spec.template.spec.containers[0].securityContext.runAsNonRoot`).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

pub mod dockerfile;
pub mod error;
pub mod kubernetes;

pub use error::{Error, Result};
