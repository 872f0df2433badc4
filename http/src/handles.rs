//! Typed client and server handles. The generated `client(...)`/`server(...)`
//! constructors build them with exactly the credentials the description needs; they talk
//! over HTTP or HTTPS through the engine.

use crate::transport::client::{ClientOptions, Proxy};
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use wsbind_proto::credentials::{ClientCredentials, ServerCredentials};
use wsbind_proto::Description;

/// A type annotated with `#[wsbind::binding(...)]`: it carries a checked description.
pub trait Binding: 'static {
    /// The annotated type's name.
    const NAME: &'static str;
    /// The typed description the compiler generated.
    fn description() -> &'static Description;
}

/// A client of binding `B`. [`call`](Client::call) negotiates a security context on
/// first use, renews it when due (in the course of its calls: no background task),
/// protects each request and verifies each reply; [`close`](Client::close) cancels the
/// context.
///
/// Cheap to clone, `Send` and `Sync` (an `Arc` inside, as reqwest's `Client`): clones
/// and tasks share one connection pool and one security context — one negotiation,
/// one renewal, each request still unique.
pub struct Client<B: Binding> {
    inner: Arc<ClientInner>,
    binding: PhantomData<fn() -> B>,
}

impl<B: Binding> Clone for Client<B> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            binding: PhantomData,
        }
    }
}

impl<B: Binding> std::fmt::Debug for Client<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("binding", &B::NAME)
            .field("endpoint", &self.inner.endpoint)
            .field("session", &self.inner.session.get())
            .finish()
    }
}

#[derive(Debug)]
struct ClientInner {
    endpoint: String,
    credentials: ClientCredentials,
    framing: Option<wsbind_proto::Framing>,
    options: ClientOptions,
    /// Made on first use (its configuration comes from the description).
    session: OnceLock<crate::transport::client::ClientSession>,
}

impl<B: Binding> Client<B> {
    /// The escape hatch behind the generated `client(...)` constructor, which is the
    /// way in: it asks for exactly the credentials the description needs, so a missing
    /// one is a type error. Built here, a missing credential is found only by the first
    /// `connect` or `call` ([`TransportError::Credentials`](crate::transport::TransportError::Credentials)
    /// or the engine's `StateError::NeedsUsername`). For a hand-built [`Binding`].
    pub fn new(endpoint: String, credentials: ClientCredentials) -> Self {
        Client {
            inner: Arc::new(ClientInner {
                endpoint,
                credentials,
                framing: None,
                options: ClientOptions::default(),
                session: OnceLock::new(),
            }),
            binding: PhantomData,
        }
    }

    /// This client's settings changed by `change`: a new client, sharing nothing with
    /// this one's clones (the settings are made for the time before the first call).
    fn reconfigured(self, change: impl FnOnce(&mut ClientInner)) -> Self {
        let mut inner = ClientInner {
            endpoint: self.inner.endpoint.clone(),
            credentials: self.inner.credentials.clone(),
            framing: self.inner.framing,
            options: self.inner.options.clone(),
            session: OnceLock::new(),
        };
        change(&mut inner);
        Client {
            inner: Arc::new(inner),
            binding: PhantomData,
        }
    }

    /// Speaks this SOAP and WS-Addressing version instead of the description's
    /// (`[channel]`'s `envelope-version` and `addressing-version`; left out there: SOAP
    /// 1.2 with WS-Addressing 1.0, WWSAPI's default). An override in code: the
    /// description is where the envelope is said. Like every setting, it makes a new
    /// client: set it before the first call.
    pub fn with_envelope(
        self,
        soap: wsbind_proto::wire::Soap,
        addressing: wsbind_proto::wire::Addressing,
    ) -> Self {
        self.reconfigured(|c| c.framing = Some(wsbind_proto::Framing { soap, addressing }))
    }

    /// How long one exchange may take, from sending to the answer's last byte
    /// ([`DEFAULT_TIMEOUT`](crate::transport::client::DEFAULT_TIMEOUT), 30 s); past it
    /// the call fails with an error whose `is_timeout()` is true.
    pub fn timeout(self, timeout: std::time::Duration) -> Self {
        self.reconfigured(|c| c.options.timeout = timeout)
    }

