//! Reading the neutral tree into the model, for both front-ends at once. Structural
//! problems (WSB0039: unknown key, wrong type, unknown value, missing or repeated key;
//! WSB0034: unparsable duration) are reported here, every one of them, and reading goes
//! on so that the security rules can still run on everything that was readable.

use crate::diag::{Ctxt, Diagnostic};
use crate::loc::{Loc, Spanned};
use crate::rules::{WSB0034, WSB0039};
use crate::tree::{Node, Table, Value};
use std::time::Duration;

/// A model type that can be read from a tree node.
pub trait FromNode: Sized {
    /// Reads the value; on a problem, reports it and returns `None`.
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self>;

    /// What a table field of this type is when its key is absent: required by default.
    fn missing(key: &str, table: &Loc, cx: &mut Ctxt) -> Option<Self> {
        let k = cx.key(key);
        let help = what_to_write(key, cx.spelling).unwrap_or_else(|| format!("add {k}"));
        cx.push(
            Diagnostic::new(
                &WSB0039,
                format!("missing required key {k}"),
                table,
                format!("{k} is required in this table"),
            )
            .help(help),
        );
        None
    }

    /// What a field of this type becomes when its value could not be read (the error is
    /// reported): optional fields become absent so the rest of the table is still checked.
    fn fallback() -> Option<Self> {
        None
    }

    /// Whether the key may be written several times, each adding to a list (the
    /// `[[security.binding]]` array of tables, repeated `binding(...)` in attributes).
    const REPEATABLE: bool = false;
}

/// What to write for a required key that is missing, in the front-end's own syntax: an
/// example, not just the key's name.
fn what_to_write(key: &str, spelling: crate::loc::Spelling) -> Option<String> {
    use crate::loc::Spelling::*;
    Some(match (key, spelling) {
        ("channel", Toml) => "add a `[channel]` table with the channel binding, e.g. `[channel]` and on the next line `binding = \"http\"`".into(),
        ("channel", Attribute) => "add `channel(binding = \"http\")`".into(),
        ("binding", _) => "add `binding = \"http\"` (or \"tcp\", \"udp\", \"named-pipe\")".into(),
        ("kind", _) => "add the binding's kind, e.g. `kind = \"ssl-transport\"`".into(),
        _ => return None,
    })
}

impl<T: FromNode> FromNode for Option<T> {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        T::from_node(node, cx).map(Some)
    }
    fn missing(_: &str, _: &Loc, _: &mut Ctxt) -> Option<Self> {
        Some(None)
    }
    fn fallback() -> Option<Self> {
        Some(None)
    }
}

/// A list: a TOML array, or a single value standing for a list of one.
impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        match &node.value {
            Value::Array(items) => {
                // Elements that cannot be read are reported and left out; the rules that
                // depend on something being absent are then skipped (`Ctxt::dropped`).
                let read: Vec<T> = items.iter().filter_map(|n| T::from_node(n, cx)).collect();
                if read.len() != items.len() {
                    cx.dropped = true;
                }
                Some(read)
            }
            _ => T::from_node(node, cx).map(|v| vec![v]),
        }
    }
    fn missing(_: &str, _: &Loc, _: &mut Ctxt) -> Option<Self> {
        Some(Vec::new())
    }
    fn fallback() -> Option<Self> {
        Some(Vec::new())
    }
    const REPEATABLE: bool = true;
}

/// A list that may also be written as a single value (`scheme = "basic"` or
/// `scheme = ["basic", "digest"]`); the schema says so too.
#[derive(Clone, Debug)]
pub struct List<T>(pub Vec<T>);

impl<T> std::ops::Deref for List<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: FromNode> FromNode for List<T> {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        Vec::from_node(node, cx).map(List)
    }
    fn missing(key: &str, table: &Loc, cx: &mut Ctxt) -> Option<Self> {
        Vec::missing(key, table, cx).map(List)
    }
    fn fallback() -> Option<Self> {
        Vec::fallback().map(List)
    }
    const REPEATABLE: bool = true;
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for List<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("List_of_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = generator.subschema_for::<T>();
        schemars::json_schema!({ "anyOf": [one.clone(), { "type": "array", "items": one }] })
    }
}

