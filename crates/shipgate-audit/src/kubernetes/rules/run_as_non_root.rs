//! SG-K8S-001: containers run as non-root (`runAsNonRoot: true`, pod or container level).

use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct RunAsNonRoot;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-001",
    name: "run-as-non-root",
    target: Target::Kubernetes,
    title: "Every container runs with `runAsNonRoot: true` (container or pod \
            `securityContext`) and no `runAsUser: 0`.",
    severity: Severity::High,
    rationale: "With `runAsNonRoot: true` the kubelet refuses to start a container whose \
                user is root, whatever the image says; without it an image that forgot its \
                `USER` runs as root. The container's setting wins over the pod's. An \
                explicit `runAsUser: 0` is root whatever `runAsNonRoot` says. Required by \
                the restricted Pod Security Standard.",
    fix: "Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (e.g. 65532) \
          in the pod spec; remove any container-level `runAsNonRoot: false`.",
};

impl Rule<Workload<'_>> for RunAsNonRoot {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            let user = match container.security("runAsUser") {
                Some(value) => Some((value, container.security_ptr("runAsUser"))),
                None => workload
                    .pod_security("runAsUser")
                    .map(|value| (value, workload.pod_security_ptr("runAsUser"))),
            };
            if let Some((value, pointer)) = &user
                && value.as_i64() == Some(0)
            {
                hits.push(
                    Hit::new(format!("{} runs as UID 0 (root)", container.describe()))
                        .at(pointer.clone()),
                );
                continue;
            }
            let (value, pointer) = match container.security("runAsNonRoot") {
                Some(value) => (Some(value), container.security_ptr("runAsNonRoot")),
                None => match workload.pod_security("runAsNonRoot") {
                    Some(value) => (Some(value), workload.pod_security_ptr("runAsNonRoot")),
                    None => (None, container.security_ptr("runAsNonRoot")),
                },
            };
            if !super::is_true(value) {
                let why = if value.is_some() {
                    "runAsNonRoot is false"
                } else {
                    "runAsNonRoot is not set on the container or the pod"
                };
                hits.push(
                    Hit::new(format!("{} may run as root: {why}", container.describe()))
                        .at(pointer),
                );
            }
        }
    }
}
