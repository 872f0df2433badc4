// Generated from compiler/tests/common/cases.rs: WSB0021 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "username", usage = "signing")))]
struct Service;

fn main() {}
