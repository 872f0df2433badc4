// Generated from compiler/tests/common/cases.rs: WSB0006 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
