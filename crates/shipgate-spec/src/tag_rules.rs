//! docker/metadata-action's input grammar: list inputs, tag rules, flavor and images.
//!
//! The spec validator checks rules with [`parse_tag_rule`] and [`parse_flavor`]; buildx-plan
//! evaluates them with the same parser, so both read the grammar the same way.
//!
//! A tag rule is one CSV line of `key=value` fields (`type=semver,pattern={{version}}`);
//! each field splits at its first `=`, keys are case-insensitive, a field without `=` is the
//! `value`, and a rule without `type` is `raw`. Defaults are filled in as the action does
//! (`enable=true`, the type's priority, `prefix=pr-` on `ref,event=pr`, `prefix=sha-` and
//! `format=short` on `sha`, `pattern=nightly` on `schedule`...).
//!
//! Deliberate differences from docker/metadata-action v5/v6:
//! - an attribute the rule's type does not use (`type=sha,patern=x`) is an error; the
//!   action ignores it silently, which hides typos;
//! - list inputs are parsed once ([`split_list`]): a quoted field keeps its commas
//!   (`"pattern=\d{1,2}"`), where the action's second CSV pass splits it;
//! - a flavor value keeps a second `=` (`prefix=a=b` is `a=b`; the action keeps `a`);
//! - a `type` value is case-insensitive.

use std::collections::BTreeMap;

/// Tag rule types, with their default priorities.
pub const TAG_TYPES: &[(&str, u32)] = &[
    ("schedule", 1000),
    ("semver", 900),
    ("pep440", 900),
    ("match", 800),
    ("edge", 700),
    ("ref", 600),
    ("raw", 200),
    ("sha", 100),
];

/// Attributes every tag type takes.
const COMMON_ATTRIBUTES: &[&str] = &["prefix", "suffix", "enable", "priority"];

/// A tag rule type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagType {
    /// `type=schedule`: scheduled runs.
    Schedule,
    /// `type=semver`: a SemVer git tag or value.
    Semver,
    /// `type=pep440`: a PEP 440 git tag or value.
    Pep440,
    /// `type=match`: a regular expression over the git tag or value.
    Match,
    /// `type=edge`: pushes to the default (or a named) branch.
    Edge,
    /// `type=ref`: the branch, tag or pull request.
    Ref,
    /// `type=raw`: a fixed value.
    Raw,
    /// `type=sha`: the commit.
    Sha,
}

impl TagType {
    /// Every type, in the order of [`TAG_TYPES`].
    pub const ALL: [Self; 8] = [
        Self::Schedule,
        Self::Semver,
        Self::Pep440,
        Self::Match,
        Self::Edge,
        Self::Ref,
        Self::Raw,
        Self::Sha,
    ];

    /// The name used in `type=`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Semver => "semver",
            Self::Pep440 => "pep440",
            Self::Match => "match",
            Self::Edge => "edge",
            Self::Ref => "ref",
            Self::Raw => "raw",
            Self::Sha => "sha",
        }
    }

    /// The type named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The default `priority`.
    pub const fn default_priority(self) -> i64 {
        match self {
            Self::Schedule => 1000,
            Self::Semver | Self::Pep440 => 900,
            Self::Match => 800,
            Self::Edge => 700,
            Self::Ref => 600,
            Self::Raw => 200,
            Self::Sha => 100,
        }
    }

    /// The attributes this type uses besides the common ones (`prefix`, `suffix`,
    /// `enable`, `priority`).
    pub const fn attributes(self) -> &'static [&'static str] {
        match self {
            Self::Schedule => &["pattern"],
            Self::Semver | Self::Pep440 => &["pattern", "value", "match"],
            Self::Match => &["pattern", "group", "value"],
            Self::Edge => &["branch"],
            Self::Ref => &["event"],
            Self::Raw => &["value"],
            Self::Sha => &["format"],
        }
    }
}

impl std::fmt::Display for TagType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One parsed tag rule, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    /// The rule type.
    pub kind: TagType,
    /// The numeric priority (higher first).
    pub priority: i64,
    /// Every attribute, keys lower-cased, `type` removed, defaults added (`enable`,
    /// `priority`, and the type's own). A `prefix`/`suffix` key is only present when
    /// written or defaulted by the type: its presence shadows the flavor's.
    pub attributes: BTreeMap<String, String>,
}

impl TagRule {
    /// The attribute `key`, or the empty string.
    pub fn attr(&self, key: &str) -> &str {
        self.attributes.get(key).map_or("", String::as_str)
    }
}

