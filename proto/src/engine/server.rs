//! The server side: authenticate the bootstrap, issue contexts (kept in a bounded
//! in-memory store, or sealed into the SCT as a cookie so a farm needs no shared
//! state), renew and cancel them, verify application requests and protect replies.
//! The server only ever answers: it sends nothing before it received a message.

use super::{message, peer_text, Config, EngineError, Mismatch, StateError};
use crate::cancel::{CancelStore, Ended, MemoryCancellations};
use crate::cookie::CookieKeys;
use crate::credentials::{Identity, KerberosAcceptor, PasswordValidator};
use crate::description::KeyEntropyMode;
use crate::envelope::{Framing, Headers};
use crate::keys::{self, Rng, SecretKey};
use crate::lock;
use crate::security::verify::SignedBy;
use crate::security::{
    self, bootstrap, fault_envelope, ContextError, ContextKeys, KerberosTokenError, Outgoing,
    ReplayCache, ReplayStore, SecurityError, SigningKey, TokenInfo, Verified,
};
use crate::store::{ContextStore, LookupError, StoreFull, StoredContext};
use crate::trust::{Proof, RequestKind, Rst, Rstr, Sct, TokenRef};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tracing::info;

/// Where issued contexts live.
pub(crate) enum Contexts {
    /// In this server's memory (bounded by `max_active_contexts`).
    Memory(Box<ContextStore>),
    /// Sealed inside the SCT with keys the servers of a farm share; only cancelled
    /// identifiers are remembered locally (until they expire), with who cancelled
    /// them, at most [`COOKIE_CANCELLATIONS`](crate::stores::COOKIE_CANCELLATIONS). A farm's nodes do not share them, nor
    /// their replay caches: a Cancel sent to one node is not known to the others, and a
    /// request is accepted once per node. Route a client's messages to one node (as
    /// WCF farms do) where that matters.
    Cookies {
        keys: CookieKeys,
        cancelled: Arc<dyn CancelStore>,
    },
}

impl fmt::Debug for Contexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contexts::Memory(_) => f.write_str("Contexts::Memory"),
            Contexts::Cookies { cancelled, .. } => match cancelled.held() {
                Some(n) => write!(f, "Contexts::Cookies({n} cancelled)"),
                None => f.write_str("Contexts::Cookies(shared cancellations)"),
            },
        }
    }
}

/// What the server made of a message.
#[derive(Debug)]
// A request is the common case: boxing it would allocate once per message to make the
// rarer variants smaller.
#[allow(clippy::large_enum_variant)]
pub enum Incoming {
    /// A negotiation message, handled: send `bytes` back.
    Negotiated { bytes: String, event: ServerEvent },
    /// An application request, verified: answer it with [`ServerEngine::reply`].
    Request(ServerRequest),
    /// Rejected: send the fault `bytes` back; `error` is the detailed reason (for
    /// logs, not for the peer).
    Rejected {
        bytes: String,
        error: EngineError,
        /// Who the message claimed to come from, for logs: the identity of the
        /// context it named (found, though its signature or timestamp may then have
        /// failed), the user a refused bootstrap named, or the authenticated user of a
        /// bootstrap refused for another reason. `None` when the message named nobody
        /// this server knows. Never proof of who sent it: the message was refused.
        claimed: Option<Identity>,
    },
}

/// A negotiation the server completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    Issued {
        identifier: String,
        identity: Identity,
    },
    Renewed {
        identifier: String,
        instance: Option<String>,
    },
    Cancelled {
        identifier: String,
    },
}

/// What a server holds ([`ServerEngine::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ServerStats {
    /// Contexts in the in-memory store, unused ones included (0 for cookie contexts,
    /// which the server does not keep).
    pub live_contexts: usize,
    /// Contexts issued and not yet used by any message.
    pub pending_contexts: usize,
    /// Cancellations remembered in memory (`None`: a shared store's).
    pub cancellations: Option<usize>,
    /// Signatures in the server's own replay cache (`None`: a shared store's).
    pub replay_entries: Option<usize>,
}

/// A verified application request.
#[derive(Debug)]
pub struct ServerRequest {
    pub verified: Verified,
    /// Who negotiated the context the request was protected with, or whose username
    /// it carried (username on every message).
    pub identity: Identity,
    /// The context's signature and key; `None` under a username on every message.
    signed: Option<(Box<SignedBy>, SecretKey)>,
}

impl ServerRequest {
    /// The context and key that signed the request, and what the signature covers
    /// (every request under a context is signed; under MS-LWSSP the signature covers
    /// the Timestamp alone, and the Body's integrity rests on TLS). `None` under a
    /// username on every message: nothing is signed, TLS protects the request.
    pub fn signed(&self) -> Option<&SignedBy> {
        self.signed.as_ref().map(|(s, _)| &**s)
    }
}

/// The server state machine (one per endpoint; it serves every client).
///
/// Every method takes `&self`: the engine locks what it changes (the contexts, the
/// replay cache, the randomness) for the moment of the change, each on its own, so one
/// engine serves many threads at once. Parsing, signature verification and the
/// password validator run outside every lock: a slow message or a deliberately slow
/// password hash holds no other client up.
pub struct ServerEngine {
    config: Config,
    validator: Option<Arc<dyn PasswordValidator>>,
    /// Accepts the AP-REQs of a Kerberos bootstrap ([`ServerEngine::with_kerberos`]).
    kerberos: Option<Arc<dyn KerberosAcceptor>>,
    contexts: Mutex<Contexts>,
    replay: Arc<dyn ReplayStore>,
    /// How the server's own replay cache is sized (`None`: a shared store replaced it).
    own_replay: Option<OwnReplay>,
    rng: Mutex<Box<dyn Rng>>,
}

