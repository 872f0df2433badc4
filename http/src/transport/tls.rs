//! TLS configurations from the user's PEM credentials (rustls with the ring provider).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::sync::Arc;
use wsbind_proto::credentials::{ClientTls, ServerTls};

/// What is wrong with the TLS credentials or configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// PEM that cannot be read (`what`: the trusted roots, the private key, …).
    #[error("{what}: {source}")]
    Pem {
        what: &'static str,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("{0} hold no PEM certificate")]
    NoCertificate(&'static str),
    /// rustls refused the material or the configuration.
    #[error("{what}: {source}")]
    Rustls {
        what: &'static str,
        #[source]
        source: rustls::Error,
    },
    #[error("the certificate verifier: {0}")]
    Verifier(#[source] rustls::client::VerifierBuilderError),
    /// The operating system's trust store could not be read, or holds no root.
    #[error("the operating system's trusted roots: {0}")]
    NativeRoots(String),
    #[error(
        "the description checks certificate revocation and does not ignore \
         revocation-offline (cert-failures-to-ignore), but no revocation list was \
         given: pass the CRLs with ClientTls::with_crls_pem (wsbind fetches none)"
    )]
    NoRevocationLists,
}

fn pem(what: &'static str) -> impl FnOnce(rustls_pki_types::pem::Error) -> TlsError {
    move |source| TlsError::Pem { what, source }
}

fn rustls(what: &'static str) -> impl FnOnce(rustls::Error) -> TlsError {
    move |source| TlsError::Rustls { what, source }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// How a client checks the revocation of the server's certificates: the
/// description's ssl-transport `disable-cert-revocation-check` and whether its
/// `cert-failures-to-ignore` holds `revocation-offline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// Check against the CRLs the application gives ([`ClientTls::with_crls_pem`]).
    pub check: bool,
    /// A certificate whose status no CRL tells ("revocation offline") is accepted.
    pub unknown_allowed: bool,
}

impl Default for Revocation {
    /// WWSAPI's defaults: revocation checked, an offline status ignored.
    fn default() -> Self {
        Revocation {
            check: true,
            unknown_allowed: true,
        }
    }
}

impl Revocation {
    /// What a description's (top-level or bootstrap) ssl-transport says.
    pub fn of(d: &wsbind_proto::Description) -> Self {
        let ssl = d.security.protection.ssl.as_ref().or_else(|| {
            d.security
                .context
                .as_ref()
                .and_then(|c| c.bootstrap.ssl.as_ref())
        });
        ssl.map_or_else(Revocation::default, |s| Revocation {
            check: !s.disable_cert_revocation_check,
            unknown_allowed: s.cert_failures_to_ignore.revocation_offline,
        })
    }
}

/// A client configuration trusting the roots of `tls`, checking revocation as
/// `revocation` says against the CRLs of `tls`.
pub fn client_config(
    tls: &ClientTls,
    revocation: Revocation,
) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(&tls.roots_pem) {
        roots
            .add(cert.map_err(pem("the trusted roots"))?)
            .map_err(rustls("a trusted root"))?;
        count += 1;
    }
    if tls.native_roots {
        let native = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(native.certs);
        if added == 0 {
            let why = native
                .errors
                .first()
                .map_or_else(|| "none found".to_owned(), ToString::to_string);
            return Err(TlsError::NativeRoots(why));
        }
        count += added;
    }
    if count == 0 {
        return Err(TlsError::NoCertificate("the trusted roots"));
    }
    let crls = CertificateRevocationListDer::pem_slice_iter(&tls.crls_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem("the revocation lists"))?;
    let mut verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider());
    match (
        revocation.check,
        crls.is_empty(),
        revocation.unknown_allowed,
    ) {
        (false, _, _) | (true, true, true) => {}
        (true, true, false) => return Err(TlsError::NoRevocationLists),
        (true, false, unknown_allowed) => {
            verifier = verifier.with_crls(crls);
            if unknown_allowed {
                verifier = verifier.allow_unknown_revocation_status();
            }
        }
    }
    let verifier = verifier.build().map_err(TlsError::Verifier)?;
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(rustls("the protocol versions"))?
        .with_webpki_verifier(verifier)
        .with_no_client_auth())
}

/// A server configuration presenting the certificate chain and key of `tls`.
pub fn server_config(tls: &ServerTls) -> Result<rustls::ServerConfig, TlsError> {
    let chain = CertificateDer::pem_slice_iter(&tls.cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem("the certificate chain"))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate("the certificate chain"));
    }
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem()).map_err(pem("the private key"))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(rustls("the protocol versions"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(rustls("the certificate and key"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
