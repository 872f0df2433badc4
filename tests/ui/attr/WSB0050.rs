// Generated from compiler/tests/common/cases.rs: WSB0050 through the attribute.
#![deny(warnings)]

#[wsbind::binding(channel(binding = "http"), security(binding(kind = "ssl-transport"), binding(kind = "security-context", usage = "supporting", wsbind_signature = "derived-keys", wsbind_signed_headers = ["to"], bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")))))]
struct Service;

fn main() {}
