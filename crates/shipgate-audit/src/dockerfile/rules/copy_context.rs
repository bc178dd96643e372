//! SG-DF-007: `COPY . .` only with a `.dockerignore`.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct CopyContext;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-007",
    name: "copy-context-dockerignore",
    target: Target::Dockerfile,
    title: "`COPY .` or `ADD .` (the whole build context) only with a `.dockerignore`.",
    severity: Severity::Medium,
    rationale: "Copying the whole context without a `.dockerignore` puts `.git`, `.env` \
                files, local credentials and build outputs into a layer, and any edit \
                anywhere in the repository busts the layer cache. The rule looks for \
                `.dockerignore` at the context root (default: the Dockerfile's folder) and \
                for BuildKit's `<Dockerfile>.dockerignore` next to the file.",
    fix: "Add a `.dockerignore` (at least `.git`, `.env*`, `target/`, `node_modules/`), or \
          copy only what the build needs (`COPY Cargo.toml Cargo.lock ./`, `COPY src/ src/`).",
};

impl Rule<Input<'_>> for CopyContext {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        if input.has_dockerignore {
            return;
        }
        let doc = input.doc;
        for instruction in &doc.instructions {
            let keyword = instruction.keyword.as_str();
            if !matches!(keyword, "COPY" | "ADD") || instruction.flag("from").is_some() {
                continue;
            }
            let words = match &instruction.json {
                Some(words) => words.clone(),
                None => instruction.words(doc.escape),
            };
            let sources = &words[..words.len().saturating_sub(1)];
            let whole = sources
                .iter()
                .any(|s| matches!(s.as_str(), "." | "./" | "*" | "./*" | "./."));
            if whole {
                let mut hit = Hit::new(format!(
                    "`{keyword} {}` copies the whole build context and there is no .dockerignore",
                    words.join(" ")
                ))
                .line(instruction.line);
                if let Some(label) = super::stage_label(input, instruction.stage) {
                    hit = hit.object(label);
                }
                hits.push(hit);
            }
        }
    }
}
