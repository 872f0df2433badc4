// Generated from compiler/tests/common/cases.rs: WSB0022 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport", require_client_certificate = true)))]
struct Service;

fn main() {}
