// `file = ...` and an inline description cannot be mixed.
#[wsbind::binding(file = "binding.toml", channel(binding = "http"))]
struct Service;

fn main() {}