/// Why a rule does not parse, with how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

fn error(message: impl Into<String>, hint: impl Into<String>) -> RuleError {
    RuleError {
        message: message.into(),
        hint: hint.into(),
    }
}

/// Splits one CSV line into trimmed fields.
///
/// A double quote opens a quoted field only as the field's first non-blank character (a
/// quoted field keeps commas, `""` is a quote); elsewhere it is an ordinary character, as
/// with csv-parse's `relax_quotes`.
pub fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if current.trim().is_empty() => {
                current.clear();
                quoted = true;
            }
            ',' if !quoted => fields.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    fields.push(current.trim().to_owned());
    fields
}

/// Splits a list input (`tags`, `flavor`, `labels`, `images`...) into its entries, with
/// the 1-based line each starts on.
///
/// Lines are trimmed; empty lines and lines starting with `#` are dropped (a `#` inside a
/// line is kept, as in the action's v6). A line is kept whole, quotes included, for the
/// entry's own parser: unlike the action, quoting is only read once, so
/// `type=match,"pattern=\d{1,2}"` keeps its regex whole. A quoted field may span lines.
pub fn split_list(input: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in input.lines().enumerate() {
        let number = index + 1;
        if let Some((start, mut text)) = pending.take() {
            text.push('\n');
            text.push_str(raw);
            if open_quote(&text) {
                pending = Some((start, text));
            } else {
                out.push((start, text.trim().to_owned()));
            }
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if open_quote(line) {
            pending = Some((number, line.to_owned()));
        } else {
            out.push((number, line.to_owned()));
        }
    }
    if let Some((start, text)) = pending {
        out.push((start, text.trim().to_owned()));
    }
    out
}

/// True when `text` ends inside a quoted CSV field.
fn open_quote(text: &str) -> bool {
    let mut quoted = false;
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field_start => quoted = true,
            ',' if !quoted => field_start = true,
            c if c.is_whitespace() && field_start => {}
            _ => field_start = false,
        }
        if c == '"' {
            field_start = false;
        }
    }
    quoted
}

/// Parses and checks one tag rule, filling in the action's defaults.
pub fn parse_tag_rule(rule: &str) -> Result<TagRule, RuleError> {
    if rule.trim().is_empty() {
        return Err(error(
            "empty rule",
            "remove the empty entry, or write e.g. `type=ref,event=branch`",
        ));
    }
    let mut attributes = BTreeMap::new();
    let mut kind_name = None;
    for field in split_csv(rule) {
        if field.is_empty() {
            continue;
        }
        match field.split_once('=') {
            Some((key, value)) => {
                let key = key.trim().to_lowercase();
                let value = value.trim().to_owned();
                if key == "type" {
                    kind_name = Some(value);
                } else {
                    attributes.insert(key, value);
                }
            }
            None => {
                attributes.insert("value".to_owned(), field);
            }
        }
    }
    let kind = match kind_name {
        None => TagType::Raw,
        Some(name) => TagType::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = TAG_TYPES.iter().map(|(name, _)| *name).collect();
            error(
                format!("unknown type `{name}`"),
                format!("types: {}", names.join(", ")),
            )
        })?,
    };
    for key in attributes.keys() {
        if !COMMON_ATTRIBUTES.contains(&key.as_str()) && !kind.attributes().contains(&key.as_str())
        {
            let mut known: Vec<&str> = kind.attributes().to_vec();
            known.extend(COMMON_ATTRIBUTES);
            return Err(error(
                format!("unknown attribute `{key}` for `type={kind}`"),
                format!("`type={kind}` takes: {}", known.join(", ")),
            ));
        }
    }
    let has = |key: &str| attributes.contains_key(key);
    let mut defaults: Vec<(&str, &str)> = Vec::new();
    match kind {
        TagType::Schedule => defaults.push(("pattern", "nightly")),
        TagType::Semver | TagType::Pep440 | TagType::Match => {
            if !has("pattern") {
                return Err(error(
                    format!("`type={kind}` needs a `pattern`"),
                    if kind == TagType::Match {
                        "e.g. `type=match,pattern=v(\\d+),group=1`"
                    } else {
                        "e.g. `pattern={{version}}` or `pattern={{major}}.{{minor}}`"
                    },
                ));
            }
            defaults.push(("value", ""));
            if kind == TagType::Match {
                defaults.push(("group", "0"));
            } else {
                defaults.push(("match", ""));
            }
        }
        TagType::Edge => defaults.push(("branch", "")),
        TagType::Ref => match attributes.get("event").map(String::as_str) {
            Some("branch" | "tag") => {}
            Some("pr") => defaults.push(("prefix", "pr-")),
            Some(other) => {
                return Err(error(
                    format!("`event={other}` is not one of branch, tag, pr"),
                    "e.g. `type=ref,event=branch`",
                ));
            }
            None => {
                return Err(error(
                    "`type=ref` needs an `event`",
                    "add `event=branch`, `event=tag` or `event=pr`",
                ));
            }
        },
        TagType::Raw => {
            if !has("value") {
                return Err(error(
                    "`type=raw` needs a `value`",
                    "e.g. `type=raw,value=latest`",
                ));
            }
        }
        TagType::Sha => {
            if let Some(format) = attributes.get("format")
                && format != "short"
                && format != "long"
            {
                return Err(error(
                    format!("`format={format}` is not short or long"),
                    "use `format=short` (default) or `format=long`",
                ));
            }
            defaults.push(("prefix", "sha-"));
            defaults.push(("format", "short"));
        }
    }
    if kind == TagType::Match
        && let Some(group) = attributes.get("group")
        && !group.is_empty()
        && group.parse::<u32>().is_err()
    {
        return Err(error(
            format!("`group={group}` is not a number"),
            "group is the capture group index, e.g. `group=1`",
        ));
    }
    let priority = match attributes.get("priority") {
        Some(priority) => priority.parse::<i64>().map_err(|_| {
            error(
                format!("`priority={priority}` is not a number"),
                "e.g. `priority=1000`",
            )
        })?,
        None => kind.default_priority(),
    };
    if let Some(enable) = attributes.get("enable")
        && enable != "true"
        && enable != "false"
        && !enable.contains("{{")
    {
        return Err(error(
            format!("`enable={enable}` must be true, false or an expression"),
            "e.g. `enable={{is_default_branch}}`",
        ));
    }
    defaults.push(("enable", "true"));
    for (key, value) in defaults {
        attributes
            .entry(key.to_owned())
            .or_insert_with(|| value.to_owned());
    }
    attributes.insert("priority".to_owned(), priority.to_string());
    Ok(TagRule {
        kind,
        priority,
        attributes,
    })
}

