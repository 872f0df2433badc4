// Generated from compiler/tests/common/cases.rs: WSB0031 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(extended_protection_policy = "always", binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