    /// How long connecting may take (none by default: the exchange's timeout).
    pub fn connect_timeout(self, timeout: std::time::Duration) -> Self {
        self.reconfigured(|c| c.options.connect_timeout = Some(timeout))
    }

    /// Tunnels every connection through an HTTP proxy (`CONNECT`; TLS still runs
    /// end to end).
    pub fn proxy(self, proxy: Proxy) -> Self {
        self.reconfigured(|c| c.options.proxy = Some(proxy))
    }

    /// Uses this rustls configuration for https instead of the one made from the
    /// client's [`ClientTls`](wsbind_proto::ClientTls): for anything that does not
    /// offer (pinned roots, another crypto provider…). The description's revocation
    /// settings are then the configuration's to honour.
    pub fn tls_config(self, config: Arc<rustls::ClientConfig>) -> Self {
        self.reconfigured(|c| c.options.tls_config = Some(config))
    }
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }
    pub fn credentials(&self) -> &ClientCredentials {
        &self.inner.credentials
    }
    pub fn description(&self) -> &'static Description {
        B::description()
    }
}

mod client_io {
    use super::*;
    use crate::transport::client::ClientSession;
    use crate::transport::{Reply, TransportError};
    use wsbind_proto::engine::Config;

    impl<B: Binding> Client<B> {
        fn session(&self) -> Result<&ClientSession, TransportError> {
            if let Some(session) = self.inner.session.get() {
                return Ok(session);
            }
            let d = B::description();
            let config = Config::from_description(d, self.inner.framing)?;
            // Plain http only where no part of the description has an SSL transport,
            // the bootstrap included (the compiler allows that only with protection
            // level none).
            let allow_http = !d.security.needs_tls();
            let session = ClientSession::new(
                config,
                &self.inner.endpoint,
                &self.inner.credentials,
                crate::transport::tls::Revocation::of(d),
                allow_http,
                &self.inner.options,
            )?;
            // Two first calls at once may both build one: the first stored is used.
            Ok(self.inner.session.get_or_init(|| session))
        }

        /// Negotiates the security context now rather than on the first call.
        ///
        /// Cancel safe: dropped at any await (a `tokio::time::timeout`, a `select!`),
        /// the negotiation is abandoned and the client is as it was; the next `connect`
        /// or `call` negotiates again.
        pub async fn connect(&self) -> Result<(), TransportError> {
            self.session()?.negotiate_if_due().await
        }

        /// Sends a protected request (`body`: the SOAP Body's content) and returns the
        /// verified reply. Any number of tasks may call at once, through clones or a
        /// shared reference: they share the context.
        ///
        /// Cancel safe: the client's state changes only once an answer has been read and
        /// checked, so a future dropped at any await leaves the client usable. A
        /// negotiation or renewal cut short is abandoned and done again by the next
        /// call; a request cut short may still have reached the server (the next call
        /// does not resend it).
        pub async fn call(&self, action: &str, body: &str) -> Result<Reply, TransportError> {
            self.session()?.call(action, body).await
        }

        /// As [`call`](Self::call), sending the application's own SOAP header blocks
        /// (`headers`: each a well-formed element, e.g. a tenant or a trace id). No
        /// profile signs them: TLS protects them, as it protects the Body under
        /// MS-LWSSP. The server's handler reads them as `Call::headers`; the reply's
        /// come back as `Reply::headers`.
        pub async fn call_with_headers(
            &self,
            action: &str,
            headers: Vec<String>,
            body: &str,
        ) -> Result<Reply, TransportError> {
            self.session()?
                .call_with_headers(action, headers, body)
                .await
        }

        /// Sends `request` serialized (feature `serde`) and returns the verified reply
        /// read as `Resp` — the typed form of [`call`](Self::call), as reqwest's
        /// `.json()`. A body that does not serialize, or a reply that does not read as
        /// `Resp`, is [`TransportError::Body`]; a fault is the fault.
        #[cfg(feature = "serde")]
        pub async fn call_xml<Req, Resp>(
            &self,
            action: &str,
            request: &Req,
        ) -> Result<Resp, TransportError>
        where
            Req: serde::Serialize,
            Resp: serde::de::DeserializeOwned,
        {
            let body = crate::transport::to_xml("request", request)?;
            let reply = self.call(action, &body).await?;
            Ok(reply.body_as()?)
        }

