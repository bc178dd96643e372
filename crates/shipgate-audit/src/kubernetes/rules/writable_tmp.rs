//! SG-K8S-003: a read-only container gets a writable `emptyDir` at /tmp.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::{ContainerKind, Workload};
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct WritableTmp;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-003",
    name: "writable-tmp",
    target: Target::Kubernetes,
    title: "A container with a read-only root filesystem mounts a writable `emptyDir` \
            (or generic ephemeral volume) at /tmp.",
    severity: Severity::Low,
    rationale: "Runtimes, TLS libraries, language package managers and many frameworks \
                write temporary files to /tmp; with a read-only root and no volume there \
                the service fails at run time, and the usual \"fix\" is to turn the \
                read-only root off again. Checked only for containers that already set \
                `readOnlyRootFilesystem: true`. Not checked for Windows pods \
                (`os.name: windows`), where the API server forbids the field.",
    fix: "Add a volume `{name: tmp, emptyDir: {medium: Memory, sizeLimit: 64Mi}}` and mount \
          it with `{name: tmp, mountPath: /tmp}` in each container.",
};

impl Rule<Workload<'_>> for WritableTmp {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        if workload.is_windows() {
            return;
        }
        let volumes = workload
            .pod
            .get("volumes")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let writable_volume = |name: &str| {
            volumes.iter().any(|v| {
                v.get("name").and_then(Value::as_str) == Some(name)
                    && (v.get("emptyDir").is_some() || v.get("ephemeral").is_some())
            })
        };
        for container in workload.containers() {
            if container.kind == ContainerKind::Ephemeral
                || !super::is_true(container.security("readOnlyRootFilesystem"))
            {
                continue;
            }
            let mounts = container
                .value
                .get("volumeMounts")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let has_tmp = mounts.iter().any(|m| {
                m.get("mountPath")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.trim_end_matches('/') == "/tmp")
                    && !super::is_true(m.get("readOnly"))
                    && m.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(writable_volume)
            });
            if !has_tmp {
                hits.push(
                    Hit::new(format!(
                        "{} has a read-only root filesystem but no writable emptyDir at /tmp",
                        container.describe()
                    ))
                    .at(format!("{}/volumeMounts", container.ptr)),
                );
            }
        }
    }
}