/// docker/metadata-action's default tag rules, used when `tags` is empty.
pub const DEFAULT_TAG_RULES: &[&str] = &[
    "type=schedule",
    "type=ref,event=branch",
    "type=ref,event=tag",
    "type=ref,event=pr",
];

/// Parses every rule and sorts them by priority, highest first; ties keep their order.
/// Errors carry the index of the rule.
pub fn parse_tag_rules<'a>(
    rules: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<TagRule>, (usize, RuleError)> {
    let mut parsed = rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| parse_tag_rule(rule).map_err(|e| (i, e)))
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort_by_key(|rule| std::cmp::Reverse(rule.priority));
    Ok(parsed)
}

/// Parses and checks one flavor line (`latest=auto`, `prefix=v,onlatest=true`).
pub fn parse_flavor(line: &str) -> Result<BTreeMap<String, String>, RuleError> {
    let mut flavor = Flavor::default();
    flavor.apply(line)?;
    let mut out = BTreeMap::new();
    for field in split_csv(line) {
        if let Some((key, value)) = field.split_once('=') {
            out.insert(key.trim().to_lowercase(), value.trim().to_owned());
        }
    }
    Ok(out)
}

/// The `latest=` flavor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Latest {
    /// `latest=auto`: rules decide (tags of releases are latest).
    #[default]
    Auto,
    /// `latest=true`: always add `latest`.
    True,
    /// `latest=false`: never add `latest`.
    False,
}

/// The flavor: global `latest`, prefix and suffix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flavor {
    /// When to add the `latest` tag.
    pub latest: Latest,
    /// Added before every tag whose rule has no `prefix` of its own.
    pub prefix: String,
    /// The prefix is also added to `latest`.
    pub prefix_latest: bool,
    /// Added after every tag whose rule has no `suffix` of its own.
    pub suffix: String,
    /// The suffix is also added to `latest`.
    pub suffix_latest: bool,
}

impl Flavor {
    /// Parses every flavor line; later lines override earlier ones. Errors carry the index
    /// of the line.
    pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<Self, (usize, RuleError)> {
        let mut flavor = Self::default();
        for (i, line) in lines.into_iter().enumerate() {
            flavor.apply(line).map_err(|e| (i, e))?;
        }
        Ok(flavor)
    }

