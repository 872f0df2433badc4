// Generated from compiler/tests/common/cases.rs: WSB0040 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "client"), security(binding(kind = "ssl-transport", cert_failures_to_ignore = ["revocation-offline", "unknown-ca"])))]
struct Service;

fn main() {}
