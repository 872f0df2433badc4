// Generated from compiler/tests/common/cases.rs: WSB0005 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting")))]
struct Service;

fn main() {}
