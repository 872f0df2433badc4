// Generated from compiler/tests/common/cases.rs: WSB0011 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "tcp-sspi-transport")))]
struct Service;

fn main() {}
