//! Serialising OCI JSON deterministically: oci-spec keeps annotations in a `HashMap`,
//! whose order changes between runs, and a manifest's digest must not.

use serde::Serialize;
use serde_json::{Map, Value};

/// Compact JSON with every object's keys sorted.
pub(crate) fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let value = sort(serde_json::to_value(value)?);
    serde_json::to_vec(&value)
}

/// Indented JSON with sorted keys (for `index.json`, which people read).
pub(crate) fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let value = sort(serde_json::to_value(value)?);
    serde_json::to_vec_pretty(&value)
}

fn sort(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted = Map::new();
            for (key, value) in entries {
                sorted.insert(key, sort(value));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_level() {
        let value = serde_json::json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": 3}});
        assert_eq!(
            String::from_utf8(canonical(&value).unwrap()).unwrap(),
            r#"{"a":{"c":3,"d":[{"y":2,"z":1}]},"b":1}"#
        );
    }
}
