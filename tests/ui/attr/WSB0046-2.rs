// Generated from compiler/tests/common/cases.rs: WSB0046 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", type = "request"), security(binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