        /// Cancels the security context (if one was negotiated), for this client and
        /// every clone; afterwards `call` fails with
        /// [`StateError::Closed`](wsbind_proto::engine::StateError::Closed).
        ///
        /// Cancel safe: dropped before the server's answer is read (or failing), the
        /// context stays in use and `close` can be called again. Dropping a `Client`
        /// (its last clone) sends nothing: the server keeps the context until it expires
        /// or, where the server has one, its idle timeout frees it.
        pub async fn close(&self) -> Result<(), TransportError> {
            match self.inner.session.get() {
                Some(s) => s.close().await,
                None => Ok(()),
            }
        }

        /// The identifier of the current security context.
        pub fn context_id(&self) -> Option<String> {
            let session = self.inner.session.get()?;
            session.engine().context_id().map(str::to_owned)
        }

        /// The current key's instance (it changes with each renewal).
        pub fn key_instance(&self) -> Option<String> {
            let session = self.inner.session.get()?;
            session.engine().instance().map(str::to_owned)
        }
    }
}

/// A server of binding `B`. [`serve`](Server::serve) listens
/// and answers each verified request with the application's handler.
/// A farm's shared stores.
#[derive(Clone)]
struct SharedStores {
    replay: std::sync::Arc<dyn wsbind_proto::stores::ReplayStore>,
    cancellations: std::sync::Arc<dyn wsbind_proto::stores::CancelStore>,
}

impl std::fmt::Debug for SharedStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStores")
    }
}

#[derive(Debug)]
pub struct Server<B: Binding> {
    credentials: ServerCredentials,
    cookies: Option<wsbind_proto::stores::CookieKeys>,
    replay_capacity: Option<usize>,
    identity_share: Option<usize>,
    /// A farm's shared replay cache and cancellations (`with_shared_stores`).
    shared: Option<SharedStores>,
    idle_timeout: Option<Option<std::time::Duration>>,
    /// The WSDL answered to `GET …?wsdl`.
    wsdl: Option<std::sync::Arc<str>>,
    binding: PhantomData<fn() -> B>,
}

impl<B: Binding> Server<B> {
    /// The escape hatch behind the generated `server(...)` constructor, which is the
    /// way in (a missing credential is a type error there). Built here, a missing
    /// credential is found by [`serve`](Self::serve). For a hand-built [`Binding`].
    pub fn new(credentials: ServerCredentials) -> Self {
        Server {
            credentials,
            cookies: None,
            replay_capacity: None,
            identity_share: None,
            shared: None,
            idle_timeout: None,
            wsdl: None,
            binding: PhantomData,
        }
    }
    pub fn credentials(&self) -> &ServerCredentials {
        &self.credentials
    }
    pub fn description(&self) -> &'static Description {
        B::description()
    }
}

mod server_io {
    use super::*;
    use crate::transport::server::{self, Running};
    use crate::transport::service::{Mount, SoapService};
    use crate::transport::{Answer, Call, Needed, TransportError};
    use std::future::Future;
    use wsbind_proto::engine::{Config, ServerEngine};
    use wsbind_proto::keys::SystemRng;
    use wsbind_proto::stores::CookieKeys;

    impl<B: Binding> Server<B> {
        /// Issues stateless cookie contexts sealed with `keys`: every server of a farm
        /// holding the same keys serves every client, with no shared state.
        pub fn with_cookie_keys(mut self, keys: CookieKeys) -> Self {
            self.cookies = Some(keys);
            self
        }

        /// Remembers up to `capacity` recent signatures against replay (default
        /// 1,000,000; see `security::ReplayCache`).
        pub fn with_replay_capacity(mut self, capacity: usize) -> Self {
            self.replay_capacity = Some(capacity);
            self
        }

