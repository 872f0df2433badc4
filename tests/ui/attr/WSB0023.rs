// Generated from compiler/tests/common/cases.rs: WSB0023 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "tcp", role = "server"), security(binding(kind = "tcp-sspi-transport", require_server_auth = true)))]
struct Service;

fn main() {}
