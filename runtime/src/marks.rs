//! Fields of a task's config that its script's schema marks with a keyword (`x-host-path`,
//! `x-http-origin`, `writeOnly`): found by walking the config along the schema — into nested
//! objects, array items, `allOf`/`anyOf`/`oneOf` branches, and `$ref`s to the schema's own `$defs`.

use serde_json::Value;

/// One marked value of a config: its JSON Pointer, the value, and the mark's value in the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Marked<'a> {
    pub pointer: String,
    pub value: &'a Value,
    pub mark: &'a Value,
}

/// Every value of `config` whose schema (at its place) has the keyword `mark`, in document order.
pub fn marked<'a>(schema: &'a Value, config: &'a Value, mark: &str) -> Vec<Marked<'a>> {
    let mut found: Vec<Marked<'a>> = Vec::new();
    walk(schema, schema, config, mark, String::new(), &mut found);
    // A value several branches mark counts once.
    let mut seen = std::collections::HashSet::new();
    found.retain(|m| seen.insert(m.pointer.clone()));
    found
}

/// How deep `$ref`s and nesting are followed; schemas of scripts are shallow.
const MAX_DEPTH: usize = 16;

fn walk<'a>(
    root: &'a Value,
    schema: &'a Value,
    value: &'a Value,
    mark: &str,
    pointer: String,
    found: &mut Vec<Marked<'a>>,
) {
    if pointer.matches('/').count() > MAX_DEPTH {
        return;
    }
    let schema = resolve(root, schema);
    if let Some(m) = schema.get(mark) {
        found.push(Marked {
            pointer: pointer.clone(),
            value,
            mark: m,
        });
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for branch in schema
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(root, branch, value, mark, pointer.clone(), found);
        }
    }
    match value {
        Value::Object(fields) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, sub) in props {
                if let Some(v) = fields.get(key) {
                    walk(
                        root,
                        sub,
                        v,
                        mark,
                        format!("{pointer}/{}", escape(key)),
                        found,
                    );
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    walk(root, sub, v, mark, format!("{pointer}/{i}"), found);
                }
            }
        }
        _ => {}
    }
}

/// `schema`, or what its `$ref` (`#/$defs/NAME`, `#/definitions/NAME`) names in `root`.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..MAX_DEPTH {
        let Some(target) = current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        else {
            break;
        };
        current = target;
    }
    current
}

/// A key as a JSON Pointer segment (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marks_are_found_through_refs_objects_and_items() {
        let schema = json!({
            "properties": {
                "files": {"items": {"x-host-path": "file"}},
                "settings": {"$ref": "#/$defs/Settings"},
            },
            "$defs": {"Settings": {"properties": {"base_url": {"x-http-origin": true}}}}
        });
        let config = json!({"files": ["/a", "/b"], "settings": {"base_url": "https://x.test/v1"}});
        let files: Vec<String> = marked(&schema, &config, "x-host-path")
            .iter()
            .map(|m| m.pointer.clone())
            .collect();
        assert_eq!(files, ["/files/0", "/files/1"]);
        let origin = marked(&schema, &config, "x-http-origin");
        assert_eq!(origin.len(), 1);
        assert_eq!(origin[0].pointer, "/settings/base_url");
        assert_eq!(origin[0].value, "https://x.test/v1");
    }

    #[test]
    fn marks_under_any_of_count_once() {
        // schemars writes an optional struct as anyOf [its $ref, null].
        let schema = json!({
            "properties": {"s": {"anyOf": [{"$ref": "#/$defs/S"}, {"type": "null"}], "allOf": [{"$ref": "#/$defs/S"}]}},
            "$defs": {"S": {"properties": {"api_key": {"writeOnly": true}}}}
        });
        let config = json!({"s": {"api_key": "sk-1"}});
        let found = marked(&schema, &config, "writeOnly");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/s/api_key");
    }

    #[test]
    fn absent_fields_are_not_marked() {
        let schema = json!({"properties": {"key": {"writeOnly": true}}});
        assert!(marked(&schema, &json!({}), "writeOnly").is_empty());
    }
}
