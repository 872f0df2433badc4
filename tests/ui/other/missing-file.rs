// WSB0042: the description file does not exist.
#[wsbind::binding(file = "no/such/binding.toml")]
struct Service;

fn main() {}