        /// Each identity may hold `1/divisor` of the replay cache and, once the
        /// in-memory context store is three quarters full, of the contexts (4 by
        /// default; 1 turns the share off, for a service whose every client signs in
        /// with one account). See `store::ContextStore::with_identity_share` and
        /// `security::ReplayCache::with_owner_share`.
        pub fn with_identity_share(mut self, divisor: usize) -> Self {
            self.identity_share = Some(divisor);
            self
        }

        /// Drops an in-memory context that no message used for `idle` (default
        /// [`DEFAULT_IDLE_TIMEOUT`](wsbind_proto::stores::DEFAULT_IDLE_TIMEOUT), 2 minutes:
        /// WCF's inactivity timeout; `None`: contexts live until they expire, as in
        /// WWSAPI), so that clients that went away free their slots. Their next call is
        /// answered `BadContextToken`, and a wsbind or WCF client negotiates anew.
        /// Cookie contexts keep no state here, and so no idle time.
        pub fn with_idle_timeout(mut self, idle: Option<std::time::Duration>) -> Self {
            self.idle_timeout = Some(idle);
            self
        }

        /// Shares the replay cache and (with [`with_cookie_keys`](Self::with_cookie_keys))
        /// the cancellations with the other servers of a farm, in Redis: a request
        /// accepted by one is a replay on every other, a Cancel sent to one is honoured by
        /// all. Messages are refused while Redis cannot answer (fail closed). Feature
        /// `redis`.
        #[cfg(feature = "redis")]
        pub fn with_farm(self, farm: crate::farm::RedisFarm) -> Self {
            self.with_shared_stores(std::sync::Arc::new(farm.clone()), std::sync::Arc::new(farm))
        }

        /// Answers `GET …?wsdl` (or `?singleWsdl`, as WCF names it) with `wsdl`, the
        /// service's WSDL as the application has it, so that svcutil, wsdl2java or a
        /// browser can fetch the contract where the service runs (after HTTP basic
        /// authentication, where the description asks for it). Served as given.
        pub fn with_wsdl(mut self, wsdl: impl Into<String>) -> Self {
            self.wsdl = Some(std::sync::Arc::from(wsdl.into()));
            self
        }

        /// Keeps the replay cache and the cancellations of cookie contexts in stores
        /// the servers of a farm share (the protocol crate's store traits; the `redis`
        /// feature's `with_farm` is one), instead of this server's memory.
        pub fn with_shared_stores(
            mut self,
            replay: std::sync::Arc<dyn wsbind_proto::stores::ReplayStore>,
            cancellations: std::sync::Arc<dyn wsbind_proto::stores::CancelStore>,
        ) -> Self {
            self.shared = Some(SharedStores {
                replay,
                cancellations,
            });
            self
        }

        /// Listens on `addr` (e.g. `"127.0.0.1:0"`) — HTTPS when the description or
        /// its bootstrap has an SSL transport, plain HTTP otherwise — and answers each
        /// verified request with `handler`, which sees the caller's authenticated
        /// identity. [`Running::shutdown`] stops it and waits for the requests in flight.
        pub async fn serve<H, F>(self, addr: &str, handler: H) -> Result<Running, TransportError>
        where
            H: Fn(Call) -> F + Send + Sync + 'static,
            F: Future<Output = Answer> + Send + 'static,
        {
            let listener = server::bind(addr).await?;
            self.serve_on(listener, handler).await
        }

        /// As [`serve`](Self::serve), on a listener the application bound.
        pub async fn serve_on<H, F>(
            self,
            listener: tokio::net::TcpListener,
            handler: H,
        ) -> Result<Running, TransportError>
        where
            H: Fn(Call) -> F + Send + Sync + 'static,
            F: Future<Output = Answer> + Send + 'static,
        {
            let built = self.build()?;
            // HTTPS whenever any part of the description names ssl-transport: the
            // bootstrap's negotiation runs on this same listener, so a bootstrap with
            // ssl-transport is never answered over plain http (the compiler refuses
            // such a description, WSB0009; a description built by hand is held to it
            // here).
            let tls = match (built.needs_tls, &built.tls) {
                (true, Some(tls)) => Some(tls),
                (true, None) => return Err(TransportError::Credentials(Needed::CertificateAndKey)),
                (false, _) => None,
            };
            // A description that requires client certificates is served only with the
            // roots to verify them (a server asking for none would let anyone in).
            if built.client_certificates && tls.is_some_and(|t| t.client_roots_pem.is_none()) {
                return Err(crate::transport::tls::TlsError::NoClientRoots.into());
            }
            let shared = server::shared(built.engine, built.basic, built.wsdl, handler);
            server::serve(shared, listener, tls).await
        }

