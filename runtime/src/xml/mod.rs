//! The XML layer: a hardened DOM on quick-xml ([`dom`]) and exclusive XML
//! canonicalization over it ([`c14n`]).

pub mod c14n;
pub mod dom;

pub use dom::{Attr, Document, Element, Limits, XmlError};
