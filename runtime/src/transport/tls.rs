//! TLS configurations from the user's PEM credentials (rustls with the ring provider).

use super::TransportError;
use crate::credentials::{ClientTls, ServerTls};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration trusting the roots of `tls`.
pub fn client_config(tls: &ClientTls) -> Result<rustls::ClientConfig, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(&tls.roots_pem) {
        let cert = cert.map_err(|e| TransportError::Tls(format!("the trusted roots: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| TransportError::Tls(format!("a trusted root: {e}")))?;
        count += 1;
    }
    if count == 0 {
        return Err(TransportError::Tls(
            "the trusted roots hold no PEM certificate".into(),
        ));
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A server configuration presenting the certificate chain and key of `tls`.
pub fn server_config(tls: &ServerTls) -> Result<rustls::ServerConfig, TransportError> {
    let chain = CertificateDer::pem_slice_iter(&tls.cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TransportError::Tls(format!("the certificate chain: {e}")))?;
    if chain.is_empty() {
        return Err(TransportError::Tls(
            "the certificate chain holds no PEM certificate".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem())
        .map_err(|e| TransportError::Tls(format!("the private key: {e}")))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TransportError::Tls(format!("the certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
