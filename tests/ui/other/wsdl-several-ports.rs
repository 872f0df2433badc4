// WSDL form: a WSDL with several ports needs `port = ...`; the error lists them.

#[wsbind::binding(wsdl = "../../../../../shared/vectors/real-world/wcf-interop-wssc-wsdl/WSSecureConversation.wsdl")]
struct PingClient;

fn main() {}
