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
/// Upper bound on the keys written (`key = value`, inline tables included): a
/// description holds a few dozen, and the TOML parser spends about 0.2 µs on each
/// (62,000 unknown keys in 1 MiB took 16 ms to parse, where 1 MiB of values takes 5).
pub const MAX_KEYS: usize = 1024;

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
            &Loc::Text(0..0),
            "file too large",
        ));
        return None;
    }
    if let Some((at, problem)) = prescan(text) {
        let width = text[at..].chars().next().map_or(1, char::len_utf8);
        cx.push(
            Diagnostic::new(
                &WSB0041,
                format!("invalid TOML: {problem}"),
                &Loc::Text(at..at + width),
                "here",
            )
            .help("see https://toml.io for the syntax"),
        );
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
                &Loc::Text(span.clone()),
                "here",
            );
            d = match msg
                .contains("duplicate key")
                .then(|| first_definition(text, &span))
            {
                Some(Some(first)) => d
                    .related(&Loc::Text(first), "first defined here")
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
            &Loc::Text(span.clone()),
            "too deep",
        ));
        return None;
    }
    // The document's own location is where a missing top-level key belongs: the start
    // of its first line of content, not a comment or a blank line above it.
    let start = content_start(text).max(span.start);
    Some(Node {
        value: Value::Table(table),
        loc: Loc::Text(start..span.end.max(start)),
    })
}

/// What the pre-pass refuses.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    TooDeep,
    TooManyKeys,
    Control(u8),
    Character(char),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::TooDeep => write!(
                f,
                "arrays and inline tables nested deeper than {MAX_DEPTH} levels"
            ),
            Problem::TooManyKeys => write!(
                f,
                "more than {MAX_KEYS} keys (a description holds a few dozen)"
            ),
            Problem::Control(b) => write!(
                f,
                "the control character U+{b:04X} (inside a string, write it escaped: \\u{b:04X})"
            ),
            Problem::Character(c) => write!(f, "`{c}` is not allowed outside a string or comment"),
        }
    }
}

