// Every violation is reported in one build, each at its own token.
#[wsbind::binding(
    channel(binding = "named-pipe", role = "client"),
    security(
        binding(kind = "security-context", usage = "signing", keysize = 100, renewal_interval = "ten hours"),
    ),
)]
struct Service;

fn main() {}
