// WSB0041: a key in its TOML spelling inside the attribute (attribute keys are
// snake_case).
#[wsbind::binding(
    channel(binding = "http"),
    security(binding(kind = "ssl-transport", require-client-certificate = true))
)]
struct Service;

fn main() {}
