//! wsbind's XML layer: a bounded, hardened read-only DOM on its own tokenizer ([`dom`]) and
//! exclusive XML canonicalization over it ([`c14n`]).
//!
//! It knows XML and namespaces and nothing of SOAP or WS-Security: the runtime reads
//! messages with it (choosing the identifier attributes to index, see
//! [`Document::parse_with_ids`]), and the compiler can read WSDL and WS-Policy with it.
#![forbid(unsafe_code)]

pub mod c14n;
pub mod dom;
mod scan;

pub use dom::{Attr, Document, Element, IdAttr, Limits, XmlError, XML_ID};
