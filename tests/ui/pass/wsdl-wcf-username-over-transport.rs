// WSDL form: WCF's exported interop policy, the UserNameOverTransport endpoint, imported
// at compile time. (The path is relative to trybuild's crate in
// target/tests/trybuild/wsbind; ../shared sits beside the repository.) The assertions the
// import leaves out are acknowledged by `allow`, so no warning remains.
#![deny(warnings)]

#[wsbind::binding(
    wsdl = "../../../../../shared/vectors/real-world/wcf-interop-wssc-wsdl/WSSecureConversation.wsdl",
    port = "SecureConversation_UserNameOverTransport_IPingService",
    role = "client",
    allow = ["WSB0053"],
)]
struct PingClient;

const CONTEXT: Option<wsbind::description::SecurityContext> = PingClient::DESCRIPTION.security.context;

fn main() {
    let ctx = CONTEXT.expect("context");
    assert_eq!(ctx.secure_conversation_version, wsbind::description::ScVersion::Feb2005);
    assert_eq!(ctx.key_entropy_mode, wsbind::description::KeyEntropyMode::Combined);
    assert_eq!(ctx.key_size, None, "the suite sizes the key");
    assert_eq!(PingClient::DESCRIPTION.security.protection.properties.algorithm_suite.max_symmetric_key_bits, 256);
    assert_eq!(PingClient::DESCRIPTION.addressing, Some(wsbind::description::AddressingVersion::V09));
    let _c = PingClient::client("https://localhost/", wsbind::UsernameCredential::new("u", "p"), wsbind::ClientTls::trust_pem(Vec::new()));
}
