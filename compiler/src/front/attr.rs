//! The attribute front-end: the tokens of `#[wsbind::binding(...)]` → tree, with the
//! span of every key and value. Syntax: comma-separated `key = value` and `key(...)`
//! items; values are string, integer and boolean literals or `[...]` lists of them.
//! Keys are snake_case and become the model's kebab-case.

use crate::diag::{Ctxt, Diagnostic};
use crate::loc::Loc;
use crate::rules::WSB0041;
use crate::tree::{Entry, Node, Table, Value};
use proc_macro2::{Span, TokenStream};
use std::cell::Cell;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{bracketed, parenthesized, Ident, Lit, Token};

/// Upper bound on nesting of `key(...)` groups.
pub const MAX_DEPTH: usize = 32;

/// Parses attribute arguments into the tree. On a syntax error, reports it (WSB0041)
/// and returns `None`.
pub fn parse(tokens: TokenStream, cx: &mut Ctxt) -> Option<Node> {
    let order = Cell::new(0);
    let parser = |input: ParseStream| items(input, 0, &order);
    match parser.parse2(tokens) {
        Ok(table) => Some(Node {
            value: Value::Table(table),
            loc: Loc::Tokens(Span::call_site(), 0),
        }),
        Err(errors) => {
            for e in errors {
                cx.push(
                    Diagnostic::new(&WSB0041, format!("invalid attribute syntax: {e}"), &Loc::Tokens(e.span(), 0), "here")
                        .help("write `key = \"value\"`, `key = 256`, `key = true`, `key = [\"a\", \"b\"]` or `key(...)`, separated by commas"),
                );
            }
            None
        }
    }
}

/// The next place in the order of writing.
fn next(order: &Cell<u32>) -> u32 {
    order.set(order.get() + 1);
    order.get()
}

fn items(input: ParseStream, depth: usize, order: &Cell<u32>) -> syn::Result<Table> {
    if depth > MAX_DEPTH {
        return Err(input.error(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let mut entries = Vec::new();
    while !input.is_empty() {
        let key = Ident::parse_any(input)?;
        let key_order = next(order);
        let name = key.unraw().to_string();
        if input.peek(Token![-]) && input.peek2(Ident::peek_any) {
            // `key-size = 256`: the TOML spelling of a key.
            let (kebab, span) = hyphenated(input, name.clone(), key.span())?;
            return Err(syn::Error::new(
                span,
                format!(
                    "attribute keys are snake_case: write `{}`, not `{kebab}`",
                    kebab.replace('-', "_")
                ),
            ));
        }
        let node = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            value(input, depth, order)?
        } else if input.peek(syn::token::Paren) {
            let content;
            parenthesized!(content in input);
            Node {
                value: Value::Table(items(&content, depth + 1, order)?),
                loc: Loc::Tokens(key.span(), key_order),
            }
        } else {
            return Err(syn::Error::new(
                key.span(),
                format!("expected `{name} = ...` or `{name}(...)`"),
            ));
        };
        entries.push(Entry {
            key: name.replace('_', "-"),
            key_loc: Loc::Tokens(key.span(), key_order),
            node,
        });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(Table { entries })
}

/// Reads the `-word` parts after `first` (`ssl-transport`, `key-size`): the whole
/// hyphenated text and its span.
fn hyphenated(input: ParseStream, first: String, span: Span) -> syn::Result<(String, Span)> {
    let mut text = first;
    let mut end = span;
    while input.peek(Token![-]) && input.peek2(Ident::peek_any) {
        input.parse::<Token![-]>()?;
        let part = Ident::parse_any(input)?;
        text.push('-');
        text.push_str(&part.unraw().to_string());
        end = part.span();
    }
    Ok((text, span.join(end).unwrap_or(span)))
}

fn value(input: ParseStream, depth: usize, order: &Cell<u32>) -> syn::Result<Node> {
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        if depth > MAX_DEPTH {
            return Err(content.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let mut list = Vec::new();
        while !content.is_empty() {
            list.push(value(&content, depth + 1, order)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Node {
            value: Value::Array(list),
            loc: Loc::Tokens(bracket.span.join(), next(order)),
        });
    }
    if input.peek(Ident::peek_any) && !input.peek(syn::LitBool) {
        // `kind = ssl-transport`: a value without its quotes.
        let word = Ident::parse_any(input)?;
        let (text, span) = hyphenated(input, word.unraw().to_string(), word.span())?;
        return Err(syn::Error::new(
            span,
            format!("put the value in quotes: `\"{text}\"`"),
        ));
    }
    let negative = input.peek(Token![-]);
    let minus = if negative {
        Some(input.parse::<Token![-]>()?)
    } else {
        None
    };
    let lit: Lit = input.parse()?;
    let loc = Loc::Tokens(
        minus.map_or(lit.span(), |m| {
            m.span.join(lit.span()).unwrap_or(lit.span())
        }),
        next(order),
    );
    let value = match &lit {
        Lit::Str(s) if !negative => Value::Str(s.value()),
        Lit::Bool(b) if !negative => Value::Bool(b.value),
        Lit::Int(i) => {
            let digits = if negative {
                format!("-{}", i.base10_digits())
            } else {
                i.base10_digits().to_owned()
            };
            match digits.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Other("an integer out of range"),
            }
        }
        Lit::Float(_) => Value::Other("a float"),
        Lit::Char(_) => Value::Other("a character"),
        Lit::ByteStr(_) | Lit::Byte(_) | Lit::CStr(_) => Value::Other("a byte literal"),
        _ if negative => return Err(syn::Error::new(lit.span(), "only integers can be negative")),
        _ => Value::Other("an unknown literal"),
    };
    Ok(Node { value, loc })
}