impl<T: FromNode> FromNode for Spanned<T> {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        T::from_node(node, cx).map(|v| Spanned::new(v, node.loc.clone()))
    }
    fn missing(key: &str, table: &Loc, cx: &mut Ctxt) -> Option<Self> {
        T::missing(key, table, cx).map(|v| Spanned::new(v, Loc::Nowhere))
    }
    fn fallback() -> Option<Self> {
        T::fallback().map(|v| Spanned::new(v, Loc::Nowhere))
    }
    const REPEATABLE: bool = T::REPEATABLE;
}

pub(crate) fn wrong_type(node: &Node, expected: &str, cx: &mut Ctxt) {
    let help = match &node.value {
        Value::Str(s) if expected.contains("integer") && s.trim().parse::<i64>().is_ok() => {
            format!("remove the quotes: {}", s.trim())
        }
        Value::Str(s) if expected.contains("boolean") && matches!(s.trim(), "true" | "false") => {
            format!("remove the quotes: {}", s.trim())
        }
        Value::Int(i) if expected.contains("string") => format!("write it as a string: \"{i}\""),
        Value::Bool(b) if expected.contains("string") => format!("write it as a string: \"{b}\""),
        _ => format!("write {expected} here"),
    };
    cx.push(
        Diagnostic::new(
            &WSB0039,
            format!("expected {expected}, found {}", node.value.type_name()),
            &node.loc,
            format!("expected {expected}"),
        )
        .help(help),
    );
}

impl FromNode for String {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                wrong_type(node, "a string", cx);
                None
            }
        }
    }
}

impl FromNode for bool {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                wrong_type(node, "a boolean (true or false)", cx);
                None
            }
        }
    }
}

impl FromNode for i64 {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        match &node.value {
            Value::Int(i) => Some(*i),
            _ => {
                wrong_type(node, "an integer", cx);
                None
            }
        }
    }
}

/// A count: a positive integer that fits in 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, schemars::JsonSchema)]
#[schemars(transparent)]
pub struct Count(#[schemars(range(min = 1, max = 4294967295u32))] pub u32);

impl FromNode for Count {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        let i = i64::from_node(node, cx)?;
        match u32::try_from(i) {
            Ok(n) if n > 0 => Some(Count(n)),
            _ => {
                cx.push(Diagnostic::new(
                    &WSB0039,
                    format!(
                        "expected a positive integer of at most {}, found {i}",
                        u32::MAX
                    ),
                    &node.loc,
                    "out of range",
                ));
                None
            }
        }
    }
}

/// A duration written as `"30s"`, `"5m"`, `"10h"`, `"1d"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

impl schemars::JsonSchema for Dur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A positive duration: a number and a unit, e.g. \"30s\", \"5m\", \"10h\", \"1d\" (humantime syntax; parts may be combined: \"1h 30m\").",
            "pattern": "^\\s*[0-9]+\\s*[a-zµ]+(\\s*[0-9]+\\s*[a-zµ]+)*\\s*$"
        })
    }
}

