//! SG-DF-005: a service image (its final stage `EXPOSE`s a port) has a `HEALTHCHECK`.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct Healthcheck;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-005",
    name: "healthcheck",
    target: Target::Dockerfile,
    title: "A service image (its final stage `EXPOSE`s a port) declares a `HEALTHCHECK`.",
    severity: Severity::Low,
    rationale: "Docker, Compose and the single-host deploy targets restart or hold back an \
                unhealthy container only when the image says how to probe it, and \
                `helm-render` turns the `HEALTHCHECK` into liveness and readiness probes. \
                An image counts as a service when its final stage (or a stage it is built \
                from) has an `EXPOSE`; batch jobs and CLIs expose nothing and are not \
                flagged. Kubernetes itself ignores `HEALTHCHECK` and uses probes. \
                `HEALTHCHECK NONE` counts as missing.",
    fix: "Add `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]` (exec form; a static binary or \
          distroless image has no curl or shell) to the final stage.",
};

impl Rule<Input<'_>> for Healthcheck {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        let chain = doc.final_chain();
        let mut expose = None;
        let mut healthcheck = None;
        for stage in &chain {
            for instruction in doc.stage_instructions(stage.index).iter().rev() {
                match instruction.keyword.as_str() {
                    "EXPOSE" if expose.is_none() => expose = Some((*stage, instruction)),
                    "HEALTHCHECK" if healthcheck.is_none() => healthcheck = Some(instruction),
                    _ => {}
                }
            }
        }
        let Some((stage, expose)) = expose else {
            return;
        };
        let missing = healthcheck.is_none_or(|h| h.args.trim().eq_ignore_ascii_case("none"));
        if missing {
            hits.push(
                Hit::new(format!(
                    "the image exposes `{}` but has no HEALTHCHECK",
                    expose.args.trim()
                ))
                .line(expose.line)
                .object(stage.label()),
            );
        }
    }
}
