//! SG-DF-003: base images (and `COPY --from=image`) are pinned by digest.

use shipgate_core::Severity;

use crate::dockerfile::Input;
use crate::rule::{Hit, Rule};
use crate::{RuleInfo, Target};

pub(super) struct BaseImageDigest;

static INFO: RuleInfo = RuleInfo {
    id: "SG-DF-003",
    name: "base-image-digest",
    target: Target::Dockerfile,
    title: "Every base image, and every image `COPY --from` reads, is pinned by digest.",
    severity: Severity::Medium,
    rationale: "A tag moves: the same Dockerfile builds a different image tomorrow, and a \
                compromised registry tag reaches the build unnoticed. A digest makes the \
                build reproducible and lets Dependabot or Renovate propose updates as \
                reviewable changes. `scratch` and references to earlier stages are exempt; \
                a `$VAR` is resolved from the `ARG` defaults before the first `FROM`.",
    fix: "Write `FROM image:tag@sha256:<digest>` (find the digest with \
          `docker buildx imagetools inspect image:tag`).",
};

/// Whether `image` carries an `@sha256:` digest of 64 lower-case hex characters.
fn pinned(image: &str) -> bool {
    image.rsplit_once("@sha256:").is_some_and(|(_, hex)| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

impl Rule<Input<'_>> for BaseImageDigest {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) {
        let doc = input.doc;
        for stage in &doc.stages {
            let image = doc.expand(&stage.base);
            if image.eq_ignore_ascii_case("scratch")
                || doc.stage_named(&image, stage.index).is_some()
                || pinned(&image)
            {
                continue;
            }
            let message = if image.contains('$') {
                format!(
                    "base image `{}` comes from a build argument without a default; its digest cannot be checked",
                    stage.base
                )
            } else {
                format!("base image `{image}` is not pinned by digest")
            };
            hits.push(Hit::new(message).line(stage.line).object(stage.label()));
        }
        for instruction in &doc.instructions {
            if !matches!(instruction.keyword.as_str(), "COPY" | "ADD") {
                continue;
            }
            let Some(from) = instruction.flag("from") else {
                continue;
            };
            let image = doc.expand(from);
            let before = instruction.stage.map_or(0, |s| s + 1);
            if doc.stage_named(&image, before).is_some() || pinned(&image) {
                continue;
            }
            hits.push(
                Hit::new(format!(
                    "{} --from image `{image}` is not pinned by digest",
                    instruction.keyword
                ))
                .line(instruction.line)
                .object(super::stage_label(input, instruction.stage).unwrap_or_default()),
            );
        }
    }
}
