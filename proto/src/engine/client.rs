//! The client side: negotiate a context, protect requests, verify replies, renew or
//! re-negotiate when the renewal interval lapses, keep the previous key for the
//! rollover interval, cancel on close.
//!
//! The engine changes only when it is handed what it *receives*: a negotiation it asks
//! for ([`ClientEngine::poll`], [`ClientEngine::close`]) is a [`Negotiation`] value that
//! the caller holds while the message is on the wire, and the engine's state moves when
//! the response comes back with it ([`ClientEngine::handle_response`]). A caller that
//! gives up half-way (a dropped future, a lost connection) simply drops the value: the
//! engine is as it was, and the next poll asks for the negotiation again.

use super::{message, peer_text, Config, EngineError, Mismatch, NoContext, StateError};
use crate::credentials::{KerberosInitiator, KerberosTicket, UsernameCredential};
use crate::description::TimestampUsage;
use crate::envelope::Headers;
use crate::keys::{self, Rng, SecretKey};
use crate::security::{
    self, bootstrap, ContextError, ContextKeys, FaultCode, Outgoing, ReceivedFault, ReceivedToken,
    ReplayCache, SigningKey, TokenInfo, Verified,
};
use crate::trust::{self, RequestKind, Rst, Rstr, TokenRef};
use crate::wire;
use crate::xml::c14n;
use crate::xml::dom::{Document, Element};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Bytes to send to the server, with the addressing the transport may need.
#[derive(Debug, Clone)]
pub struct Request {
    /// What the message is for.
    pub purpose: Purpose,
    pub action: String,
    pub message_id: String,
    pub bytes: String,
}

/// What a [`Request`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Negotiates a new context (WS-Trust Issue).
    Issue,
    /// Renews the context (WS-Trust Renew).
    Renew,
    /// Cancels the context (WS-Trust Cancel).
    Cancel,
    /// An application message protected with the context.
    Application,
}

/// A negotiation message to send ([`request`](Self::request)) and what reading its
/// response needs: the entropy the request carried and the context it renews or
/// cancels. Hand it back with the response to [`ClientEngine::handle_response`];
/// dropping it abandons the negotiation and leaves the engine unchanged.
#[derive(Debug)]
pub struct Negotiation {
    /// The message to send.
    pub request: Request,
    /// The request's entropy (client or combined entropy modes).
    entropy: Option<SecretKey>,
    /// The context a Renew or Cancel is about: its identifier and key instance. The
    /// response is applied only while that is still the engine's context.
    target: Option<(String, Option<String>)>,
}

/// What a negotiation response changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A context was issued.
    Established {
        identifier: String,
        key_bits: u32,
        expires: SystemTime,
    },
    /// The context's key was renewed; the previous key is kept for the rollover.
    Renewed {
        identifier: String,
        instance: Option<String>,
        expires: SystemTime,
    },
    /// The server cancelled the context.
    Cancelled { identifier: String },
}

/// A context as the client holds it.
#[derive(Clone, Debug)]
pub struct ClientContext {
    pub identifier: String,
    pub instance: Option<String>,
    /// The server's sealed state, echoed in every SCT the client sends.
    pub cookie: Option<String>,
    /// The SCT as the issuer sent it (with a `wsu:Id`), sent back as it is.
    pub token: Option<ReceivedToken>,
    pub key: SecretKey,
    pub key_bits: u32,
    pub issued: SystemTime,
    pub expires: SystemTime,
    /// The key before the last renewal, accepted on replies until the given time.
    previous: Option<(Option<String>, SecretKey, SystemTime)>,
    /// The server answered `RenewNeeded`: renew at the next poll, whatever the clock.
    renew_needed: bool,
    /// The server refused to renew it (`UnableToRenew`): it is used until it expires,
    /// and a new context is negotiated when a renewal would be due.
    renew_refused: bool,
}

/// No state says "a response is awaited": that is the [`Negotiation`] the caller
/// holds.
#[allow(clippy::large_enum_variant)] // one per client: boxing the context saves nothing
enum State {
    Idle,
    Ready(ClientContext),
    Closed,
}

