//! Credentials the generated constructors ask for. Secrets never appear in `Debug`
//! output, and passwords are compared in constant time.

use std::fmt;
use std::sync::Arc;

/// A password. Its `Debug` output is redacted, and `==` compares in constant time.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(p: impl Into<String>) -> Self {
        Password(p.into())
    }
    /// The password text (for building a username token).
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Compares with another password in time independent of where they differ.
    pub fn matches(&self, other: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(other.as_bytes()))
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.matches(&other.0)
    }
}

impl Eq for Password {}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password(s.to_owned())
    }
}
impl From<String> for Password {
    fn from(s: String) -> Self {
        Password(s)
    }
}

/// A user name and its password.
#[derive(Clone, Debug)]
pub struct UsernameCredential {
    pub username: String,
    pub password: Password,
}

impl UsernameCredential {
    pub fn new(username: impl Into<String>, password: impl Into<Password>) -> Self {
        UsernameCredential {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// Who a validator accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
}

/// Why a validator refused credentials. The message is for logs, never for the peer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("credentials rejected: {0}")]
pub struct Rejected(pub String);

/// Checks a user name and password on the server.
pub trait PasswordValidator: Send + Sync + 'static {
    fn validate(&self, username: &str, password: &Password) -> Result<Identity, Rejected>;
}

/// Any `Fn(&str, &Password) -> bool` is a validator.
impl<F> PasswordValidator for F
where
    F: Fn(&str, &Password) -> bool + Send + Sync + 'static,
{
    fn validate(&self, username: &str, password: &Password) -> Result<Identity, Rejected> {
        if self(username, password) {
            Ok(Identity {
                name: username.to_owned(),
            })
        } else {
            Err(Rejected(format!(
                "wrong user name or password for {username:?}"
            )))
        }
    }
}

/// What a client trusts for https: PEM-encoded root certificates, the operating
/// system's trust store, or both; and the certificate it presents, when the server asks
/// for one.
#[derive(Clone, Debug)]
pub struct ClientTls {
    pub roots_pem: Vec<u8>,
    /// Certificate revocation lists (PEM) the server's chain is checked against.
    pub crls_pem: Vec<u8>,
    /// Whether the operating system's trusted roots are trusted too (the HTTP driver
    /// loads them, with rustls-native-certs, when it connects).
    pub native_roots: bool,
    /// The client's own certificate and key ([`ClientTls::with_client_certificate`]).
    pub identity: Option<TlsIdentity>,
}

/// A TLS identity: a PEM certificate chain and its private key (kept out of `Debug`).
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl TlsIdentity {
    pub fn from_pem(cert_chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        TlsIdentity {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
        }
    }

    /// The private key, PEM.
    pub fn key_pem(&self) -> &[u8] {
        &self.key_pem
    }
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field(
                "cert_chain_pem",
                &format_args!("{} bytes", self.cert_chain_pem.len()),
            )
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl ClientTls {
    /// Trust the certificates of a PEM bundle.
    pub fn trust_pem(pem: impl Into<Vec<u8>>) -> Self {
        ClientTls {
            roots_pem: pem.into(),
            crls_pem: Vec::new(),
            native_roots: false,
            identity: None,
        }
    }

    /// Presents this certificate chain and key (PEM) when the server asks for a client
    /// certificate (the description's `require-client-certificate`, WCF's Transport
    /// security with `clientCredentialType="Certificate"`). The HTTP driver reads
    /// PKCS#12 files too (`wsbind::http::transport::tls::client_identity_from_pkcs12`).
    pub fn with_client_certificate(
        mut self,
        cert_chain_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.identity = Some(TlsIdentity::from_pem(cert_chain_pem, key_pem));
        self
    }

    /// Trust the certificates of a PEM file (a CA bundle).
    pub fn trust_pem_file(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        Ok(Self::trust_pem(std::fs::read(path)?))
    }

    /// Trust what the operating system trusts (its root store, as browsers do).
    pub fn native_roots() -> Self {
        Self::trust_pem(Vec::new()).with_native_roots()
    }

    /// Trust what the operating system trusts, besides these roots.
    pub fn with_native_roots(mut self) -> Self {
        self.native_roots = true;
        self
    }

    /// Checks the server's certificate chain against these revocation lists (PEM
    /// `X509 CRL` blocks). wsbind fetches no CRL and asks no OCSP responder: these
    /// are what revocation is checked against. Without any, every certificate's
    /// status is unknown — "revocation offline" — which the description's default
    /// `cert-failures-to-ignore = ["revocation-offline"]` accepts (and a description
    /// that does not ignore it refuses to connect, saying so). With
    /// `disable-cert-revocation-check = true` they are not consulted.
    pub fn with_crls_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.crls_pem = pem.into();
        self
    }
}

/// A server's https identity: PEM certificate chain and private key; and, when clients
/// must present certificates, the roots their chains must lead to.
#[derive(Clone)]
pub struct ServerTls {
    pub cert_chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
    /// PEM roots client certificates are verified against
    /// ([`ServerTls::require_client_certificates`]); `None`: no client certificate is
    /// asked for.
    pub client_roots_pem: Option<Vec<u8>>,
}

impl ServerTls {
    pub fn from_pem(cert_chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        ServerTls {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
            client_roots_pem: None,
        }
    }

    /// Requires every client to present a certificate whose chain leads to one of these
    /// roots (PEM); the handshake fails otherwise. The certificate's subject (e.g.
    /// `CN=alice, O=Example`) is then the client's identity, unless a username token or
    /// HTTP basic authentication names the user. A description with
    /// `require-client-certificate = true` needs it.
    pub fn require_client_certificates(mut self, roots_pem: impl Into<Vec<u8>>) -> Self {
        self.client_roots_pem = Some(roots_pem.into());
        self
    }

    /// The certificate chain and the private key from PEM files (an unencrypted
    /// PKCS#8, PKCS#1 or SEC1 key; the HTTP driver reads encrypted PKCS#8 keys and
    /// PKCS#12 files too).
    pub fn from_pem_files(
        cert_chain: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
    ) -> std::io::Result<Self> {
        Ok(Self::from_pem(
            std::fs::read(cert_chain)?,
            std::fs::read(key)?,
        ))
    }
    /// The private key, PEM.
    pub fn key_pem(&self) -> &[u8] {
        &self.key_pem
    }
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field(
                "cert_chain_pem",
                &format_args!("{} bytes", self.cert_chain_pem.len()),
            )
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// The credentials of a client, as the generated `client(...)` collected them.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub username: Option<UsernameCredential>,
    pub http_basic: Option<UsernameCredential>,
    pub tls: Option<ClientTls>,
}

impl ClientCredentials {
    /// No credentials (the base the generated code fills in).
    pub const NONE: ClientCredentials = ClientCredentials {
        username: None,
        http_basic: None,
        tls: None,
    };
}

/// The credentials of a server, as the generated `server(...)` collected them.
#[derive(Clone)]
pub struct ServerCredentials {
    pub username: Option<Arc<dyn PasswordValidator>>,
    pub http_basic: Option<Arc<dyn PasswordValidator>>,
    pub tls: Option<ServerTls>,
}

impl ServerCredentials {
    /// No credentials (the base the generated code fills in).
    pub fn none() -> Self {
        ServerCredentials {
            username: None,
            http_basic: None,
            tls: None,
        }
    }
}

impl fmt::Debug for ServerCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerCredentials")
            .field("username", &self.username.as_ref().map(|_| "<validator>"))
            .field(
                "http_basic",
                &self.http_basic.as_ref().map(|_| "<validator>"),
            )
            .field("tls", &self.tls)
            .finish()
    }
}
