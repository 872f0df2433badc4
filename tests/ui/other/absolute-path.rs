// WSB0042: the description file is named by an absolute path, which works on one
// machine only.
#[wsbind::binding(file = "/etc/wsbind/binding.toml")]
struct Service;

fn main() {}