    /// Applies one flavor line. `onlatest` applies to the `prefix` or `suffix` just
    /// before it on the same line.
    pub fn apply(&mut self, line: &str) -> Result<(), RuleError> {
        let keys = "flavor keys: latest, prefix, suffix, onlatest";
        let mut onlatest_for = "";
        for field in split_csv(line) {
            if field.is_empty() {
                continue;
            }
            let Some((key, value)) = field.split_once('=') else {
                return Err(error(format!("`{field}` is not `key=value`"), keys));
            };
            let key = key.trim().to_lowercase();
            let value = value.trim();
            match key.as_str() {
                "latest" => {
                    self.latest = match value {
                        "auto" => Latest::Auto,
                        "true" => Latest::True,
                        "false" => Latest::False,
                        _ => {
                            return Err(error(
                                format!("`latest={value}` is not auto, true or false"),
                                "e.g. `latest=auto`",
                            ));
                        }
                    }
                }
                "prefix" => {
                    value.clone_into(&mut self.prefix);
                    onlatest_for = "prefix";
                }
                "suffix" => {
                    value.clone_into(&mut self.suffix);
                    onlatest_for = "suffix";
                }
                "onlatest" => {
                    let on = match value {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(error(
                                format!("`onlatest={value}` is not true or false"),
                                "e.g. `prefix=v,onlatest=true`",
                            ));
                        }
                    };
                    match onlatest_for {
                        "prefix" => self.prefix_latest = on,
                        "suffix" => self.suffix_latest = on,
                        _ => {}
                    }
                }
                other => {
                    return Err(error(format!("unknown flavor key `{other}`"), keys));
                }
            }
        }
        Ok(())
    }
}

/// One entry of the `images` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEntry {
    /// The image name, lower-cased.
    pub name: String,
    /// `enable=false` leaves the image out.
    pub enable: bool,
}

