//! SG-K8S-010: container images are pinned by digest.

use serde_json::Value;
use shipgate_core::Severity;

use crate::kubernetes::Workload;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct ImageDigest;

static INFO: RuleInfo = RuleInfo {
    id: "SG-K8S-010",
    name: "image-digest",
    target: Target::Kubernetes,
    title: "Every container image is pinned by digest (`name@sha256:…`).",
    severity: Severity::Medium,
    rationale: "A tag can be moved after the image was scanned and signed; a node pulls \
                whatever it points to at that moment, and two replicas can run different \
                code. A digest is the exact artifact that passed the gates, and admission \
                policies can verify its signature.",
    fix: "Render the image as `repository@sha256:<digest>` (`helm-render manifests \
          --digest`, or `image.digest` in the chart's values).",
};

/// Whether `image` ends in `@sha256:` and 64 lower-case hex characters.
fn pinned(image: &str) -> bool {
    image.rsplit_once("@sha256:").is_some_and(|(_, hex)| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

impl Rule<Workload<'_>> for ImageDigest {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, workload: &Workload<'_>, hits: &mut Vec<Hit>) {
        for container in workload.containers() {
            let image = container
                .value
                .get("image")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !pinned(image) {
                let message = if image.is_empty() {
                    format!("{} names no image", container.describe())
                } else {
                    format!(
                        "{} image `{image}` is not pinned by digest",
                        container.describe()
                    )
                };
                hits.push(Hit::new(message).at(format!("{}/image", container.ptr)));
            }
        }
    }
}
