//! docker/metadata-action's tag-rule and flavor grammar, as far as the spec checks it.
//!
//! A tag rule is one CSV line of `key=value` fields (`type=semver,pattern={{version}}`);
//! each field splits at its first `=`, keys are case-insensitive, a field without `=` is the
//! `value`, and a rule without `type` is `raw`. Unknown attributes are accepted and ignored,
//! as the action does. buildx-plan evaluates the rules; this module only parses and checks.

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

/// One parsed tag rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    /// The rule type (`semver`, `ref`, `raw`, ...).
    pub kind: String,
    /// Every attribute as written, keys lower-cased, `type` removed.
    pub attributes: BTreeMap<String, String>,
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

/// Splits one CSV line into trimmed fields, honouring double quotes.
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
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    fields.push(current.trim().to_owned());
    fields
}

/// Parses and checks one tag rule.
pub fn parse_tag_rule(rule: &str) -> Result<TagRule, RuleError> {
    if rule.trim().is_empty() {
        return Err(error(
            "empty rule",
            "remove the empty entry, or write e.g. `type=ref,event=branch`",
        ));
    }
    let mut attributes = BTreeMap::new();
    for field in split_csv(rule) {
        if field.is_empty() {
            continue;
        }
        match field.split_once('=') {
            Some((key, value)) => {
                attributes.insert(key.trim().to_lowercase(), value.trim().to_owned());
            }
            None => {
                attributes.insert("value".to_owned(), field);
            }
        }
    }
    let kind = attributes
        .remove("type")
        .unwrap_or_else(|| "raw".to_owned())
        .to_lowercase();
    let names: Vec<&str> = TAG_TYPES.iter().map(|(name, _)| *name).collect();
    if !names.contains(&kind.as_str()) {
        return Err(error(
            format!("unknown type `{kind}`"),
            format!("types: {}", names.join(", ")),
        ));
    }
    let has = |key: &str| attributes.get(key).is_some_and(|v| !v.is_empty());
    match kind.as_str() {
        "semver" | "pep440" | "match" if !has("pattern") => {
            return Err(error(
                format!("`type={kind}` needs a `pattern`"),
                if kind == "match" {
                    "e.g. `type=match,pattern=v(\\d+),group=1`"
                } else {
                    "e.g. `pattern={{version}}` or `pattern={{major}}.{{minor}}`"
                },
            ));
        }
        "ref" => match attributes.get("event").map(String::as_str) {
            Some("branch" | "tag" | "pr") => {}
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
        "raw" if !has("value") => {
            return Err(error(
                "`type=raw` needs a `value`",
                "e.g. `type=raw,value=latest`",
            ));
        }
        "sha" => {
            if let Some(format) = attributes.get("format")
                && format != "short"
                && format != "long"
            {
                return Err(error(
                    format!("`format={format}` is not short or long"),
                    "use `format=short` (default) or `format=long`",
                ));
            }
        }
        _ => {}
    }
    if kind == "match"
        && let Some(group) = attributes.get("group")
        && group.parse::<u32>().is_err()
    {
        return Err(error(
            format!("`group={group}` is not a number"),
            "group is the capture group index, e.g. `group=1`",
        ));
    }
    if let Some(priority) = attributes.get("priority")
        && priority.parse::<i64>().is_err()
    {
        return Err(error(
            format!("`priority={priority}` is not a number"),
            "e.g. `priority=1000`",
        ));
    }
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
    Ok(TagRule { kind, attributes })
}

/// Parses and checks one flavor line (`latest=auto`, `prefix=v,onlatest=true`).
pub fn parse_flavor(line: &str) -> Result<BTreeMap<String, String>, RuleError> {
    let mut out = BTreeMap::new();
    for field in split_csv(line) {
        if field.is_empty() {
            continue;
        }
        let Some((key, value)) = field.split_once('=') else {
            return Err(error(
                format!("`{field}` is not `key=value`"),
                "flavor keys: latest, prefix, suffix, onlatest",
            ));
        };
        let key = key.trim().to_lowercase();
        let value = value.trim();
        match key.as_str() {
            "latest" if !matches!(value, "auto" | "true" | "false") => {
                return Err(error(
                    format!("`latest={value}` is not auto, true or false"),
                    "e.g. `latest=auto`",
                ));
            }
            "onlatest" if !matches!(value, "true" | "false") => {
                return Err(error(
                    format!("`onlatest={value}` is not true or false"),
                    "e.g. `prefix=v,onlatest=true`",
                ));
            }
            "latest" | "prefix" | "suffix" | "onlatest" => {}
            other => {
                return Err(error(
                    format!("unknown flavor key `{other}`"),
                    "flavor keys: latest, prefix, suffix, onlatest",
                ));
            }
        }
        out.insert(key, value.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_like_the_action() {
        let rule = parse_tag_rule("type=semver,pattern={{version}}").unwrap();
        assert_eq!(rule.kind, "semver");
        assert_eq!(rule.attributes["pattern"], "{{version}}");
        assert_eq!(parse_tag_rule("latest").unwrap().kind, "raw");
        assert_eq!(
            parse_tag_rule("TYPE=ref, Event=branch").unwrap().kind,
            "ref"
        );
        assert!(parse_tag_rule("type=sha,prefix=,format=long").is_ok());
        assert!(parse_tag_rule("type=match,\"pattern=\\d{1,2}\",group=0").is_ok());
        assert!(parse_tag_rule("type=edge,branch=develop,unknown=kept").is_ok());
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
            "",
        ] {
            assert!(parse_tag_rule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flavor() {
        assert!(parse_flavor("latest=auto").is_ok());
        assert!(parse_flavor("prefix=v,onlatest=true").is_ok());
        assert!(parse_flavor("latest=maybe").is_err());
        assert!(parse_flavor("latest").is_err());
        assert!(parse_flavor("colour=red").is_err());
    }
}
