// Generated from compiler/tests/common/cases.rs: WSB0038 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "udp"), security(binding(kind = "username", usage = "supporting")))]
struct Service;

fn main() {}
