// WSDL form: `allow` acknowledges warnings; an error cannot be allowed.

#[wsbind::binding(wsdl = "service.wsdl", allow = ["WSB0052"])]
struct Service;

fn main() {}
