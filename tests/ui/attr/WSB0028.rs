// Generated from compiler/tests/common/cases.rs: WSB0028 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport"), binding(kind = "http-header-auth", target = "proxy", scheme = ["basic", "digest"])))]
struct Service;

fn main() {}
