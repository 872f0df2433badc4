//! Parse the input, call the compiler (which resolves and reads `file = …` itself), turn
//! its diagnostics into `compile_error!`s at the right spans (and its warnings into
//! deprecation warnings), or emit the generated code.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use wsbind_compiler::codegen::{self, Expansion};
use wsbind_compiler::diag::{self, Diagnostic, SourceFile};
use wsbind_compiler::inputs::{self, Origin};
use wsbind_compiler::loc::Loc;
use wsbind_compiler::Checked;

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
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR");
    if let Some(read) =
        wsbind_wsdl::attribute::read_attribute_in(args.clone(), manifest_dir.as_deref())
    {
        let out = match read {
            Ok(input) => from_wsdl(&name, &input),
            Err(diagnostics) => diagnostics.iter().flat_map(attr_errors).collect(),
        };
        return with_item(item, out);
    }
    let out = match inputs::read_attribute(args) {
        Ok(input) => {
            let tracked: Vec<String> = input
                .tracked()
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            match &input.origin {
                Origin::Inline => finish(&name, &input.checked, &tracked, None, attr_errors),
                Origin::File { source, at, .. } => {
                    let lit = span_of(at);
                    finish(&name, &input.checked, &tracked, Some(lit), |d| {
                        vec![file_error(d, source, lit)]
                    })
                }
            }
        }
        Err(diagnostics) => diagnostics.iter().flat_map(attr_errors).collect(),
    };
    with_item(item, out)
}

/// `wsdl = "…"`: the import's errors at the literal, each with the snippet of the WSDL
/// document it is in; or the generated code, its warnings the import's.
fn from_wsdl(name: &syn::Ident, input: &wsbind_wsdl::attribute::WsdlInput) -> TokenStream {
    let tracked: Vec<String> = input
        .tracked
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let lit = span_of(&input.at);
    let imported = &input.imported;
    match &input.checked {
        Some(checked) if !imported.has_errors() => {
            finish(name, checked, &tracked, Some(lit), |_| Vec::new())
        }
        _ => {
            let none = SourceFile::new("(no file)", "");
            let errors: Vec<&wsbind_wsdl::Found> = imported
                .found
                .iter()
                .filter(|f| f.diagnostic.is_error())
                .collect();
            let mut out: Vec<TokenStream> = errors
                .iter()
                .take(diag::MAX_SHOWN)
                .map(|f| {
                    let source = f
                        .source
                        .and_then(|i| imported.sources.get(i))
                        .unwrap_or(&none);
                    if f.source.is_some() {
                        file_error(&f.diagnostic, source, lit)
                    } else {
                        let help = f
                            .diagnostic
                            .help
                            .as_ref()
                            .map(|h| format!("\n  = help: {h}"))
                            .unwrap_or_default();
                        error_at(
                            lit,
                            &format!("[{}] {}{help}", f.diagnostic.rule.id, f.diagnostic.message),
                        )
                    }
                })
                .collect();
            let hidden = errors.len().saturating_sub(diag::MAX_SHOWN) + imported.omitted;
            if hidden > 0 {
                out.push(error_at(lit, &diag::more_line(hidden)));
            }
            if out.is_empty() {
                out.push(error_at(lit, "wsbind: the WSDL could not be imported"));
            }
            let track = codegen::track(&tracked);
            quote!(#track #(#out)*)
        }
    }
}

fn with_item(item: TokenStream, extra: TokenStream) -> TokenStream {
    quote!(#item #extra)
}

/// The generated code, or the errors; `tracked` files make cargo rebuild when they
/// change; warnings go to `file_span` when the description is in a file.
fn finish(
    name: &syn::Ident,
    checked: &Checked,
    tracked: &[String],
    file_span: Option<Span>,
    errors: impl Fn(&Diagnostic) -> Vec<TokenStream>,
) -> TokenStream {
    if checked.has_errors() {
        let all: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        let mut errs: Vec<TokenStream> = all
            .iter()
            .take(diag::MAX_SHOWN)
            .flat_map(|d| errors(d))
            .collect();
        let hidden = all.len().saturating_sub(diag::MAX_SHOWN) + checked.omitted_errors;
        if hidden > 0 {
            let span = file_span.unwrap_or_else(Span::call_site);
            errs.push(error_at(span, &diag::more_line(hidden)));
        }
        let track = codegen::track(tracked);
        return quote!(#track #(#errs)*);
    }
    let Some(description) = checked.description() else {
        let track = codegen::track(tracked);
        return quote!(#track ::core::compile_error!("wsbind: the description could not be compiled"););
    };
    let warnings = checked
        .diagnostics
        .iter()
        .map(|d| (file_span.unwrap_or_else(|| span_of(&d.primary.loc)), d))
        .collect();
    codegen::expand(&Expansion {
        name,
        description: &description,
        tracked_files: tracked,
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