/// Parses the `images` entries. A single entry none of whose fields holds `=` is the old
/// comma-separated form (`a/b,c/d`: two images). Errors carry the index of the entry.
pub fn parse_images<'a>(
    entries: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<ImageEntry>, (usize, RuleError)> {
    let entries: Vec<&str> = entries.into_iter().collect();
    if let [only] = entries.as_slice() {
        let fields = split_csv(only);
        if fields.iter().all(|f| !f.contains('=')) {
            return Ok(fields
                .into_iter()
                .filter(|f| !f.is_empty())
                .map(|name| ImageEntry {
                    name: name.to_lowercase(),
                    enable: true,
                })
                .collect());
        }
    }
    let mut images = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let mut image = ImageEntry {
            name: String::new(),
            enable: true,
        };
        for field in split_csv(entry) {
            if field.is_empty() {
                continue;
            }
            match field.split_once('=') {
                None => image.name = field.to_lowercase(),
                Some((key, value)) => {
                    let value = value.trim();
                    match key.trim().to_lowercase().as_str() {
                        "name" => image.name = value.to_lowercase(),
                        "enable" => {
                            image.enable = match value {
                                "true" => true,
                                "false" => false,
                                _ => {
                                    return Err((
                                        i,
                                        error(
                                            format!("`enable={value}` is not true or false"),
                                            "e.g. `name=ghcr.io/acme/web,enable=true`",
                                        ),
                                    ));
                                }
                            }
                        }
                        other => {
                            return Err((
                                i,
                                error(
                                    format!("unknown image attribute `{other}`"),
                                    "image attributes: name, enable",
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if image.name.is_empty() {
            return Err((i, error("empty image name", "e.g. `name=ghcr.io/acme/web`")));
        }
        images.push(image);
    }
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_like_the_action() {
        let rule = parse_tag_rule("type=semver,pattern={{version}}").unwrap();
        assert_eq!(rule.kind, TagType::Semver);
        assert_eq!(rule.priority, 900);
        assert_eq!(rule.attributes["pattern"], "{{version}}");
        assert_eq!(rule.attr("value"), "");
        assert_eq!(rule.attr("enable"), "true");
        assert!(!rule.attributes.contains_key("prefix"));
        let raw = parse_tag_rule("latest").unwrap();
        assert_eq!(raw.kind, TagType::Raw);
        assert_eq!(raw.attr("value"), "latest");
        assert_eq!(
            parse_tag_rule("TYPE=ref, Event=branch").unwrap().kind,
            TagType::Ref
        );
        let pr = parse_tag_rule("type=ref,event=pr").unwrap();
        assert_eq!(pr.attr("prefix"), "pr-");
        let sha = parse_tag_rule("type=sha,prefix=,format=long").unwrap();
        assert_eq!(sha.attr("prefix"), "");
        assert_eq!(sha.attr("format"), "long");
        assert_eq!(parse_tag_rule("type=sha").unwrap().attr("prefix"), "sha-");
        let quoted = parse_tag_rule("type=match,\"pattern=\\d{1,2}\",group=0").unwrap();
        assert_eq!(quoted.attr("pattern"), "\\d{1,2}");
        assert_eq!(
            parse_tag_rule("type=raw,value=a=b").unwrap().attr("value"),
            "a=b"
        );
        assert_eq!(
            parse_tag_rule("type=raw,value=x,priority=-5")
                .unwrap()
                .priority,
            -5
        );
        assert_eq!(
            parse_tag_rule("type=schedule").unwrap().attr("pattern"),
            "nightly"
        );
    }

    #[test]
    fn rejects_what_the_action_rejects() {
        for bad in [
            "type=semvr,pattern={{version}}",
            "type=semver",
            "type=ref",
            "type=ref,event=push",
            "type=raw",
            "type=sha,format=medium",
            "type=match,pattern=x,group=a",
            "type=raw,value=x,enable=yes",
            "type=raw,value=x,priority=high",
            "",
        ] {
            assert!(parse_tag_rule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_unknown_attributes() {
        let error = parse_tag_rule("type=edge,branch=develop,unknown=kept").unwrap_err();
        assert_eq!(error.message, "unknown attribute `unknown` for `type=edge`");
        assert!(parse_tag_rule("type=sha,patern=x").is_err());
        assert!(parse_tag_rule("type=ref,event=branch,value=x").is_err());
    }

    #[test]
    fn sorts_by_priority_keeping_ties_in_order() {
        let rules = parse_tag_rules([
            "type=sha",
            "type=raw,value=a",
            "type=ref,event=branch",
            "type=raw,value=b",
            "type=raw,value=c,priority=2000",
        ])
        .unwrap();
        let values: Vec<String> = rules
            .iter()
            .map(|r| format!("{}:{}", r.kind, r.attr("value")))
            .collect();
        assert_eq!(values, ["raw:c", "ref:", "raw:a", "raw:b", "sha:"]);
        assert_eq!(parse_tag_rules(["type=sha", "type=bad"]).unwrap_err().0, 1);
    }

    #[test]
    fn flavor() {
        assert!(parse_flavor("latest=auto").is_ok());
        assert!(parse_flavor("prefix=v,onlatest=true").is_ok());
        assert!(parse_flavor("latest=maybe").is_err());
        assert!(parse_flavor("latest").is_err());
        assert!(parse_flavor("colour=red").is_err());
        let flavor =
            Flavor::parse(["latest=false", "prefix=v-,onlatest=true", "suffix=-x"]).unwrap();
        assert_eq!(
            flavor,
            Flavor {
                latest: Latest::False,
                prefix: "v-".into(),
                prefix_latest: true,
                suffix: "-x".into(),
                suffix_latest: false,
            }
        );
        assert_eq!(Flavor::parse(["latest=true", "x"]).unwrap_err().0, 1);
    }

    #[test]
    fn lists() {
        let input = "  # comment\ntype=raw,value=a#b\n\n  type=match,\"pattern=\\d{1,2}\"  \n\"multi\nline\",x\n";
        assert_eq!(
            split_list(input),
            vec![
                (2, "type=raw,value=a#b".to_owned()),
                (4, "type=match,\"pattern=\\d{1,2}\"".to_owned()),
                (5, "\"multi\nline\",x".to_owned()),
            ]
        );
        assert_eq!(split_csv("a, \"b,c\" ,d\"e"), ["a", "b,c", "d\"e"]);
        assert_eq!(split_csv("\"a\"\"b\""), ["a\"b"]);
    }

    #[test]
    fn images() {
        let old = parse_images(["Ghcr.io/Acme/Web, docker.io/acme/web"]).unwrap();
        assert_eq!(old.len(), 2);
        assert_eq!(old[0].name, "ghcr.io/acme/web");
        let new = parse_images(["name=ghcr.io/a/b,enable=false", "docker.io/a/b"]).unwrap();
        assert!(!new[0].enable);
        assert_eq!(new[1].name, "docker.io/a/b");
        assert_eq!(parse_images(["a", "name=,enable=true"]).unwrap_err().0, 1);
        assert!(parse_images(["name=a,push=true"]).is_err());
        assert!(parse_images(["name=a,enable=yes"]).is_err());
    }
}
