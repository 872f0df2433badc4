//! The WSDL importer on any text: no panic, no hang. Every document the text imports
//! (`wsdl:import location=…`, any name) is the same text again, so imports, their
//! cycles and the document bound are exercised; policy references, their cycles and the
//! alternative bounds come from the text itself. A binding is written only when the
//! import found no error, and what is written passes the compiler's checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use wsbind_compiler::description::Role;
use wsbind_compiler::diag::Style;
use wsbind_compiler::{check_toml, Target};
use wsbind_wsdl::{import, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let read = |_: &Path| -> std::io::Result<String> { Ok(text.to_owned()) };
    let imported = import(
        Path::new("service.wsdl"),
        &Options {
            port: None,
            target: Target::Model,
            role: Role::Both,
            read: &read,
            shown_as: None,
        },
    );
    if let Some(toml) = &imported.toml {
        assert!(!imported.has_errors());
        assert!(check_toml(toml, Target::Model).description().is_some(), "{toml}");
    }
    let out = imported.render(Style::Plain);
    assert!(imported.found.is_empty() || !out.is_empty());
});
