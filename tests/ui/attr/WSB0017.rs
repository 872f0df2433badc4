// Generated from compiler/tests/common/cases.rs: WSB0017 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(binding(kind = "ssl-transport"), binding(kind = "saml", usage = "supporting"), binding(kind = "saml", usage = "supporting")))]
struct Service;

fn main() {}
