// Generated from compiler/tests/common/cases.rs: WSB0001 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "named-pipe"), security(binding(kind = "named-pipe-sspi-transport"), binding(kind = "security-context", usage = "supporting", bootstrap(binding(kind = "named-pipe-sspi-transport")))))]
struct Service;

fn main() {}
