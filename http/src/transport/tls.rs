//! TLS configurations from the user's PEM credentials (rustls with the ring provider).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::sync::Arc;
use wsbind_proto::credentials::{ClientTls, Identity, ServerTls, TlsIdentity};

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
    /// The description requires client certificates, and the server was given no roots
    /// to verify them against.
    #[error(
        "the description requires client certificates (require-client-certificate): give \
         the roots they must lead to with ServerTls::require_client_certificates"
    )]
    NoClientRoots,
    /// An encrypted PKCS#8 key that does not decrypt (a wrong password, or a scheme
    /// other than PBES2 with PBKDF2 or scrypt and AES).
    #[error("the encrypted private key: {0}")]
    EncryptedKey(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A PKCS#12 file that cannot be read (a wrong password, a damaged file).
    #[error("the PKCS#12 file: {0}")]
    Pkcs12(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A PKCS#12 file without a private key and its certificate chain.
    #[error("the PKCS#12 file holds no private key with its certificates")]
    Pkcs12NoKey,
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

/// A server's https identity from a certificate chain (PEM) and a private key in
/// encrypted PKCS#8 (`-----BEGIN ENCRYPTED PRIVATE KEY-----`, as `openssl pkcs8
/// -topk8 -v2 aes-256-cbc` writes it) with its `password`. The key is decrypted here,
/// once; [`ServerTls`] keeps it as it keeps any key (redacted from `Debug`).
pub fn server_tls_from_encrypted_pem(
    cert_chain_pem: impl Into<Vec<u8>>,
    encrypted_key_pem: &str,
    password: &str,
) -> Result<ServerTls, TlsError> {
    use pkcs8::der::Decode as _;
    let boxed = |e: pkcs8::der::Error| TlsError::EncryptedKey(Box::new(e));
    let (label, der) =
        pkcs8::der::pem::decode_vec(encrypted_key_pem.as_bytes()).map_err(|e| boxed(e.into()))?;
    if label != "ENCRYPTED PRIVATE KEY" {
        return Err(TlsError::EncryptedKey(
            format!("a PEM block labelled `{label}`, not `ENCRYPTED PRIVATE KEY`").into(),
        ));
    }
    let info = pkcs8::EncryptedPrivateKeyInfo::from_der(&der).map_err(boxed)?;
    let key = info
        .decrypt(password)
        .map_err(|e| TlsError::EncryptedKey(Box::new(e)))?;
    Ok(ServerTls::from_pem(
        cert_chain_pem,
        to_pem("PRIVATE KEY", key.as_bytes()),
    ))
}

/// A client's certificate and key from a PKCS#12 file (`.p12`/`.pfx`) and its
/// `password`, for [`ClientTls::with_client_certificate`]'s place:
/// `ClientTls { identity: Some(client_identity_from_pkcs12(..)?), ..tls }`.
pub fn client_identity_from_pkcs12(der: &[u8], password: &str) -> Result<TlsIdentity, TlsError> {
    let tls = server_tls_from_pkcs12(der, password)?;
    Ok(TlsIdentity::from_pem(
        tls.cert_chain_pem.clone(),
        tls.key_pem().to_vec(),
    ))
}

/// A server's https identity from a PKCS#12 file (`.p12`/`.pfx`, as Windows, Java and
/// `openssl pkcs12 -export` write them) and its `password`: the first private key and
/// its certificate chain.
pub fn server_tls_from_pkcs12(der: &[u8], password: &str) -> Result<ServerTls, TlsError> {
    let store = p12_keystore::KeyStore::from_pkcs12(
        der,
        password,
        p12_keystore::Pkcs12ImportPolicy::default(),
    )
    .map_err(|e| TlsError::Pkcs12(Box::new(e)))?;
    let chain = store
        .entries()
        .find_map(|(_, entry)| match entry {
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain) if !chain.certs().is_empty() => {
                Some(chain)
            }
            _ => None,
        })
        .ok_or(TlsError::Pkcs12NoKey)?;
    let certs: Vec<u8> = chain
        .certs()
        .iter()
        .flat_map(|c| to_pem("CERTIFICATE", c.as_der()).into_bytes())
        .collect();
    Ok(ServerTls::from_pem(
        certs,
        to_pem("PRIVATE KEY", chain.key().as_der()),
    ))
}

/// DER as one PEM block (RFC 7468: base64 in lines of 64). Written here because
/// `ServerTls` holds PEM and the crates at hand decode PEM but do not write it.
fn to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
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
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(rustls("the protocol versions"))?
        .with_webpki_verifier(verifier);
    match &tls.identity {
        None => Ok(builder.with_no_client_auth()),
        Some(identity) => {
            let (chain, key) = chain_and_key(
                &identity.cert_chain_pem,
                identity.key_pem(),
                "the client certificate",
            )?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(rustls("the client certificate and key"))
        }
    }
}

/// A PEM certificate chain and key, read.
fn chain_and_key(
    chain_pem: &[u8],
    key_pem: &[u8],
    what: &'static str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let chain = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem(what))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(what));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(pem("the private key"))?;
    Ok((chain, key))
}

/// Who a verified client certificate says the client is: its subject's distinguished
/// name (RFC 4514's order of writing, e.g. `CN=alice, O=Example`), or `None` when the
/// certificate cannot be read (rustls verified it: that does not happen).
pub fn certificate_identity(cert: &CertificateDer<'_>) -> Option<Identity> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).ok()?;
    Some(Identity {
        name: parsed.subject().to_string(),
    })
}

/// A server configuration presenting the certificate chain and key of `tls`.
pub fn server_config(tls: &ServerTls) -> Result<rustls::ServerConfig, TlsError> {
    let (chain, key) = chain_and_key(&tls.cert_chain_pem, tls.key_pem(), "the certificate chain")?;
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(rustls("the protocol versions"))?;
    let builder = match &tls.client_roots_pem {
        None => builder.with_no_client_auth(),
        Some(roots_pem) => {
            // Every client presents a certificate leading to one of these roots; the
            // handshake fails otherwise.
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(roots_pem) {
                roots
                    .add(cert.map_err(pem("the client roots"))?)
                    .map_err(rustls("a client root"))?;
            }
            if roots.is_empty() {
                return Err(TlsError::NoCertificate("the client roots"));
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .map_err(TlsError::Verifier)?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(rustls("the certificate and key"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
