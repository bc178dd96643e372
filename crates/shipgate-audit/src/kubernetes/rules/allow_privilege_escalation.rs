//! SG-K8S-004: containers set `allowPrivilegeEscalation: false`.

use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct AllowPrivilegeEscalation;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-004",
    name: "allow-privilege-escalation",
    target: Target::Kubernetes,
    title: "Every container sets `securityContext.allowPrivilegeEscalation: false`.",
    severity: Severity::Medium,
    rationale: "Unless it is false, a process can gain more privileges than its parent \
                (setuid binaries, file capabilities): the kernel's `no_new_privs` flag is \
                only set when it is false. The default is true. Required by the \
                restricted Pod Security Standard. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Set `allowPrivilegeEscalation: false` in each container's `securityContext`.",
};

impl Rule<Workload<'_>> for AllowPrivilegeEscalation {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        for container in workload.containers() {
            if !super::is_false(container.security("allowPrivilegeEscalation")) {
                hits.push(
                    Hit::new(format!(
                        "{} allows privilege escalation",
                        container.describe()
                    ))
                    .at(container.security_ptr("allowPrivilegeEscalation")),
                );
            }
        }
    }
}
