//! Pass 3: what a schema cannot say. Referenced files exist, image names parse with
//! Docker's grammar, platforms are real, tag rules use metadata-action's grammar,
//! environments form a proper chain, and signing is configured exactly one way.

use std::collections::BTreeSet;
use std::path::Path;

use shipgate_core::image_ref;

use crate::model::{Deploy, Image, SbomAttach, Sign, Spec};
use crate::schema::closest;
use crate::tag_rules;

/// One semantic problem, located by JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) code: &'static str,
    pub(crate) pointer: String,
    /// Point at the key rather than the value (for "this section" problems).
    pub(crate) at_key: bool,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
}

impl Problem {
    fn at(pointer: impl Into<String>, code: &'static str, message: String, label: &str) -> Self {
        Self {
            code,
            pointer: pointer.into(),
            at_key: false,
            message,
            label: label.to_owned(),
            hint: None,
        }
    }

    fn on_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Platforms buildx can target, as `os/arch[/variant]`.
pub const KNOWN_PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/amd64/v2",
    "linux/amd64/v3",
    "linux/amd64/v4",
    "linux/arm64",
    "linux/arm64/v8",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "linux/mips64le",
    "linux/mips64",
    "linux/loong64",
];

/// Checks everything the schema cannot, relative to the spec's directory.
pub(crate) fn check(spec: &Spec, base_dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_image(&spec.image, base_dir, &mut problems);
    if let Some(build) = &spec.build {
        check_build(build, &mut problems);
    }
    if let Some(scan) = &spec.scan {
        if let Some(ignore) = &scan.ignore {
            check_file(
                base_dir,
                ignore,
                "/scan/ignore",
                "ignore file",
                &mut problems,
            );
        }
        for (i, vex) in scan.vex.iter().enumerate() {
            check_file(
                base_dir,
                vex,
                &format!("/scan/vex/{i}"),
                "VEX document",
                &mut problems,
            );
        }
    }
    match &spec.sign {
        Some(sign) => check_sign(sign, &mut problems),
        None => {
            if spec
                .sbom
                .as_ref()
                .is_some_and(|sbom| sbom.attach == SbomAttach::Attestation)
            {
                problems.push(
                    Problem::at(
                        "/sbom/attach",
                        "attestation-needs-sign",
                        "`sbom.attach: attestation` needs a `sign` section".to_owned(),
                        "nothing signs this attestation",
                    )
                    .hint("add `sign: { keyless: true }` (or a key), or use `attach: referrer`"),
                );
            }
        }
    }
    if let Some(push) = &spec.push {
        check_repositories(&push.registries, "/push/registries", &mut problems);
    }
    if let Some(deploy) = &spec.deploy {
        check_deploy(deploy, base_dir, &mut problems);
    }
    if let Some(ci) = &spec.ci {
        let mut seen = BTreeSet::new();
        for (i, provider) in ci.providers.iter().enumerate() {
            if !seen.insert(provider) {
                problems.push(Problem::at(
                    format!("/ci/providers/{i}"),
                    "duplicate",
                    "CI provider listed twice".to_owned(),
                    "duplicate",
                ));
            }
        }
        if !valid_git_ref_name(&ci.default_branch) {
            problems.push(Problem::at(
                "/ci/default-branch",
                "invalid-branch",
                format!("`{}` is not a valid branch name", ci.default_branch),
                "invalid branch name",
            ));
        }
    }
    problems
}

