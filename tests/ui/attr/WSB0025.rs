// Generated from compiler/tests/common/cases.rs: WSB0025 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "http-header-auth", scheme = "basic", basic_realm = "orders")))]
struct Service;

fn main() {}
