// Generated from compiler/tests/common/cases.rs: WSB0002 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "primary", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
