// A server on plain http behind a TLS terminator: transport protection level none.
#![deny(warnings)]

#[wsbind::binding(file = "../../../../examples/bindings/server-behind-tls-proxy.toml")]
struct Backend;

fn main() {
    use wsbind::Binding;
    let d = Backend::description();
    assert_eq!(d.security.protection.properties.transport_protection_level, wsbind::description::ProtectionLevel::None);
    assert_eq!(d.security.context.as_ref().map(|c| c.max_active_contexts), Some(5000));
    // A server-only description needs only the password validator: no TLS.
    let _s = Backend::server(|_: &str, _: &wsbind::Password| true);
}
