//! The front-ends never panic, whatever the input: arbitrary text, mutated valid
//! descriptions, vocabulary-shaped random descriptions, arbitrary attribute tokens and
//! hostile nesting. (Property tests; run longer with PROPTEST_CASES=100000.)

#[allow(dead_code)] // the converter's other entry point is used by the rule tests
mod common {
    pub mod convert;
}

use common::convert::items as to_attr;
use proptest::prelude::*;
use wsbind_compiler::model::{Binding, Channel, File, Security};
use wsbind_compiler::{check_attr, check_toml, Target};

const VALID: &str = include_str!("../../examples/bindings/order-service.toml");

fn check_both(text: &str) {
    let checked = check_toml(text, Target::Runtime);
    // A description without errors always resolves to a typed description.
    if !checked.has_errors() {
        assert!(checked.description().is_some());
    }
    // Every TOML location lies inside the text.
    for d in &checked.diagnostics {
        for l in std::iter::once(&d.primary).chain(&d.related) {
            if let Some(r) = l.loc.range() {
                assert!(
                    r.start <= r.end && r.end <= text.len(),
                    "{r:?} outside {} bytes",
                    text.len()
                );
            }
        }
    }
}

fn key() -> impl Strategy<Value = &'static str> {
    let keys: Vec<&'static str> = File::KEYS
        .iter()
        .chain(Channel::KEYS)
        .chain(Security::KEYS)
        .chain(Binding::KEYS)
        .copied()
        .chain(["kynd", "key_size"])
        .collect();
    proptest::sample::select(keys)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "\"http\"",
            "\"named-pipe\"",
            "\"tcp\"",
            "\"udp\"",
            "\"client\"",
            "\"server\"",
            "\"none\"",
            "\"supporting\"",
            "\"security-context\"",
            "\"ssl-transport\"",
            "\"username\"",
            "\"http-header-auth\"",
            "\"kerberos-apreq\"",
            "\"basic\"",
            "\"ntlm\"",
            "\"proxy\"",
            "\"5m\"",
            "\"0s\"",
            "\"10h\"",
            "\"1.3\"",
            "\"feb-2005\"",
            "\"combined\"",
            "true",
            "false",
            "0",
            "-8",
            "256",
            "9223372036854775807",
            "1.5",
            "[\"basic\", \"basic\"]",
            "{}",
            "[]",
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|i| i.to_string()),
        "[a-z-]{0,12}".prop_map(|s| format!("{s:?}")),
    ]
}

fn random_description() -> impl Strategy<Value = String> {
    let line = (key(), value()).prop_map(|(k, v)| format!("{k} = {v}\n"));
    let header = proptest::sample::select(vec![
        "[channel]\n",
        "[security]\n",
        "[[security.binding]]\n",
        "[security.binding.bootstrap]\n",
        "[[security.binding.bootstrap.binding]]\n",
        "[security.algorithm-suite]\n",
        "[[security.binding.bootstrap.binding.bootstrap.binding]]\n",
    ])
    .prop_map(str::to_owned);
    proptest::collection::vec(prop_oneof![3 => line, 1 => header], 0..40)
        .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_both(&text);
    }

    #[test]
    fn mutated_valid_descriptions_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        check_both(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn vocabulary_shaped_descriptions_never_panic(text in random_description()) {
        check_both(&text);
        // And the attribute front-end on the same description, when it is TOML at all.
        if let Ok(t) = text.parse::<toml::Table>() {
            if let Ok(tokens) = to_attr(&t).parse::<proc_macro2::TokenStream>() {
                let _ = check_attr(tokens, Target::Runtime);
            }
        }
    }

    #[test]
    fn arbitrary_attribute_tokens_never_panic(text in "[a-z_=(),\\[\\]\" 0-9.-]{0,200}") {
        if let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() {
            let _ = check_attr(tokens, Target::Runtime);
        }
    }
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let deep_array = format!(
        "[channel]\nbinding = {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let c = check_toml(&deep_array, Target::Runtime);
    assert!(c.has_errors());
    let deep_table = format!(
        "[channel]\nbinding = {}1{}\n",
        "{a = ".repeat(2000),
        "}".repeat(2000)
    );
    assert!(check_toml(&deep_table, Target::Runtime).has_errors());
    let deep_attr = format!("{}{}", "a(".repeat(2000), ")".repeat(2000));
    let c = check_attr(deep_attr.parse().expect("balanced tokens"), Target::Runtime);
    assert!(c.diagnostics.iter().any(|d| d.rule.id == "WSB0041"));
    let big = "#".repeat(2 << 20);
    assert!(check_toml(&big, Target::Runtime)
        .diagnostics
        .iter()
        .any(|d| d.rule.id == "WSB0041"));
}