/// The size and the per-identity share of a server's own replay cache.
#[derive(Debug, Clone, Copy)]
struct OwnReplay {
    capacity: usize,
    share: usize,
}

impl OwnReplay {
    fn cache(self) -> Arc<dyn ReplayStore> {
        Arc::new(Mutex::new(
            ReplayCache::new(self.capacity).with_owner_share(self.share),
        ))
    }
}

impl fmt::Debug for ServerEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerEngine")
            .field("contexts", &*lock(&self.contexts))
            .finish_non_exhaustive()
    }
}

/// Whether a ticket for `service` (`HTTP/host@REALM`, as the acceptor names it) is
/// for one of `identities` (the description's, `HTTP/host` or `HTTP/host@REALM`,
/// compared without regard to ASCII case, as Windows compares SPNs); any service when
/// there are none.
fn service_allowed(identities: &[String], service: &str) -> bool {
    let without_realm = service.rsplit_once('@').map_or(service, |(s, _)| s);
    identities.is_empty()
        || identities
            .iter()
            .any(|i| i.eq_ignore_ascii_case(service) || i.eq_ignore_ascii_case(without_realm))
}

/// The identity of a client whose bootstrap carried no credential of its own (SSL
/// transport only).
pub(crate) const ANONYMOUS: &str = "anonymous";

impl ServerEngine {
    /// A server keeping its contexts in memory.
    pub fn new(
        config: Config,
        validator: Option<Arc<dyn PasswordValidator>>,
        rng: Box<dyn Rng>,
    ) -> Result<Self, EngineError> {
        let store = ContextStore::new(
            config.max_active_contexts as usize,
            config.max_pending_contexts as usize,
        )
        .with_renew_grace(config.renew_grace())
        .with_idle_timeout(Some(crate::store::DEFAULT_IDLE_TIMEOUT));
        Self::with_contexts(config, validator, Contexts::Memory(Box::new(store)), rng)
    }

    /// A server issuing stateless cookie contexts sealed with `keys`.
    pub fn with_cookies(
        config: Config,
        validator: Option<Arc<dyn PasswordValidator>>,
        keys: CookieKeys,
        rng: Box<dyn Rng>,
    ) -> Result<Self, EngineError> {
        let contexts = Contexts::Cookies {
            keys,
            cancelled: Arc::new(MemoryCancellations::default()),
        };
        Self::with_contexts(config, validator, contexts, rng)
    }

    fn with_contexts(
        config: Config,
        validator: Option<Arc<dyn PasswordValidator>>,
        contexts: Contexts,
        rng: Box<dyn Rng>,
    ) -> Result<Self, EngineError> {
        let username_every_message =
            config.no_context == Some(super::NoContext::UsernameEveryMessage);
        if (config.username_bootstrap || username_every_message) && validator.is_none() {
            return Err(StateError::NeedsValidator.into());
        }
        config.check()?;
        Ok(ServerEngine {
            config,
            validator,
            kerberos: None,
            contexts: Mutex::new(contexts),
            replay: Arc::new(Mutex::new(ReplayCache::default())),
            own_replay: Some(OwnReplay {
                capacity: ReplayCache::DEFAULT_CAPACITY,
                share: 4,
            }),
            rng: Mutex::new(rng),
        })
    }

    /// The acceptor of the AP-REQs a Kerberos bootstrap carries (the description's
    /// `kerberos-apreq` in the context's bootstrap needs one; [`ServerEngine::ready`]
    /// says whether it is there). It runs outside every lock of the engine.
    pub fn with_kerberos(mut self, acceptor: Arc<dyn KerberosAcceptor>) -> Self {
        self.kerberos = Some(acceptor);
        self
    }

    /// Whether the engine holds every credential its description needs (a password
    /// validator is checked when it is made; the Kerberos acceptor is given after).
    pub fn ready(&self) -> Result<(), EngineError> {
        if self.config.kerberos_bootstrap && self.kerberos.is_none() {
            return Err(StateError::NeedsKerberos.into());
        }
        Ok(())
    }

    /// Each identity may hold `1/divisor` of the server's own replay cache, and (with
    /// in-memory contexts) of the live and of the unused contexts once the store is
    /// three quarters full (4 by default; 1 turns the share off, e.g. when every
    /// client signs in with one service account). See
    /// [`ReplayCache::with_owner_share`], which applies the same share to the replay
    /// cache.
    pub fn with_identity_share(mut self, divisor: usize) -> Self {
        if let Some(own) = &mut self.own_replay {
            own.share = divisor.max(1);
            self.replay = own.cache();
        }
        self.map_store(|s| s.with_identity_share(divisor))
    }

    /// In-memory contexts: drop an issued context no message used within `life`
    /// ([`crate::store::DEFAULT_PENDING_LIFE`], 2 minutes, by default).
    pub fn with_pending_life(self, life: Duration) -> Self {
        self.map_store(|s| s.with_pending_life(life))
    }

    /// In-memory contexts: drop a context no message used for `idle` (WCF's inactivity
    /// timeout: [`crate::store::DEFAULT_IDLE_TIMEOUT`], 2 minutes, by default; `None`:
    /// contexts live until they expire, as in WWSAPI). The client is answered
    /// `BadContextToken`, and negotiates anew. Cookie contexts keep no state on the
    /// server, and so no idle time.
    pub fn with_idle_timeout(self, idle: Option<Duration>) -> Self {
        self.map_store(|s| s.with_idle_timeout(idle))
    }