fn check_image(image: &Image, base_dir: &Path, problems: &mut Vec<Problem>) {
    match (&image.name, image.names.is_empty()) {
        (Some(_), false) => problems.push(
            Problem::at(
                "/image/names",
                "name-and-names",
                "`image` sets both `name` and `names`".to_owned(),
                "second way of naming the image",
            )
            .on_key()
            .hint("keep `names` and move the `name` value into it"),
        ),
        (None, true) => problems.push(
            Problem::at(
                "/image",
                "missing-image-name",
                "`image` needs `name` (or `names` for several repositories)".to_owned(),
                "no image name",
            )
            .on_key()
            .hint("add e.g. `name: ghcr.io/OWNER/REPO`"),
        ),
        _ => {}
    }
    if let Some(name) = &image.name {
        check_repository(name, "/image/name", problems);
    }
    check_repositories(&image.names, "/image/names", problems);

    let context = base_dir.join(&image.context);
    if !context.is_dir() {
        problems.push(
            Problem::at(
                "/image/context",
                "missing-file",
                format!("build context `{}` is not a directory", image.context),
                "no such directory",
            )
            .hint("paths are relative to the directory that holds the spec file"),
        );
    }
    check_file(
        base_dir,
        &image.dockerfile,
        "/image/dockerfile",
        "Dockerfile",
        problems,
    );

    let mut seen = BTreeSet::new();
    let known: Vec<String> = KNOWN_PLATFORMS.iter().map(|p| (*p).to_owned()).collect();
    for (i, platform) in image.platforms.iter().enumerate() {
        let pointer = format!("/image/platforms/{i}");
        if platform.starts_with("windows/") {
            problems.push(
                Problem::at(
                    pointer,
                    "unknown-platform",
                    format!("platform `{platform}` is not a Linux platform"),
                    "not a Linux platform",
                )
                .hint("shipgate builds, scans and deploys Linux images; build Windows images separately"),
            );
        } else if !KNOWN_PLATFORMS.contains(&platform.as_str()) {
            let on_linux = platform
                .split_once('/')
                .map(|(_, rest)| format!("linux/{rest}"))
                .filter(|candidate| KNOWN_PLATFORMS.contains(&candidate.as_str()));
            let hint = match on_linux.or_else(|| closest(platform, &known)) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("known platforms: {}", KNOWN_PLATFORMS.join(", ")),
            };
            problems.push(
                Problem::at(
                    pointer,
                    "unknown-platform",
                    format!("unknown platform `{platform}`"),
                    "not an os/arch[/variant] buildx knows",
                )
                .hint(hint),
            );
        } else if !seen.insert(platform.as_str()) {
            problems.push(Problem::at(
                pointer,
                "duplicate",
                format!("platform `{platform}` is listed twice"),
                "duplicate",
            ));
        }
    }

    for (i, rule) in image.tags.iter().enumerate() {
        if let Err(error) = tag_rules::parse_tag_rule(rule) {
            problems.push(
                Problem::at(
                    format!("/image/tags/{i}"),
                    "invalid-tag-rule",
                    format!("invalid tag rule: {}", error.message),
                    "invalid tag rule",
                )
                .hint(error.hint),
            );
        }
    }
    for (i, rule) in image.flavor.iter().enumerate() {
        if let Err(error) = tag_rules::parse_flavor(rule) {
            problems.push(
                Problem::at(
                    format!("/image/flavor/{i}"),
                    "invalid-flavor",
                    format!("invalid flavor: {}", error.message),
                    "invalid flavor",
                )
                .hint(error.hint),
            );
        }
    }
}

fn check_build(build: &crate::model::Build, problems: &mut Vec<Problem>) {
    for (name, value) in &build.args {
        let pointer = format!("/build/args/{}", shipgate_core::yaml::escape_pointer(name));
        if name.is_empty() || name.contains(['=', ' ', '\t', '\n', '\r']) {
            problems.push(
                Problem::at(
                    pointer.clone(),
                    "invalid-build-arg",
                    format!("`{name}` is not a build argument name"),
                    "invalid name",
                )
                .on_key()
                .hint("a build argument name has no `=` and no whitespace, e.g. `APP_VERSION`"),
            );
        }
        if value.contains(['\n', '\r']) {
            problems.push(
                Problem::at(
                    pointer,
                    "invalid-build-arg",
                    format!("build argument `{name}` spans several lines"),
                    "multi-line value",
                )
                .hint("CI files pass build arguments one per line; put long values in a file in the build context"),
            );
        }
    }
    for (i, id) in build.secrets.iter().enumerate() {
        let variable = secret_variable(id);
        let valid_id = id.starts_with(|c: char| c.is_ascii_alphabetic())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid_id || variable.starts_with("GITHUB_") {
            problems.push(
                Problem::at(
                    format!("/build/secrets/{i}"),
                    "invalid-secret-id",
                    format!("`{id}` cannot name a build secret"),
                    "invalid secret id",
                )
                .hint(format!(
                    "use letters, digits, `_`, `-` and `.`, starting with a letter; the CI secret is `{variable}`, and CI secret names cannot start with `GITHUB_`"
                )),
            );
        }
    }
}

