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

/// A Kerberos AP-REQ for the service, as the bootstrap of a security context carries
/// it (WWSAPI's `WS_KERBEROS_APREQ_MESSAGE_SECURITY_BINDING`): the GSS-API token
/// (RFC 4121's framing around the AP-REQ, the WS-Security Kerberos Token Profile's
/// `GSS_Kerberosv5_AP_REQ`), and the session key it establishes (the authenticator's
/// subkey, or the ticket's session key when it has none), which signs the message that
/// carries it. Each AP-REQ is for one message: the service refuses one it has seen.
pub struct KerberosTicket {
    pub token: Vec<u8>,
    pub key: crate::keys::SecretKey,
}

impl fmt::Debug for KerberosTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KerberosTicket")
            .field("token", &format_args!("{} bytes", self.token.len()))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Obtains AP-REQs for one service on the client (`wsbind-kerberos`'s `Initiator`
/// does it through MIT Kerberos' GSS-API). The engine asks for one whenever it
/// negotiates a context, under its lock: an implementation answers from the service
/// ticket it holds, and reaches the KDC only when it has none or it expired.
pub trait KerberosInitiator: Send + Sync + 'static {
    /// A fresh AP-REQ for the service. The error's text is for the client's log.
    fn ap_req(&self) -> Result<KerberosTicket, Rejected>;
}

/// What a service learnt from an AP-REQ it accepted.
pub struct KerberosAccepted {
    /// The client principal (`alice@EXAMPLE.COM`): the context's identity.
    pub identity: Identity,
    /// The service principal the ticket is for (`HTTP/host.example.com@EXAMPLE.COM`).
    pub service: String,
    /// The session key the client signed with (see [`KerberosTicket`]).
    pub key: crate::keys::SecretKey,
}

impl fmt::Debug for KerberosAccepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KerberosAccepted")
            .field("identity", &self.identity)
            .field("service", &self.service)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Accepts AP-REQs on the server (`wsbind-kerberos`'s `Acceptor`: the service's keytab
/// through MIT Kerberos' GSS-API). An implementation decrypts the ticket with the
/// service's key, checks the authenticator (its time within the clock skew, the ticket
/// valid now) and refuses an AP-REQ it has seen before (a replay cache).
pub trait KerberosAcceptor: Send + Sync + 'static {
    /// The client and the session key of `ap_req` (the GSS-API token), or why it was
    /// refused (for the server's log; the peer learns only that authentication failed).
    fn accept(&self, ap_req: &[u8]) -> Result<KerberosAccepted, Rejected>;
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
#[derive(Clone)]
pub struct ClientCredentials {
    pub username: Option<UsernameCredential>,
    /// The AP-REQs of a Kerberos bootstrap.
    pub kerberos: Option<Arc<dyn KerberosInitiator>>,
    pub http_basic: Option<UsernameCredential>,
    pub tls: Option<ClientTls>,
}

impl ClientCredentials {
    /// No credentials (the base the generated code fills in).
    pub const NONE: ClientCredentials = ClientCredentials {
        username: None,
        kerberos: None,
        http_basic: None,
        tls: None,
    };
}

/// The credentials of a server, as the generated `server(...)` collected them.
#[derive(Clone)]
pub struct ServerCredentials {
    pub username: Option<Arc<dyn PasswordValidator>>,
    /// Accepts the AP-REQs of a Kerberos bootstrap.
    pub kerberos: Option<Arc<dyn KerberosAcceptor>>,
    pub http_basic: Option<Arc<dyn PasswordValidator>>,
    pub tls: Option<ServerTls>,
}

impl ServerCredentials {
    /// No credentials (the base the generated code fills in).
    pub fn none() -> Self {
        ServerCredentials {
            username: None,
            kerberos: None,
            http_basic: None,
            tls: None,
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("username", &self.username)
            .field("kerberos", &self.kerberos.as_ref().map(|_| "<initiator>"))
            .field("http_basic", &self.http_basic)
            .field("tls", &self.tls)
            .finish()
    }
}

impl fmt::Debug for ServerCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerCredentials")
            .field("username", &self.username.as_ref().map(|_| "<validator>"))
            .field("kerberos", &self.kerberos.as_ref().map(|_| "<acceptor>"))
            .field(
                "http_basic",
                &self.http_basic.as_ref().map(|_| "<validator>"),
            )
            .field("tls", &self.tls)
            .finish()
    }
}
