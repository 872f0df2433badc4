// Generated from compiler/tests/common/cases.rs: WSB0045 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", role = "server"), security(transport_protection_level = "none", extended_protection_policy = "always", extended_protection_scenario = "terminated-ssl", binding(kind = "http-header-auth", scheme = "basic")))]
struct Service;

fn main() {}
