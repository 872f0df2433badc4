// Generated from compiler/tests/common/cases.rs: WSB0040 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(algorithm_suite(min_symmetric_key_length = 64, max_symmetric_key_length = 64), binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