impl FromNode for Dur {
    fn from_node(node: &Node, cx: &mut Ctxt) -> Option<Self> {
        let bad = |cx: &mut Ctxt, why: String, label: &str| {
            cx.push(
                Diagnostic::new(
                    &WSB0034,
                    format!("invalid duration: {why}"),
                    &node.loc,
                    label,
                )
                .help("write a duration such as \"30s\", \"5m\", \"10h\" or \"1d\""),
            );
            None
        };
        let not_positive = "not a positive duration";
        match &node.value {
            Value::Str(s) => match humantime::parse_duration(s) {
                Ok(d) if d.is_zero() => bad(
                    cx,
                    "a duration must be longer than zero".into(),
                    not_positive,
                ),
                Ok(d) if d > wsbind_description::MAX_DURATION => bad(
                    cx,
                    format!("`{s}` is longer than 365 days, the longest duration wsbind accepts"),
                    "longer than 365 days",
                ),
                Ok(d) => Some(Dur(d)),
                Err(e) => match crate::wcf::timespan_hint(s) {
                    Some(h) => {
                        cx.push(
                            Diagnostic::new(
                                &WSB0034,
                                format!("invalid duration: `{s}`: {}", duration_error(s, &e)),
                                &node.loc,
                                not_positive,
                            )
                            .help(h),
                        );
                        None
                    }
                    None => bad(
                        cx,
                        format!("`{s}`: {}", duration_error(s, &e)),
                        not_positive,
                    ),
                },
            },
            Value::Int(i) => bad(cx, format!("`{i}` has no unit"), not_positive),
            _ => bad(
                cx,
                format!(
                    "expected a string such as \"5m\", found {}",
                    node.value.type_name()
                ),
                not_positive,
            ),
        }
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a useful suggestion.
///
/// Keys here are hyphenated words, several of them security-relevant, so a wrong
/// suggestion is worse than none (`require-cancellation` must not become
/// `require-client-certificate`). A candidate is close when, word for word, every word
/// is close (Jaro–Winkler ≥ 0.85, the same number of words), or when the two are nearly
/// the same with the hyphens taken out (≥ 0.93: `keysize` → `key-size`). strsim gives
/// the distance; the word-by-word comparison is the part no crate does.
/// What is wrong with the duration `s`, in this format's words (the parser's own text
/// says "invalid character at 2", an offset the user must count to).
fn duration_error(s: &str, e: &humantime::DurationError) -> String {
    use humantime::DurationError as E;
    let at = |i: usize| s.get(i..).and_then(|r| r.chars().next());
    match e {
        E::InvalidCharacter(i) => match at(*i) {
            Some(c) => format!("`{c}` is not part of a duration"),
            None => "a character that is not part of a duration".into(),
        },
        E::NumberExpected(i) => match s.get(*i..).map(str::trim).filter(|r| !r.is_empty()) {
            Some(rest) => format!("a number is missing before `{rest}`"),
            None => "a number is missing at the end".into(),
        },
        E::UnknownUnit { unit, .. } if unit.is_empty() => {
            "a number without a unit (s, m, h, d)".into()
        }
        E::UnknownUnit { unit, .. } => {
            format!("`{unit}` is not a unit: write s, m, h or d (or ms, min, hours, days)")
        }
        E::NumberOverflow => "the number is too large".into(),
        E::Empty => "it is empty".into(),
    }
}

pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let w = norm(word);
    let w_words: Vec<&str> = w.split('-').collect();
    let joined = w.replace('-', "");
    let score = |c: &str| -> Option<f64> {
        let c = norm(c);
        let c_words: Vec<&str> = c.split('-').collect();
        let by_word = (c_words.len() == w_words.len())
            .then(|| {
                let scores: Vec<f64> = w_words
                    .iter()
                    .zip(&c_words)
                    .map(|(a, b)| strsim::jaro_winkler(a, b))
                    .collect();
                scores
                    .iter()
                    .all(|s| *s >= 0.85)
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64)
            })
            .flatten();
        let whole = strsim::jaro_winkler(&joined, &c.replace('-', ""));
        by_word.or((whole >= 0.93).then_some(whole))
    };
    candidates
        .into_iter()
        .filter_map(|c| score(c).map(|s| (s, c)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod did_you_mean_tests {
    use super::did_you_mean;

    const KEYS: &[&str] = &[
        "usage",
        "bootstrap",
        "key-size",
        "key-entropy-mode",
        "renewal-interval",
        "rollover-interval",
        "support-renew",
        "require-client-certificate",
        "cert-failures-to-ignore",
        "max-active-contexts",
        "max-pending-contexts",
        "role",
        "binding",
    ];

    #[test]
    fn suggests_what_was_meant() {
        for (typo, meant) in [
            ("renewal-intervall", "renewal-interval"),
            ("rollover-interal", "rollover-interval"),
            ("keysize", "key-size"),
            ("key_size", "key-size"),
            ("bootstrp", "bootstrap"),
            ("usgae", "usage"),
            ("rloe", "role"),
            ("max-active-context", "max-active-contexts"),
            ("suport-renew", "support-renew"),
        ] {
            assert_eq!(
                did_you_mean(typo, KEYS.iter().copied()),
                Some(meant),
                "{typo}"
            );
        }
    }

    #[test]
    fn prefers_no_suggestion_to_a_wrong_one() {
        for word in [
            "require-cancellation",
            "require-server-auth",
            "renew",
            "key",
            "mode",
            "max-contexts",
            "security-context",
        ] {
            assert_eq!(did_you_mean(word, KEYS.iter().copied()), None, "{word}");
        }
    }
}

/// Reads a table's entries into fields: used by the `table!` macro.
#[derive(Debug)]
pub struct TableReader<'a> {
    pub table: &'a Table,
    pub loc: &'a Loc,
}

/// The known keys a table was written with, in order, with the key's location.
#[derive(Clone, Debug, Default)]
pub struct WrittenKeys(pub Vec<(&'static str, Loc)>);

impl WrittenKeys {
    /// Where `key` was written, if it was.
    pub fn loc(&self, key: &str) -> Option<&Loc> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, l)| l)
    }
}

impl<'a> TableReader<'a> {
    /// The known keys written, with their locations.
    pub fn written(&self, known: &[&'static str]) -> WrittenKeys {
        WrittenKeys(
            self.table
                .entries
                .iter()
                .filter_map(|e| {
                    known
                        .iter()
                        .find(|k| **k == e.key)
                        .map(|k| (*k, e.key_loc.clone()))
                })
                .collect(),
        )
    }

    /// Checks that `node` is a table and reports every key not in `known`.
    pub fn open(node: &'a Node, what: &str, known: &[&str], cx: &mut Ctxt) -> Option<Self> {
        let Value::Table(table) = &node.value else {
            wrong_type(node, &format!("a table ({what})"), cx);
            return None;
        };
        // In a binding whose kind is readable, help with that kind's keys only.
        let narrowed = (what == "a security binding")
            .then(|| {
                table.entries.iter().find_map(|e| match &e.node.value {
                    Value::Str(s) if e.key == "kind" => crate::model::BindingKind::ALL
                        .iter()
                        .find(|(t, _)| *t == s.as_str())
                        .map(|(_, k)| crate::validate::keys_of_kind(*k)),
                    _ => None,
                })
            })
            .flatten();
        let helpful: &[&str] = narrowed.as_deref().unwrap_or(known);
        for e in &table.entries {
            if !known.contains(&e.key.as_str()) {
                if cx.is_full() {
                    // Counted only: no suggestion search for what is not shown.
                    cx.omit(WSB0039.severity == crate::rules::Severity::Error);
                    continue;
                }
                let k = cx.key(&e.key);
                let mut d = Diagnostic::new(
                    &WSB0039,
                    format!("unknown key {k} in {what}"),
                    &e.key_loc,
                    "unknown key",
                );
                let wcf = crate::wcf::key_hint(&e.key);
                d = match (wcf, did_you_mean(&e.key, helpful.iter().copied())) {
                    (Some(h), _) => d.help(h),
                    (None, Some(s)) => d.help(format!("did you mean {}?", cx.key(s))),
                    (None, None) => d.help(format!(
                        "known keys here: {}",
                        helpful
                            .iter()
                            .map(|k| cx.spelling.key(k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                cx.push(d);
            }
        }
        Some(TableReader {
            table,
            loc: &node.loc,
        })
    }

    /// Reads one field: absent → `T::missing`; repeated → a list for repeatable types,
    /// a "written twice" error otherwise.
    pub fn field<T: FromNode>(&self, key: &str, cx: &mut Ctxt) -> Option<T> {
        let mut found = self.table.entries.iter().filter(|e| e.key == key);
        let Some(first) = found.next() else {
            return T::missing(key, self.loc, cx);
        };
        let rest: Vec<_> = found.collect();
        if rest.is_empty() {
            return T::from_node(&first.node, cx);
        }
        if T::REPEATABLE {
            // Repeated keys (attributes only) form one list.
            let items = std::iter::once(first)
                .chain(rest)
                .map(|e| e.node.clone())
                .collect();
            let list = Node {
                value: Value::Array(items),
                loc: first.node.loc.clone(),
            };
            return T::from_node(&list, cx);
        }
        let k = cx.key(key);
        for e in rest {
            cx.push(
                Diagnostic::new(
                    &WSB0039,
                    format!("key {k} is written more than once"),
                    &e.key_loc,
                    "written again here",
                )
                .related(&first.key_loc, "first written here")
                .help(format!("keep one {k}")),
            );
        }
        None
    }
}

/// Declares a model table: the struct (with its JSON Schema) and its reader, from one
/// list of `"key" field: Type` lines, so the vocabulary is written once.
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($what:literal) {
            $( $(#[$fmeta:meta])* $key:literal $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, schemars::JsonSchema)]
        #[schemars(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* #[schemars(rename = $key)] pub $field: $ty, )*
            /// The keys written in this table and where (for rules about keys).
            #[schemars(skip)]
            pub written: $crate::read::WrittenKeys,
        }

        impl $name {
            /// Every key of this table, in model (kebab-case) spelling.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl $crate::read::FromNode for $name {
            fn from_node(node: &$crate::tree::Node, cx: &mut $crate::diag::Ctxt) -> Option<Self> {
                #[allow(unused_variables)]
                let reader = $crate::read::TableReader::open(node, $what, Self::KEYS, cx)?;
                $( let $field = reader.field::<$ty>($key, cx).or_else(<$ty as $crate::read::FromNode>::fallback); )*
                let written = reader.written(Self::KEYS);
                Some($name { $( $field: $field?, )* written })
            }
        }
    };
}
pub(crate) use table;

/// Declares a closed set of kebab-case string values (an enumeration of the vocabulary),
/// as the description crate declares its own (`wsbind_description::vocabulary!`), and
/// makes it readable and part of the schema.
macro_rules! values {
    ($(#[$meta:meta])* pub enum $name:ident $($rest:tt)*) => {
        wsbind_description::vocabulary! { $(#[$meta])* pub enum $name $($rest)* }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                wsbind_description::vocabulary::schema::<$name>()
            }
        }

        $crate::read::readable!($name);
    };
}
pub(crate) use values;

/// Makes vocabularies readable from a description: one of their spellings.
macro_rules! readable {
    ($($name:ty),* $(,)?) => {
        $(
            impl $crate::read::FromNode for $name {
                fn from_node(node: &$crate::tree::Node, cx: &mut $crate::diag::Ctxt) -> Option<Self> {
                    use wsbind_description::Vocabulary;
                    $crate::read::read_value(node, <$name>::WHAT, <$name>::ALL, <$name>::ALIASES, cx)
                }
            }
        )*
    };
}
pub(crate) use readable;

pub(crate) fn read_value<T: Copy>(
    node: &Node,
    what: &str,
    all: &[(&'static str, T)],
    aliases: &[(&'static str, T)],
    cx: &mut Ctxt,
) -> Option<T> {
    let expected = || {
        all.iter()
            .map(|(t, _)| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Value::Str(s) = &node.value else {
        cx.push(
            Diagnostic::new(
                &WSB0039,
                format!(
                    "expected {what} (a string), found {}",
                    node.value.type_name()
                ),
                &node.loc,
                "expected a string",
            )
            .help(format!("one of {}", expected())),
        );
        return None;
    };
    if let Some((_, v)) = all.iter().chain(aliases).find(|(t, _)| *t == s) {
        return Some(*v);
    }
    let mut d = Diagnostic::new(
        &WSB0039,
        format!("unknown {what} \"{s}\""),
        &node.loc,
        format!("not a valid {what}"),
    );
    d = match (
        crate::wcf::value_hint(s),
        did_you_mean(s, all.iter().map(|(t, _)| *t)),
    ) {
        (Some(h), _) => d.help(format!("{h} (one of {})", expected())),
        (None, Some(m)) => d.help(format!("did you mean \"{m}\"? (one of {})", expected())),
        (None, None) => d.help(format!("one of {}", expected())),
    };
    cx.push(d);
    None
}
