//! SG-DF-011: the image carries the OCI `org.opencontainers.image.source` label.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct OciLabels;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-011",
    name: "oci-source-label",
    target: Target::Dockerfile,
    title: "The final stage sets the OCI label `org.opencontainers.image.source`.",
    severity: Severity::Low,
    rationale: "The source label links an image back to its repository: GitHub uses it to \
                connect a package to the repository, Renovate and Dependabot to find \
                changelogs, and responders to find the code behind a running container. \
                Only `source` is required here; `buildx-plan` adds the full set \
                (`revision`, `created`, `version`, …) at build time with `--label`, which \
                also fills `source`, so a Dockerfile built only through shipgate may \
                accept this finding.",
    fix: "Add `LABEL org.opencontainers.image.source=\"https://github.com/OWNER/REPO\"` to \
          the final stage, or build with `buildx-plan`, which passes the OCI labels.",
};

impl Rule<Input<'_>> for OciLabels {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        let chain = doc.final_chain();
        let Some(last) = chain.first() else {
            return;
        };
        let labelled = chain.iter().any(|stage| {
            doc.stage_instructions(stage.index)
                .iter()
                .filter(|i| i.keyword == "LABEL")
                .flat_map(|i| i.pairs(doc.escape))
                .any(|(key, _)| key == "org.opencontainers.image.source")
        });
        if !labelled {
            hits.push(
                Hit::new("the final stage has no `org.opencontainers.image.source` label")
                    .line(last.line)
                    .object(last.label()),
            );
        }
    }
}
