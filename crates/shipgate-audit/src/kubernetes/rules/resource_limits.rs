//! SG-K8S-008: containers set CPU and memory limits.

use shipgate_core::Severity;

use crate::kubernetes::{ContainerKind, Workload};
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct ResourceLimits;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-008",
    name: "resource-limits",
    target: Target::Kubernetes,
    title: "Every container and init container sets `resources.limits.cpu` and \
            `resources.limits.memory`.",
    severity: Severity::Medium,
    rationale: "Without a memory limit one leaking or attacked container can push its \
                node into memory pressure and get its neighbours evicted; without a CPU \
                limit it can starve them. Limits also make the pod's quality of service \
                predictable. Ephemeral containers cannot set resources and are not \
                checked.",
    fix: "Set `resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, \
          memory: 256Mi}}` sized from the service's observed usage.",
};

impl Rule<Workload<'_>> for ResourceLimits {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            if container.kind == ContainerKind::Ephemeral {
                continue;
            }
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|r| {
                    container
                        .value
                        .pointer(&format!("/resources/limits/{r}"))
                        .is_none()
                })
                .collect();
            if !missing.is_empty() {
                hits.push(
                    Hit::new(format!(
                        "{} has no {} limit",
                        container.describe(),
                        missing.join(" or ")
                    ))
                    .at(format!("{}/resources/limits", container.ptr)),
                );
            }
        }
    }
}
