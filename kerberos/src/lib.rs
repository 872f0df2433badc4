//! Kerberos for wsbind's security-context bootstrap (WWSAPI's
//! `WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE`): an [`Initiator`]
//! that obtains AP-REQs for a service on the client, and an [`Acceptor`] that accepts
//! them with the service's keytab. Both run MIT Kerberos through its GSS-API
//! (`libgssapi_krb5`), the library Debian's `libkrb5-dev` provides: the KDC exchanges,
//! ticket caches, keytabs, encryption types, clock-skew checks and the acceptor's replay
//! cache are MIT's, configured as MIT is (`krb5.conf`, `KRB5_CONFIG`, `KRB5CCNAME`,
//! `KRB5_KTNAME`).
//!
//! They implement `wsbind`'s [`KerberosInitiator`] and [`KerberosAcceptor`], which the
//! generated `client(...)`/`server(...)` of such a description ask for:
//!
//! ```no_run
//! use std::sync::Arc;
//! # fn main() -> Result<(), wsbind_kerberos::KerberosError> {
//! // The client: alice's key from a keytab, tickets for the service's SPN.
//! let initiator = wsbind_kerberos::Initiator::from_keytab(
//!     "alice@EXAMPLE.COM",
//!     "/etc/wsbind/alice.keytab",
//!     "HTTP/orders.example.com",
//! )?;
//! // The service: its keys from its keytab.
//! let acceptor = wsbind_kerberos::Acceptor::from_keytab("/etc/wsbind/http.keytab")?;
//! # let _ = (Arc::new(initiator), Arc::new(acceptor));
//! # Ok(()) }
//! ```
//!
//! The crate links MIT Kerberos, so it is apart from the rest of wsbind: a service
//! without a Kerberos bootstrap links none of it.
#![deny(unsafe_code)]
#![warn(unreachable_pub)]

mod gss;

use gss::{Cred, Name, Usage};
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
pub use wsbind_proto::credentials::{
    Identity, KerberosAccepted, KerberosAcceptor, KerberosInitiator, KerberosTicket, Rejected,
};
use wsbind_proto::keys::SecretKey;

pub use gss::GssError;

/// Why credentials could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KerberosError {
    #[error("the Kerberos name {name:?} is not valid: {source}")]
    Name { name: String, source: GssError },
    #[error("no Kerberos credentials for {what}: {source}")]
    Credentials { what: String, source: GssError },
    #[error("no service ticket for {spn:?}: {source}")]
    Ticket { spn: String, source: GssError },
}

fn name(text: &str) -> Result<Name, KerberosError> {
    Name::principal(text).map_err(|source| KerberosError::Name {
        name: text.to_owned(),
        source,
    })
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A client's source of AP-REQs for one service: its credentials (a ticket cache, a
/// keytab or a password) and the service principal name (SPN) it asks tickets for.
///
/// Every constructor asks for a service ticket once, so a wrong password, keytab,
/// principal or SPN, or an unreachable KDC, fails there and not at the first call; the
/// ticket is then kept in the credentials' cache, and [`ap_req`](KerberosInitiator::ap_req)
/// reaches the KDC again only when it has expired.
pub struct Initiator {
    cred: Cred,
    target: Name,
    spn: String,
}

impl fmt::Debug for Initiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Initiator")
            .field("spn", &self.spn)
            .finish_non_exhaustive()
    }
}

