//! SG-DF-009: `apt-get install` removes `/var/lib/apt/lists/*` in the same `RUN`.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct AptListsCleanup;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-009",
    name: "apt-lists-cleanup",
    target: Target::Dockerfile,
    title: "A `RUN` with `apt-get install` removes `/var/lib/apt/lists/*` in the same `RUN`.",
    severity: Severity::Low,
    rationale: "The package lists (tens of MB) stay in the layer unless the same `RUN` \
                deletes them; a later `RUN rm` only hides them. A `RUN` that mounts a cache \
                (`--mount=type=cache,target=/var/lib/apt…`) keeps them out of the layer \
                and passes.",
    fix: "End the `RUN` with `&& rm -rf /var/lib/apt/lists/*`, or mount \
          `--mount=type=cache,target=/var/lib/apt,sharing=locked`.",
};

impl Rule<Input<'_>> for AptListsCleanup {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        for instruction in &input.doc.instructions {
            if instruction.keyword != "RUN" {
                continue;
            }
            let script = instruction.script();
            let commands = super::shell_commands(&script);
            if !commands.iter().any(|words| super::is_apt_install(words)) {
                continue;
            }
            let cleaned = commands.iter().any(|words| {
                words.first().is_some_and(|w| w == "rm")
                    && words.iter().any(|w| w.starts_with("/var/lib/apt/lists"))
            });
            let cached = instruction.flags.iter().any(|flag| {
                flag.name == "mount"
                    && flag
                        .value
                        .as_deref()
                        .is_some_and(|v| v.contains("type=cache") && v.contains("/var/lib/apt"))
            });
            if !cleaned && !cached {
                let mut hit = Hit::new(
                    "`apt-get install` without `rm -rf /var/lib/apt/lists/*` in the same RUN",
                )
                .line(instruction.line);
                if let Some(label) = super::stage_label(input, instruction.stage) {
                    hit = hit.object(label);
                }
                hits.push(hit);
            }
        }
    }
}