/// The CI secret / environment variable a build secret id reads from: upper case, with
/// `-` and `.` as `_`.
pub(crate) fn secret_variable(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn check_repositories(names: &[String], pointer: &str, problems: &mut Vec<Problem>) {
    let mut seen = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        let item = format!("{pointer}/{i}");
        if check_repository(name, &item, problems) && !seen.insert(name.as_str()) {
            problems.push(Problem::at(
                item,
                "duplicate",
                format!("`{name}` is listed twice"),
                "duplicate",
            ));
        }
    }
}

/// Checks one repository name; true when it parsed.
fn check_repository(name: &str, pointer: &str, problems: &mut Vec<Problem>) -> bool {
    match image_ref::parse_repository(name) {
        Ok(_) => true,
        Err(error) => {
            let hint = miette::Diagnostic::help(&error).map(|h| h.to_string());
            let mut problem = Problem::at(
                pointer,
                "invalid-image-name",
                format!("invalid image name: {error}"),
                "invalid image name",
            );
            problem.hint = hint;
            problems.push(problem);
            false
        }
    }
}

fn check_file(base_dir: &Path, relative: &str, pointer: &str, what: &str, out: &mut Vec<Problem>) {
    if !base_dir.join(relative).is_file() {
        out.push(
            Problem::at(
                pointer,
                "missing-file",
                format!("{what} `{relative}` does not exist"),
                "no such file",
            )
            .hint("paths are relative to the directory that holds the spec file"),
        );
    }
}

fn check_sign(sign: &Sign, problems: &mut Vec<Problem>) {
    match (sign.keyless, &sign.key) {
        (true, Some(_)) => problems.push(
            Problem::at(
                "/sign/key",
                "sign-keyless-and-key",
                "`sign` sets both `keyless: true` and `key`".to_owned(),
                "second signing method",
            )
            .on_key()
            .hint("choose one: keyless (CI identity, Fulcio and Rekor) or a key"),
        ),
        (false, None) => problems.push(
            Problem::at(
                "/sign",
                "sign-method-missing",
                "`sign` needs `keyless: true` or a `key`".to_owned(),
                "no signing method",
            )
            .on_key()
            .hint("add `keyless: true`, or `key: env://COSIGN_KEY` with the key in that secret"),
        ),
        (false, Some(key)) => {
            if let Some(var) = key.strip_prefix("env://") {
                if !valid_env_name(var) || var.to_ascii_uppercase().starts_with("GITHUB_") {
                    problems.push(
                        Problem::at(
                            "/sign/key",
                            "invalid-key-reference",
                            format!("`{var}` cannot name the CI secret holding the key"),
                            "invalid variable name",
                        )
                        .hint("use letters, digits and `_`, not starting with a digit or `GITHUB_` (CI secret names cannot), e.g. `env://COSIGN_KEY`"),
                    );
                }
            } else if key.contains("://") {
                let scheme = key.split("://").next().unwrap_or_default();
                const SCHEMES: &[&str] = &[
                    "awskms",
                    "gcpkms",
                    "azurekms",
                    "hashivault",
                    "k8s",
                    "pkcs11",
                ];
                if !SCHEMES.contains(&scheme) {
                    problems.push(
                        Problem::at(
                            "/sign/key",
                            "invalid-key-reference",
                            format!("unknown key scheme `{scheme}://`"),
                            "unknown scheme",
                        )
                        .hint("use `env://VAR`, a KMS URI (awskms://, gcpkms://, azurekms://, hashivault://, k8s://) or a file path"),
                    );
                }
            }
        }
        (true, None) => {}
    }
    for (pointer, url) in [
        ("/sign/fulcio-url", &sign.fulcio_url),
        ("/sign/rekor-url", &sign.rekor_url),
    ] {
        if let Some(url) = url
            && !url.starts_with("https://")
            && !url.starts_with("http://")
        {
            problems.push(Problem::at(
                pointer,
                "invalid-url",
                format!("`{url}` is not an http(s) URL"),
                "not a URL",
            ));
        }
    }
}

