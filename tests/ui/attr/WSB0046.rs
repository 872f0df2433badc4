// Generated from compiler/tests/common/cases.rs: WSB0046 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", type = "reply", role = "client"), security(binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
