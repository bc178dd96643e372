//! docker/metadata-action's core: version selection, tags, labels and annotations.
//!
//! Reproduces the action's v5/v6 behaviour (see the crate docs for every deliberate
//! difference): rules sorted by priority, the first rule that yields a value sets `main`
//! and decides `latest`, values sanitised with `[^a-zA-Z0-9._-]+` → `-`, labels sorted the
//! way JavaScript's `localeCompare` sorts them.

use std::cmp::Ordering;
use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;
use shipgate_spec::tag_rules::{
    DEFAULT_TAG_RULES, Flavor, Latest, TagRule, TagType, parse_images, parse_tag_rule, split_list,
};

use crate::datetime::{self, Millis, Tz};
use crate::error::{Error, Result};
use crate::template::{self, Call, Param};
use crate::version::{Pep440, Semver};

/// Repository metadata for the OCI labels: the fields of GitHub's `GET /repos/{o}/{r}`
/// that the action uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RepoMetadata {
    /// `name` → `org.opencontainers.image.title`.
    pub name: Option<String>,
    /// `description` → `org.opencontainers.image.description`.
    pub description: Option<String>,
    /// `html_url` → `org.opencontainers.image.url` and `.source`.
    pub html_url: Option<String>,
    /// `license.spdx_id` → `org.opencontainers.image.licenses`.
    pub license: Option<String>,
    /// `default_branch`, for `type=edge`.
    pub default_branch: Option<String>,
}

impl RepoMetadata {
    /// Reads the fields from the JSON of GitHub's `GET /repos/{owner}/{repo}`.
    pub fn from_api_json(value: &Value) -> Self {
        let text = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Self {
            name: text("/name"),
            description: text("/description"),
            html_url: text("/html_url"),
            license: text("/license/spdx_id"),
            default_branch: text("/default_branch"),
        }
    }
}

/// What rules and expressions see of the CI context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaContext {
    /// The event name (`push`, `pull_request`, `schedule`...), empty when unknown.
    pub event_name: String,
    /// The full ref, empty when unknown.
    pub ref_full: String,
    /// The commit (the PR head when asked), empty when unknown.
    pub sha: String,
    /// `{{base_ref}}`: the payload's `base_ref` on tags, the PR's base branch on PRs.
    pub base_ref: String,
    /// The default branch from the event payload (for `{{is_default_branch}}`).
    pub default_branch: Option<String>,
    /// The current time.
    pub now: Millis,
    /// The commit time (the current time when unknown).
    pub commit_date: Millis,
    /// Length of the short sha (`DOCKER_METADATA_SHORT_SHA_LENGTH`, default 7).
    pub short_sha_length: usize,
    /// The time of the `created` label when asked for a reproducible one
    /// (`SOURCE_DATE_EPOCH`, the commit time); `None`: the current time, like the action.
    pub created: Option<Millis>,
}

impl MetaContext {
    fn short_sha(&self) -> String {
        self.sha.chars().take(self.short_sha_length).collect()
    }

    fn branch(&self) -> &str {
        self.ref_full.strip_prefix("refs/heads/").unwrap_or("")
    }

    fn tag(&self) -> &str {
        self.ref_full.strip_prefix("refs/tags/").unwrap_or("")
    }

    fn is_default_branch(&self) -> bool {
        let branch = self
            .ref_full
            .strip_prefix("refs/heads/")
            .unwrap_or(&self.ref_full);
        if branch.is_empty() {
            return false;
        }
        // The payload's default branch only, as the action (not the API's).
        if self.default_branch.as_deref() == Some(branch) {
            return true;
        }
        ["create", "discussion", "issues", "schedule"]
            .iter()
            .any(|e| self.event_name.contains(e))
    }

