//! The Dockerfile rules, one per file. [`ALL`] lists them in id order; ids never change.

use crate::dockerfile::Input;
use crate::rule::Rule;

mod apt_lists_cleanup;
mod apt_no_recommends;
mod base_image_digest;
mod copy_context;
mod exec_form;
mod healthcheck;
mod multi_stage;
mod non_root_user;
mod oci_labels;
mod secrets_in_env;
mod syntax_directive;

/// Every Dockerfile rule, in id order.
pub(crate) static ALL: &[&dyn for<'a> Rule<Input<'a>>] = &[
    &syntax_directive::SyntaxDirective,
    &multi_stage::MultiStage,
    &base_image_digest::BaseImageDigest,
    &non_root_user::NonRootUser,
    &healthcheck::Healthcheck,
    &secrets_in_env::SecretsInEnv,
    &copy_context::CopyContext,
    &apt_no_recommends::AptNoRecommends,
    &apt_lists_cleanup::AptListsCleanup,
    &exec_form::ExecForm,
    &oci_labels::OciLabels,
];

/// Shell commands of a script, split at `&&`, `||`, `;`, `|` and newlines, each as words.
pub(super) fn shell_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let normalized = script
        .replace("&&", "\n")
        .replace("||", "\n")
        .replace([';', '|'], "\n");
    for part in normalized.split('\n') {
        let words: Vec<String> = part
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_owned())
            .collect();
        if !words.is_empty() {
            commands.push(words);
        }
    }
    commands
}

/// Whether `words` runs `apt-get install` (or `apt install`), after `sudo`/env prefixes.
pub(super) fn is_apt_install(words: &[String]) -> bool {
    words
        .iter()
        .position(|w| w == "apt-get" || w == "apt" || w.ends_with("/apt-get"))
        .is_some_and(|pos| words[pos + 1..].iter().any(|w| w == "install"))
}

/// The label findings use for the stage at `index`.
pub(super) fn stage_label(input: &Input<'_>, index: Option<usize>) -> Option<String> {
    index
        .and_then(|i| input.doc.stages.get(i))
        .map(crate::dockerfile::parse::Stage::label)
}
