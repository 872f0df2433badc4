// Generated from compiler/tests/common/cases.rs: WSB0010 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "tcp"), security(binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
