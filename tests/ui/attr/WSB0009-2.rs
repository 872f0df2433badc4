// Generated from compiler/tests/common/cases.rs: WSB0009 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(transport_protection_level = "none", binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
