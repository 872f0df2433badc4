//! Parse the input, call the compiler, turn its diagnostics into `compile_error!`s at the
//! right spans (and its warnings into deprecation warnings), or emit the generated code.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use std::path::PathBuf;
use wsbind_compiler::codegen::{self, Expansion};
use wsbind_compiler::diag::{self, Ctxt, Diagnostic, SourceFile};
use wsbind_compiler::loc::{Loc, Spelling};
use wsbind_compiler::rules::{WSB0041, WSB0042};
use wsbind_compiler::tree::Value;
use wsbind_compiler::{check_tree, front, Checked, Target};

pub fn binding(args: TokenStream, item: TokenStream) -> TokenStream {
    let name = match syn::parse2::<syn::DeriveInput>(item.clone()) {
        Ok(input) if !input.generics.params.is_empty() => {
            let e = syn::Error::new_spanned(
                &input.generics,
                "#[wsbind::binding] goes on a type without generic parameters",
            );
            return with_item(item, e.to_compile_error());
        }
        Ok(input) => input.ident,
        Err(_) => {
            let e = syn::Error::new(
                Span::call_site(),
                "#[wsbind::binding] goes on a struct or an enum, e.g. `struct OrderService;`",
            );
            return with_item(item, e.to_compile_error());
        }
    };
    let out = match Input::read(args) {
        Input::Inline(checked) => finish(&name, &checked, None, attr_errors),
        Input::File {
            checked,
            source,
            lit_span,
            abs_path,
        } => finish(&name, &checked, Some((&abs_path, lit_span)), |d| {
            vec![file_error(d, &source, lit_span)]
        }),
        Input::Failed(errors) => errors,
    };
    with_item(item, out)
}

fn with_item(item: TokenStream, extra: TokenStream) -> TokenStream {
    quote!(#item #extra)
}

enum Input {
    Inline(Checked),
    File {
        checked: Checked,
        source: SourceFile,
        lit_span: Span,
        abs_path: String,
    },
    Failed(TokenStream),
}

impl Input {
    fn read(args: TokenStream) -> Input {
        let mut cx = Ctxt::new(Spelling::Attribute);
        let Some(root) = front::attr::parse(args, &mut cx) else {
            return Input::Failed(cx.into_diagnostics().iter().flat_map(attr_errors).collect());
        };
        let Value::Table(table) = &root.value else {
            return Input::Inline(check_tree(Some(root), Target::Runtime, cx));
        };
        let Some(file) = table.entries.iter().find(|e| e.key == "file") else {
            return Input::Inline(check_tree(Some(root), Target::Runtime, cx));
        };
        let lit_span = file.node.loc.span().unwrap_or_else(Span::call_site);
        if let Some(other) = table.entries.iter().find(|e| e.key != "file") {
            let d = Diagnostic::new(
                &WSB0041,
                "`file = ...` cannot be combined with an inline description",
                &other.key_loc,
                "inline key",
            )
            .help("put the whole description in the file, or remove `file`");
            return Input::Failed(attr_errors(&d).into_iter().collect());
        }
        let Value::Str(rel) = &file.node.value else {
            let d = Diagnostic::new(
                &WSB0041,
                "`file` must be a string: the path of the description, relative to Cargo.toml",
                &file.node.loc,
                "expected a string",
            );
            return Input::Failed(attr_errors(&d).into_iter().collect());
        };
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_default();
        let path = dir.join(rel);
        let abs_path = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                let d = Diagnostic::new(&WSB0042, format!("cannot read the description file {abs_path}: {e}"), &file.node.loc, "this file")
                    .help("the path is relative to the directory of the crate's Cargo.toml (CARGO_MANIFEST_DIR)");
                return Input::Failed(attr_errors(&d).into_iter().collect());
            }
        };
        let checked = wsbind_compiler::check_toml(&text, Target::Runtime);
        Input::File {
            checked,
            source: SourceFile::new(rel.clone(), text),
            lit_span,
            abs_path,
        }
    }
}

fn finish(
    name: &syn::Ident,
    checked: &Checked,
    file: Option<(&str, Span)>,
    errors: impl Fn(&Diagnostic) -> Vec<TokenStream>,
) -> TokenStream {
    let track = file.map(|(p, _)| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#p);
        )
    });
    if checked.has_errors() {
        let errs = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .flat_map(errors);
        return quote!(#track #(#errs)*);
    }
    let Some(description) = checked.description() else {
        return quote!(#track ::core::compile_error!("wsbind: the description could not be compiled"););
    };
    let warnings = checked
        .diagnostics
        .iter()
        .map(|d| (file.map_or_else(|| span_of(&d.primary.loc), |(_, s)| s), d))
        .collect();
    codegen::expand(&Expansion {
        name,
        description: &description,
        tracked_file: file.map(|(p, _)| p),
        warnings,
    })
}

fn span_of(loc: &Loc) -> Span {
    loc.span().unwrap_or_else(Span::call_site)
}

fn error_at(span: Span, msg: &str) -> TokenStream {
    quote_spanned!(span=> ::core::compile_error!(#msg);)
}

/// An attribute diagnostic: the error at its token, each related place as a note at its
/// own token (stable Rust offers no multi-span diagnostics to proc-macros).
fn attr_errors(d: &Diagnostic) -> Vec<TokenStream> {
    let help = d
        .help
        .as_ref()
        .map(|h| format!("\n  = help: {h}"))
        .unwrap_or_default();
    let mut out = vec![error_at(
        span_of(&d.primary.loc),
        &format!("[{}] {}{help}", d.rule.id, d.message),
    )];
    for r in &d.related {
        out.push(error_at(
            span_of(&r.loc),
            &format!(
                "[{}] note: {} (the other half of the error above)",
                d.rule.id, r.text
            ),
        ));
    }
    out
}

/// A TOML diagnostic: at the `file = "…"` literal, with the rustc-style snippet of the
/// TOML text in the message.
fn file_error(d: &Diagnostic, source: &SourceFile, lit_span: Span) -> TokenStream {
    let rendered = diag::render_one(d, source);
    let body = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    error_at(lit_span, &format!("[{}] {}\n{body}", d.rule.id, d.message))
}
