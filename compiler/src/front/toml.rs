//! The TOML front-end: `binding.toml` text → tree, with byte spans. Syntax errors are all
//! collected (toml's recoverable parser) and reported as WSB0041.

use crate::diag::{Ctxt, Diagnostic};
use crate::loc::Loc;
use crate::rules::WSB0041;
use crate::tree::{Entry, Node, Table, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Upper bound on the size of a description file: descriptions are a few hundred bytes,
/// and a bound keeps hostile input from costing unbounded time and memory.
pub const MAX_TOML_BYTES: usize = 1 << 20;
/// Upper bound on nesting (tables in arrays in tables …).
pub const MAX_DEPTH: usize = 32;

/// Parses TOML text into the tree. Returns `None` when the text is not TOML at all
/// (the diagnostics say where).
pub fn parse(text: &str, cx: &mut Ctxt) -> Option<Node> {
    if text.len() > MAX_TOML_BYTES {
        cx.push(Diagnostic::new(
            &WSB0041,
            format!(
                "the description is {} bytes long; the limit is {MAX_TOML_BYTES}",
                text.len()
            ),
            &Loc::Toml(0..0),
            "file too large",
        ));
        return None;
    }
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_owned();
            let mut d = Diagnostic::new(
                &WSB0041,
                format!("invalid TOML: {msg}"),
                &Loc::Toml(span.clone()),
                "here",
            );
            d = match msg
                .contains("duplicate key")
                .then(|| first_definition(text, &span))
            {
                Some(Some(first)) => d
                    .related(&Loc::Toml(first), "first defined here")
                    .help("a key is written once per table: keep one of the two"),
                _ => d.help("see https://toml.io for the syntax"),
            };
            cx.push(d);
        }
        return None;
    }
    let span = doc.span();
    let mut depth_error = false;
    let table = convert_table(doc.get_ref(), 0, &mut depth_error);
    if depth_error {
        cx.push(Diagnostic::new(
            &WSB0041,
            format!("the description nests deeper than {MAX_DEPTH} levels"),
            &Loc::Toml(span.clone()),
            "too deep",
        ));
        return None;
    }
    // The document's own location is where a missing top-level key belongs: the start
    // of its first line of content, not a comment or a blank line above it.
    let start = content_start(text).max(span.start);
    Some(Node {
        value: Value::Table(table),
        loc: Loc::Toml(start..span.end.max(start)),
    })
}

/// Where the key at `dup` (a duplicate the TOML parser reported) was first written: the
/// same key at the start of an earlier line of the same table. toml reports only the
/// second definition; this looks back for the first, up to the table's header.
fn first_definition(text: &str, dup: &std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let key = text.get(dup.clone())?.trim();
    if key.is_empty() {
        return None;
    }
    let line_start = text[..dup.start].rfind('\n').map_or(0, |i| i + 1);
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end];
        let t = line.trim_start();
        if t.starts_with('[') {
            return None;
        }
        if let Some(rest) = t.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let at = start + (line.len() - t.len());
                return Some(at..at + key.len());
            }
        }
        end = start;
    }
    None
}

/// The offset of the first line that is neither blank nor a comment.
fn content_start(text: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if !t.is_empty() && !t.starts_with('#') {
            return offset + (line.len() - t.len());
        }
        offset += line.len();
    }
    0
}

fn convert_table(t: &DeTable<'_>, depth: usize, too_deep: &mut bool) -> Table {
    let entries = t
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_loc: Loc::Toml(k.span()),
            node: convert(v, depth + 1, too_deep),
        })
        .collect();
    Table { entries }
}

fn convert(v: &Spanned<DeValue<'_>>, depth: usize, too_deep: &mut bool) -> Node {
    let loc = Loc::Toml(v.span());
    if depth > MAX_DEPTH {
        *too_deep = true;
        return Node {
            value: Value::Other("nothing (too deep)"),
            loc,
        };
    }
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Other("an integer out of range"),
        },
        DeValue::Float(_) => Value::Other("a float"),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Other("a date-time"),
        DeValue::Array(a) => {
            Value::Array(a.iter().map(|x| convert(x, depth + 1, too_deep)).collect())
        }
        DeValue::Table(t) => Value::Table(convert_table(t, depth, too_deep)),
    };
    Node { value, loc }
}
