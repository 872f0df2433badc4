// Generated from compiler/tests/common/cases.rs: WSB0049 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", addressing_version = "transport"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
