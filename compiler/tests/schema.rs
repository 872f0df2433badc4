//! `schemas/binding.schema.json` is generated from the model; it must be committed up to
//! date, and every TOML description in the repository that is meant to be valid must
//! validate against it (the schema may be looser than the rules, never stricter).
//! Regenerate with `cargo run -p wsbind-cli -- schema > schemas/binding.schema.json`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(root().join("schemas/binding.schema.json"))
        .expect("schemas/binding.schema.json exists");
    assert!(
        committed == wsbind_compiler::schema::binding_schema(),
        "schemas/binding.schema.json is stale: run `cargo run -p wsbind-cli -- schema > schemas/binding.schema.json`"
    );
}

fn tomls(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            tomls(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&wsbind_compiler::schema::binding_schema()).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema is a valid JSON Schema")
}

#[test]
fn every_valid_example_validates_against_the_schema() {
    let v = validator();
    let mut files = Vec::new();
    tomls(&root().join("examples"), &mut files);
    tomls(&root().join("tests/ui/toml"), &mut files);
    assert!(files.len() > 10, "found the example descriptions");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        // Files that break only structure rules (WSB0039/WSB0034/WSB0041) are expected to
        // fail the schema; every other file is well-formed and must pass it.
        let checked = wsbind_compiler::check_toml(&text, wsbind_compiler::Target::Model);
        let structural = checked
            .diagnostics
            .iter()
            .any(|d| matches!(d.rule.id, "WSB0039" | "WSB0034" | "WSB0041"));
        let value: serde_json::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(_) => {
                assert!(
                    structural,
                    "{} is not TOML but the compiler accepted its syntax",
                    f.display()
                );
                continue;
            }
        };
        let errors: Vec<String> = v
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if structural {
            assert!(
                !errors.is_empty()
                    || f.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("WSB0034")),
                "{}: the schema misses a structural error",
                f.display()
            );
        } else {
            assert!(
                errors.is_empty(),
                "{} fails the schema: {errors:?}",
                f.display()
            );
        }
    }
}

#[test]
fn schema_rejects_unknown_keys_and_values() {
    let v = validator();
    let bad: serde_json::Value = toml::from_str("[channel]\nbinding = \"htp\"\n").expect("toml");
    assert!(!v.is_valid(&bad));
    let bad: serde_json::Value =
        toml::from_str("[channel]\nbinding = \"http\"\nrloe = \"client\"\n").expect("toml");
    assert!(!v.is_valid(&bad));
    let good: serde_json::Value = toml::from_str("[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"http-header-auth\"\nscheme = \"basic\"\n").expect("toml");
    assert!(v.is_valid(&good), "a single scheme is a valid list");
}
