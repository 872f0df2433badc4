// The annotated type must not be generic.
#[wsbind::binding(channel(binding = "http"))]
struct Service<T>(T);

fn main() {}
