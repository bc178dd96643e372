//! SG-K8S-012: pods mount no hostPath volume.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct HostPath;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-012",
    name: "host-path",
    target: Target::Kubernetes,
    title: "The pod mounts no `hostPath` volume.",
    severity: Severity::High,
    rationale: "A hostPath volume reaches the node's filesystem: the container runtime \
                socket, kubelet credentials, other pods' data. A writable one is a direct \
                path to the node. Forbidden by the baseline Pod Security Standard. Rated \
                critical for a socket (`*.sock`, the container runtime's API), the root \
                `/`, and `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/run`, \
                `/var/run`, `/var/lib/kubelet`, `/var/lib/docker` or \
                `/var/lib/containerd`.",
    fix: "Use an `emptyDir`, a ConfigMap or Secret volume, or a PersistentVolumeClaim; \
          node agents that really need the host belong in a separate, reviewed namespace.",
};

/// Host paths that hand over the node.
const CRITICAL: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/proc",
    "/root",
    "/run",
    "/sys",
    "/var/lib/containerd",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/var/run",
];

/// Whether mounting `path` hands over the node.
fn critical(path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    let normalized = if trimmed.is_empty() { "/" } else { trimmed };
    normalized.ends_with(".sock") || CRITICAL.contains(&normalized)
}

impl Rule<Workload<'_>> for HostPath {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        let Some(volumes) = workload.pod.get("volumes").and_then(Value::as_array) else {
            return;
        };
        for (i, volume) in volumes.iter().enumerate() {
            let Some(host_path) = volume.get("hostPath") else {
                continue;
            };
            let name = volume.get("name").and_then(Value::as_str).unwrap_or("");
            let path = host_path.get("path").and_then(Value::as_str).unwrap_or("");
            let severity = if critical(path) {
                Severity::Critical
            } else {
                Severity::High
            };
            hits.push(
                Hit::new(format!(
                    "volume `{name}` mounts the node's path `{path}` (hostPath)"
                ))
                .at(workload.pod_field_ptr(&format!("volumes/{i}/hostPath")))
                .severity(severity),
            );
        }
    }
}
