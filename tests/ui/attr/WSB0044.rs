// Generated from compiler/tests/common/cases.rs: WSB0044 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(timestamp_usage = "never", binding(kind = "ssl-transport"), binding(kind = "security-context", bootstrap(binding(kind = "ssl-transport"), binding(kind = "username")))))]
struct Service;

fn main() {}
