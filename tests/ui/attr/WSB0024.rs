// Generated from compiler/tests/common/cases.rs: WSB0024 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "kerberos-apreq", usage = "supporting", allow_anonymous_clients = true)))]
struct Service;

fn main() {}