fn check_deploy(deploy: &Deploy, base_dir: &Path, problems: &mut Vec<Problem>) {
    if deploy.chart != "generated" {
        let chart = base_dir.join(&deploy.chart);
        if !chart.join("Chart.yaml").is_file() {
            problems.push(
                Problem::at(
                    "/deploy/chart",
                    "missing-file",
                    format!("`{}` is not a Helm chart (no Chart.yaml)", deploy.chart),
                    "no chart here",
                )
                .hint("use `generated` for shipgate's hardened chart, or the path of a chart directory relative to the spec"),
            );
        }
    }
    let names: Vec<String> = deploy.environments.iter().map(|e| e.name.clone()).collect();
    let mut seen = BTreeSet::new();
    for (i, environment) in deploy.environments.iter().enumerate() {
        let base = format!("/deploy/environments/{i}");
        if !seen.insert(environment.name.as_str()) {
            problems.push(Problem::at(
                format!("{base}/name"),
                "duplicate",
                format!("environment `{}` is defined twice", environment.name),
                "duplicate",
            ));
        }
        match (&environment.on.branch, &environment.on.tag) {
            (Some(_), Some(_)) => problems.push(
                Problem::at(
                    format!("{base}/on"),
                    "trigger-ambiguous",
                    format!(
                        "environment `{}` triggers on both a branch and a tag",
                        environment.name
                    ),
                    "two triggers",
                )
                .on_key()
                .hint("use one of `branch` or `tag`; make a second environment for the other"),
            ),
            (None, None) => problems.push(
                Problem::at(
                    format!("{base}/on"),
                    "trigger-missing",
                    format!("environment `{}` has no trigger", environment.name),
                    "empty trigger",
                )
                .on_key()
                .hint("add `branch: main` or `tag: \"v*\"`"),
            ),
            (Some(branch), None) if !valid_ref_glob(branch) => {
                problems.push(ref_glob_problem(format!("{base}/on/branch"), branch));
            }
            (None, Some(tag)) if !valid_ref_glob(tag) => {
                problems.push(ref_glob_problem(format!("{base}/on/tag"), tag));
            }
            _ => {}
        }
        if let Some(needs) = &environment.needs {
            let pointer = format!("{base}/needs");
            if needs == &environment.name {
                problems.push(Problem::at(
                    pointer,
                    "needs-cycle",
                    format!("environment `{needs}` needs itself"),
                    "cycle",
                ));
            } else if !names.contains(needs) {
                let hint = match closest(needs, &names) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => format!("environments: {}", names.join(", ")),
                };
                problems.push(
                    Problem::at(
                        pointer,
                        "unknown-environment",
                        format!(
                            "environment `{}` needs `{needs}`, which is not defined",
                            environment.name
                        ),
                        "no such environment",
                    )
                    .hint(hint),
                );
            }
        }
        if let Some(url) = &environment.url
            && (!(url.starts_with("https://") || url.starts_with("http://"))
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
                || url.contains("${{"))
        {
            problems.push(
                Problem::at(
                    format!("{base}/url"),
                    "invalid-url",
                    format!("`{url}` is not a plain http(s) URL"),
                    "not a URL",
                )
                .hint("write the environment's address, e.g. `https://staging.example.com`"),
            );
        }
        if let Some(verify) = &environment.verify {
            if !verify.issuer.starts_with("https://") {
                problems.push(
                    Problem::at(
                        format!("{base}/verify/issuer"),
                        "invalid-url",
                        format!("issuer `{}` is not an https URL", verify.issuer),
                        "not an https URL",
                    )
                    .hint("GitHub Actions' issuer is https://token.actions.githubusercontent.com"),
                );
            }
            if verify.identity.trim().is_empty() {
                problems.push(Problem::at(
                    format!("{base}/verify/identity"),
                    "empty-value",
                    "verify identity is empty".to_owned(),
                    "empty",
                ));
            }
        }
    }
    // An environment runs only in a pipeline where the one it needs runs too: its trigger
    // must be one the needed environment's trigger also matches.
    for (i, environment) in deploy.environments.iter().enumerate() {
        let Some(needed) = environment
            .needs
            .as_ref()
            .and_then(|name| deploy.environments.iter().find(|e| &e.name == name))
        else {
            continue;
        };
        if needed.name == environment.name {
            continue;
        }
        let (Some((kind, pattern)), Some((needed_kind, needed_pattern))) =
            (trigger_of(&environment.on), trigger_of(&needed.on))
        else {
            continue;
        };
        if kind != needed_kind || !glob_matches(needed_pattern, pattern) {
            problems.push(
                Problem::at(
                    format!("/deploy/environments/{i}/needs"),
                    "needs-never-runs",
                    format!(
                        "environment `{}` ({kind} `{pattern}`) needs `{}` ({needed_kind} `{needed_pattern}`), which never runs in the same pipeline",
                        environment.name, needed.name
                    ),
                    "never deployed",
                )
                .hint(format!(
                    "give `{}` a trigger `{}` also matches, or remove `needs`",
                    environment.name, needed.name
                )),
            );
        }
    }
    // Cycles through `needs` longer than one step.
    for (i, environment) in deploy.environments.iter().enumerate() {
        let mut current = environment.needs.as_deref();
        let mut steps = 0;
        while let Some(name) = current {
            if name == environment.name && steps > 0 {
                problems.push(Problem::at(
                    format!("/deploy/environments/{i}/needs"),
                    "needs-cycle",
                    format!(
                        "environment `{}` is part of a `needs` cycle",
                        environment.name
                    ),
                    "cycle",
                ));
                break;
            }
            steps += 1;
            if steps > deploy.environments.len() {
                break;
            }
            current = deploy
                .environments
                .iter()
                .find(|e| e.name == name)
                .and_then(|e| e.needs.as_deref());
        }
    }
}

