//! SG-DF-010: `ENTRYPOINT` and `CMD` of the final stage in exec (JSON) form.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct ExecForm;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-010",
    name: "exec-form",
    target: Target::Dockerfile,
    title: "`ENTRYPOINT` and `CMD` of the final stage use the exec (JSON) form.",
    severity: Severity::Medium,
    rationale: "The shell form runs the process under `/bin/sh -c`: the shell is PID 1, does \
                not forward SIGTERM, and every rolling update waits out the grace period \
                before the process is killed. It also needs a shell in the image, which \
                distroless and `scratch` images do not have.",
    fix: "Write `ENTRYPOINT [\"/app/server\", \"--flag\"]`; when a shell is really needed, \
          `exec` the process from a script.",
};

impl Rule<Input<'_>> for ExecForm {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        for stage in doc.final_chain() {
            for instruction in doc.stage_instructions(stage.index) {
                let keyword = instruction.keyword.as_str();
                if matches!(keyword, "ENTRYPOINT" | "CMD")
                    && instruction.json.is_none()
                    && !instruction.args.trim().is_empty()
                {
                    hits.push(
                        Hit::new(format!(
                            "{keyword} uses the shell form, so /bin/sh is PID 1 and signals do not reach the process"
                        ))
                        .line(instruction.line)
                        .object(stage.label()),
                    );
                }
            }
        }
    }
}
