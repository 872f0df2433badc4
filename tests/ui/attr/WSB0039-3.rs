// Generated from compiler/tests/common/cases.rs: WSB0039 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", key_size = "256", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
