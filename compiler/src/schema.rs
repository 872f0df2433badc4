//! The JSON Schema of `binding.toml`, generated from the model (schemars), so editors
//! validate descriptions with the same vocabulary the compiler reads. The committed
//! `schemas/binding.schema.json` is kept equal to this by a test.

use serde_json::Value;

/// The schema, pretty-printed, with a trailing newline.
pub fn binding_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::model::File>();
    let mut value = schema.to_value();
    tomlify(&mut value);
    // `[[security.binding]]` lists are optional: a description may have no binding.
    if let Some(Value::Object(sec)) = value.pointer_mut("/definitions/Security") {
        sec.remove("required");
    }
    if let Value::Object(root) = &mut value {
        root.insert(
            "title".into(),
            "wsbind security binding description (binding.toml)".into(),
        );
        root.insert(
            "description".into(),
            "A WWSAPI-style security description checked by wsbind at compile time. Which properties each binding kind accepts, and every other rule, is checked by the compiler (`wsbind check`).".into(),
        );
    }
    let mut text =
        serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Adapts schemars' output to TOML, which has no null: an optional key is simply not
/// required (schemars writes `anyOf: [T, null]`), and lists (`[[security.binding]]`) may
/// be absent.
fn tomlify(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, x) in inner {
                            map.entry(k).or_insert(x);
                        }
                    }
                }
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for x in map.values_mut() {
                tomlify(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(tomlify),
        _ => {}
    }
}
