// WSB0041: a value without its quotes.
#[wsbind::binding(channel(binding = "http"), security(binding(kind = ssl-transport)))]
struct Service;

fn main() {}
