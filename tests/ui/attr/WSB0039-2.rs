// Generated from compiler/tests/common/cases.rs: WSB0039 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(transport_protection_level = "sign-or-encrypt"))]
struct Service;

fn main() {}
