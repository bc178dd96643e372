//! SG-K8S-014: the service account token is not mounted unless asked for.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct AutomountToken;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-014",
    name: "automount-service-account-token",
    target: Target::Kubernetes,
    title: "The pod sets `automountServiceAccountToken: false`, or its ServiceAccount \
            (audited in the same run) does.",
    severity: Severity::Low,
    rationale: "By default every pod gets a token for its service account mounted at \
                /var/run/secrets/kubernetes.io/serviceaccount; a compromised process can \
                use it against the API server. Most services never call the API. An \
                explicit `automountServiceAccountToken: true` on the pod is a reviewed \
                choice (an operator, a controller) and passes; so does a pod whose \
                ServiceAccount in the same set of manifests sets it to false.",
    fix: "Set `automountServiceAccountToken: false` in the pod spec (or on its \
          ServiceAccount); a pod that calls the API sets it to true explicitly.",
};

impl Rule<Workload<'_>> for AutomountToken {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload
            .pod
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            .is_some()
        {
            return;
        }
        let account = workload
            .pod
            .get("serviceAccountName")
            .or_else(|| workload.pod.get("serviceAccount"))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let namespace = workload.object.namespace;
        let disabled_by_account = workload.all.iter().any(|object| {
            object.kind == "ServiceAccount"
                && object.name == account
                && object.namespace == namespace
                && super::is_false(object.value.get("automountServiceAccountToken"))
        });
        if !disabled_by_account {
            hits.push(
                Hit::new(format!(
                    "the pod mounts a token for service account `{account}`; automountServiceAccountToken is not false"
                ))
                .at(workload.pod_field_ptr("automountServiceAccountToken")),
            );
        }
    }
}
