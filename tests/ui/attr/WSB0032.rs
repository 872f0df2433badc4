// Generated from compiler/tests/common/cases.rs: WSB0032 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(service_identities = ["orders.example.com"], binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
