// Generated from compiler/tests/common/cases.rs: WSB0030 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(algorithm_suite_name = "basic256", algorithm_suite(digest = "sha256"), binding(kind = "ssl-transport")))]
struct Service;

fn main() {}
