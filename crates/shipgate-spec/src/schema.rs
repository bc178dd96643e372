//! Pass 2: the JSON Schema, generated from [`crate::model`], and a checker for it that
//! reports every violation with a JSON pointer, so each can be mapped back to a line.
//!
//! The checker understands the subset of JSON Schema 2020-12 that schemars emits for the
//! model (`type`, `properties`, `required`, `additionalProperties`, `items`, `enum`,
//! `const`, `oneOf`/`anyOf`, `$ref` into `$defs`, `pattern`, `minimum`/`maximum`,
//! `minItems`, `minLength`). Its messages speak the spec's language (`image.platforms`
//! rather than `/image/platforms`) and suggest the closest key or value.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::model::Spec;
use shipgate_core::yaml::escape_pointer;

/// The `$id` of the published schema.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/shipgate/shipgate/main/schemas/shipgate.v1.schema.json";

/// The JSON Schema of `shipgate.yaml` v1, generated from the model.
pub fn json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema = SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<Spec>();
        let mut value = schema.to_value();
        // An optional section is absent, never `null`: `build:` with nothing after it is
        // a mistake worth reporting, so `null` is taken out of every optional field.
        strip_null(&mut value);
        if let Value::Object(map) = &mut value {
            map.insert("$id".to_owned(), Value::String(SCHEMA_ID.to_owned()));
        }
        value
    })
}

/// Removes `null` from `type` lists and `{"type": "null"}` from `anyOf`/`oneOf`,
/// collapsing a single remaining branch into its parent.
fn strip_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".to_owned(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = map.get_mut(key) else {
                    continue;
                };
                branches.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
                if branches.len() == 1
                    && let Some(Value::Object(only)) = branches.pop()
                {
                    map.remove(key);
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            map.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// The schema as the text checked in at `schemas/shipgate.v1.schema.json`.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// What is wrong at one place of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Violation {
    /// The value has the wrong JSON type.
    Type {
        expected: Vec<String>,
        found: &'static str,
        description: Option<String>,
    },
    /// A mapping has a key the schema does not know.
    UnknownKey { key: String, allowed: Vec<String> },
    /// A mapping lacks a required key.
    MissingKey {
        key: String,
        description: Option<String>,
    },
    /// A string is not one of the allowed values.
    NotAllowed { found: String, allowed: Vec<String> },
    /// A string does not match the field's pattern.
    Pattern {
        found: String,
        description: Option<String>,
    },
    /// A number is out of range.
    Range {
        found: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// A list or string is too short.
    TooShort { min: u64, is_list: bool },
}

/// One violation and the JSON pointer of the value it concerns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    pub(crate) pointer: String,
    pub(crate) violation: Violation,
}

/// Checks `instance` against the spec schema and returns every violation.
pub(crate) fn check(instance: &Value) -> Vec<Located> {
    let root = json_schema();
    let mut out = Vec::new();
    Checker { root }.check(root, instance, "", &mut out);
    out
}

