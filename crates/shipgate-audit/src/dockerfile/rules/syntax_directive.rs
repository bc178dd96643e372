//! SG-DF-001: a `# syntax=` parser directive pins the Dockerfile frontend.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct SyntaxDirective;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-001",
    name: "syntax-directive",
    target: Target::Dockerfile,
    title: "The Dockerfile starts with a `# syntax=` parser directive.",
    severity: Severity::Low,
    rationale: "The directive pins the Dockerfile frontend BuildKit uses, so heredocs, \
                `RUN --mount` and `COPY --link` behave the same on every builder and \
                the build does not depend on the daemon's bundled frontend version. It \
                counts only at the very top: after a comment, a blank line or an \
                instruction BuildKit reads it as a plain comment, and the rule says so.",
    fix: "Add `# syntax=docker/dockerfile:1` as the first line (pin a digest for \
          reproducible builds: `docker/dockerfile:1@sha256:…`).",
};

impl Rule<Input<'_>> for SyntaxDirective {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        if input.doc.directive("syntax").is_some() {
            return;
        }
        let misplaced = input
            .doc
            .ignored_directives
            .iter()
            .find(|d| d.name == "syntax");
        match misplaced {
            Some(directive) => hits.push(
                Hit::new(format!(
                    "`# syntax=` on line {} comes after a comment, blank line or instruction, so BuildKit ignores it",
                    directive.line
                ))
                .line(directive.line)
                .hint("move the `# syntax=` line to the very top of the file, before any other comment or blank line"),
            ),
            None => hits.push(
                Hit::new("no `# syntax=` parser directive at the top of the file").line(1),
            ),
        }
    }
}
