//! SG-K8S-006: containers add no capability but NET_BIND_SERVICE.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct AddedCapabilities;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-006",
    name: "added-capabilities",
    target: Target::Kubernetes,
    title: "No container adds a capability other than `NET_BIND_SERVICE`.",
    severity: Severity::High,
    rationale: "The restricted Pod Security Standard allows adding only NET_BIND_SERVICE. \
                Capabilities outside the baseline standard's list (SYS_ADMIN, NET_ADMIN, \
                SYS_PTRACE, SYS_MODULE, NET_RAW, BPF, ALL, …) are high: most of them are \
                a short step to root on the node. Capabilities the baseline standard \
                allows (CHOWN, SETUID, KILL, …) are medium. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Remove the capability from `capabilities.add`; if the process needs it, find the \
          one operation that does and move it out of the long-running container (an init \
          container, a node-level agent).",
};

/// Capabilities the baseline Pod Security Standard allows adding.
const BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

impl Rule<Workload<'_>> for AddedCapabilities {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        for container in workload.containers() {
            let Some(added) = container
                .security("capabilities/add")
                .and_then(Value::as_array)
            else {
                continue;
            };
            for (i, cap) in added.iter().enumerate() {
                let Some(cap) = cap.as_str() else {
                    continue;
                };
                let upper = cap.to_ascii_uppercase();
                let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
                if name == "NET_BIND_SERVICE" {
                    continue;
                }
                let severity = if BASELINE.contains(&name) {
                    Severity::Medium
                } else {
                    Severity::High
                };
                hits.push(
                    Hit::new(format!("{} adds capability {cap}", container.describe()))
                        .at(container.security_ptr(&format!("capabilities/add/{i}")))
                        .severity(severity),
                );
            }
        }
    }
}