struct Checker<'a> {
    root: &'a Value,
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn matches_type(expected: &str, value: &Value) -> bool {
    match expected {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn describe_type(expected: &str) -> String {
    match expected {
        "null" => "nothing".to_owned(),
        "boolean" => "a boolean (true or false)".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "string" => "a string".to_owned(),
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        other => other.to_owned(),
    }
}

fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'a> Checker<'a> {
    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..32 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer));
            match target {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    /// The values allowed by an enum-like schema (`enum`, `const`, or `oneOf` of consts).
    fn enum_values(&self, schema: &'a Value) -> Option<Vec<Value>> {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Some(values.clone());
        }
        if let Some(value) = schema.get("const") {
            return Some(vec![value.clone()]);
        }
        let branches = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)?;
        let mut all = Vec::new();
        for branch in branches {
            all.extend(self.enum_values(branch)?);
        }
        Some(all)
    }

    fn check(&self, schema: &'a Value, instance: &Value, pointer: &str, out: &mut Vec<Located>) {
        let schema = self.resolve(schema);
        let push = |out: &mut Vec<Located>, violation| {
            out.push(Located {
                pointer: pointer.to_owned(),
                violation,
            });
        };

        if let Some(allowed) = self.enum_values(schema) {
            if !allowed.contains(instance) {
                let all_strings = allowed.iter().all(Value::is_string);
                if all_strings && !instance.is_string() {
                    push(
                        out,
                        Violation::Type {
                            expected: vec!["string".to_owned()],
                            found: type_name(instance),
                            description: description(schema),
                        },
                    );
                }
                let same_kind = allowed
                    .iter()
                    .any(|a| std::mem::discriminant(a) == std::mem::discriminant(instance));
                push(
                    out,
                    Violation::NotAllowed {
                        // `"1"` where `1` is wanted: show the quotes, they are the mistake.
                        found: if same_kind {
                            display_value(instance)
                        } else {
                            instance.to_string()
                        },
                        allowed: allowed.iter().map(display_value).collect(),
                    },
                );
                // Only one of the two messages is useful; keep the precise one.
                if all_strings && !instance.is_string() {
                    out.pop();
                }
            }
            return;
        }

        if let Some(branches) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            self.check_branches(branches, instance, pointer, out);
            return;
        }

        if let Some(types) = schema.get("type") {
            let expected: Vec<String> = match types {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            if !expected.is_empty() && !expected.iter().any(|t| matches_type(t, instance)) {
                push(
                    out,
                    Violation::Type {
                        expected,
                        found: type_name(instance),
                        description: description(schema),
                    },
                );
                return;
            }
        }

        match instance {
            Value::Object(map) => self.check_object(schema, map, pointer, out),
            Value::Array(items) => {
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    push(out, Violation::TooShort { min, is_list: true });
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{pointer}/{i}"), out);
                    }
                }
            }
            Value::String(s) => {
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                    && (s.chars().count() as u64) < min
                {
                    push(
                        out,
                        Violation::TooShort {
                            min,
                            is_list: false,
                        },
                    );
                }
                if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                    && !regex::Regex::new(pattern).is_ok_and(|re| re.is_match(s))
                {
                    push(
                        out,
                        Violation::Pattern {
                            found: s.clone(),
                            description: description(schema),
                        },
                    );
                }
            }
            Value::Number(n) => {
                let value = n.as_f64().unwrap_or_default();
                let min = schema.get("minimum").and_then(Value::as_f64);
                let max = schema.get("maximum").and_then(Value::as_f64);
                if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
                    push(
                        out,
                        Violation::Range {
                            found: n.to_string(),
                            min,
                            max,
                        },
                    );
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_object(
        &self,
        schema: &'a Value,
        map: &serde_json::Map<String, Value>,
        pointer: &str,
        out: &mut Vec<Located>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, value) in map {
            let child = format!("{pointer}/{}", escape_pointer(key));
            match properties.and_then(|p| p.get(key)) {
                Some(property) => self.check(property, value, &child, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => out.push(Located {
                        pointer: child,
                        violation: Violation::UnknownKey {
                            key: key.clone(),
                            allowed: properties
                                .map(|p| p.keys().cloned().collect())
                                .unwrap_or_default(),
                        },
                    }),
                    Some(additional @ Value::Object(_)) => {
                        self.check(additional, value, &child, out);
                    }
                    _ => {}
                },
            }
        }
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(required) {
                out.push(Located {
                    pointer: pointer.to_owned(),
                    violation: Violation::MissingKey {
                        key: required.to_owned(),
                        description: properties
                            .and_then(|p| p.get(required))
                            .map(|p| self.resolve(p))
                            .and_then(description),
                    },
                });
            }
        }
    }

    fn check_branches(
        &self,
        branches: &'a [Value],
        instance: &Value,
        pointer: &str,
        out: &mut Vec<Located>,
    ) {
        let mut best: Option<Vec<Located>> = None;
        for branch in branches {
            let mut errors = Vec::new();
            self.check(branch, instance, pointer, &mut errors);
            if errors.is_empty() {
                return;
            }
            // Prefer the branch whose type matched (its errors are deeper and more useful).
            let type_failed = errors
                .iter()
                .any(|e| e.pointer == pointer && matches!(e.violation, Violation::Type { .. }));
            let better = match &best {
                None => true,
                Some(current) => {
                    let current_type_failed = current.iter().any(|e| {
                        e.pointer == pointer && matches!(e.violation, Violation::Type { .. })
                    });
                    (current_type_failed && !type_failed)
                        || (current_type_failed == type_failed && errors.len() < current.len())
                }
            };
            if better {
                best = Some(errors);
            }
        }
        if let Some(errors) = best {
            out.extend(errors);
        }
    }
}

