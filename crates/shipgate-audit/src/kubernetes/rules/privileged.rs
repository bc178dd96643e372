//! SG-K8S-013: no container is privileged.

use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct Privileged;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-013",
    name: "privileged",
    target: Target::Kubernetes,
    title: "No container sets `securityContext.privileged: true`.",
    severity: Severity::Critical,
    rationale: "A privileged container has every capability, every device of the node \
                and no seccomp or AppArmor confinement: it is root on the node. Forbidden \
                by the baseline Pod Security Standard.",
    fix: "Remove `privileged: true`; grant the one capability the process needs instead \
          and review it.",
};

impl Rule<Workload<'_>> for Privileged {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            if super::is_true(container.security("privileged")) {
                hits.push(
                    Hit::new(format!("{} is privileged", container.describe()))
                        .at(container.security_ptr("privileged")),
                );
            }
        }
    }
}
