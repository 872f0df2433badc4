// Generated from compiler/tests/common/cases.rs: WSB0015 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
