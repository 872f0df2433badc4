// Generated from compiler/tests/common/cases.rs: WSB0027 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(binding(kind = "ssl-transport"), binding(kind = "http-header-auth", scheme = ["none", "basic"])))]
struct Service;

fn main() {}