/// One linear pass over the text before the TOML parser sees it, refusing at the first
/// occurrence what no TOML document holds: brackets nested past [`MAX_DEPTH`] (plus a
/// table header's two), a control character outside a comment, an ASCII character
/// outside strings and comments that TOML never allows there; and what no description
/// holds: more than [`MAX_KEYS`] keys. Written by hand because
/// the parser (toml 1.2) is linear but slow on exactly these inputs — about 360 ns a
/// byte for nesting past its own limit and 20 ns a byte recovering from a run of bad
/// characters, where a valid description costs about 3 ns a byte
/// (`cargo bench --bench hostile`, part 3) — and it has no option to stop early. It
/// tracks strings and comments as TOML 1.1 defines them; where unsure it lets the text
/// through, to the parser.
fn prescan(text: &str) -> Option<(usize, Problem)> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Normal,
        Comment,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let b = text.as_bytes();
    let mut state = State::Normal;
    let mut depth = 0usize;
    let mut keys = 0usize;
    let mut i = 0;
    let starts = |i: usize, q: &[u8]| b.get(i..i + q.len()) == Some(q);
    while i < b.len() {
        let c = b[i];
        let control = (c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r') || c == 0x7f;
        if control && state != State::Comment {
            return Some((i, Problem::Control(c)));
        }
        match state {
            State::Comment => {
                if c == b'\n' {
                    state = State::Normal;
                }
            }
            State::Basic => match c {
                b'\\' => i += 1,
                b'"' | b'\n' => state = State::Normal,
                _ => {}
            },
            State::Literal => {
                if c == b'\'' || c == b'\n' {
                    state = State::Normal;
                }
            }
            State::MultiBasic => {
                if c == b'\\' {
                    i += 1;
                } else if starts(i, b"\"\"\"") {
                    // Up to two more quotes belong to the string.
                    i += 2;
                    while i + 1 < b.len() && b[i + 1] == b'"' && i < b.len() {
                        i += 1;
                    }
                    state = State::Normal;
                }
            }
            State::MultiLiteral => {
                if starts(i, b"\'\'\'") {
                    i += 2;
                    while i + 1 < b.len() && b[i + 1] == b'\'' {
                        i += 1;
                    }
                    state = State::Normal;
                }
            }
            State::Normal => match c {
                b'#' => state = State::Comment,
                b'"' if starts(i, b"\"\"\"") => {
                    state = State::MultiBasic;
                    i += 2;
                }
                b'"' => state = State::Basic,
                b'\'' if starts(i, b"\'\'\'") => {
                    state = State::MultiLiteral;
                    i += 2;
                }
                b'\'' => state = State::Literal,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH + 2 {
                        return Some((i, Problem::TooDeep));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' => {
                    keys += 1;
                    if keys > MAX_KEYS {
                        return Some((i, Problem::TooManyKeys));
                    }
                }
                b'!' | b'$' | b'%' | b'&' | b'(' | b')' | b'*' | b'/' | b';' | b'<' | b'>'
                | b'?' | b'@' | b'\\' | b'^' | b'`' | b'|' | b'~' => {
                    return Some((i, Problem::Character(char::from(c))));
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
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
            key_loc: Loc::Text(k.span()),
            node: convert(v, depth + 1, too_deep),
        })
        .collect();
    Table { entries }
}

fn convert(v: &Spanned<DeValue<'_>>, depth: usize, too_deep: &mut bool) -> Node {
    let loc = Loc::Text(v.span());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What TOML allows in strings and comments passes the pre-pass, whatever it holds.
    #[test]
    fn the_pre_pass_lets_every_valid_string_and_comment_through() {
        let valid = [
            "a = \"[[[[{{{{ @ ! $ % & ( ) * / ; < > ? \\\\ ^ ` | ~ # not a comment\"\n",
            "a = '[[[[ @ \\ no escapes here'\n",
            "a = \"\"\"\nmulti \" \"\" line @ [[[[\n\"\"\"\"\"\n",
            "a = '''\nliteral ' '' @ [[[[\n'''''\n",
            "a = \"escaped \\\" quote @\"\nb = 1 # a comment with @ [[[[ and \u{1} \n",
            "[[security.binding]]\nkind = \"x\"\n[table.sub]\nx = { y = [1, [2, [3]]] }\n",
            "a = 1979-05-27T07:32:00Z\nb = +1_000\nc = -inf\nd = 0xff_ff\n",
            "clé = \"non-ASCII outside strings is the parser's to judge\"\n",
        ];
        for text in valid {
            assert_eq!(prescan(text), None, "{text}");
            let parsed = DeTable::parse(text).map(drop).map_err(|e| e.to_string());
            assert!(
                parsed.is_ok() || text.contains('\u{1}') || text.contains('é'),
                "{text}: {parsed:?}"
            );
        }
    }

    #[test]
    fn the_pre_pass_refuses_at_the_first_problem() {
        let deep = format!("a = {}", "[".repeat(MAX_DEPTH + 3));
        assert_eq!(prescan(&deep), Some((4 + MAX_DEPTH + 2, Problem::TooDeep)));
        // Deep but within the bound, closed: through.
        let ok = format!("a = {}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(prescan(&ok), None);
        assert_eq!(prescan("a = \"x\u{1}\""), Some((6, Problem::Control(1))));
        assert_eq!(prescan("a = 1\n@@@@"), Some((6, Problem::Character('@'))));
        assert_eq!(prescan("a = (1)"), Some((4, Problem::Character('('))));
        let many: String = (0..=MAX_KEYS).map(|i| format!("k{i} = 1\n")).collect();
        assert!(matches!(prescan(&many), Some((_, Problem::TooManyKeys))));
        // Values are not keys: a long list is through.
        let list = format!("a = [{}]", vec!["\"x\""; 10 * MAX_KEYS].join(", "));
        assert_eq!(prescan(&list), None);
    }

    /// A file of bad characters, nesting or control characters: one diagnostic, at the
    /// first, whatever the size (the parser never sees it).
    #[test]
    fn hostile_text_costs_one_diagnostic() {
        for text in [
            "@".repeat(100_000),
            format!("a = {}", "[".repeat(100_000)),
            format!("a = \"{}\"", "\u{1}".repeat(100_000)),
        ] {
            let mut cx = Ctxt::new(crate::loc::Spelling::Toml);
            assert!(parse(&text, &mut cx).is_none());
            assert_eq!(cx.into_diagnostics().len(), 1);
        }
    }
}
