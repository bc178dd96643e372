//! SG-K8S-007: containers run under the RuntimeDefault (or a Localhost) seccomp profile.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct SeccompProfile;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-007",
    name: "seccomp-profile",
    target: Target::Kubernetes,
    title: "Every container runs with `seccompProfile.type` `RuntimeDefault` or `Localhost` \
            (container or pod `securityContext`).",
    severity: Severity::Medium,
    rationale: "Without a profile the kubelet runs containers `Unconfined`: every system \
                call is allowed, including the rarely used ones most kernel exploits go \
                through. The runtime's default profile blocks them and breaks almost \
                nothing. The container's setting wins over the pod's. Required by the \
                restricted Pod Security Standard. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec.",
};

impl Rule<Workload<'_>> for SeccompProfile {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        for container in workload.containers() {
            let (value, pointer) = match container.security("seccompProfile/type") {
                Some(value) => (Some(value), container.security_ptr("seccompProfile/type")),
                None => match workload.pod_security("seccompProfile/type") {
                    Some(value) => (
                        Some(value),
                        workload.pod_security_ptr("seccompProfile/type"),
                    ),
                    None => (None, container.security_ptr("seccompProfile/type")),
                },
            };
            match value.and_then(Value::as_str) {
                Some("RuntimeDefault" | "Localhost") => {}
                Some(other) => hits.push(
                    Hit::new(format!(
                        "{} runs with seccomp profile {other}",
                        container.describe()
                    ))
                    .at(pointer),
                ),
                None => hits.push(
                    Hit::new(format!(
                        "{} has no seccomp profile, so it runs Unconfined",
                        container.describe()
                    ))
                    .at(pointer),
                ),
            }
        }
    }
}
