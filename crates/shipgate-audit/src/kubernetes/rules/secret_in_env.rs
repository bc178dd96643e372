//! SG-K8S-016: no secret written as a literal environment value.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct SecretInEnv;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-016",
    name: "secret-in-env",
    target: Target::Kubernetes,
    title: "No container sets a secret-looking environment variable (`*PASSWORD*`, \
            `*TOKEN*`, `*SECRET*`, `*_KEY`) to a literal `value`.",
    severity: Severity::High,
    rationale: "A literal value sits in the manifest, in Git, in `kubectl get -o yaml` \
                output and in the API server's audit logs; anyone who can read the \
                workload can read the secret. Names are matched as for SG-DF-006; \
                `valueFrom` (a Secret reference) passes. Values are never printed.",
    fix: "Store the value in a Secret and reference it with \
          `valueFrom.secretKeyRef` (or mount it as a file).",
};

impl Rule<Workload<'_>> for SecretInEnv {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            let Some(env) = container.value.get("env").and_then(Value::as_array) else {
                continue;
            };
            for (i, var) in env.iter().enumerate() {
                let name = var.get("name").and_then(Value::as_str).unwrap_or("");
                let literal = var
                    .get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty());
                if literal && crate::secrets::secret_name(name) {
                    hits.push(
                        Hit::new(format!(
                            "{} sets `{name}` to a literal value; it looks like a secret",
                            container.describe()
                        ))
                        .at(format!("{}/env/{i}/value", container.ptr)),
                    );
                }
            }
        }
    }
}