/// The client state machine of one channel.
pub struct ClientEngine {
    config: Config,
    endpoint: String,
    username: Option<UsernameCredential>,
    /// The AP-REQs of a Kerberos bootstrap ([`ClientEngine::with_kerberos`]).
    kerberos: Option<Arc<dyn KerberosInitiator>>,
    rng: Box<dyn Rng>,
    replay: ReplayCache,
    state: State,
    /// The `Created` of the last protected request, and how many requests before it
    /// had that same `Created` (see `protected`).
    last_created: SystemTime,
    same_created: u32,
}

impl fmt::Debug for ClientEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientEngine")
            .field("endpoint", &self.endpoint)
            .field("state", &self.state_name())
            .finish_non_exhaustive()
    }
}

impl ClientEngine {
    /// A client for `endpoint` (the `wsa:To` of its messages). `username` is needed
    /// when the bootstrap carries a username token.
    pub fn new(
        config: Config,
        endpoint: impl Into<String>,
        username: Option<UsernameCredential>,
        rng: Box<dyn Rng>,
    ) -> Result<Self, EngineError> {
        let username_every_message = config.no_context == Some(NoContext::UsernameEveryMessage);
        if (config.username_bootstrap || username_every_message) && username.is_none() {
            return Err(StateError::NeedsUsername.into());
        }
        config.check()?;
        let mut config = config;
        config.policy = reply_acceptance(&config);
        Ok(ClientEngine {
            config,
            endpoint: endpoint.into(),
            username,
            kerberos: None,
            rng,
            replay: ReplayCache::default(),
            last_created: SystemTime::UNIX_EPOCH,
            same_created: 0,
            state: State::Idle,
        })
    }

    /// The source of the AP-REQs a Kerberos bootstrap carries (the description's
    /// `kerberos-apreq` in the context's bootstrap needs one: each negotiation asks it
    /// for a fresh AP-REQ, under the caller's lock of this engine).
    pub fn with_kerberos(mut self, initiator: Arc<dyn KerberosInitiator>) -> Self {
        self.kerberos = Some(initiator);
        self
    }

