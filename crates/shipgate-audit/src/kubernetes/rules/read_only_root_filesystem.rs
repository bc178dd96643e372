//! SG-K8S-002: containers have a read-only root filesystem.

use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct ReadOnlyRootFilesystem;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-002",
    name: "read-only-root-filesystem",
    target: Target::Kubernetes,
    title: "Every container sets `securityContext.readOnlyRootFilesystem: true`.",
    severity: Severity::Medium,
    rationale: "A writable root filesystem lets an attacker drop tools and binaries into \
                the container and persist changes until it restarts. A read-only root \
                with an `emptyDir` at /tmp (rule SG-K8S-003) is enough for almost every \
                service. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Set `readOnlyRootFilesystem: true` in each container's `securityContext` and \
          mount an `emptyDir` where the process writes (at least /tmp).",
};

impl Rule<Workload<'_>> for ReadOnlyRootFilesystem {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        for container in workload.containers() {
            if !super::is_true(container.security("readOnlyRootFilesystem")) {
                hits.push(
                    Hit::new(format!(
                        "{} has a writable root filesystem",
                        container.describe()
                    ))
                    .at(container.security_ptr("readOnlyRootFilesystem")),
                );
            }
        }
    }
}
