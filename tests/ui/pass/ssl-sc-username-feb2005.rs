// SSL + security context (WS-SC February 2005, combined entropy) with a username
// bootstrap, from a TOML file; both sides' constructors.
#![deny(warnings)]

#[wsbind::binding(file = "../../../../examples/bindings/order-service.toml")]
struct OrderService;

fn main() {
    use wsbind::{Binding, ClientTls, Password, ServerTls, UsernameCredential};
    let d = OrderService::description();
    let ctx = d.security.context.as_ref().expect("context");
    assert_eq!(ctx.secure_conversation_version, wsbind::description::ScVersion::Feb2005);
    assert_eq!(ctx.key_entropy_mode, wsbind::description::KeyEntropyMode::Combined);
    assert_eq!(ctx.key_size, Some(256));
    assert!(ctx.bootstrap.username && ctx.bootstrap.ssl.is_some());
    let _c = OrderService::client("https://localhost/orders", UsernameCredential::new("alice", "pw"), ClientTls::trust_pem(Vec::new()));
    let _s = OrderService::server(|u: &str, p: &Password| u == "alice" && p.matches("pw"), ServerTls::from_pem(Vec::new(), Vec::new()));
}
