// Generated from compiler/tests/common/cases.rs: WSB0008 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(transport_protection_level = "none", binding(kind = "username", usage = "supporting")))]
struct Service;

fn main() {}
