// Generated from compiler/tests/common/cases.rs: WSB0004 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", require_client_certificate = true, bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
