// Generated from compiler/tests/common/cases.rs: WSB0032 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(service_identities = ["HTTP/orders.example.com"], binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
