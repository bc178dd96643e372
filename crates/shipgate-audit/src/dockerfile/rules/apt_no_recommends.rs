//! SG-DF-008: `apt-get install` with `--no-install-recommends`.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct AptNoRecommends;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-008",
    name: "apt-no-install-recommends",
    target: Target::Dockerfile,
    title: "`apt-get install` runs with `--no-install-recommends`.",
    severity: Severity::Low,
    rationale: "Recommended packages are not needed to run the installed ones; on Debian \
                and Ubuntu they often double the packages installed, and every extra \
                package is more size and more CVEs for the vulnerability gate. \
                `-o APT::Install-Recommends=false` counts too.",
    fix: "Write `apt-get install -y --no-install-recommends PACKAGE…`.",
};

impl Rule<Input<'_>> for AptNoRecommends {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        for instruction in &input.doc.instructions {
            if instruction.keyword != "RUN" {
                continue;
            }
            let script = instruction.script();
            let missing = super::shell_commands(&script).iter().any(|words| {
                super::is_apt_install(words)
                    && !words.iter().any(|w| {
                        w == "--no-install-recommends"
                            || w.contains("Install-Recommends=false")
                            || w.contains("Install-Recommends=0")
                    })
            });
            if missing {
                let mut hit = Hit::new("`apt-get install` without `--no-install-recommends`")
                    .line(instruction.line);
                if let Some(label) = super::stage_label(input, instruction.stage) {
                    hit = hit.object(label);
                }
                hits.push(hit);
            }
        }
    }
}
