// Generated from compiler/tests/common/cases.rs: WSB0048 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http", envelope_version = "none"), security(binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
