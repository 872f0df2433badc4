//! The neutral syntax tree both front-ends produce: tables of keys, arrays, and scalars,
//! each with its location. `read.rs` turns it into the model; neither front-end knows
//! any key of the vocabulary.

use crate::loc::Loc;

#[derive(Clone, Debug)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Array(Vec<Node>),
    Table(Table),
    /// A TOML value the vocabulary never uses (float, datetime), kept for its type name.
    Other(&'static str),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// The key in model spelling (kebab-case).
    pub key: String,
    pub key_loc: Loc,
    pub node: Node,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

impl Value {
    /// The type of the value in words, for "expected …, found …".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
            Value::Other(t) => t,
        }
    }
}
