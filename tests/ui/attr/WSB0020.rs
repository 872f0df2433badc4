// Generated from compiler/tests/common/cases.rs: WSB0020 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting", key_size = 256)))]
struct Service;

fn main() {}