impl Violation {
    /// The message, hint and label for this violation at `path` (dotted).
    pub(crate) fn explain(&self, path: &str) -> (String, Option<String>, String) {
        let field = if path.is_empty() {
            "the spec".to_owned()
        } else {
            format!("`{path}`")
        };
        match self {
            Self::Type {
                expected,
                found,
                description,
            } => {
                let wanted: Vec<String> = expected.iter().map(|t| describe_type(t)).collect();
                let message = format!("{field} must be {}, found {found}", wanted.join(" or "));
                let hint = if *found == "nothing (null)" && path.is_empty() {
                    Some(
                        "the file is empty: start with `version: 1` and an `image:` section, or run `shipgate init`"
                            .to_owned(),
                    )
                } else if *found == "nothing (null)" && expected.iter().any(|t| t == "object") {
                    Some(format!(
                        "{field} is empty: add its keys below it, or remove the line"
                    ))
                } else {
                    description.clone()
                };
                (message, hint, format!("expected {}", wanted.join(" or ")))
            }
            Self::UnknownKey { key, allowed } => {
                let parent = match path.rsplit_once('.') {
                    Some((parent, _)) => format!("`{parent}`"),
                    None => "the top level".to_owned(),
                };
                let hint = match closest(key, allowed) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => format!("keys allowed here: {}", allowed.join(", ")),
                };
                (
                    format!("unknown key `{key}` in {parent}"),
                    Some(hint),
                    "unknown key".to_owned(),
                )
            }
            Self::MissingKey { key, description } => {
                let hint = description.as_ref().map(|d| format!("`{key}`: {d}"));
                (
                    format!("{field} is missing the required key `{key}`"),
                    hint,
                    format!("`{key}` is required here"),
                )
            }
            Self::NotAllowed { found, allowed } => {
                let hint = match closest(found, allowed) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None if found.starts_with('"') => {
                        format!("remove the quotes: write {}", allowed.join(" or "))
                    }
                    None => format!("allowed values: {}", allowed.join(", ")),
                };
                let message = if allowed.len() == 1 {
                    format!("{field} must be `{}`, found `{found}`", allowed[0])
                } else {
                    format!(
                        "{field} must be one of {}, found `{found}`",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                (message, Some(hint), "not an allowed value".to_owned())
            }
            Self::Pattern { found, description } => (
                format!("{field} has an invalid value `{found}`"),
                description.clone(),
                "invalid value".to_owned(),
            ),
            Self::Range { found, min, max } => {
                let bounds = match (min, max) {
                    (Some(min), Some(max)) => format!("between {min} and {max}"),
                    (Some(min), None) => format!("at least {min}"),
                    (None, Some(max)) => format!("at most {max}"),
                    (None, None) => String::new(),
                };
                (
                    format!("{field} must be {bounds}, found {found}"),
                    None,
                    "out of range".to_owned(),
                )
            }
            Self::TooShort { min, is_list } => {
                let message = if *is_list {
                    format!("{field} must have at least {min} item(s)")
                } else {
                    format!("{field} must not be empty")
                };
                (message, None, "too short".to_owned())
            }
        }
    }
}

/// The closest candidate to `word`, when one is close enough to be a typo.
pub(crate) fn closest(word: &str, candidates: &[String]) -> Option<String> {
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.clone())
}

/// Turns a JSON pointer into the dotted path users read: `/image/platforms/1` →
/// `image.platforms[1]`.
pub(crate) fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

impl Violation {
    /// The stable diagnostic code of this violation (docs/diagnostics.md).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Type { .. } => "wrong-type",
            Self::UnknownKey { .. } => "unknown-key",
            Self::MissingKey { .. } => "missing-key",
            Self::NotAllowed { .. } => "invalid-value",
            Self::Pattern { .. } => "invalid-value",
            Self::Range { .. } => "out-of-range",
            Self::TooShort { .. } => "empty-value",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn violations(instance: Value) -> Vec<(String, String)> {
        check(&instance)
            .into_iter()
            .map(|located| {
                let path = dotted(&located.pointer);
                let (message, _, _) = located.violation.explain(&path);
                (path, message)
            })
            .collect()
    }

    #[test]
    fn valid_minimal_spec_passes() {
        assert!(violations(json!({"version": 1, "image": {"name": "ghcr.io/a/b"}})).is_empty());
    }

    #[test]
    fn reports_every_violation() {
        let found = violations(json!({
            "version": 2,
            "image": {"name": 5, "plattforms": []},
            "scan": {"fail-on": "hihg", "only-fixed": "yes"},
            "deploy": {"environments": [{"name": "Prod"}]},
        }));
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"version"), "{found:?}");
        assert!(paths.contains(&"image.name"), "{found:?}");
        assert!(paths.contains(&"image.plattforms"), "{found:?}");
        assert!(paths.contains(&"scan.fail-on"), "{found:?}");
        assert!(paths.contains(&"scan.only-fixed"), "{found:?}");
        assert!(paths.contains(&"deploy.environments[0].name"), "{found:?}");
        assert!(paths.contains(&"deploy.environments[0]"), "{found:?}");
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(
            closest("plattforms", &["platforms".to_owned(), "tags".to_owned()]),
            Some("platforms".to_owned())
        );
        assert_eq!(closest("zzz", &["platforms".to_owned()]), None);
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted("/image/platforms/1"), "image.platforms[1]");
        assert_eq!(dotted(""), "");
        assert_eq!(dotted("/image/labels/a~1b"), "image.labels.a/b");
    }
}
