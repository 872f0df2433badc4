// WSDL form: the WSDL's policy is the description; nothing else may be written beside it.

#[wsbind::binding(wsdl = "service.wsdl", channel(binding = "http"))]
struct Service;

fn main() {}