    /// Cookie contexts: remember at most `n` cancellations (see
    /// [`COOKIE_CANCELLATIONS`](crate::stores::COOKIE_CANCELLATIONS)).
    pub fn with_cookie_cancellations(self, n: usize) -> Self {
        self.with_cancel_store(Arc::new(MemoryCancellations::new(n)))
    }

    /// Cookie contexts: remember cancellations in `store` (a farm's shared one, e.g.
    /// the HTTP driver's `RedisFarm`) instead of this server's memory.
    pub fn with_cancel_store(mut self, store: Arc<dyn CancelStore>) -> Self {
        if let Contexts::Cookies { cancelled, .. } = self
            .contexts
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            *cancelled = store;
        }
        self
    }

    /// Checks and records signatures in `store` (a farm's shared one, e.g.
    /// the HTTP driver's `RedisFarm`) instead of this server's own replay cache.
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = store;
        self.own_replay = None;
        self
    }

    fn map_store(self, f: impl FnOnce(ContextStore) -> ContextStore) -> Self {
        let contexts = match self
            .contexts
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Contexts::Memory(s) => Contexts::Memory(Box::new(f(*s))),
            cookies => cookies,
        };
        ServerEngine {
            contexts: Mutex::new(contexts),
            ..self
        }
    }

    /// Holds at most `capacity` recently seen signatures in the server's own replay
    /// cache (see [`ReplayCache`]; replaces a shared store set before).
    pub fn with_replay_capacity(mut self, capacity: usize) -> Self {
        let own = OwnReplay {
            capacity,
            share: self.own_replay.map_or(4, |o| o.share),
        };
        self.replay = own.cache();
        self.own_replay = Some(own);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the server holds, for health checks and gauges.
    pub fn stats(&self) -> ServerStats {
        let (live_contexts, pending_contexts, cancellations) = match &*lock(&self.contexts) {
            Contexts::Memory(s) => (s.len(), s.pending(), Some(s.cancelled())),
            Contexts::Cookies { cancelled, .. } => (0, 0, cancelled.held()),
        };
        ServerStats {
            live_contexts,
            pending_contexts,
            cancellations,
            replay_entries: self.replay.held(),
        }
    }

    /// Live contexts in the in-memory store (0 for cookie contexts).
    pub fn live_contexts(&self) -> usize {
        match &*lock(&self.contexts) {
            Contexts::Memory(s) => s.len(),
            Contexts::Cookies { .. } => 0,
        }
    }

    /// A live context of the in-memory store, e.g. to inspect who negotiated it or to
    /// hand its key to a tool (the key never prints: `SecretKey` redacts itself).
    pub fn context(&self, identifier: &str, now: SystemTime) -> Option<StoredContext> {
        match &*lock(&self.contexts) {
            Contexts::Memory(s) => s.get(identifier, now).ok().cloned(),
            Contexts::Cookies { .. } => None,
        }
    }

    /// Handles one incoming message. `transport_identity`: who the transport
    /// authenticated (e.g. HTTP basic), used when the bootstrap carries no username.
    pub fn handle(
        &self,
        bytes: &[u8],
        transport_identity: Option<Identity>,
        now: SystemTime,
    ) -> Incoming {
        let mut framing = self.config.framing;
        let mut claimed = None;
        match self.dispatch(bytes, transport_identity, now, &mut framing, &mut claimed) {
            Ok(incoming) => incoming,
            Err((error, relates_to)) => {
                let code = error.fault();
                Incoming::Rejected {
                    bytes: fault_envelope(
                        framing.soap,
                        framing.addressing,
                        self.config.sc,
                        code,
                        relates_to.as_deref(),
                    ),
                    error,
                    claimed,
                }
            }
        }
    }

    fn dispatch(
        &self,
        bytes: &[u8],
        transport_identity: Option<Identity>,
        now: SystemTime,
        framing: &mut Framing,
        claimed: &mut Option<Identity>,
    ) -> Result<Incoming, (EngineError, Option<String>)> {
        let text = message::utf8(bytes).map_err(|e| (e, None))?;
        let doc = message::parse(text, &self.config.policy).map_err(|e| (e, None))?;
        let env = message::EnvelopeParts::read(&doc).map_err(|e| (e, None))?;
        framing.soap = env.soap;
        if let Some(a) = env.addressing {
            framing.addressing = a;
        }
        let message_id = env.addressing_header(&doc, "MessageID");
        let fail = |e: EngineError| (e, message_id.clone());
        // A description that names its versions accepts no other (the fault is written
        // in the message's own, which its sender reads).
        self.config
            .accepted
            .check(env.soap, env.addressing)
            .map_err(|e| fail(e.into()))?;
        let action = match env.addressing_header(&doc, "Action") {
            Some(a) => a,
            // Addressed by the transport: the action travelled in HTTP.
            None if self.config.framing.addressing == crate::wire::Addressing::Transport => {
                String::new()
            }
            None => return Err(fail(Mismatch::NoAction.into())),
        };
        if let Some(no_context) = self.config.no_context {
            return self
                .contextless_request(&doc, &action, no_context, transport_identity, now, claimed)
                .map_err(fail);
        }
        let sc = self.config.sc;
        if action == sc.action_issue {
            return self
                .issue(
                    &doc,
                    env,
                    transport_identity,
                    message_id.as_deref(),
                    *framing,
                    now,
                    claimed,
                )
                .map_err(fail);
        }
        // Everything else is protected by a context.
        let mut keys = ServerKeys {
            contexts: &self.contexts,
            renewal: (action == sc.action_renew).then(|| self.config.renew_grace()),
            identity: None,
            claimed: None,
            cookie_expires: None,
        };
        let verified = security::verify_document(
            &doc,
            &self.config.policy,
            &self.config.request_signing(),
            &mut keys,
            &mut &*self.replay,
            now,
        );
        *claimed = keys.claimed.take();
        let verified = verified.map_err(|e| fail(e.into()))?;
        let (identity, key) = keys
            .identity
            .take()
            .ok_or_else(|| fail(StateError::NoIdentity.into()))?;
        // Every request direction is signed (a tested invariant of the profiles), so a
        // verified request names its context.
        let signed = verified
            .signed
            .clone()
            .ok_or_else(|| fail(StateError::NoIdentity.into()))?;
        if let Contexts::Memory(store) = &mut *lock(&self.contexts) {
            store.mark_used(&signed.identifier, now);
        }
        if action == sc.action_renew || action == sc.action_cancel {
            let payload = env.payload(&doc).map_err(fail)?;
            let rst = Rst::parse(&doc, payload).map_err(|e| fail(e.into()))?;
            // The target must be the context that protected the request: named by its
            // identifier, or by the id of the SCT in this message.
            let same = match &rst.target {
                Some(TokenRef::External { identifier, .. }) => *identifier == signed.identifier,
                Some(TokenRef::Local(id)) => verified
                    .token
                    .is_some_and(|t| doc.attr(t, crate::wire::ns::WSU, "Id") == Some(id.as_str())),
                None => false,
            };
            if !same {
                return Err(fail(Mismatch::ForeignTarget.into()));
            }
            let reply_to = message_id.clone().unwrap_or_default();
            return if action == sc.action_renew && rst.kind == RequestKind::Renew {
                let replaced = keys.cookie_expires;
                self.renew(
                    &signed, &rst, key, identity, replaced, &reply_to, *framing, now,
                )
                .map_err(fail)
            } else if action == sc.action_cancel && rst.kind == RequestKind::Cancel {
                self.cancel(&signed, &identity, key, &reply_to, *framing, now)
                    .map_err(fail)
            } else {
                Err(fail(
                    Mismatch::ActionForRequestType {
                        action: peer_text(&action),
                    }
                    .into(),
                ))
            };
        }
        let verified = security::verify::owned(&doc, verified).map_err(|e| fail(e.into()))?;
        Ok(Incoming::Request(ServerRequest {
            verified,
            identity,
            signed: Some((Box::new(signed), key)),
        }))
    }

    /// A request without a context. Under a username on every message: the
    /// bootstrap's security header (a fresh Timestamp, the username token) on an
    /// application message, the user validated for each request. Under TLS alone: no
    /// security header, and the client is who the transport says (its certificate's
    /// subject, or its HTTP basic user), anonymous otherwise. There is no context to
    /// negotiate, renew or cancel: WS-Trust requests are refused.
    fn contextless_request(
        &self,
        doc: &crate::xml::dom::Document<'_>,
        action: &str,
        no_context: super::NoContext,
        transport_identity: Option<Identity>,
        now: SystemTime,
        claimed: &mut Option<Identity>,
    ) -> Result<Incoming, EngineError> {
        claimed.clone_from(&transport_identity);
        if crate::wire::is_trust_action(action) {
            return Err(Mismatch::NoSecurityContext {
                action: peer_text(action),
            }
            .into());
        }
        let (v, identity) = match no_context {
            super::NoContext::UsernameEveryMessage => {
                let (v, username) =
                    security::verify::read_username_request(doc, &self.config.policy, now)?;
                let (Some(validator), Some((name, password))) = (&self.validator, username) else {
                    return Err(EngineError::Authentication);
                };
                *claimed = Some(Identity { name: name.clone() });
                let identity = validator
                    .validate(&name, &password)
                    .map_err(|_| EngineError::Authentication)?;
                (v, identity)
            }
            super::NoContext::Transport => {
                let v = security::verify::read_transport_request(doc, &self.config.policy, now)?;
                let identity = transport_identity.unwrap_or(Identity {
                    name: ANONYMOUS.to_owned(),
                });
                (v, identity)
            }
        };
        *claimed = Some(identity.clone());
        let verified = security::verify::owned(doc, v)?;
        Ok(Incoming::Request(ServerRequest {
            verified,
            identity,
            signed: None,
        }))
    }

    fn authenticate(
        &self,
        doc: &crate::xml::dom::Document<'_>,
        env: message::EnvelopeParts,
        transport_identity: Option<Identity>,
        now: SystemTime,
        claimed: &mut Option<Identity>,
    ) -> Result<Identity, EngineError> {
        // Until the bootstrap is read, the transport's user is the best name a log
        // line has.
        claimed.clone_from(&transport_identity);
        let boot = bootstrap::read_header(doc, env.security, &self.config.policy, now)?;
        match (boot.kerberos, self.config.kerberos_bootstrap) {
            (Some(parts), true) => {
                let identity = self.accept_kerberos(doc, &parts, claimed)?;
                if boot.username.is_some() {
                    return Err(Mismatch::UnexpectedUsername.into());
                }
                *claimed = Some(identity.clone());
                return Ok(identity);
            }
            (None, true) => return Err(EngineError::Authentication),
            (Some(_), false) => {
                return Err(SecurityError::from(KerberosTokenError::Unexpected).into())
            }
            (None, false) => {}
        }
        let identity = match (&self.validator, boot.username) {
            (Some(v), Some((name, password))) if self.config.username_bootstrap => {
                *claimed = Some(Identity { name: name.clone() });
                v.validate(&name, &password)
                    .map_err(|_| EngineError::Authentication)
            }
            (_, None) if self.config.username_bootstrap => Err(EngineError::Authentication),
            (_, Some((name, _))) => {
                *claimed = Some(Identity { name });
                Err(Mismatch::UnexpectedUsername.into())
            }
            (_, None) => Ok(transport_identity.unwrap_or(Identity {
                name: ANONYMOUS.to_owned(),
            })),
        }?;
        *claimed = Some(identity.clone());
        Ok(identity)
    }

    /// Verifies a Kerberos bootstrap and returns its client principal. The acceptor's
    /// reasons (a replay, an expired ticket, a key it does not hold) go to the log; the
    /// peer is told only that authentication failed.
    fn accept_kerberos(
        &self,
        doc: &crate::xml::dom::Document<'_>,
        parts: &bootstrap::KerberosParts,
        claimed: &mut Option<Identity>,
    ) -> Result<Identity, EngineError> {
        let acceptor = self.kerberos.as_ref().ok_or(StateError::NeedsKerberos)?;
        let accepted = security::verify::kerberos_bootstrap(
            doc,
            parts,
            &self.config.policy,
            acceptor.as_ref(),
        )
        .map_err(|e| match e {
            security::verify::KerberosRefusal::Message(e) => EngineError::Security(e),
            security::verify::KerberosRefusal::Rejected(why) => {
                info!(reason = %why, "Kerberos AP-REQ refused");
                EngineError::Authentication
            }
        })?;
        *claimed = Some(accepted.identity.clone());
        if !service_allowed(&self.config.service_identities, &accepted.service) {
            info!(
                service = %accepted.service,
                allowed = ?self.config.service_identities,
                "Kerberos ticket for a service principal not among the service identities"
            );
            return Err(EngineError::Authentication);
        }
        Ok(accepted.identity)
    }

    /// The key size to issue: the client's request within the suite's bounds.
    fn key_bits(&self, requested: Option<u32>) -> Result<u32, EngineError> {
        let bits = requested.unwrap_or(self.config.key_bits);
        if bits < self.config.min_key_bits || bits > self.config.max_key_bits || bits % 8 != 0 {
            return Err(Mismatch::RequestedKeySize {
                bits,
                min: self.config.min_key_bits,
                max: self.config.max_key_bits,
            }
            .into());
        }
        Ok(bits)
    }

    /// The context key and what the response carries, per entropy mode.
    fn key_material(
        &self,
        client_entropy: Option<&SecretKey>,
        bits: u32,
    ) -> Result<(SecretKey, Proof, Option<SecretKey>), EngineError> {
        let len = (bits / 8) as usize;
        match (self.config.entropy, client_entropy) {
            (KeyEntropyMode::ClientOnly, Some(e)) => {
                if e.len() != len {
                    return Err(Mismatch::EntropyLength {
                        got: e.len(),
                        bits,
                        need: len,
                    }
                    .into());
                }
                Ok((e.clone(), Proof::None, None))
            }
            (KeyEntropyMode::ServerOnly, None) => {
                let key = SecretKey::random(lock(&self.rng).as_mut(), len);
                Ok((key.clone(), Proof::BinarySecret(key), None))
            }
            (KeyEntropyMode::Combined, Some(e)) => {
                let server = SecretKey::random(lock(&self.rng).as_mut(), len);
                let key = keys::computed_key(e.as_bytes(), server.as_bytes(), u64::from(bits))?;
                Ok((key, Proof::ComputedKey, Some(server)))
            }
            (mode, got) => Err(Mismatch::EntropyMode {
                mode,
                carries: got.is_some(),
            }
            .into()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        doc: &crate::xml::dom::Document<'_>,
        env: message::EnvelopeParts,
        transport_identity: Option<Identity>,
        message_id: Option<&str>,
        framing: Framing,
        now: SystemTime,
        claimed: &mut Option<Identity>,
    ) -> Result<Incoming, EngineError> {
        let identity = self.authenticate(doc, env, transport_identity, now, claimed)?;
        let rst = Rst::parse(doc, env.payload(doc)?)?;
        if rst.kind != RequestKind::Issue {
            return Err(Mismatch::ActionForRequestType {
                action: self.config.sc.action_issue.to_owned(),
            }
            .into());
        }
        if rst.version != self.config.sc.version {
            return Err(Mismatch::Generation.into());
        }
        let bits = self.key_bits(rst.key_size)?;
        let (key, proof, server_entropy) = self.key_material(rst.entropy.as_ref(), bits)?;
        let identifier = keys::uuid_urn(lock(&self.rng).as_mut());
        let expires = now + self.config.renewal_interval;
        let context = StoredContext {
            version: self.config.sc.version,
            identifier: identifier.clone(),
            instance: None,
            key,
            previous_key: None,
            created: now,
            expires,
            identity: identity.clone(),
            pending: true,
            last_used: now,
        };
        let cookie = self.keep(context, now)?;
        let rstr = Rstr {
            version: self.config.sc.version,
            kind: RequestKind::Issue,
            token: Some(Sct {
                wsu_id: Some("_sct".into()),
                identifier: identifier.clone(),
                instance: None,
                cookie,
            }),
            attached: Some(TokenRef::Local("_sct".into())),
            unattached: Some(TokenRef::External {
                identifier: identifier.clone(),
                instance: None,
            }),
            proof,
            entropy: server_entropy,
            lifetime: Some((now, expires)),
            key_size: Some(bits),
            cancelled: false,
        };
        let security = bootstrap::header(None, now, self.config.timestamp_validity);
        let bytes = framing
            .write(
                &Headers {
                    action: self.config.sc.action_issue_response,
                    relates_to: message_id,
                    ..Headers::default()
                },
                Some(&security),
                &rstr.write(),
                &[],
            )
            .text;
        Ok(Incoming::Negotiated {
            bytes,
            event: ServerEvent::Issued {
                identifier,
                identity,
            },
        })
    }

    /// Stores a context, or seals it into a cookie.
    fn keep(&self, context: StoredContext, now: SystemTime) -> Result<Option<String>, EngineError> {
        match &mut *lock(&self.contexts) {
            Contexts::Memory(store) => {
                store.insert(context, now).map_err(|e| match e {
                    StoreFull::Active(_) => {
                        EngineError::TooManyContexts(self.config.max_active_contexts)
                    }
                    StoreFull::Pending(_) => {
                        EngineError::TooManyPending(self.config.max_pending_contexts)
                    }
                    StoreFull::Identity { identity, held } => EngineError::IdentityShare {
                        identity: peer_text(&identity),
                        held,
                    },
                })?;
                Ok(None)
            }
            Contexts::Cookies { keys, .. } => {
                Ok(Some(keys.seal(&context, lock(&self.rng).as_mut())))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn renew(
        &self,
        verified: &SignedBy,
        rst: &Rst,
        old_key: SecretKey,
        identity: Identity,
        replaced_cookie_expires: Option<SystemTime>,
        relates_to: &str,
        framing: Framing,
        now: SystemTime,
    ) -> Result<Incoming, EngineError> {
        if !self.config.support_renew {
            return Err(EngineError::RenewNotSupported);
        }
        let bits = self.key_bits(rst.key_size)?;
        let (key, proof, server_entropy) = self.key_material(rst.entropy.as_ref(), bits)?;
        let instance = keys::uuid_urn(lock(&self.rng).as_mut());
        let expires = now + self.config.renewal_interval;
        let rollover_until = now + self.config.rollover_interval;
        let identifier = verified.identifier.clone();
        let cookie = match &mut *lock(&self.contexts) {
            Contexts::Memory(store) => {
                store
                    .renew(
                        &identifier,
                        key,
                        Some(instance.clone()),
                        expires,
                        rollover_until,
                        now,
                    )
                    .map_err(|e| SecurityError::Context {
                        identifier: identifier.clone(),
                        error: lookup_error(e),
                        version: self.config.sc.version,
                    })?;
                None
            }
            Contexts::Cookies { keys, cancelled } => Some((
                keys.seal(
                    &StoredContext {
                        version: self.config.sc.version,
                        identifier: identifier.clone(),
                        instance: Some(instance.clone()),
                        key,
                        previous_key: None,
                        created: now,
                        expires,
                        identity: identity.clone(),
                        pending: false,
                        last_used: now,
                    },
                    lock(&self.rng).as_mut(),
                ),
                cancelled.clone(),
            )),
        };
        // The replaced cookie stays a valid seal until it expires: remembered, it is
        // refused after the rollover (written without holding the lock: a shared
        // store may be across the network). Failing that, the Renew fails.
        let cookie = match cookie {
            None => None,
            Some((cookie, store)) => {
                let until = replaced_cookie_expires.unwrap_or(expires) + self.config.renew_grace();
                store
                    .renewed(
                        &identifier,
                        &identity.name,
                        Some(&instance),
                        verified.instance.as_deref(),
                        rollover_until,
                        until.max(rollover_until),
                        now,
                    )
                    .map_err(|e| SecurityError::Context {
                        identifier: identifier.clone(),
                        error: ContextError::Unavailable(e),
                        version: self.config.sc.version,
                    })?;
                Some(cookie)
            }
        };
        let rstr = Rstr {
            version: self.config.sc.version,
            kind: RequestKind::Renew,
            token: Some(Sct {
                wsu_id: Some("_nsct".into()),
                identifier: identifier.clone(),
                instance: Some(instance.clone()),
                cookie,
            }),
            attached: None,
            unattached: Some(TokenRef::External {
                identifier: identifier.clone(),
                instance: Some(instance.clone()),
            }),
            proof,
            entropy: server_entropy,
            lifetime: Some((now, expires)),
            key_size: Some(bits),
            cancelled: false,
        };
        let bytes = self.protect_with(
            framing,
            &verified.identifier,
            verified.instance.as_deref(),
            &old_key,
            Headers {
                action: self.config.sc.action_renew_response,
                relates_to: Some(relates_to),
                ..Headers::default()
            },
            &rstr.write(),
            now,
        )?;
        Ok(Incoming::Negotiated {
            bytes,
            event: ServerEvent::Renewed {
                identifier,
                instance: Some(instance),
            },
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn cancel(
        &self,
        verified: &SignedBy,
        identity: &Identity,
        key: SecretKey,
        relates_to: &str,
        framing: Framing,
        now: SystemTime,
    ) -> Result<Incoming, EngineError> {
        let identifier = verified.identifier.clone();
        // A shared store of cancellations may be across the network: written without
        // holding the lock.
        let cookies = match &mut *lock(&self.contexts) {
            Contexts::Memory(store) => {
                store.cancel(&identifier, now);
                None
            }
            Contexts::Cookies { cancelled, .. } => Some(cancelled.clone()),
        };
        if let Some(cancelled) = cookies {
            let until = now + self.config.renewal_interval + self.config.renew_grace();
            cancelled
                .cancel(&identifier, &identity.name, until, now)
                .map_err(|e| SecurityError::Context {
                    identifier: identifier.clone(),
                    error: ContextError::Unavailable(e),
                    version: self.config.sc.version,
                })?;
        }
        let rstr = Rstr {
            version: self.config.sc.version,
            kind: RequestKind::Cancel,
            token: None,
            attached: None,
            unattached: None,
            proof: Proof::None,
            entropy: None,
            lifetime: None,
            key_size: None,
            cancelled: true,
        };
        let bytes = self.protect_with(
            framing,
            &verified.identifier,
            verified.instance.as_deref(),
            &key,
            Headers {
                action: self.config.sc.action_cancel_response,
                relates_to: Some(relates_to),
                ..Headers::default()
            },
            &rstr.write(),
            now,
        )?;
        Ok(Incoming::Negotiated {
            bytes,
            event: ServerEvent::Cancelled { identifier },
        })
    }

    /// Protects a message to the client with a context's key.
    #[allow(clippy::too_many_arguments)]
    fn protect_with(
        &self,
        framing: Framing,
        identifier: &str,
        instance: Option<&str>,
        key: &SecretKey,
        headers: Headers<'_>,
        body: &str,
        now: SystemTime,
    ) -> Result<String, EngineError> {
        let message_id = keys::uuid_urn(lock(&self.rng).as_mut());
        let (text, signature) = security::protect_signed(
            &Outgoing {
                framing,
                headers: Headers {
                    message_id: Some(&message_id),
                    ..headers
                },
                body,
            },
            &SigningKey {
                sc: self.config.sc,
                identifier,
                instance,
                cookie: None,
                key,
                include_token: true,

                received: None,
            },
            &self.config.suite,
            &self.config.profile.reply,
            now,
            self.config.timestamp_validity,
            lock(&self.rng).as_mut(),
        )?;
        // A signed reply (the derived-keys profile; MS-LWSSP signs no reply) is made
        // with the same key as requests: remembered like a received message, so that
        // it is refused as a replay if it is sent back to this server as a request (a
        // reflection). Its Created is now, so it is remembered as long as a request
        // made now would be.
        if let Some(value) = signature {
            let until = crate::security::policy::acceptable_until(
                Some(now),
                Some(now + self.config.timestamp_validity),
                &self.config.policy,
                now,
            );
            self.replay
                .check_and_insert(&value, identifier, until, now)
                .map_err(SecurityError::from)?;
        }
        Ok(text)
    }

    /// Protects the reply to an application request with the request's context.
    pub fn reply(
        &self,
        request: &ServerRequest,
        action: &str,
        body: &str,
        now: SystemTime,
    ) -> Result<String, EngineError> {
        self.reply_with_headers(request, action, &[], body, now)
    }

    /// As [`reply`](Self::reply), with the application's own SOAP header blocks (each
    /// a well-formed element; no profile signs them).
    pub fn reply_with_headers(
        &self,
        request: &ServerRequest,
        action: &str,
        headers: &[String],
        body: &str,
        now: SystemTime,
    ) -> Result<String, EngineError> {
        let v = &request.verified;
        let framing = Framing {
            soap: v.soap,
            addressing: v.addressing.unwrap_or(self.config.framing.addressing),
        };
        let headers = Headers {
            action,
            relates_to: v.message_id.as_deref(),
            application: headers,
            ..Headers::default()
        };
        let Some((signed, key)) = &request.signed else {
            let message_id = keys::uuid_urn(lock(&self.rng).as_mut());
            if self.config.no_context == Some(super::NoContext::Transport) {
                // TLS alone: no message security, no security header.
                return Ok(framing
                    .write(
                        &Headers {
                            message_id: Some(&message_id),
                            ..headers
                        },
                        None,
                        body,
                        &[],
                    )
                    .text);
            }
            // A username on every message: the reply carries a Timestamp (MS-LWSSP
            // §4.5), as a reply under a context does.
            return Ok(security::protect::unsigned(
                &Outgoing {
                    framing,
                    headers: Headers {
                        message_id: Some(&message_id),
                        ..headers
                    },
                    body,
                },
                now,
                self.config.timestamp_validity,
            ));
        };
        self.protect_with(
            framing,
            &signed.identifier,
            signed.instance.as_deref(),
            key,
            headers,
            body,
            now,
        )
    }

    /// The application's refusal of a request: a SOAP sender fault (`Client` in SOAP
    /// 1.1) with `reason` (escaped here) and `detail` (the application's XML, which
    /// must be well-formed: it is checked), in the request's SOAP and WS-Addressing
    /// versions, relating to it and protected with its context as a reply is. Its
    /// action is the version's fault action (`Addressing::fault_action`).
    pub fn fault_reply(
        &self,
        request: &ServerRequest,
        reason: &str,
        detail: Option<&str>,
        now: SystemTime,
    ) -> Result<String, EngineError> {
        let soap = request.verified.soap;
        let addressing = request
            .verified
            .addressing
            .unwrap_or(self.config.framing.addressing);
        if let Some(detail) = detail {
            let wrapped = format!("<detail>{detail}</detail>");
            crate::xml::dom::Document::parse(&wrapped, &self.config.policy.limits)
                .map_err(|e| EngineError::Security(e.into()))?;
        }
        let body = security::fault_body(soap, None, reason, detail);
        self.reply(request, addressing.fault_action(), &body, now)
    }

    /// When the engine next needs the clock: the earliest time a context, an unused
    /// context or a replay entry is due to be forgotten (`None`: nothing is held that
    /// expires). A driver calls [`handle_timeout`](Self::handle_timeout) then, so memory
    /// is given back whether or not messages arrive (messages also purge what is due on
    /// their way). Ask again after each message: new entries can fall due sooner.
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        let contexts = match &*lock(&self.contexts) {
            Contexts::Memory(store) => store.next_deadline(),
            Contexts::Cookies { .. } => None,
        };
        let replay = self.replay.next_deadline();
        contexts.into_iter().chain(replay).min()
    }

    /// Forgets the contexts, replay entries and cancellations that expired at `now`.
    pub fn handle_timeout(&self, now: SystemTime) {
        self.replay.purge(now);
        match &mut *lock(&self.contexts) {
            Contexts::Memory(store) => store.purge(now),
            Contexts::Cookies { cancelled, .. } => cancelled.purge(now),
        }
    }
}

fn lookup_error(e: LookupError) -> ContextError {
    match e {
        LookupError::Unknown => ContextError::Unknown,
        LookupError::Expired => ContextError::Expired,
        LookupError::Cancelled => ContextError::Cancelled,
    }
}

/// The server's keys for verification: from the store (current key, or the previous
/// one during the rollover) or from the token's cookie.
struct ServerKeys<'a> {
    contexts: &'a Mutex<Contexts>,
    /// For a Renew: how long after its expiry the context is still renewable.
    renewal: Option<Duration>,
    /// Filled on success: who the context belongs to, and the key used.
    identity: Option<(Identity, SecretKey)>,
    /// Who the named context belongs to, filled once it is found (for the log line of
    /// a refusal that comes after: a bad signature, a replay, a cancelled context).
    claimed: Option<Identity>,
    /// When the cookie that carried the context expires (cookie contexts).
    cookie_expires: Option<SystemTime>,
}

impl ContextKeys for ServerKeys<'_> {
    fn key(&mut self, token: &TokenInfo<'_>, now: SystemTime) -> Result<SecretKey, ContextError> {
        match self.key_or_refusal(token, now)? {
            (key, None) => Ok(key),
            (_, Some(refusal)) => Err(refusal),
        }
    }

    /// Whether a context expired, rolled over or was cancelled is said only to a
    /// message whose signature verifies (the verifier holds the refusal until then):
    /// a context's state is no oracle for whoever merely names it.
    fn key_or_refusal(
        &mut self,
        token: &TokenInfo<'_>,
        now: SystemTime,
    ) -> Result<(SecretKey, Option<ContextError>), ContextError> {
        let grace = self.renewal.unwrap_or_default();
        let (identity, key, refusal, cancellations) = match &mut *lock(self.contexts) {
            Contexts::Memory(store) => {
                let (ctx, key, refusal) = store
                    .key_or_refusal(token.identifier, token.instance, now, grace)
                    .map_err(lookup_error)?;
                if ctx.version != token.sc.version {
                    return Err(ContextError::Unknown);
                }
                self.claimed = Some(ctx.identity.clone());
                (
                    ctx.identity.clone(),
                    key.clone(),
                    refusal.map(lookup_error),
                    None,
                )
            }
            Contexts::Cookies { keys, cancelled } => {
                let cookie = token.cookie.ok_or(ContextError::NoCookie)?;
                let ctx = keys.open_sealed(cookie)?;
                if ctx.identifier != token.identifier
                    || ctx.instance.as_deref() != token.instance
                    || ctx.version != token.sc.version
                {
                    return Err(ContextError::ForeignCookie);
                }
                self.claimed = Some(ctx.identity.clone());
                self.cookie_expires = Some(ctx.expires);
                let expired = (ctx.expires + grace <= now).then_some(ContextError::BadCookie(
                    crate::security::verify::CookieError::Expired,
                ));
                (
                    ctx.identity.clone(),
                    ctx.key.clone(),
                    expired,
                    Some(cancelled.clone()),
                )
            }
        };
        // Asked only about a cookie that opened (sealed with this farm's keys, naming
        // this token, unexpired): a shared store may be across the network, so a
        // forged cookie costs it nothing. Asked without holding the lock.
        let refusal = match (refusal, cancellations) {
            (None, Some(store)) => store
                .ended(token.identifier, token.instance, now)
                .map_err(ContextError::Unavailable)?
                .map(|ended| match ended {
                    Ended::Cancelled => ContextError::Cancelled,
                    Ended::RolledOver => ContextError::Expired,
                    Ended::Superseded => ContextError::Unknown,
                }),
            (refusal, _) => refusal,
        };
        if refusal.is_none() {
            self.identity = Some((identity, key.clone()));
        }
        Ok((key, refusal))
    }

    /// The replay cache charges the identity, not the context: an authenticated
    /// client makes contexts for nothing.
    fn owner(&self) -> Option<&str> {
        self.claimed.as_ref().map(|i| i.name.as_str())
    }
}
