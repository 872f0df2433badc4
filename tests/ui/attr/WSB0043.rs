// Generated from compiler/tests/common/cases.rs: WSB0043 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "kerberos-apreq"), binding(kind = "kerberos-apreq")))]
struct Service;

fn main() {}
