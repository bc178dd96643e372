//! SG-DF-002: a build that runs commands uses a separate build stage.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct MultiStage;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-002",
    name: "multi-stage",
    target: Target::Dockerfile,
    title: "A Dockerfile that runs commands builds in a separate stage.",
    severity: Severity::Low,
    rationale: "In a single-stage build every compiler, package manager cache and source \
                file a `RUN` needed ships in the final image, growing it and its attack \
                surface. Only single-stage files that have a `RUN` are flagged: a stage \
                that only copies prebuilt files needs no builder.",
    fix: "Build in a `FROM … AS build` stage and `COPY --from=build` only the artifacts into \
          a small runtime stage (distroless, a slim base or `scratch`).",
};

impl Rule<Input<'_>> for MultiStage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        if doc.stages.len() != 1 {
            return;
        }
        let stage = &doc.stages[0];
        if doc.stage_instructions(0).iter().any(|i| i.keyword == "RUN") {
            hits.push(
                Hit::new(
                    "single-stage build with RUN: build tools and caches ship in the final image",
                )
                .line(stage.line)
                .object(stage.label()),
            );
        }
    }
}
