//! The attribute front-end (`#[wsbind::binding(...)]`'s arguments) on any token stream
//! the text lexes to: no panic, and the same validity rule as the TOML form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsbind_compiler::{check_attr, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return;
    };
    let checked = check_attr(tokens, Target::Runtime);
    assert_eq!(
        checked.description().is_some(),
        checked.errors() == 0 && checked.file.is_some()
    );
});
