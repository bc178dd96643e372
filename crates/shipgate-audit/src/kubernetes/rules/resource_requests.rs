//! SG-K8S-009: containers set CPU and memory requests.

use shipgate_core::Severity;

use crate::kubernetes::{ContainerKind, Workload};
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct ResourceRequests;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-009",
    name: "resource-requests",
    target: Target::Kubernetes,
    title: "Every container and init container sets `resources.requests.cpu` and \
            `resources.requests.memory` (a limit alone counts: Kubernetes copies it \
            into the request).",
    severity: Severity::Low,
    rationale: "The scheduler places pods by their requests; without them a node is \
                overcommitted and the pod is the first evicted (BestEffort). Kubernetes \
                sets a missing request to the limit, so a container with a limit passes. \
                Ephemeral containers cannot set resources and are not checked.",
    fix: "Set `resources.requests.cpu` and `resources.requests.memory` from the \
          service's observed usage.",
};

impl Rule<Workload<'_>> for ResourceRequests {
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
                    let request = container.value.pointer(&format!("/resources/requests/{r}"));
                    let limit = container.value.pointer(&format!("/resources/limits/{r}"));
                    request.is_none() && limit.is_none()
                })
                .collect();
            if !missing.is_empty() {
                hits.push(
                    Hit::new(format!(
                        "{} has no {} request",
                        container.describe(),
                        missing.join(" or ")
                    ))
                    .at(format!("{}/resources/requests", container.ptr)),
                );
            }
        }
    }
}
