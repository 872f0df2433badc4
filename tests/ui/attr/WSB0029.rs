// Generated from compiler/tests/common/cases.rs: WSB0029 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "tcp", role = "client"), security(binding(kind = "tcp-sspi-transport", windows_integrated_auth_package = "ntlm")))]
struct Service;

fn main() {}