    fn state_name(&self) -> &'static str {
        match self.state {
            State::Idle => "idle",
            State::Ready(_) => "ready",
            State::Closed => "closed",
        }
    }

    /// The current context's identifier, when one is established.
    pub fn context_id(&self) -> Option<&str> {
        match &self.state {
            State::Ready(c) => Some(&c.identifier),
            _ => None,
        }
    }

    /// The current key's instance (changes on each renewal).
    pub fn instance(&self) -> Option<&str> {
        match &self.state {
            State::Ready(c) => c.instance.as_deref(),
            _ => None,
        }
    }

    /// Whether application requests can be protected now.
    pub fn is_ready(&self) -> bool {
        match self.state {
            State::Ready(_) => true,
            State::Idle => self.config.no_context.is_some(),
            State::Closed => false,
        }
    }

    /// Whether the current key can protect a request at `now`: a context is held, it
    /// has not expired, and the server has not said it did (`RenewNeeded`).
    pub fn key_usable(&self, now: SystemTime) -> bool {
        matches!(&self.state, State::Ready(c) if !c.renew_needed && now < c.expires)
    }

    /// Whether [`close`](Self::close) closed the engine: it negotiates no more.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The negotiation to run now, if any: an Issue when there is no context (or it
    /// lapsed and renew is not supported), a Renew when the renewal interval has
    /// lapsed; `None` when nothing is due or the engine is closed.
    ///
    /// The engine does not change until the response is handed to
    /// [`handle_response`](Self::handle_response): until then the current context (if
    /// any) stays in use, and polling again asks for the same negotiation anew (the
    /// earlier one is abandoned). A caller with several tasks runs one negotiation at a
    /// time.
    pub fn poll(&mut self, now: SystemTime) -> Result<Option<Negotiation>, EngineError> {
        if self.config.no_context.is_some() {
            // No context: nothing is ever negotiated.
            return Ok(None);
        }
        let ctx = match &self.state {
            State::Idle => return Ok(Some(self.issue(now)?)),
            State::Ready(ctx) if ctx.renew_needed || now >= self.renew_at(ctx) => ctx.clone(),
            _ => return Ok(None),
        };
        let renewable = self.config.support_renew
            && !ctx.renew_refused
            && (ctx.renew_needed || now < ctx.expires);
        if renewable {
            self.renew(&ctx, now).map(Some)
        } else {
            Ok(Some(self.issue(now)?))
        }
    }

    /// When the engine next needs [`poll`](Self::poll) for time's sake (the quinn way:
    /// a driver may sleep until then and renew in the background): the renewal time of
    /// the context; `now` itself when a negotiation is due already (none yet, or the
    /// server said the context expired); `None` when closed. Polling earlier gives
    /// nothing; a driver that polls only before each call loses nothing either (the
    /// renewal then runs with that call).
    pub fn poll_timeout(&self, now: SystemTime) -> Option<SystemTime> {
        if self.config.no_context.is_some() {
            return None;
        }
        match &self.state {
            State::Idle => Some(now),
            State::Ready(ctx) if ctx.renew_needed => Some(now),
            State::Ready(ctx) => Some(self.renew_at(ctx)),
            State::Closed => None,
        }
    }

    /// When the context is due for renewal: before the renewal interval (or the
    /// context's lifetime, if shorter) lapses — at nine tenths of it, so the renewal
    /// has time to complete while the key is still valid.
    fn renew_at(&self, ctx: &ClientContext) -> SystemTime {
        let lifetime = ctx.expires.duration_since(ctx.issued).unwrap_or_default();
        ctx.issued + self.config.renewal_interval.min(lifetime).mul_f64(0.9)
    }

    /// Drops the context (e.g. the server answered `BadContextToken` because it lost
    /// it): the next [`poll`](Self::poll) negotiates a new one.
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// Acts on a fault the server answered a protected request with, and says whether
    /// sending the request again can succeed. The server no longer holding the context
    /// (`BadContextToken`: it restarted, or — WCF — dropped a session idle for 2
    /// minutes) drops it, so the next [`poll`](Self::poll) negotiates a new one;
    /// `RenewNeeded` (the context expired) makes the next poll renew it when renewal
    /// is supported, and negotiate a new one otherwise. Any other fault: `false`, and
    /// nothing changes.
    pub fn context_lost(&mut self, fault: &ReceivedFault) -> bool {
        if self.config.no_context.is_some() {
            return false;
        }
        match fault.code {
            Some(FaultCode::RenewNeeded) if self.config.support_renew => {
                match &mut self.state {
                    State::Ready(ctx) => ctx.renew_needed = true,
                    state => *state = State::Idle,
                }
                true
            }
            _ if fault.context_lost() => {
                self.reset();
                true
            }
            _ => false,
        }
    }

    fn message_id(&mut self) -> String {
        keys::uuid_urn(self.rng.as_mut())
    }

    fn issue(&mut self, now: SystemTime) -> Result<Negotiation, EngineError> {
        // The AP-REQ first: when there is none, nothing else is spent.
        let ticket = match (&self.kerberos, self.config.kerberos_bootstrap) {
            (_, false) => None,
            (Some(k), true) => Some(k.ap_req().map_err(EngineError::Kerberos)?),
            (None, true) => return Err(StateError::NeedsKerberos.into()),
        };
        let message_id = self.message_id();
        let entropy = issue_entropy(&self.config, self.rng.as_mut());
        let credential = match &ticket {
            Some(t) => BootstrapCredential::Kerberos(t),
            None => self.username.as_ref().into(),
        };
        let request = issue_request(
            &self.config,
            &self.endpoint,
            credential,
            entropy.as_ref(),
            message_id,
            now,
        );
        Ok(Negotiation {
            request,
            entropy,
            target: None,
        })
    }

    /// A request protected with `ctx`, or (`None`) with the context the engine holds.
    fn protected(
        &mut self,
        purpose: Purpose,
        ctx: Option<&ClientContext>,
        action: &str,
        application: &[String],
        body: &str,
        now: SystemTime,
    ) -> Result<Request, EngineError> {
        let message_id = self.message_id();
        let (created, validity) = self.stamp(now);
        // (The held context is read where it is held, not copied: the fields are
        // borrowed apart.)
        let ctx = match (ctx, &self.state) {
            (Some(ctx), _) | (None, State::Ready(ctx)) => ctx,
            (None, _) => return Err(StateError::NotEstablished.into()),
        };
        let bytes = protect_request(
            &self.config,
            &self.endpoint,
            self.rng.as_mut(),
            ctx,
            (action, application, body),
            &message_id,
            (created, validity),
        )?;
        Ok(Request {
            purpose,
            action: action.to_owned(),
            message_id,
            bytes,
        })
    }

    /// The `Created` and validity of the next request's Timestamp.
    fn stamp(&mut self, now: SystemTime) -> (SystemTime, Duration) {
        // Under MS-LWSSP the signature covers the Timestamp alone, so two requests with
        // the same Timestamp would carry the same signature, and the server's replay
        // cache would refuse the second. Timestamps have millisecond precision, and
        // many requests fall in one millisecond: `Created` stays the clock's (never
        // earlier than the last one's: a clock set back does not repeat a Timestamp),
        // and the n-th request of one `Created` expires n ms later. Moving `Created`
        // on instead would drift ahead of the clock at a few thousand calls a second,
        // until the server refused it as created in the future.
        let since = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let millis = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
        let truncated = SystemTime::UNIX_EPOCH + Duration::from_millis(millis);
        if truncated > self.last_created {
            self.last_created = truncated;
            self.same_created = 0;
        } else {
            self.same_created = self.same_created.saturating_add(1);
        }
        let validity =
            self.config.timestamp_validity + Duration::from_millis(u64::from(self.same_created));
        (self.last_created, validity)
    }

    fn target(ctx: &ClientContext) -> TokenRef {
        TokenRef::External {
            identifier: ctx.identifier.clone(),
            instance: ctx.instance.clone(),
        }
    }

    fn renew(&mut self, ctx: &ClientContext, now: SystemTime) -> Result<Negotiation, EngineError> {
        let entropy = issue_entropy(&self.config, self.rng.as_mut());
        let rst = Rst {
            version: self.config.sc.version,
            kind: RequestKind::Renew,
            entropy: entropy.clone(),
            key_size: Some(ctx.key_bits),
            target: Some(Self::target(ctx)),
        };
        let request = self.protected(
            Purpose::Renew,
            Some(ctx),
            self.config.sc.action_renew,
            &[],
            &rst.write(),
            now,
        )?;
        Ok(Negotiation {
            request,
            entropy,
            target: Some((ctx.identifier.clone(), ctx.instance.clone())),
        })
    }

    /// Protects an application request with the context.
    pub fn protect(
        &mut self,
        action: &str,
        body: &str,
        now: SystemTime,
    ) -> Result<Request, EngineError> {
        self.protect_with_headers(action, &[], body, now)
    }

    /// Protects an application request carrying the application's own SOAP header
    /// blocks (`headers`: each a well-formed element; no profile signs them).
    pub fn protect_with_headers(
        &mut self,
        action: &str,
        headers: &[String],
        body: &str,
        now: SystemTime,
    ) -> Result<Request, EngineError> {
        match &self.state {
            State::Ready(_) => {}
            State::Closed => return Err(StateError::Closed.into()),
            State::Idle if self.config.no_context.is_some() => {
                return Ok(self.contextless_request(action, headers, body, now));
            }
            State::Idle => return Err(StateError::NotEstablished.into()),
        }
        self.protected(Purpose::Application, None, action, headers, body, now)
    }

    /// An application request without a context: under a username on every message,
    /// the bootstrap's security header (a Timestamp and the UsernameToken with the
    /// password as text, MS-LWSSP §4.1); under TLS alone, no security header. Nothing is
    /// signed: TLS protects it.
    fn contextless_request(
        &mut self,
        action: &str,
        application: &[String],
        body: &str,
        now: SystemTime,
    ) -> Request {
        let message_id = self.message_id();
        let security =
            (self.config.no_context == Some(NoContext::UsernameEveryMessage)).then(|| {
                bootstrap::header(self.username.as_ref(), now, self.config.timestamp_validity)
            });
        let bytes = self
            .config
            .framing
            .write(
                &Headers {
                    action,
                    to: Some(&self.endpoint),
                    message_id: Some(&message_id),
                    reply_to_anonymous: true,
                    relates_to: None,
                    application,
                },
                security.as_deref(),
                body,
                &[],
            )
            .text;
        Request {
            purpose: Purpose::Application,
            action: action.to_owned(),
            message_id,
            bytes,
        }
    }

    /// Cancels the context: the Cancel to send, or `None` when there is none to
    /// cancel or the description says not to (`wsbind-send-cancel = false`: the peer,
    /// e.g. a WCF service with cookie contexts, expects no Cancel; the context then
    /// simply expires there). With `None` the engine is closed now; with a Cancel, when
    /// its response is handed to [`handle_response`](Self::handle_response) (until then
    /// the context stays usable, and dropping the [`Negotiation`] keeps it).
    pub fn close(&mut self, now: SystemTime) -> Result<Option<Negotiation>, EngineError> {
        let ctx = match &self.state {
            State::Ready(ctx) if self.config.send_cancel => ctx.clone(),
            _ => {
                self.state = State::Closed;
                return Ok(None);
            }
        };
        let rst = Rst {
            version: self.config.sc.version,
            kind: RequestKind::Cancel,
            entropy: None,
            key_size: None,
            target: Some(Self::target(&ctx)),
        };
        let request = self.protected(
            Purpose::Cancel,
            Some(&ctx),
            self.config.sc.action_cancel,
            &[],
            &rst.write(),
            now,
        )?;
        Ok(Some(Negotiation {
            request,
            entropy: None,
            target: Some((ctx.identifier, ctx.instance)),
        }))
    }

    /// Processes the response to `negotiation` (from [`poll`](Self::poll) or
    /// [`close`](Self::close)): the one place the engine's context changes. A response
    /// that cannot be read leaves the engine as it was, except that a Renew the server
    /// refused is not tried again (the context is used until it lapses, then replaced)
    /// and one whose context the server lost drops it. The response to a Cancel closes
    /// the engine whatever it says. A negotiation made for a context the engine no
    /// longer holds is [`StateError::NothingAwaited`].
    pub fn handle_response(
        &mut self,
        negotiation: &Negotiation,
        bytes: &[u8],
        now: SystemTime,
    ) -> Result<ClientEvent, EngineError> {
        let current = match &self.state {
            State::Ready(ctx) => Some(ctx),
            State::Idle => None,
            State::Closed => return Err(StateError::NothingAwaited.into()),
        };
        let request = &negotiation.request;
        let entropy = negotiation.entropy.as_ref();
        let ctx = match (request.purpose, &negotiation.target, current) {
            (Purpose::Issue, _, _) => {
                let (ctx, ev) = self.issued(bytes, &request.message_id, entropy, now)?;
                self.state = State::Ready(ctx);
                return Ok(ev);
            }
            (Purpose::Renew | Purpose::Cancel, Some((id, instance)), Some(ctx))
                if *id == ctx.identifier && *instance == ctx.instance =>
            {
                ctx.clone()
            }
            _ => return Err(StateError::NothingAwaited.into()),
        };
        if request.purpose == Purpose::Cancel {
            self.state = State::Closed;
            return self.cancelled(&ctx, bytes, &request.message_id, now);
        }
        match self.renewed(&ctx, bytes, &request.message_id, entropy, now) {
            Ok((new, ev)) => {
                self.state = State::Ready(new);
                Ok(ev)
            }
            Err(EngineError::Fault(fault)) => {
                // Refused: a context the server no longer holds is dropped (the next
                // poll negotiates a new one); one it will not renew is used until it
                // expires, and replaced by a new one, not renewed again.
                self.state = if fault.context_lost() {
                    State::Idle
                } else {
                    let mut ctx = ctx;
                    ctx.renew_needed = false;
                    ctx.renew_refused = true;
                    State::Ready(ctx)
                };
                Err(EngineError::Fault(fault))
            }
            Err(e) => Err(e),
        }
    }

    fn issued(
        &mut self,
        bytes: &[u8],
        message_id: &str,
        entropy: Option<&SecretKey>,
        now: SystemTime,
    ) -> Result<(ClientContext, ClientEvent), EngineError> {
        let ctx = read_issue_response(&self.config, bytes, message_id, entropy, now)?;
        let ev = ClientEvent::Established {
            identifier: ctx.identifier.clone(),
            key_bits: ctx.key_bits,
            expires: ctx.expires,
        };
        Ok((ctx, ev))
    }

    /// Reads a Renew or Cancel response: not a fault, protected with the context,
    /// answering our request with the expected action; its RSTR.
    fn protected_response(
        &mut self,
        ctx: &ClientContext,
        bytes: &[u8],
        action: &str,
        request_id: &str,
        now: SystemTime,
    ) -> Result<(Rstr, Option<ReceivedToken>), EngineError> {
        let text = message::utf8(bytes)?;
        let doc = message::parse(text, &self.config.policy)?;
        let env = message::EnvelopeParts::read(&doc)?;
        env.fail_on_fault(&doc)?;
        let mut keys = ClientKeys { ctx };
        let signing = self
            .config
            .profile
            .reply_for(security::verify::carries_signature(&doc));
        security::verify_document(
            &doc,
            &self.config.policy,
            signing,
            &mut keys,
            &mut self.replay,
            now,
        )?;
        env.expect(&doc, action, None, request_id)?;
        let payload = env.payload(&doc)?;
        Ok((Rstr::parse(&doc, payload)?, received_token(&doc, payload)))
    }

    fn renewed(
        &mut self,
        ctx: &ClientContext,
        bytes: &[u8],
        message_id: &str,
        entropy: Option<&SecretKey>,
        now: SystemTime,
    ) -> Result<(ClientContext, ClientEvent), EngineError> {
        let action = self.config.sc.action_renew_response;
        let (rstr, token) = self.protected_response(ctx, bytes, action, message_id, now)?;
        let new = context_from(&self.config, rstr, token, entropy, now, Some(ctx))?;
        let ev = ClientEvent::Renewed {
            identifier: new.identifier.clone(),
            instance: new.instance.clone(),
            expires: new.expires,
        };
        Ok((new, ev))
    }

    fn cancelled(
        &mut self,
        ctx: &ClientContext,
        bytes: &[u8],
        message_id: &str,
        now: SystemTime,
    ) -> Result<ClientEvent, EngineError> {
        let action = self.config.sc.action_cancel_response;
        let (rstr, _) = self.protected_response(ctx, bytes, action, message_id, now)?;
        if !rstr.cancelled {
            return Err(Mismatch::NotCancelled.into());
        }
        Ok(ClientEvent::Cancelled {
            identifier: ctx.identifier.clone(),
        })
    }

    /// Verifies the server's reply to the application request `request_id` (its
    /// message id): protected with the context (or the previous key during the
    /// rollover), and relating to that request. A fault becomes [`EngineError::Fault`].
    pub fn verify_reply(
        &mut self,
        bytes: &[u8],
        request_id: &str,
        now: SystemTime,
    ) -> Result<Verified, EngineError> {
        // (The context is read where it is held: the fields borrowed apart.)
        let ctx = match &self.state {
            State::Ready(c) => Some(c),
            State::Idle if self.config.no_context.is_some() => None,
            _ => return Err(StateError::NoContextForReply.into()),
        };
        let text = message::utf8(bytes)?;
        let doc = message::parse(text, &self.config.policy)?;
        let env = message::EnvelopeParts::read(&doc)?;
        env.fail_on_fault(&doc)?;
        let (mut with_context, mut none);
        let keys: &mut dyn security::ContextKeys = match ctx {
            Some(ctx) => {
                with_context = ClientKeys { ctx };
                &mut with_context
            }
            // No context, no key: a signed reply cannot be verified and is refused.
            None => {
                none = NoKeys;
                &mut none
            }
        };
        let signing = self
            .config
            .profile
            .reply_for(security::verify::carries_signature(&doc));
        let v = security::verify_document(
            &doc,
            &self.config.policy,
            signing,
            keys,
            &mut self.replay,
            now,
        )?;
        // Without WS-Addressing the reply is the HTTP response to its request: nothing
        // in it relates to the request.
        let addressed = self.config.framing.addressing != crate::wire::Addressing::Transport;
        if addressed && v.relates_to.as_deref() != Some(request_id) {
            return Err(Mismatch::RelatesTo {
                found: v.relates_to.as_deref().map(peer_text),
                request: request_id.to_owned(),
            }
            .into());
        }
        Ok(security::verify::owned(&doc, v)?)
    }
}

