// Generated from compiler/tests/common/cases.rs: WSB0013 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "named-pipe"), security(binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
