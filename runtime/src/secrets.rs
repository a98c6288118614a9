//! Secrets in a task's config: the values of fields its script's schema marks `writeOnly` (an API
//! key). The host stores them sealed and shows them as [`REDACTED`]; a run gets them back, and a
//! [`Redactor`] cuts them out of everything the run reports: log lines, progress, errors, result.

use std::sync::Arc;

use serde_json::Value;

/// What a secret reads as wherever it would show.
pub const REDACTED: &str = "[redacted]";

/// Shortest secret cut out of texts: shorter values would redact ordinary words.
const MIN_SECRET_CHARS: usize = 4;

/// Every non-empty secret of `config` (fields `schema` marks `writeOnly`), as (JSON Pointer, value).
pub fn secrets(schema: &Value, config: &Value) -> Vec<(String, String)> {
    crate::marks::marked(schema, config, "writeOnly")
        .into_iter()
        .filter(|m| m.mark == &Value::Bool(true))
        .filter_map(|m| {
            let value = m
                .value
                .as_str()
                .filter(|v| !v.is_empty() && *v != REDACTED)?;
            Some((m.pointer, value.to_string()))
        })
        .collect()
}

/// `config` with each secret replaced by [`REDACTED`].
pub fn redact_config(schema: &Value, config: &Value) -> Value {
    let mut shown = config.clone();
    for (pointer, _) in secrets(schema, config) {
        if let Some(slot) = shown.pointer_mut(&pointer) {
            *slot = Value::from(REDACTED);
        }
    }
    shown
}

/// Cuts a run's secrets out of texts and JSON. Cheap to clone; the default redacts nothing.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Arc<Vec<String>>,
}

impl Redactor {
    /// A redactor for these secret values, as given and trimmed (scripts may send a key trimmed);
    /// too short ones are left alone.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .flat_map(|s| {
                let trimmed = s.trim().to_string();
                [s, trimmed]
            })
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
            .collect();
        secrets.dedup();
        // Longest first, so a secret containing another is cut whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor {
            secrets: Arc::new(secrets),
        }
    }

    /// Whether it has no secret to cut.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// Every string inside `value` redacted.
    pub fn redact_json(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(s) => *s = self.redact(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(fields) => fields.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"properties": {"s": {"properties": {"api_key": {"writeOnly": true}}}}})
    }

    #[test]
    fn write_only_fields_are_the_secrets_and_show_redacted() {
        let config = json!({"s": {"api_key": "sk-test-123456"}, "other": 1});
        assert_eq!(
            secrets(&schema(), &config),
            [("/s/api_key".to_string(), "sk-test-123456".to_string())]
        );
        assert_eq!(
            redact_config(&schema(), &config),
            json!({"s": {"api_key": REDACTED}, "other": 1})
        );
    }

    #[test]
    fn secrets_are_cut_out_of_texts_and_json() {
        let r = Redactor::new(["sk-test-123456".to_string(), "ab".to_string()]);
        assert_eq!(
            r.redact("key sk-test-123456 was ab"),
            "key [redacted] was ab"
        );
        let mut v = json!({"error": ["Bearer sk-test-123456"]});
        r.redact_json(&mut v);
        assert_eq!(v, json!({"error": ["Bearer [redacted]"]}));
    }
}