/// A request protected with `ctx`: `(action, application header blocks, body)`,
/// stamped `(created, validity)`.
fn protect_request(
    config: &Config,
    endpoint: &str,
    rng: &mut dyn Rng,
    ctx: &ClientContext,
    (action, application, body): (&str, &[String], &str),
    message_id: &str,
    (created, validity): (SystemTime, Duration),
) -> Result<String, EngineError> {
    Ok(security::protect(
        &Outgoing {
            framing: config.framing,
            headers: Headers {
                action,
                to: Some(endpoint),
                message_id: Some(message_id),
                reply_to_anonymous: true,
                relates_to: None,
                application,
            },
            body,
        },
        &SigningKey {
            sc: config.sc,
            identifier: &ctx.identifier,
            instance: ctx.instance.as_deref(),
            cookie: ctx.cookie.as_deref(),
            key: &ctx.key,
            include_token: true,
            received: ctx.token.as_ref(),
        },
        &config.suite,
        &config.request_signing(),
        created,
        validity,
        rng,
    )?)
}

/// The keys of a client with no context (a username on every message): none.
struct NoKeys;

impl security::ContextKeys for NoKeys {
    fn key(
        &mut self,
        _token: &security::TokenInfo<'_>,
        _now: SystemTime,
    ) -> Result<SecretKey, security::ContextError> {
        Err(security::ContextError::Unknown)
    }
}

