//! `docs/spec.md`: the shipgate.yaml reference, generated from the JSON Schema so the
//! documentation says exactly what the loader accepts.

use serde_json::Value;

/// Renders the reference page from the root schema.
pub(crate) fn render(root: &Value) -> String {
    let mut out = format!(
        "<!-- {} -->\n# `shipgate.yaml` reference (version 1)\n\n{}\n\nThe JSON Schema is `schemas/shipgate.v1.schema.json` (`shipgate schema` prints it).\nUnknown keys are errors. Paths are relative to the directory that holds the spec.\n",
        super::HEADER_NOTE,
        root.get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    let mut sections = vec![(String::new(), root.clone())];
    let mut index = 0;
    while index < sections.len() {
        let (path, schema) = sections[index].clone();
        index += 1;
        let schema = resolve(root, &schema);
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let title = if path.is_empty() {
            "Top level".to_owned()
        } else {
            format!("`{path}`")
        };
        out.push_str(&format!("\n## {title}\n\n"));
        if !path.is_empty()
            && let Some(description) = schema.get("description").and_then(Value::as_str)
        {
            out.push_str(&format!("{description}\n\n"));
        }
        out.push_str("| key | type | default | description |\n| --- | --- | --- | --- |\n");
        for (key, property) in properties {
            let resolved = resolve(root, property);
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let (kind, nested) = describe(root, property);
            let default = property
                .get("default")
                .map(|d| format!("`{d}`"))
                .unwrap_or_else(|| {
                    if required.contains(&key.as_str()) {
                        "required".to_owned()
                    } else {
                        "—".to_owned()
                    }
                });
            let description = property
                .get("description")
                .or_else(|| resolved.get("description"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace('\n', " ")
                .replace('|', "\\|");
            out.push_str(&format!(
                "| `{key}` | {kind} | {default} | {description} |\n"
            ));
            if let Some((suffix, schema)) = nested {
                sections.push((format!("{child}{suffix}"), schema));
            }
        }
    }
    out
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .unwrap_or(schema)
}

/// A short type description, and the object schema to document in its own section.
fn describe(root: &Value, schema: &Value) -> (String, Option<(String, Value)>) {
    let resolved = resolve(root, schema);
    if let Some(values) = enum_values(root, resolved) {
        return (values.join(" \\| "), None);
    }
    match resolved.get("type").and_then(Value::as_str) {
        Some("object") if resolved.get("properties").is_some() => (
            "mapping".to_owned(),
            Some((String::new(), resolved.clone())),
        ),
        Some("object") => ("mapping of strings".to_owned(), None),
        Some("array") => {
            let items = resolved.get("items").cloned().unwrap_or(Value::Null);
            let (inner, nested) = describe(root, &items);
            (
                format!("list of {inner}"),
                nested.map(|(suffix, schema)| (format!("[]{suffix}"), schema)),
            )
        }
        Some("integer") => ("integer".to_owned(), None),
        Some("boolean") => ("boolean".to_owned(), None),
        Some("string") => ("string".to_owned(), None),
        Some(other) => (other.to_owned(), None),
        None => ("value".to_owned(), None),
    }
}

fn enum_values(root: &Value, schema: &Value) -> Option<Vec<String>> {
    let schema = resolve(root, schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
                .collect(),
        );
    }
    if let Some(value) = schema.get("const") {
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        return Some(vec![format!("`{shown}`")]);
    }
    let branches = schema.get("oneOf").and_then(Value::as_array)?;
    let mut out = Vec::new();
    for branch in branches {
        out.extend(enum_values(root, branch)?);
    }
    Some(out)
}
