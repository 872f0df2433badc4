// Generated from compiler/tests/common/cases.rs: WSB0037 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "http-header-auth", scheme = "basic")))]
struct Service;

fn main() {}
