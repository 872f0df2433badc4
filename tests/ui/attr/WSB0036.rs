// Generated from compiler/tests/common/cases.rs: WSB0036 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", support_renew = false, renewal_interval = "1h", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
