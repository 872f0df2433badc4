// WSB0041: the attribute is not `key = value` / `key(...)` syntax.
#[wsbind::binding(channel(binding "http"))]
struct Service;

fn main() {}