        /// The endpoint as a tower `Service`, to mount in the application's own router
        /// beside its other routes and under its layers (axum:
        /// `Router::new().route_service("/orders", service)`). Every guarantee of
        /// [`serve`](Self::serve) holds — HTTP basic authentication, the size limit,
        /// faults, verification on blocking threads, the engine's timers — except the
        /// listener's own (connection cap, TLS, graceful shutdown: the application's
        /// server has those). The application states how its HTTP arrives (`mount`):
        /// a description that names ssl-transport anywhere is only mounted
        /// [`Mount::BehindTls`], because the bootstrap's password and every request
        /// travel there. Call it inside the tokio runtime that will serve it.
        pub fn into_service<H, F>(
            self,
            mount: Mount,
            handler: H,
        ) -> Result<SoapService, TransportError>
        where
            H: Fn(Call) -> F + Send + Sync + 'static,
            F: Future<Output = Answer> + Send + 'static,
        {
            let built = self.build()?;
            if built.needs_tls && mount == Mount::PlainHttp {
                return Err(TransportError::MountedWithoutTls);
            }
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(TransportError::NoRuntime);
            }
            Ok(SoapService::new(server::shared(
                built.engine,
                built.basic,
                built.wsdl,
                handler,
            )))
        }

        /// The engine and what the transport needs, as the description and the
        /// credentials say.
        fn build(self) -> Result<Built, TransportError> {
            let d = B::description();
            let config = Config::from_description(d, None)?;
            let validator = self.credentials.username.clone();
            let rng = Box::new(SystemRng::new());
            let mut engine = match self.cookies {
                Some(keys) => ServerEngine::with_cookies(config, validator, keys, rng)?,
                None => ServerEngine::new(config, validator, rng)?,
            };
            if let Some(capacity) = self.replay_capacity {
                engine = engine.with_replay_capacity(capacity);
            }
            if let Some(divisor) = self.identity_share {
                engine = engine.with_identity_share(divisor);
            }
            if let Some(idle) = self.idle_timeout {
                engine = engine.with_idle_timeout(idle);
            }
            if let Some(shared) = self.shared {
                engine = engine
                    .with_replay_store(shared.replay)
                    .with_cancel_store(shared.cancellations);
            }
            if let Some(k) = &self.credentials.kerberos {
                engine = engine.with_kerberos(k.clone());
            }
            engine.ready()?;
            let basic = match (d.security.needs_basic(), &self.credentials.http_basic) {
                (true, Some(v)) => {
                    let realm = [&d.security.protection.header_auth]
                        .into_iter()
                        .chain(
                            d.security
                                .context
                                .as_ref()
                                .map(|c| &c.bootstrap.header_auth),
                        )
                        .flatten()
                        .find_map(|h| h.basic_realm.as_deref())
                        .unwrap_or("wsbind")
                        .to_owned();
                    Some((v.clone(), realm))
                }
                (true, None) => return Err(TransportError::Credentials(Needed::BasicValidator)),
                (false, _) => None,
            };
            Ok(Built {
                engine,
                basic,
                needs_tls: d.security.needs_tls(),
                client_certificates: d.security.needs_client_certificate(),
                tls: self.credentials.tls,
                wsdl: self.wsdl,
            })
        }
    }

    struct Built {
        engine: ServerEngine,
        basic: Option<server::Basic>,
        needs_tls: bool,
        client_certificates: bool,
        tls: Option<wsbind_proto::ServerTls>,
        wsdl: Option<std::sync::Arc<str>>,
    }
}
