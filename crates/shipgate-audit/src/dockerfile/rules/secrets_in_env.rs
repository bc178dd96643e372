//! SG-DF-006: no secrets in `ENV` or `ARG`.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct SecretsInEnv;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-006",
    name: "secrets-in-env",
    target: Target::Dockerfile,
    title: "No `ENV` or `ARG` carries a secret (a name like `*PASSWORD*`, `*TOKEN*`, \
            `*SECRET*`, `*_KEY`).",
    severity: Severity::High,
    rationale: "`ENV` values are stored in the image config and `ARG` values in the build \
                history of every `RUN` that sees them: anyone who can pull the image can \
                read them. A name is suspicious when one of its `_`-separated words is \
                PASSWORD, PASSWD, PASS, SECRET, TOKEN, APIKEY, CREDENTIAL(S) or PRIVATE, or \
                it ends in `_KEY`; names ending in `_FILE`, `_PATH`, `_DIR`, `_URL`, `_ID` or \
                `_NAME` point at a secret rather than hold one and pass. An `ENV` with a \
                value or an `ARG` with a default is high; a declaration without a value \
                is medium. Values are never printed.",
    fix: "Pass the secret at build time with `RUN --mount=type=secret,id=NAME` (`docker \
          build --secret id=NAME,env=NAME`) and at run time from the orchestrator's \
          secret store; never bake it into the image.",
};

impl Rule<Input<'_>> for SecretsInEnv {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        for instruction in &doc.instructions {
            let keyword = instruction.keyword.as_str();
            if keyword != "ENV" && keyword != "ARG" {
                continue;
            }
            for (name, value) in instruction.pairs(doc.escape) {
                if !crate::secrets::secret_name(&name) {
                    continue;
                }
                let has_value = value.as_deref().is_some_and(|v| !v.is_empty());
                let (message, severity) = match (keyword, has_value) {
                    ("ENV", true) => (
                        format!(
                            "ENV `{name}` looks like a secret and its value is stored in the image config"
                        ),
                        Severity::High,
                    ),
                    ("ENV", false) => (
                        format!(
                            "ENV `{name}` looks like a secret; the image config is no place for it"
                        ),
                        Severity::Medium,
                    ),
                    (_, true) => (
                        format!(
                            "ARG `{name}` looks like a secret and has a default baked into the Dockerfile"
                        ),
                        Severity::High,
                    ),
                    (_, false) => (
                        format!(
                            "ARG `{name}` looks like a secret; build arguments are recorded in the image history"
                        ),
                        Severity::Medium,
                    ),
                };
                let mut hit = Hit::new(message).line(instruction.line).severity(severity);
                if let Some(label) = super::stage_label(input, instruction.stage) {
                    hit = hit.object(label);
                }
                hits.push(hit);
            }
        }
    }
}
