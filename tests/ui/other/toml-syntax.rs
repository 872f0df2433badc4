// WSB0041: binding.toml is not TOML (an unterminated string).
#[wsbind::binding(file = "../../../../tests/ui/other/toml-syntax.toml")]
struct Service;

fn main() {}
