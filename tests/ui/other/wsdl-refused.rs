// WSDL form: a port whose policy asks for message-mode security is refused at the
// policy's own line, with what to ask the service owner for.

#[wsbind::binding(
    wsdl = "../../../../../shared/vectors/real-world/wcf-interop-wssc-wsdl/WSSecureConversation.wsdl",
    port = "XC_IPingService",
)]
struct PingClient;

fn main() {}
