// Generated from compiler/tests/common/cases.rs: WSB0014 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "tcp"), security(binding(kind = "http-header-auth")))]
struct Service;

fn main() {}
