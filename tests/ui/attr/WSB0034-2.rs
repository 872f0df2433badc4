// Generated from compiler/tests/common/cases.rs: WSB0034 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", renewal_interval = "8000years", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
