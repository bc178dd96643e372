//! SG-K8S-011: pods do not share the host's network, PID or IPC namespace.

use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct HostNamespaces;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-011",
    name: "host-namespaces",
    target: Target::Kubernetes,
    title: "The pod does not set `hostNetwork`, `hostPID` or `hostIPC` to true.",
    severity: Severity::High,
    rationale: "Sharing the host's network namespace exposes every port on the node and \
                bypasses NetworkPolicies; sharing its PID namespace shows (and with \
                ptrace, controls) every process on the node; sharing IPC exposes the \
                host's shared memory. Forbidden by the baseline Pod Security Standard.",
    fix: "Remove `hostNetwork`, `hostPID` and `hostIPC` (they default to false); expose \
          ports through a Service instead.",
};

impl Rule<Workload<'_>> for HostNamespaces {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for (field, what) in [
            ("hostNetwork", "the node's network namespace"),
            ("hostPID", "the node's process namespace"),
            ("hostIPC", "the node's IPC namespace"),
        ] {
            if super::is_true(workload.pod.get(field)) {
                hits.push(
                    Hit::new(format!("the pod shares {what} ({field}: true)"))
                        .at(workload.pod_field_ptr(field)),
                );
            }
        }
    }
}
