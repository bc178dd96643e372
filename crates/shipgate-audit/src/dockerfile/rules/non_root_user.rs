//! SG-DF-004: the final stage runs as a non-root user.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct NonRootUser;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-004",
    name: "non-root-user",
    target: Target::Dockerfile,
    title: "The final stage sets a non-root `USER` (a name or a numeric UID, not root or 0).",
    severity: Severity::High,
    rationale: "A process running as root inside the container is root on the host's \
                kernel once anything lets it out (a kernel bug, a mounted socket, a \
                privileged flag). The last `USER` of the final stage, or of the stage it is \
                built `FROM`, decides; a file that never sets one runs as the base image's \
                user, which is root for nearly every base image. Kubernetes' \
                `runAsNonRoot` also needs a numeric UID to verify.",
    fix: "Add `USER 65532:65532` (or another numeric non-root UID) at the end of the final \
          stage, after the last `RUN` that needs root.",
};

/// Whether a `USER` value (`name[:group]`) is root.
fn is_root(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or(value).trim();
    user == "root" || user.trim_start_matches('0').is_empty()
}

impl Rule<Input<'_>> for NonRootUser {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        let chain = doc.final_chain();
        let Some(last) = chain.first() else {
            return;
        };
        let user = chain.iter().find_map(|stage| {
            doc.stage_instructions(stage.index)
                .iter()
                .rev()
                .find(|i| i.keyword == "USER")
                .map(|i| (*stage, i))
        });
        match user {
            None => hits.push(
                Hit::new("the final stage sets no USER, so the container runs as root unless the base image sets a user")
                    .line(last.line)
                    .object(last.label()),
            ),
            Some((stage, instruction)) => {
                let written = instruction.words(doc.escape).join(" ");
                let index = doc
                    .instructions
                    .iter()
                    .position(|i| std::ptr::eq(i, instruction))
                    .unwrap_or(0);
                let value = doc.expand_at(&written, index);
                if is_root(&value) {
                    hits.push(
                        Hit::new(if written == value {
                            format!("the final stage runs as root (`USER {value}`)")
                        } else {
                            format!("the final stage runs as root (`USER {written}` is `{value}`)")
                        })
                            .line(instruction.line)
                            .object(stage.label())
                            .hint(
                                "end the final stage with a non-root numeric user, e.g. \
                                 `USER 65532:65532`; switch to root only in earlier stages",
                            ),
                    );
                }
            }
        }
    }
}
