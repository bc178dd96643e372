//! SG-K8S-005: containers drop all capabilities.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct DropAllCapabilities;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-005",
    name: "drop-all-capabilities",
    target: Target::Kubernetes,
    title: "Every container drops all Linux capabilities (`capabilities.drop: [ALL]`).",
    severity: Severity::Medium,
    rationale: "Container runtimes grant a default set of capabilities (CHOWN, \
                DAC_OVERRIDE, NET_RAW, SETUID, …) that a service almost never needs and an \
                attacker can use (NET_RAW for spoofing, SETUID to switch users). Required \
                by the restricted Pod Security Standard; add back only NET_BIND_SERVICE if \
                a port below 1024 must be bound. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Set `capabilities: {drop: [ALL]}` in each container's `securityContext`.",
};

impl Rule<Workload<'_>> for DropAllCapabilities {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        for container in workload.containers() {
            let drops_all = container
                .security("capabilities/drop")
                .and_then(Value::as_array)
                .is_some_and(|drop| {
                    drop.iter()
                        .filter_map(Value::as_str)
                        .any(|cap| cap.eq_ignore_ascii_case("ALL"))
                });
            if !drops_all {
                hits.push(
                    Hit::new(format!(
                        "{} does not drop all capabilities",
                        container.describe()
                    ))
                    .at(container.security_ptr("capabilities/drop")),
                );
            }
        }
    }
}
