//! SG-K8S-015: containers bind no host port.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct HostPorts;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-015",
    name: "host-ports",
    target: Target::Kubernetes,
    title: "No container sets `ports[].hostPort`.",
    severity: Severity::High,
    rationale: "A hostPort opens the port on the node's own address, outside Services and \
                NetworkPolicies, and pins the pod to nodes where the port is free. The \
                baseline Pod Security Standard forbids it by default.",
    fix: "Remove `hostPort` and expose the port through a Service (NodePort or \
          LoadBalancer when it must be reachable from outside).",
};

impl Rule<Workload<'_>> for HostPorts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            let Some(ports) = container.value.get("ports").and_then(Value::as_array) else {
                continue;
            };
            for (i, port) in ports.iter().enumerate() {
                let host_port = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
                if host_port != 0 {
                    hits.push(
                        Hit::new(format!(
                            "{} binds port {host_port} on the node (hostPort)",
                            container.describe()
                        ))
                        .at(format!("{}/ports/{i}/hostPort", container.ptr)),
                    );
                }
            }
        }
    }
}
