//! The TOML front-end, the rules and the diagnostics renderer on any text: no panic, no
//! hang (the pre-pass and the caps keep every input linear), and a description is
//! valid only when no error was found, kept or counted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsbind_compiler::diag::{self, SourceFile, Style};
use wsbind_compiler::{check_toml, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checked = check_toml(text, Target::Runtime);
    assert_eq!(
        checked.description().is_some(),
        checked.errors() == 0 && checked.file.is_some()
    );
    assert!(checked.diagnostics.len() <= diag::MAX_COLLECTED);
    let out = diag::render_counted(
        &checked.diagnostics,
        checked.omitted,
        &SourceFile::new("binding.toml", text),
        Style::Plain,
    );
    assert!(checked.diagnostics.is_empty() || !out.is_empty());
});
