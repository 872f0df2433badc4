// Generated from compiler/tests/common/cases.rs: WSB0012 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "named-pipe-sspi-transport")))]
struct Service;

fn main() {}