/// The entropy an Issue or Renew request carries, per the entropy mode: a fresh
/// random key-sized nonce, or none (issuer entropy only).
pub fn issue_entropy(config: &Config, rng: &mut dyn Rng) -> Option<SecretKey> {
    use crate::description::KeyEntropyMode::*;
    match config.entropy {
        ClientOnly | Combined => Some(SecretKey::random(rng, (config.key_bits / 8) as usize)),
        ServerOnly => None,
    }
}

/// What a client accepts in replies: as the description says, except that under
/// `timestamp-usage = "requests-only"` replies need not carry a timestamp.
fn reply_acceptance(config: &Config) -> crate::security::Acceptance {
    let mut policy = config.policy.clone();
    if config.timestamp_usage == TimestampUsage::RequestsOnly {
        policy.require_timestamp = false;
    }
    policy
}

/// What authenticates the client in an Issue request's security header.
#[derive(Debug, Clone, Copy)]
pub enum BootstrapCredential<'a> {
    /// Nothing in the message (the transport authenticates the client, or no one).
    None,
    /// A username token.
    Username(&'a UsernameCredential),
    /// A Kerberos AP-REQ, and the signature by its session key.
    Kerberos(&'a KerberosTicket),
}

impl<'a> From<Option<&'a UsernameCredential>> for BootstrapCredential<'a> {
    fn from(u: Option<&'a UsernameCredential>) -> Self {
        u.map_or(BootstrapCredential::None, BootstrapCredential::Username)
    }
}