fn ref_glob_problem(pointer: String, glob: &str) -> Problem {
    Problem::at(
        pointer,
        "invalid-trigger",
        format!("`{glob}` is not a valid git ref or glob"),
        "invalid ref",
    )
    .hint("use a branch or tag name, optionally with `*` (within a `/` segment) or `**` (across segments), e.g. `main`, `v*` or `release/**`")
}

/// The kind (`branch` or `tag`) and pattern of a trigger with exactly one of them set.
fn trigger_of(trigger: &crate::model::Trigger) -> Option<(&'static str, &str)> {
    match (&trigger.branch, &trigger.tag) {
        (Some(branch), None) => Some(("branch", branch.as_str())),
        (None, Some(tag)) => Some(("tag", tag.as_str())),
        _ => None,
    }
}

/// Whether `glob` (git-style: `*` matches within one path segment, `**` across `/`)
/// matches `text`. A `*` in `text` is taken literally, so `v*` covers `v*` and `v1.*`.
fn glob_matches(glob: &str, text: &str) -> bool {
    fn go(glob: &[u8], text: &[u8]) -> bool {
        match glob.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => {
                let (crosses, rest) = match rest.split_first() {
                    Some((b'*', after)) => (true, after),
                    _ => (false, rest),
                };
                (0..=text.len())
                    .take_while(|&n| crosses || !text[..n].contains(&b'/'))
                    .any(|n| go(rest, &text[n..]))
            }
            Some((c, rest)) => text.first() == Some(c) && go(rest, &text[1..]),
        }
    }
    go(glob.as_bytes(), text.as_bytes())
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Git's ref-name rules (git check-ref-format), for one branch or tag name.
fn valid_git_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.ends_with(".lock")
        && !name.ends_with('.')
        && !name.contains("..")
        && !name.contains("@{")
        && !name.contains("//")
        && name != "@"
        && !name
            .chars()
            .any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c))
        && name.split('/').all(|part| !part.starts_with('.'))
}

/// A branch or tag name that may contain `*` (within a path segment) and `**` (across
/// segments) wildcards; the rest must be a valid git ref name. Both CI systems render
/// these the same way, so richer filter syntax (`?`, `+`, `[…]`) is not accepted.
fn valid_ref_glob(glob: &str) -> bool {
    !glob.contains(['$', '{']) && valid_git_ref_name(&glob.replace('*', "x"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        assert!(valid_git_ref_name("main"));
        assert!(valid_git_ref_name("release/1.x"));
        assert!(!valid_git_ref_name("a..b"));
        assert!(!valid_git_ref_name("has space"));
        assert!(valid_ref_glob("v*"));
        assert!(valid_ref_glob("release/*"));
        assert!(!valid_ref_glob("v?"));
        assert!(!valid_ref_glob("v[0-9]+.*"));
        assert!(!valid_ref_glob("a..b*"));
        assert!(valid_ref_glob("feature/**"));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("main", "main"));
        assert!(!glob_matches("main", "develop"));
        assert!(glob_matches("v*", "v1.2.3"));
        assert!(glob_matches("v*", "v*"));
        assert!(glob_matches("release/*", "release/1.x"));
        assert!(!glob_matches("release/*", "release/1/x"));
        assert!(glob_matches("release/**", "release/1/x"));
        assert!(!glob_matches("v1.*", "v*"));
    }

    #[test]
    fn env_names() {
        assert!(valid_env_name("COSIGN_KEY"));
        assert!(!valid_env_name("1KEY"));
        assert!(!valid_env_name("A-B"));
    }
}
