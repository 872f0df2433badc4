//! Converts a TOML test description into the equivalent attribute arguments, so each
//! rule case runs through both front-ends. Keys become snake_case; tables become
//! `key(...)`; arrays of tables become repeated `key(...)`.

use toml::Value;

pub fn to_attr(toml_text: &str) -> String {
    let v: toml::Table = toml::from_str(toml_text).expect("test cases are valid TOML");
    items(&v)
}

pub fn items(t: &toml::Table) -> String {
    let mut out = Vec::new();
    for (k, v) in t {
        let key = k.replace('-', "_");
        match v {
            Value::Table(inner) => out.push(format!("{key}({})", items(inner))),
            Value::Array(a) if a.iter().all(Value::is_table) && !a.is_empty() => {
                for x in a {
                    if let Value::Table(inner) = x {
                        out.push(format!("{key}({})", items(inner)));
                    }
                }
            }
            other => out.push(format!("{key} = {}", scalar(other))),
        }
    }
    out.join(", ")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(scalar).collect::<Vec<_>>().join(", ")),
        Value::Float(f) => format!("{f:?}"),
        Value::Datetime(d) => format!("{:?}", format!("{d:?}")),
        Value::Table(_) => "()".to_owned(),
    }
}
