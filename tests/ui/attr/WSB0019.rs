// Generated from compiler/tests/common/cases.rs: WSB0019 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "saml", usage = "supporting")))]
struct Service;

fn main() {}