/// The Issue request of a negotiation: an RST for an SCT, with the bootstrap's
/// security header (timestamp, and the client's credential when the description's
/// bootstrap has one).
pub fn issue_request(
    config: &Config,
    endpoint: &str,
    credential: BootstrapCredential<'_>,
    entropy: Option<&SecretKey>,
    message_id: String,
    now: SystemTime,
) -> Request {
    let rst = Rst {
        version: config.sc.version,
        kind: RequestKind::Issue,
        entropy: entropy.cloned(),
        key_size: Some(config.key_bits),
        target: None,
    };
    let security = match credential {
        BootstrapCredential::None => bootstrap::header(None, now, config.timestamp_validity),
        BootstrapCredential::Username(u) => {
            bootstrap::header(Some(u), now, config.timestamp_validity)
        }
        BootstrapCredential::Kerberos(t) => {
            bootstrap::kerberos_header(t, &config.suite, now, config.timestamp_validity)
        }
    };
    let action = config.sc.action_issue;
    let bytes = config
        .framing
        .write(
            &Headers {
                action,
                to: Some(endpoint),
                message_id: Some(&message_id),
                reply_to_anonymous: true,
                relates_to: None,
                application: &[],
            },
            Some(&security),
            &rst.write(),
            &[],
        )
        .text;
    Request {
        purpose: Purpose::Issue,
        action: action.to_owned(),
        message_id,
        bytes,
    }
}

