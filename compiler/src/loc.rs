//! Where a key or value was written: a byte range of a TOML file, or a token of an
//! attribute. Every node of the model carries one, so every diagnostic can point at the
//! text the user wrote.

use std::fmt;
use std::ops::Range;

/// The place a value came from.
#[derive(Clone)]
pub enum Loc {
    /// Byte range in the text being compiled: a TOML file, or one XML document of a
    /// WSDL being imported (the importer says which).
    Text(Range<usize>),
    /// A token of the attribute (proc-macro) front-end, and its place in the order
    /// the attribute was written (spans tell no position on stable Rust).
    Tokens(proc_macro2::Span, u32),
    /// Not written anywhere (a default, or the whole input).
    Nowhere,
}

impl Loc {
    /// The byte range, for TOML locations.
    pub fn range(&self) -> Option<Range<usize>> {
        match self {
            Loc::Text(r) => Some(r.clone()),
            _ => None,
        }
    }

    /// Where it comes in the text as written (a byte offset, or the token's place):
    /// diagnostics are reported in this order. Unwritten places come first.
    pub fn order(&self) -> usize {
        match self {
            Loc::Text(r) => r.start,
            Loc::Tokens(_, n) => *n as usize,
            Loc::Nowhere => 0,
        }
    }

    /// The proc-macro span, for attribute locations.
    pub fn span(&self) -> Option<proc_macro2::Span> {
        match self {
            Loc::Tokens(s, _) => Some(*s),
            _ => None,
        }
    }
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Text(r) => write!(f, "{}..{}", r.start, r.end),
            Loc::Tokens(..) => f.write_str("<tokens>"),
            Loc::Nowhere => f.write_str("<nowhere>"),
        }
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Spanned<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Spanned { value, loc }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Which spelling the user wrote keys in: TOML is kebab-case, attributes snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Toml,
    Attribute,
}

impl Spelling {
    /// A model key (kebab-case) as the user would write it in this front-end.
    pub fn key(self, key: &str) -> String {
        match self {
            Spelling::Toml => key.to_owned(),
            Spelling::Attribute => key.replace('-', "_"),
        }
    }
}
