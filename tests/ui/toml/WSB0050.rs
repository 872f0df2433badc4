// Generated from compiler/tests/common/cases.rs: WSB0050 through a binding.toml.
// (The path is relative to trybuild's crate in target/tests/trybuild/wsbind.)
#![deny(warnings)]

#[wsbind::binding(file = "../../../../tests/ui/toml/WSB0050.toml")]
struct Service;

fn main() {}
