//! The Kubernetes rules, one per file. [`ALL`] lists them in id order; ids never change.

use serde_json::Value;

use crate::kubernetes::Workload;
use crate::rule::Rule;

mod added_capabilities;
mod allow_privilege_escalation;
mod automount_token;
mod drop_all_capabilities;
mod host_namespaces;
mod host_path;
mod host_ports;
mod image_digest;
mod privileged;
mod read_only_root_filesystem;
mod resource_limits;
mod resource_requests;
mod run_as_non_root;
mod seccomp_profile;
mod secret_in_env;
mod writable_tmp;

/// Every Kubernetes rule, in id order.
pub(crate) static ALL: &[&dyn for<'a> Rule<Workload<'a>>] = &[
    &run_as_non_root::RunAsNonRoot,
    &read_only_root_filesystem::ReadOnlyRootFilesystem,
    &writable_tmp::WritableTmp,
    &allow_privilege_escalation::AllowPrivilegeEscalation,
    &drop_all_capabilities::DropAllCapabilities,
    &added_capabilities::AddedCapabilities,
    &seccomp_profile::SeccompProfile,
    &resource_limits::ResourceLimits,
    &resource_requests::ResourceRequests,
    &image_digest::ImageDigest,
    &host_namespaces::HostNamespaces,
    &host_path::HostPath,
    &privileged::Privileged,
    &automount_token::AutomountToken,
    &host_ports::HostPorts,
    &secret_in_env::SecretInEnv,
];

/// Whether `value` is the boolean `true`.
pub(super) fn is_true(value: Option<&Value>) -> bool {
    value.and_then(Value::as_bool) == Some(true)
}

/// Whether `value` is the boolean `false`.
pub(super) fn is_false(value: Option<&Value>) -> bool {
    value.and_then(Value::as_bool) == Some(false)
}