/// Reads the response to an Issue request (`request_id`: its message id) and derives
/// the context's key from it and the request's `entropy`.
pub fn read_issue_response(
    config: &Config,
    bytes: &[u8],
    request_id: &str,
    entropy: Option<&SecretKey>,
    now: SystemTime,
) -> Result<ClientContext, EngineError> {
    let text = message::utf8(bytes)?;
    let policy = reply_acceptance(config);
    let doc = message::parse(text, &policy)?;
    let env = message::EnvelopeParts::read(&doc)?;
    env.fail_on_fault(&doc)?;
    env.expect(
        &doc,
        config.sc.action_issue_response,
        config.sc.action_issue_response_also,
        request_id,
    )?;
    bootstrap::read_header(&doc, env.security, &policy, now)?;
    let payload = env.payload(&doc)?;
    let rstr = Rstr::parse(&doc, payload)?;
    context_from(
        config,
        rstr,
        received_token(&doc, payload),
        entropy,
        now,
        None,
    )
}

/// The issued SCT of a response, as the issuer wrote it, when it has a `wsu:Id` (to be
/// referenced by) and fits [`trust::MAX_TOKEN_BYTES`].
fn received_token(doc: &Document<'_>, rstr: Element) -> Option<ReceivedToken> {
    let sct = doc.descendants(rstr).find(|e| {
        doc.local_name(*e) == "SecurityContextToken"
            && wire::sc_by_ns(doc.namespace(*e)).is_some()
            && doc
                .parent(*e)
                .is_some_and(|p| doc.local_name(p) == "RequestedSecurityToken")
    })?;
    let id = doc.attr(sct, wire::ns::WSU, "Id")?;
    if doc.range(sct).len() > trust::MAX_TOKEN_BYTES {
        return None;
    }
    let mut xml = String::new();
    c14n::exclusive(doc, sct, &[], false, &mut xml);
    Some(ReceivedToken {
        id: id.to_owned(),
        xml,
    })
}

