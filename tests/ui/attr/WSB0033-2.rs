// Generated from compiler/tests/common/cases.rs: WSB0033 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", key_size = 512, bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
