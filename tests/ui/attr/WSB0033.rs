// Generated from compiler/tests/common/cases.rs: WSB0033 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(algorithm_suite_name = "basic256", binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", key_size = 128, bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
