// Generated from compiler/tests/common/cases.rs: WSB0040 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(binding(kind = "ssl-transport", require_client_certificate = true), binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