    fn date(&self, call: &Call, at: Millis) -> Result<String, String> {
        let mut tz = Tz::utc();
        for (key, value) in &call.hash {
            match key.as_str() {
                "tz" => {
                    let name = value.text().unwrap_or("UTC");
                    tz = Tz::parse(name)?;
                }
                other => return Err(format!("unknown `{other}` attribute of `{}`", call.name)),
            }
        }
        let format = match call.params.first() {
            Some(Param::Str(format)) => format.clone(),
            Some(Param::Literal(format)) => format.clone(),
            _ => datetime::default_format(&tz, at).to_owned(),
        };
        Ok(datetime::format_moment(at, &tz, &format))
    }

    /// The expressions every rendered input may use.
    fn global(&self, call: &Call) -> Result<Option<String>, String> {
        Ok(Some(match call.name.as_str() {
            "branch" => self.branch().to_owned(),
            "tag" => self.tag().to_owned(),
            "sha" => self.short_sha(),
            "base_ref" => self.base_ref.clone(),
            "is_default_branch" => self.is_default_branch().to_string(),
            "is_not_default_branch" => (!self.is_default_branch()).to_string(),
            "date" => self.date(call, self.now)?,
            "commit_date" => self.date(call, self.commit_date)?,
            _ => return Ok(None),
        }))
    }
}

/// The list inputs of a plan, as multi-line strings in the action's grammar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaInputs {
    /// `images`.
    pub images: String,
    /// `tags` (empty: the action's defaults).
    pub tags: String,
    /// `flavor`.
    pub flavor: String,
    /// `labels`.
    pub labels: String,
    /// `annotations`.
    pub annotations: String,
    /// `DOCKER_METADATA_ANNOTATIONS_LEVELS`, split at commas (default `manifest`).
    pub annotation_levels: Vec<String>,
}

/// The version the rules selected.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    /// The first value: the `version` output.
    pub main: Option<String>,
    /// The other values, de-duplicated.
    pub partial: Vec<String>,
    /// Whether `latest` is added.
    pub latest: bool,
}

/// The computed metadata: what docker/metadata-action outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// The selected version.
    pub version: Version,
    /// The enabled image names, lower-cased.
    pub images: Vec<String>,
    /// Full tags (`image:tag`), or bare tags when there is no image.
    pub tags: Vec<String>,
    /// Bare tags.
    pub tag_names: Vec<String>,
    /// Labels, sorted like the action sorts them.
    pub labels: Vec<(String, String)>,
    /// Annotations as `level:key=value`.
    pub annotations: Vec<String>,
    /// Annotations without their level, sorted like labels.
    pub annotation_pairs: Vec<(String, String)>,
    /// Warnings for the user (a semver rule that did not match...).
    pub warnings: Vec<String>,
}

/// The only tag sanitisation the action does: runs of characters outside
/// `[a-zA-Z0-9._-]` become one `-`.
pub fn sanitize_tag(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_run = false;
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    out
}

/// The ICU root collation weight class of an ASCII character: blanks, then punctuation
/// and symbols in ICU's order, then digits, then letters (case-insensitive first).
fn primary(c: char) -> (u32, u32) {
    const PUNCT: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    if c.is_whitespace() || c.is_control() {
        return (0, c as u32);
    }
    if let Some(i) = PUNCT.find(c) {
        return (1, i as u32);
    }
    if c.is_ascii_digit() {
        return (2, c as u32);
    }
    if c.is_ascii_alphabetic() {
        return (3, c.to_ascii_lowercase() as u32);
    }
    (4, c.to_lowercase().next().unwrap_or(c) as u32)
}

/// Compares like JavaScript's `a.localeCompare(b)` under ICU's root collation for the
/// characters label keys use: punctuation < digits < letters, letters compared without
/// case first, then lower case before upper case.
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    let pa: Vec<(u32, u32)> = a.chars().map(primary).collect();
    let pb: Vec<(u32, u32)> = b.chars().map(primary).collect();
    pa.cmp(&pb).then_with(|| {
        for (x, y) in a.chars().zip(b.chars()) {
            if x != y {
                // Lower case sorts first at the tertiary level.
                return y.is_lowercase().cmp(&x.is_lowercase()).then(x.cmp(&y));
            }
        }
        a.len().cmp(&b.len())
    })
}

