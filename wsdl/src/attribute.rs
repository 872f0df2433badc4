//! `#[wsbind::binding(wsdl = "service.wsdl", port = "…", role = "…", allow = ["WSB0053"])]`:
//! the import run inside the proc-macro; `allow` acknowledges warnings by rule id (they are
//! reported as deprecation warnings otherwise, once per build). The path resolves as `file = …` does (relative to the crate's
//! `CARGO_MANIFEST_DIR`, WSB0042 otherwise); every document read is tracked so that an
//! edit rebuilds; import errors and rule violations come back at the WSDL's own lines
//! (the macro carries them at the literal). An attribute without `wsdl` is not this
//! module's: `read_attribute_in` returns `None` and the compiler reads it.

use crate::{import, Imported, Options};
use std::ffi::OsStr;
use std::path::PathBuf;
use wsbind_compiler::description::Role;
use wsbind_compiler::diag::{Ctxt, Diagnostic};
use wsbind_compiler::inputs::resolve_path;
use wsbind_compiler::loc::{Loc, Spelling};
use wsbind_compiler::rules::{Severity, WSB0041};
use wsbind_compiler::tree::Value;
use wsbind_compiler::{check_toml, front, Checked, Target};

/// A description imported from a WSDL named by the attribute.
#[derive(Debug)]
pub struct WsdlInput {
    /// The import: its documents and diagnostics (at their places in them).
    pub imported: Imported,
    /// The imported description, checked for the runtime, with the import's warnings
    /// as its diagnostics; `None` when the import failed.
    pub checked: Option<Checked>,
    /// The `"…"` literal of `wsdl = …`.
    pub at: Loc,
    /// Every document read (cargo rebuilds when one changes).
    pub tracked: Vec<PathBuf>,
}

/// Reads the attribute when it names a WSDL; `None` otherwise. `Err` holds diagnostics
/// in the attribute's tokens.
pub fn read_attribute_in(
    args: proc_macro2::TokenStream,
    manifest_dir: Option<&OsStr>,
) -> Option<Result<WsdlInput, Vec<Diagnostic>>> {
    let mut cx = Ctxt::new(Spelling::Attribute);
    let root = front::attr::parse(args, &mut cx)?;
    let Value::Table(table) = &root.value else {
        return None;
    };
    let wsdl = table.entries.iter().find(|e| e.key == "wsdl")?;
    Some(read(table, wsdl, manifest_dir))
}

fn read(
    table: &wsbind_compiler::tree::Table,
    wsdl: &wsbind_compiler::tree::Entry,
    manifest_dir: Option<&OsStr>,
) -> Result<WsdlInput, Vec<Diagnostic>> {
    let string = |e: &wsbind_compiler::tree::Entry, what: &str| match &e.node.value {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(vec![Diagnostic::new(
            &WSB0041,
            format!("`{}` must be a string: {what}", e.key),
            &e.node.loc,
            "expected a string",
        )]),
    };
    let mut port = None;
    let mut role = Role::Both;
    let mut allowed: Vec<&'static wsbind_compiler::rules::Rule> = Vec::new();
    for e in &table.entries {
        match e.key.as_str() {
            "wsdl" => {}
            "port" => {
                port = Some(string(
                    e,
                    "the name of the WSDL's port (`wsdl:port/@name`)",
                )?)
            }
            "role" => {
                let r = string(e, "client, server or both")?;
                role = match Role::ALL.iter().find(|(n, _)| *n == r) {
                    Some((_, r)) => *r,
                    None => {
                        return Err(vec![Diagnostic::new(
                            &WSB0041,
                            format!("`role` is \"{r}\"; it is \"client\", \"server\" or \"both\""),
                            &e.node.loc,
                            "unknown role",
                        )])
                    }
                }
            }
            "allow" => {
                let Value::Array(items) = &e.node.value else {
                    return Err(vec![Diagnostic::new(
                        &WSB0041,
                        "`allow` is a list of warning ids, e.g. allow = [\"WSB0053\"]",
                        &e.node.loc,
                        "expected a list",
                    )]);
                };
                for item in items {
                    let rule = match &item.value {
                        Value::Str(id) => wsbind_compiler::rules::find(id),
                        _ => None,
                    };
                    match rule {
                        Some(r) if r.severity == Severity::Warning => allowed.push(r),
                        _ => {
                            return Err(vec![Diagnostic::new(
                                &WSB0041,
                                "`allow` names warnings only (an error cannot be allowed), e.g. \"WSB0053\"",
                                &item.loc,
                                "not a warning id",
                            )])
                        }
                    }
                }
            }
            _ => {
                return Err(vec![Diagnostic::new(
                    &WSB0041,
                    "`wsdl = ...` takes `port`, `role` and `allow` beside it, not a description",
                    &e.key_loc,
                    "not with `wsdl`",
                )
                .help("the WSDL's policy is the description: remove this key, or write the description in a binding.toml (`wsbind import` writes one)")]);
            }
        }
    }
    let rel = string(wsdl, "the path of the WSDL, relative to Cargo.toml")?;
    let at = wsdl.node.loc.clone();
    let path = resolve_path(&rel, &at, manifest_dir).map_err(|d| vec![*d])?;
    let imported = import(
        &path,
        &Options {
            port,
            target: Target::Runtime,
            role,
            read: &crate::read_file,
            shown_as: Some(rel),
        },
    );
    let tracked = imported.paths.clone();
    let checked = imported.toml.as_deref().map(|toml| {
        let mut checked = check_toml(toml, Target::Runtime);
        checked.diagnostics = imported
            .found
            .iter()
            .filter(|f| !allowed.iter().any(|r| std::ptr::eq(*r, f.diagnostic.rule)))
            .map(|f| f.diagnostic.clone())
            .collect();
        checked
    });
    Ok(WsdlInput {
        imported,
        checked,
        at,
        tracked,
    })
}
