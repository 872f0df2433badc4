// Generated from compiler/tests/common/cases.rs: WSB0013 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "named-pipe"), security(binding(kind = "named-pipe-sspi-transport"), binding(kind = "username", usage = "supporting")))]
struct Service;

fn main() {}