fn context_from(
    config: &Config,
    rstr: Rstr,
    received: Option<ReceivedToken>,
    entropy: Option<&SecretKey>,
    now: SystemTime,
    renewing: Option<&ClientContext>,
) -> Result<ClientContext, EngineError> {
    let key_bits = rstr.key_size.unwrap_or(config.key_bits);
    if key_bits < config.min_key_bits || key_bits > config.max_key_bits {
        return Err(Mismatch::IssuedKeySize {
            bits: key_bits,
            min: config.min_key_bits,
            max: config.max_key_bits,
        }
        .into());
    }
    let key = trust::key_from_response(
        config.entropy,
        entropy.map(SecretKey::as_bytes),
        &rstr,
        key_bits,
    )?;
    let token = rstr
        .token
        .ok_or_else(|| EngineError::from(Mismatch::NoToken))?;
    if let Some(old) = renewing {
        if token.identifier != old.identifier {
            return Err(Mismatch::RenewedIdentifier.into());
        }
    }
    let (issued, expires) = match rstr.lifetime {
        Some((c, x)) => (c.min(now), x),
        None => (now, now + config.renewal_interval),
    };
    if expires <= now {
        return Err(Mismatch::AlreadyExpired.into());
    }
    Ok(ClientContext {
        identifier: token.identifier,
        instance: token.instance,
        cookie: token.cookie,
        token: received,
        key,
        key_bits,
        issued: now.max(issued),
        expires,
        previous: renewing.map(|old| {
            (
                old.instance.clone(),
                old.key.clone(),
                now + config.rollover_interval,
            )
        }),
        renew_needed: false,
        renew_refused: false,
    })
}

/// The client's keys: the current one, and the previous one during the rollover.
struct ClientKeys<'a> {
    ctx: &'a ClientContext,
}

impl ContextKeys for ClientKeys<'_> {
    fn key(&mut self, token: &TokenInfo<'_>, now: SystemTime) -> Result<SecretKey, ContextError> {
        if token.identifier != self.ctx.identifier {
            return Err(ContextError::Unknown);
        }
        if token.instance == self.ctx.instance.as_deref() {
            return Ok(self.ctx.key.clone());
        }
        match &self.ctx.previous {
            Some((instance, key, until)) if token.instance == instance.as_deref() => {
                if now < *until {
                    Ok(key.clone())
                } else {
                    Err(ContextError::Expired)
                }
            }
            _ => Err(ContextError::Unknown),
        }
    }
}