fn js_regex(pattern: &str) -> Result<Regex, String> {
    let (body, flags) = match pattern
        .strip_prefix('/')
        .and_then(|rest| rest.rfind('/').map(|end| (&rest[..end], &rest[end + 1..])))
    {
        Some((body, flags)) if !body.is_empty() => (body, flags),
        _ => (pattern, ""),
    };
    let mut inline = String::new();
    for flag in flags.chars() {
        match flag {
            'i' | 'm' | 's' => inline.push(flag),
            'g' | 'y' | 'u' | 'd' | 'v' => {}
            other => return Err(format!("unknown regular expression flag `{other}`")),
        }
    }
    let body = ascii_classes(body);
    let full = if inline.is_empty() {
        body.clone()
    } else {
        format!("(?{inline}){body}")
    };
    Regex::new(&full).map_err(|e| {
        let detail = e.to_string();
        let last = detail
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ");
        format!("invalid regular expression `{body}`: {last}")
    })
}

/// JavaScript's `\d`, `\w` and `\b` are ASCII-only (without the `u` flag); Rust's are
/// Unicode-aware. Rewrites them to their ASCII forms (a nested class is valid in a class).
fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if c != '\\' {
            match c {
                '[' => in_class = true,
                ']' => in_class = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        match chars.next() {
            // Inside a class, JavaScript's `\b` is a backspace.
            Some('b') if in_class => out.push_str("\\x08"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

const VERSION_NAMES: &[&str] = &[
    "raw",
    "version",
    "major",
    "minor",
    "patch",
    "prerelease",
    "build",
    "channel",
];
/// Expressions that make a semver/pep440 rule a pre-release channel rule (an extension).
const CHANNEL_NAMES: &[&str] = &["channel"];

struct Rule {
    line: usize,
    text: String,
    rule: TagRule,
    regex: Option<Regex>,
}

fn input_error(input: &'static str, line: usize, text: &str, e: impl ToString) -> Error {
    Error::input(input, line, text, e.to_string(), hint_for(input))
}

fn hint_for(input: &'static str) -> &'static str {
    match input {
        "tags" => {
            "tag rules look like `type=semver,pattern={{version}}` or `type=ref,event=branch`"
        }
        "flavor" => "flavor lines look like `latest=auto` or `prefix=v,onlatest=true`",
        "images" => "one image per line: `ghcr.io/acme/web` or `name=ghcr.io/acme/web,enable=true`",
        _ => {
            "lines look like `key=value`; expressions: {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}}, {{date 'YYYYMMDD'}}"
        }
    }
}

fn parse_rules(tags: &str) -> Result<Vec<Rule>> {
    let mut entries = split_list(tags);
    if entries.is_empty() {
        entries = DEFAULT_TAG_RULES
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 1, (*r).to_owned()))
            .collect();
    }
    let mut rules = Vec::with_capacity(entries.len());
    for (line, text) in entries {
        let rule = parse_tag_rule(&text)
            .map_err(|e| Error::input("tags", line, &text, e.message, e.hint))?;
        let mut regex = None;
        match rule.kind {
            TagType::Match => {
                regex = Some(js_regex(rule.attr("pattern")).map_err(|e| {
                    Error::input("tags", line, &text, e, "use a regular expression like `v(\\d+\\.\\d+)`; look-around and back-references are not supported")
                })?);
            }
            TagType::Semver | TagType::Pep440 => {
                if !rule.attr("match").is_empty() {
                    regex = Some(js_regex(rule.attr("match")).map_err(|e| {
                        Error::input(
                            "tags",
                            line,
                            &text,
                            e,
                            "`match` is a regular expression whose first group is the version",
                        )
                    })?);
                }
                check_version_pattern(rule.attr("pattern"))
                    .map_err(|e| Error::input("tags", line, &text, e, "version patterns use {{raw}}, {{version}}, {{major}}, {{minor}}, {{patch}}, {{prerelease}}, {{channel}}"))?;
            }
            _ => {}
        }
        rules.push(Rule {
            line,
            text,
            rule,
            regex,
        });
    }
    rules.sort_by_key(|r| std::cmp::Reverse(r.rule.priority));
    Ok(rules)
}

fn check_version_pattern(pattern: &str) -> Result<(), String> {
    template::render(pattern, &mut |call| {
        if VERSION_NAMES.contains(&call.name.as_str()) {
            Ok(Some(String::new()))
        } else {
            Err(format!(
                "unknown expression `{{{{{}}}}}` in the pattern",
                call.name
            ))
        }
    })
    .map(|_| ())
}

/// Evaluates the inputs against the context.
pub fn compute(
    inputs: &MetaInputs,
    context: &MetaContext,
    repo: Option<&RepoMetadata>,
) -> Result<Meta> {
    let empty_repo = RepoMetadata::default();
    let repo_ref = repo.unwrap_or(&empty_repo);
    let flavor_lines = split_list(&inputs.flavor);
    let mut flavor = Flavor::default();
    for (line, text) in &flavor_lines {
        flavor
            .apply(text)
            .map_err(|e| Error::input("flavor", *line, text, e.message, e.hint))?;
    }
    let image_lines = split_list(&inputs.images);
    let images = parse_images(image_lines.iter().map(|(_, t)| t.as_str())).map_err(|(i, e)| {
        let (line, text) = &image_lines[i];
        Error::input("images", *line, text, e.message, e.hint)
    })?;
    let images: Vec<String> = images
        .into_iter()
        .filter(|i| i.enable)
        .map(|i| i.name)
        .collect();
    let rules = parse_rules(&inputs.tags)?;

    let mut eval = Evaluator {
        context,
        repo: repo_ref,
        flavor: &flavor,
        version: Version::default(),
        latest: None,
        warnings: Vec::new(),
    };
    for rule in &rules {
        eval.rule(rule)?;
    }
    let mut version = eval.version;
    let mut seen = std::collections::HashSet::new();
    version.partial.retain(|p| seen.insert(p.clone()));
    version.latest = eval.latest.unwrap_or(false);
    let mut warnings = eval.warnings;

    let mut tag_names = Vec::new();
    if let Some(main) = &version.main {
        tag_names.push(main.clone());
        tag_names.extend(version.partial.iter().cloned());
        if version.latest {
            let mut latest = String::new();
            if flavor.prefix_latest {
                latest.push_str(&flavor.prefix);
            }
            latest.push_str("latest");
            if flavor.suffix_latest {
                latest.push_str(&flavor.suffix);
            }
            tag_names.push(sanitize_tag(&latest));
        }
    } else {
        warnings.push("No Docker image version has been generated. Check tags input.".to_owned());
    }
    let tags = if images.is_empty() {
        tag_names.clone()
    } else {
        images
            .iter()
            .flat_map(|image| tag_names.iter().map(move |t| format!("{image}:{t}")))
            .collect()
    };

    let base = base_labels(context, repo, version.main.as_deref());
    let labels = with_customs(&base, "labels", &inputs.labels, context)?;
    let annotation_pairs = with_customs(&base, "annotations", &inputs.annotations, context)?;
    let mut annotations = Vec::new();
    for level in &inputs.annotation_levels {
        for (key, value) in &annotation_pairs {
            annotations.push(format!("{level}:{key}={value}"));
        }
    }
    Ok(Meta {
        version,
        images,
        tags,
        tag_names,
        labels,
        annotations,
        annotation_pairs,
        warnings,
    })
}

/// The OCI labels computed from the context and the repository. Without repository
/// metadata, the repository labels are left out (the action always has them from the API).
fn base_labels(
    context: &MetaContext,
    repo: Option<&RepoMetadata>,
    version: Option<&str>,
) -> Vec<(String, String)> {
    let key = |k: &str| format!("org.opencontainers.image.{k}");
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut out = Vec::new();
    if let Some(repo) = repo {
        out.push((key("title"), or_empty(&repo.name)));
        out.push((key("description"), or_empty(&repo.description)));
        out.push((key("url"), or_empty(&repo.html_url)));
        out.push((key("source"), or_empty(&repo.html_url)));
    }
    out.push((key("version"), version.unwrap_or_default().to_owned()));
    out.push((key("created"), datetime::iso_utc(context.created_or_now())));
    out.push((key("revision"), context.sha.clone()));
    if let Some(repo) = repo {
        out.push((key("licenses"), or_empty(&repo.license)));
    }
    out
}

impl MetaContext {
    fn created_or_now(&self) -> Millis {
        self.created.unwrap_or(self.now)
    }
}

fn with_customs(
    base: &[(String, String)],
    input: &'static str,
    lines: &str,
    context: &MetaContext,
) -> Result<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut insert =
        |key: String, value: String, pairs: &mut Vec<(String, String)>| match index.get(&key) {
            Some(i) => pairs[*i].1 = value,
            None => {
                index.insert(key.clone(), pairs.len());
                pairs.push((key, value));
            }
        };
    for (key, value) in base {
        insert(key.clone(), value.clone(), &mut pairs);
    }
    for (line, text) in split_list(lines) {
        let rendered = template::render(&text, &mut |call| context.global(call))
            .map_err(|e| input_error(input, line, &text, e))?;
        if let Some((key, value)) = rendered.split_once('=') {
            insert(key.to_owned(), value.to_owned(), &mut pairs);
        }
    }
    pairs.sort_by(|a, b| locale_compare(&a.0, &b.0));
    Ok(pairs)
}

struct Evaluator<'a> {
    context: &'a MetaContext,
    repo: &'a RepoMetadata,
    flavor: &'a Flavor,
    version: Version,
    latest: Option<bool>,
    warnings: Vec<String>,
}

impl Evaluator<'_> {
    fn global(&self, rule: &Rule, template_text: &str) -> Result<String> {
        template::render(template_text, &mut |call| self.context.global(call))
            .map_err(|e| input_error("tags", rule.line, &rule.text, e))
    }

    /// The action's `setValue`: the rule's own prefix/suffix, else the flavor's.
    fn affix(&self, rule: &Rule, value: &str) -> Result<String> {
        let prefix = match rule.rule.attributes.get("prefix") {
            Some(prefix) => self.global(rule, prefix)?,
            None => self.global(rule, &self.flavor.prefix)?,
        };
        let suffix = match rule.rule.attributes.get("suffix") {
            Some(suffix) => self.global(rule, suffix)?,
            None => self.global(rule, &self.flavor.suffix)?,
        };
        Ok(format!("{prefix}{value}{suffix}"))
    }

    fn auto(&self, latest: bool) -> bool {
        match self.flavor.latest {
            Latest::Auto => latest,
            Latest::True => true,
            Latest::False => false,
        }
    }

    fn set(&mut self, value: &str, latest: bool) {
        if value.is_empty() {
            return;
        }
        let value = sanitize_tag(value);
        match &self.version.main {
            None => self.version.main = Some(value),
            Some(main) if *main != value => self.version.partial.push(value),
            Some(_) => {}
        }
        if self.latest.is_none() {
            self.latest = Some(self.auto(latest));
        }
    }

    /// The input of semver/pep440/match rules: the rendered `value`, else the git tag; `None`
    /// when neither applies.
    fn version_input(&self, rule: &Rule) -> Result<Option<String>> {
        let value = rule.rule.attr("value");
        if !value.is_empty() {
            return Ok(Some(self.global(rule, value)?));
        }
        Ok(self
            .context
            .ref_full
            .strip_prefix("refs/tags/")
            .map(str::to_owned))
    }

    fn rule(&mut self, rule: &Rule) -> Result<()> {
        let enable = self.global(rule, rule.rule.attr("enable"))?;
        match enable.as_str() {
            "true" => {}
            "false" => return Ok(()),
            other => {
                return Err(Error::input(
                    "tags",
                    rule.line,
                    &rule.text,
                    format!("`enable` rendered to `{other}`, not true or false"),
                    "e.g. `enable={{is_default_branch}}` or `enable=${{ github.event_name == 'push' }}`",
                ));
            }
        }
        let ctx = self.context;
        match rule.rule.kind {
            TagType::Schedule => {
                if !ctx.event_name.contains("schedule") {
                    return Ok(());
                }
                let value = template::render(rule.rule.attr("pattern"), &mut |call| {
                    Ok(match call.name.as_str() {
                        "date" => Some(ctx.date(call, ctx.now)?),
                        "commit_date" => Some(ctx.date(call, ctx.commit_date)?),
                        _ => None,
                    })
                })
                .map_err(|e| input_error("tags", rule.line, &rule.text, e))?;
                let value = self.affix(rule, &value)?;
                self.set(&value, false);
            }
            TagType::Semver | TagType::Pep440 => self.version_rule(rule)?,
            TagType::Match => {
                let Some(input) = self.version_input(rule)? else {
                    return Ok(());
                };
                // Unlike semver/pep440, the action matches the tag as is (no `/` → `-`).
                let group: usize = rule.rule.attr("group").trim().parse().unwrap_or(0);
                let found = rule
                    .regex
                    .as_ref()
                    .and_then(|re| re.captures(&input))
                    .and_then(|c| c.get(group))
                    .map(|m| m.as_str().to_owned())
                    .filter(|s| !s.is_empty());
                if let Some(found) = found {
                    let value = self.affix(rule, &found)?;
                    self.set(&value, true);
                }
            }
            TagType::Edge => {
                let Some(branch) = ctx.ref_full.strip_prefix("refs/heads/") else {
                    return Ok(());
                };
                let wanted = match rule.rule.attr("branch") {
                    "" => self
                        .repo
                        .default_branch
                        .clone()
                        .or_else(|| ctx.default_branch.clone()),
                    named => Some(named.to_owned()),
                };
                if wanted.as_deref() == Some(branch) {
                    let value = self.affix(rule, "edge")?;
                    self.set(&value, false);
                }
            }
            TagType::Ref => match rule.rule.attr("event") {
                "branch" => {
                    if let Some(branch) = ctx.ref_full.strip_prefix("refs/heads/") {
                        let value = self.affix(rule, branch)?;
                        self.set(&value, false);
                    }
                }
                "tag" => {
                    if let Some(tag) = ctx.ref_full.strip_prefix("refs/tags/") {
                        let value = self.affix(rule, tag)?;
                        self.set(&value, true);
                    }
                }
                _ => {
                    if let Some(pr) = ctx.ref_full.strip_prefix("refs/pull/") {
                        let pr = pr.strip_suffix("/merge").unwrap_or(pr);
                        let value = self.affix(rule, pr)?;
                        self.set(&value, false);
                    }
                }
            },
            TagType::Raw => {
                let raw = self.global(rule, rule.rule.attr("value"))?;
                let value = self.affix(rule, &raw)?;
                self.set(&value, false);
            }
            TagType::Sha => {
                if ctx.sha.is_empty() {
                    return Ok(());
                }
                let sha = if rule.rule.attr("format") == "long" {
                    ctx.sha.clone()
                } else {
                    ctx.short_sha()
                };
                let value = self.affix(rule, &sha)?;
                self.set(&value, false);
            }
        }
        Ok(())
    }

    fn version_rule(&mut self, rule: &Rule) -> Result<()> {
        let Some(mut input) = self.version_input(rule)? else {
            return Ok(());
        };
        if let Some(re) = &rule.regex {
            match re.captures(&input).and_then(|c| c.get(1)) {
                Some(m) => input = m.as_str().to_owned(),
                None => self.warnings.push(format!(
                    "tags line {}: `match` did not match `{input}`; using it as is",
                    rule.line
                )),
            }
        }
        let input = input.replace('/', "-");
        let pattern = rule.rule.attr("pattern");
        let channel_rule = template::references(pattern, CHANNEL_NAMES);
        let is_semver = rule.rule.kind == TagType::Semver;
        let (vars, special): (Vec<(&str, String)>, bool) = if is_semver {
            let Some(v) = Semver::parse(&input) else {
                self.warnings.push(format!(
                    "tags line {}: `{input}` is not a valid semver, rule skipped",
                    rule.line
                ));
                return Ok(());
            };
            (
                vec![
                    ("raw", input.clone()),
                    ("version", v.version()),
                    ("major", v.major.to_string()),
                    ("minor", v.minor.to_string()),
                    ("patch", v.patch.to_string()),
                    ("prerelease", v.prerelease.clone()),
                    ("build", v.build.replace('.', ",")),
                    ("channel", v.channel()),
                ],
                !v.prerelease.is_empty(),
            )
        } else {
            let Some(v) = Pep440::parse(&input) else {
                self.warnings.push(format!(
                    "tags line {}: `{input}` is not a valid pep440 version, rule skipped",
                    rule.line
                ));
                return Ok(());
            };
            (
                vec![
                    ("raw", input.clone()),
                    ("version", v.normalized()),
                    ("major", v.part(0).to_string()),
                    ("minor", v.part(1).to_string()),
                    ("patch", v.part(2).to_string()),
                    ("prerelease", v.prerelease()),
                    ("build", String::new()),
                    ("channel", v.channel()),
                ],
                v.is_special(),
            )
        };
        let render = |vars: &[(&str, String)]| {
            template::render(pattern, &mut |call| {
                Ok(vars
                    .iter()
                    .find(|(name, _)| *name == call.name)
                    .map(|(_, v)| v.clone()))
            })
            .map_err(|e| input_error("tags", rule.line, &rule.text, e))
        };
        let version_of = |vars: &[(&str, String)]| vars[1].1.clone();
        let (value, latest) = if channel_rule {
            // Extension: pre-release channel rules only apply to pre-releases.
            if !special {
                return Ok(());
            }
            (render(&vars)?, false)
        } else if special {
            if template::is_raw_statement(pattern) {
                (input.clone(), false)
            } else {
                (version_of(&vars), false)
            }
        } else {
            (render(&vars)?, true)
        };
        let value = self.affix(rule, &value)?;
        self.set(&value, latest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_like_the_action() {
        assert_eq!(sanitize_tag("feature/#42 übung"), "feature-42-bung");
        assert_eq!(sanitize_tag("a//b"), "a-b");
        assert_eq!(sanitize_tag(".x_Y-1"), ".x_Y-1");
    }

    #[test]
    fn sorts_keys_like_locale_compare() {
        let mut keys = vec![
            "A2",
            "a1",
            "a_",
            "Maintainer",
            "maintainer",
            "x.c",
            "x-b",
            "x_a",
            "org.b",
            "org.a",
            "b",
        ];
        keys.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(
            keys,
            [
                "a_",
                "a1",
                "A2",
                "b",
                "maintainer",
                "Maintainer",
                "org.a",
                "org.b",
                "x_a",
                "x-b",
                "x.c"
            ]
        );
    }

    #[test]
    fn js_regexes() {
        assert!(js_regex("/V(\\d+)/i").unwrap().is_match("v1"));
        assert!(js_regex("v(\\d+)").unwrap().is_match("v1"));
        assert!(js_regex("/x/q").is_err());
        assert!(js_regex("(?=x)").is_err());
        assert!(js_regex("/").unwrap().is_match("/"));
        assert!(
            !js_regex("^\\d$").unwrap().is_match("٣"),
            "ASCII digits like JS"
        );
        assert!(js_regex("^[\\d.]+$").unwrap().is_match("1.2"));
        assert!(
            js_regex("^\\\\d$").unwrap().is_match("\\d"),
            "escaped backslash"
        );
        assert!(js_regex("\\bv[\\b]").unwrap().is_match("v\u{8}"));
    }
}