/// A memory ticket cache of its own for each initiator made from a keytab or a
/// password, so that one never touches the user's default cache.
fn memory_cache() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "MEMORY:wsbind-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Initiator {
    /// From the default ticket cache (`KRB5CCNAME`, filled by `kinit`), for the service
    /// `spn` (`HTTP/host.example.com`, the realm optional).
    pub fn from_default_cache(spn: &str) -> Result<Initiator, KerberosError> {
        let cred = Cred::from_store(None, Usage::Initiate, &[]).map_err(|source| {
            KerberosError::Credentials {
                what: "the default ticket cache".into(),
                source,
            }
        })?;
        Self::ready(cred, spn)
    }

    /// From the ticket cache `ccache` (`FILE:/tmp/krb5cc_alice`, `KEYRING:…`).
    pub fn from_cache(ccache: &str, spn: &str) -> Result<Initiator, KerberosError> {
        let cred =
            Cred::from_store(None, Usage::Initiate, &[("ccache", ccache)]).map_err(|source| {
                KerberosError::Credentials {
                    what: format!("the ticket cache {ccache}"),
                    source,
                }
            })?;
        Self::ready(cred, spn)
    }

    /// `principal`'s key from the keytab at `keytab` (a service account's usual
    /// credential): MIT obtains and renews the ticket-granting ticket itself.
    pub fn from_keytab(
        principal: &str,
        keytab: impl AsRef<Path>,
        spn: &str,
    ) -> Result<Initiator, KerberosError> {
        let keytab = path_text(keytab.as_ref());
        let who = name(principal)?;
        let cache = memory_cache();
        let cred = Cred::from_store(
            Some(&who),
            Usage::Initiate,
            &[("client_keytab", &keytab), ("ccache", &cache)],
        )
        .map_err(|source| KerberosError::Credentials {
            what: format!("{principal} in {keytab}"),
            source,
        })?;
        Self::ready(cred, spn)
    }

    /// `principal`'s password: a ticket-granting ticket is asked for now and kept in
    /// memory (the password is not kept).
    pub fn with_password(
        principal: &str,
        password: &str,
        spn: &str,
    ) -> Result<Initiator, KerberosError> {
        let who = name(principal)?;
        let cred =
            Cred::with_password(&who, password).map_err(|source| KerberosError::Credentials {
                what: principal.to_owned(),
                source,
            })?;
        Self::ready(cred, spn)
    }

    fn ready(cred: Cred, spn: &str) -> Result<Initiator, KerberosError> {
        let target = name(spn)?;
        let initiator = Initiator {
            cred,
            target,
            spn: spn.to_owned(),
        };
        // The service ticket, now (the AP-REQ itself is never sent).
        gss::initiate(&initiator.cred, &initiator.target).map_err(|source| {
            KerberosError::Ticket {
                spn: spn.to_owned(),
                source,
            }
        })?;
        Ok(initiator)
    }

    /// The service principal name tickets are asked for.
    pub fn spn(&self) -> &str {
        &self.spn
    }
}

impl KerberosInitiator for Initiator {
    fn ap_req(&self) -> Result<KerberosTicket, Rejected> {
        let done = gss::initiate(&self.cred, &self.target)
            .map_err(|e| Rejected(format!("no AP-REQ for {}: {e}", self.spn)))?;
        Ok(KerberosTicket {
            token: done.token,
            key: SecretKey::from_slice(&done.key),
        })
    }
}

/// A service's acceptor of AP-REQs: its keys (a keytab), and MIT's replay cache, which
/// refuses an authenticator it has seen within the clock skew.
pub struct Acceptor {
    cred: Cred,
    what: String,
}

impl fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acceptor")
            .field("keys", &self.what)
            .finish_non_exhaustive()
    }
}

impl Acceptor {
    /// Every service key of the keytab at `keytab`.
    pub fn from_keytab(keytab: impl AsRef<Path>) -> Result<Acceptor, KerberosError> {
        let keytab = path_text(keytab.as_ref());
        Self::acquire(None, &[("keytab", &keytab)], format!("the keytab {keytab}"))
    }

    /// Only `principal`'s keys (`HTTP/host.example.com`) of the keytab at `keytab`.
    pub fn for_principal(
        principal: &str,
        keytab: impl AsRef<Path>,
    ) -> Result<Acceptor, KerberosError> {
        let keytab = path_text(keytab.as_ref());
        let who = name(principal)?;
        Self::acquire(
            Some(&who),
            &[("keytab", &keytab)],
            format!("{principal} in {keytab}"),
        )
    }

    /// The default keytab (`KRB5_KTNAME`, else MIT's `/etc/krb5.keytab`).
    pub fn from_default_keytab() -> Result<Acceptor, KerberosError> {
        Self::acquire(None, &[], "the default keytab".into())
    }

    fn acquire(
        principal: Option<&Name>,
        store: &[(&str, &str)],
        what: String,
    ) -> Result<Acceptor, KerberosError> {
        let cred = Cred::from_store(principal, Usage::Accept, store).map_err(|source| {
            KerberosError::Credentials {
                what: what.clone(),
                source,
            }
        })?;
        Ok(Acceptor { cred, what })
    }
}

impl KerberosAcceptor for Acceptor {
    fn accept(&self, ap_req: &[u8]) -> Result<KerberosAccepted, Rejected> {
        let done = gss::accept(&self.cred, ap_req).map_err(|e| {
            Rejected(if e.is_replay() {
                format!("a replayed AP-REQ: {e}")
            } else {
                format!("AP-REQ refused: {e}")
            })
        })?;
        Ok(KerberosAccepted {
            identity: Identity { name: done.client },
            service: done.service,
            key: SecretKey::from_slice(&done.key),
        })
    }
}
