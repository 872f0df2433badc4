// Generated from compiler/tests/common/cases.rs: WSB0018 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "xml-token", usage = "supporting")))]
struct Service;

fn main() {}
