// Generated from compiler/tests/common/cases.rs: WSB0048 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "tcp", addressing_version = "transport"), security(binding(kind = "tcp-sspi-transport")))]
struct Service;

fn main() {}
