//! The server side: accept HTTP or HTTPS connections, hand each message to the shared
//! [`ServerEngine`], pass verified requests to the application's handler, protect its
//! answers. One engine serves every connection; it locks only what it changes, for
//! the moment of the change, so messages are parsed, verified and authenticated (the
//! password validator included) in parallel. That CPU work runs on tokio's blocking
//! threads, at most as many at once as the machine has cores, never on the async
//! workers that move every other client's bytes; the handler runs async.

use super::{content_type, Answer, Call, TransportError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{debug, info, warn};
use wsbind_proto::credentials::{Identity, Password, PasswordValidator, ServerTls};
use wsbind_proto::engine::{Incoming, ServerEngine, ServerStats};
use wsbind_proto::security::peer_text;
use wsbind_proto::wire::Soap;

/// Most connections served at once (fewer when the open-file limit is lower: see
/// [`connection_cap`]).
pub const MAX_CONNECTIONS: usize = 10_000;

/// File descriptors left for everything but served connections (the listener, logs,
/// the application's own files and outgoing connections).
pub const RESERVED_FILES: usize = 64;

/// The connections served at once: [`MAX_CONNECTIONS`], or fewer so that they fit
/// the process's open-file limit (`RLIMIT_NOFILE`, its soft value) less
/// [`RESERVED_FILES`]. Beyond it, connections wait in the kernel's backlog instead of
/// making `accept` fail.
pub fn connection_cap() -> usize {
    #[cfg(unix)]
    if let Some(files) = rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        let files = usize::try_from(files).unwrap_or(usize::MAX);
        return files
            .saturating_sub(RESERVED_FILES)
            .clamp(1, MAX_CONNECTIONS);
    }
    MAX_CONNECTIONS
}

/// How the accept loop waits after a failed `accept`: resource errors (out of file
/// descriptors, buffers or memory) do not go away by retrying at once, so it backs
/// off, from 5 ms doubling to 1 s, and logs once per 10 s with the count. A
/// connection the peer aborted before it was accepted is no reason to wait.
struct AcceptBackoff {
    delay: std::time::Duration,
    failures: u64,
    logged: Option<std::time::Instant>,
}

impl AcceptBackoff {
    const FIRST: std::time::Duration = std::time::Duration::from_millis(5);
    const MAX: std::time::Duration = std::time::Duration::from_secs(1);
    const LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

    fn new() -> Self {
        AcceptBackoff {
            delay: Self::FIRST,
            failures: 0,
            logged: None,
        }
    }

    fn succeeded(&mut self) {
        if self.failures > 0 {
            info!(failures = self.failures, "accepting connections again");
        }
        *self = Self::new();
    }

    /// How long to wait after `e`.
    fn failed(&mut self, e: &std::io::Error) -> Option<std::time::Duration> {
        use std::io::ErrorKind::*;
        if matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted) {
            debug!(error = %e, "a connection ended before it was accepted");
            return None;
        }
        self.failures += 1;
        let now = std::time::Instant::now();
        if self
            .logged
            .is_none_or(|t| now.duration_since(t) >= Self::LOG_EVERY)
        {
            warn!(
                error = %e,
                failures = self.failures,
                backoff_ms = self.delay.as_millis() as u64,
                "accept failed; backing off"
            );
            self.logged = Some(now);
        }
        let wait = self.delay;
        self.delay = (self.delay * 2).min(Self::MAX);
        Some(wait)
    }
}

/// How long a TLS handshake, a request's headers or its body may take.
pub const IDLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A running server: its address, and a way to stop it. Dropping it stops the server.
#[derive(Debug)]
#[must_use = "dropping `Running` stops the server at once"]
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
    slots: Arc<tokio::sync::Semaphore>,
    cap: usize,
}

impl Running {
    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the engine holds: contexts (live, unused), cancellations, replay entries.
    pub fn stats(&self) -> ServerStats {
        self.shared.engine.stats()
    }

    /// Connections being served now (at most the connection cap).
    pub fn connections(&self) -> usize {
        self.cap.saturating_sub(self.slots.available_permits())
    }

    /// Whether it still accepts connections (false once stopped, or if its accept loop
    /// ended on a panic): for a health check.
    pub fn is_serving(&self) -> bool {
        !self.task.is_finished()
    }

    /// Stops accepting connections and waits for the requests in flight: each
    /// connection answers the request it is serving (if any) and closes (axum's
    /// `with_graceful_shutdown`). Wrap it in `tokio::time::timeout` to bound the wait.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The largest message (or answer) the engine handles in the connection's own task:
/// some 100 µs of work at most (a 1 KiB body takes about 20 µs to verify, growing
/// linearly), tokio's rule of thumb between two awaits. Larger ones, and every message
/// that may reach a credential check, go to a blocking thread (`Shared::engine`), and
/// a hop there costs more than verifying a small message.
const INLINE_BYTES: usize = 16 * 1024;

type Handler = dyn Fn(Call) -> std::pin::Pin<Box<dyn Future<Output = Answer> + Send>> + Send + Sync;

pub(crate) struct Shared {
    pub(crate) engine: ServerEngine,
    /// Engine calls running at once (on blocking threads).
    cpu: Arc<tokio::sync::Semaphore>,
    handler: Box<Handler>,
    max_bytes: usize,
    /// HTTP basic authentication: the validator and the realm of the challenge.
    basic: Option<(Arc<dyn PasswordValidator>, String)>,
    /// The WSDL answered to `GET …?wsdl` (shared by every answer, never copied).
    wsdl: Option<Bytes>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("engine", &self.engine)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Runs `f` on the engine in this task: for what is quick and cannot block (see
    /// [`INLINE_BYTES`]). A panic fails that one message, as in [`Shared::engine`].
    fn engine_now<T>(self: &Arc<Self>, f: impl FnOnce(&ServerEngine) -> T) -> Option<T> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&self.engine))) {
            Ok(t) => Some(t),
            Err(_) => {
                tracing::error!("the engine panicked on a message; it was answered with HTTP 500");
                None
            }
        }
    }

    /// Whether the engine's handling of `bytes` is quick and never reaches a credential
    /// check that may block (a password validator, a Kerberos acceptor's keytab and
    /// replay cache): a message of at most [`INLINE_BYTES`] that is no WS-Trust request
    /// (every bootstrap is one: it names `RequestSecurityToken`, which XML cannot spell
    /// otherwise), on an endpoint that does not check a password on every message.
    fn quick(&self, bytes: &[u8]) -> bool {
        bytes.len() <= INLINE_BYTES
            && self.engine.config().no_context
                != Some(wsbind_proto::engine::NoContext::UsernameEveryMessage)
            && memchr::memmem::find(bytes, b"RequestSecurityToken").is_none()
    }

    /// Runs `f` on the engine on a blocking thread, at most as many at once as `cpu`
    /// allows. A panic inside it (the engine's, or the application's password
    /// validator's, which runs inside the engine) fails that one message (`None`:
    /// answered with HTTP 500) and is logged; every later message is served as before
    /// (the engine's locks survive a panic).
    async fn engine<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&ServerEngine) -> T + Send + 'static,
    ) -> Option<T> {
        let permit = self.cpu.clone().acquire_owned().await.ok()?;
        let shared = self.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(&shared.engine)
        })
        .await;
        match done {
            Ok(t) => Some(t),
            Err(_) => {
                tracing::error!("the engine panicked on a message; it was answered with HTTP 500");
                None
            }
        }
    }
}

/// HTTP basic authentication of every request: the validator and the realm of the
/// challenge.
pub type Basic = (Arc<dyn PasswordValidator>, String);

/// What serves each message, whoever moves its bytes (wsbind's own listener or the
/// application's router): the engine, the handler, the limits. Starts the engine's
/// timer task, which ends when the last holder is dropped.
pub(crate) fn shared<H, F>(
    engine: ServerEngine,
    basic: Option<Basic>,
    wsdl: Option<Arc<str>>,
    handler: H,
) -> Arc<Shared>
where
    H: Fn(Call) -> F + Send + Sync + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let max_bytes = engine.config().policy.limits.max_bytes;
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let shared = Arc::new(Shared {
        engine,
        cpu: Arc::new(tokio::sync::Semaphore::new(cores)),
        handler: Box::new(move |call| Box::pin(handler(call))),
        max_bytes,
        basic,
        wsdl: wsdl.map(|w| Bytes::from(w.as_bytes().to_vec())),
    });
    tokio::spawn(timers(Arc::downgrade(&shared)));
    shared
}

/// The listen backlog: connections the kernel completes and holds until the accept
/// loop takes them. tokio's (and the standard library's) `bind` asks for 128; a
/// thousand clients connecting at once to a busy server overflowed it, and each
/// connection dropped there waited a second for its SYN to be sent again. The kernel
/// caps it at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds `addr` for `Server::serve`, with a backlog of [`LISTEN_BACKLOG`]: the first of
/// its addresses that binds.
pub async fn bind(addr: &str) -> Result<TcpListener, TransportError> {
    let failed = |source| TransportError::Listen {
        addr: addr.to_owned(),
        source,
    };
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await.map_err(failed)? {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        // As tokio's own `bind`: the address may be reused at once after a restart
        // (not on Windows, where that would let another socket take it over).
        let listening = socket.and_then(|s| {
            #[cfg(not(windows))]
            s.set_reuseaddr(true)?;
            s.bind(a)?;
            s.listen(LISTEN_BACKLOG)
        });
        match listening {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(failed(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolves to nothing",
        )
    })))
}

/// Serves `shared` on `listener` (HTTPS when `tls` is given), until
/// [`Running::shutdown`].
pub(crate) async fn serve(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<&ServerTls>,
) -> Result<Running, TransportError> {
    let acceptor = match tls {
        Some(t) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(
            super::tls::server_config(t)?,
        ))),
        None => None,
    };
    let local = listener
        .local_addr()
        .map_err(|source| TransportError::Listen {
            addr: "the listener given".to_owned(),
            source,
        })?;
    let (stop, mut stopped) = watch::channel(false);
    let cap = connection_cap();
    info!(%local, https = acceptor.is_some(), connections = cap, "serving");
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    let (running_shared, running_slots) = (shared.clone(), slots.clone());
    let task = tokio::spawn(async move {
        // The connections being served: waited for when the server stops.
        let mut connections = tokio::task::JoinSet::new();
        let mut backoff = AcceptBackoff::new();
        loop {
            // At most MAX_CONNECTIONS at once: beyond that, new ones wait in the
            // kernel's backlog.
            let permit = tokio::select! {
                p = slots.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break,
                },
                _ = stopped.changed() => break,
            };
            let accepted = loop {
                tokio::select! {
                    a = listener.accept() => break a,
                    Some(_) = connections.join_next() => {}
                    _ = stopped.changed() => {
                        drop(permit);
                        return finish(connections).await;
                    }
                }
            };
            let (tcp, peer) = match accepted {
                Ok(c) => {
                    backoff.succeeded();
                    c
                }
                Err(e) => {
                    if let Some(wait) = backoff.failed(&e) {
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = stopped.changed() => break,
                        }
                    }
                    continue;
                }
            };
            ready(&tcp);
            let shared = shared.clone();
            let acceptor = acceptor.clone();
            let stopped = stopped.clone();
            connections.spawn(async move {
                let _permit = permit;
                // The connection's service; `certificate`: who the client's verified TLS
                // certificate says it is.
                let service = move |certificate: Option<Identity>| {
                    service_fn(move |req| {
                        let shared = shared.clone();
                        let certificate = certificate.clone();
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                respond(shared, req, Some(peer), certificate).await,
                            )
                        }
                    })
                };
                match acceptor {
                    Some(acceptor) => {
                        let mut stopping = stopped.clone();
                        let handshake = tokio::time::timeout(IDLE_LIMIT, acceptor.accept(tcp));
                        let tls = tokio::select! {
                            h = handshake => h,
                            // Stopping: a handshake is not a request in flight.
                            _ = stopping.changed() => return,
                        };
                        match tls {
                            Ok(Ok(tls)) => {
                                let certificate = tls
                                    .get_ref()
                                    .1
                                    .peer_certificates()
                                    .and_then(|chain| chain.first())
                                    .and_then(super::tls::certificate_identity);
                                connection(TokioIo::new(tls), service(certificate), stopped, peer)
                                    .await
                            }
                            Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                            Err(_) => debug!(%peer, "TLS handshake timed out"),
                        }
                    }
                    None => connection(TokioIo::new(tcp), service(None), stopped, peer).await,
                }
            });
        }
        finish(connections).await;
    });
    Ok(Running {
        addr: local,
        stop,
        task,
        shared: running_shared,
        slots: running_slots,
        cap,
    })
}

/// Readies an accepted connection: each answer goes out as it is written. Without
/// this, every negotiation took 40 ms more once a few clients connected at once (issue
/// 21): Linux's delayed acknowledgement, which Nagle's algorithm waits for when a reply
/// is written in two pieces (as hyper may write a large body apart from its head). The
/// client side sets the same.
fn ready(tcp: &tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        debug!(error = %e, "TCP_NODELAY not set");
    }
}

/// The longest the timer task sleeps without asking the engine again: entries added
/// meanwhile may fall due sooner than the deadline it was given.
const TIMER_RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Waits for the connections still served: each was told to stop, answers the
/// request in progress (if any) and closes.
async fn finish(mut connections: tokio::task::JoinSet<()>) {
    let open = connections.len();
    if open > 0 {
        info!(open, "waiting for the requests in flight");
    }
    while connections.join_next().await.is_some() {}
}

/// Drives the engine's clock (quinn's `drive_timer`): sleeps until the engine next needs
/// it ([`ServerEngine::poll_timeout`], re-asked at least every [`TIMER_RECHECK`]) and
/// lets it forget what expired, on a blocking thread, for as long as anything serves
/// with it. Memory is given back whether or not messages arrive.
async fn timers(shared: std::sync::Weak<Shared>) {
    loop {
        let wait = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            shared.engine.poll_timeout().map_or(TIMER_RECHECK, |due| {
                due.duration_since(SystemTime::now())
                    .unwrap_or_default()
                    .min(TIMER_RECHECK)
            })
        };
        tokio::time::sleep(wait).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if shared
            .engine
            .poll_timeout()
            .is_some_and(|due| due <= SystemTime::now())
        {
            shared
                .engine(|engine| engine.handle_timeout(SystemTime::now()))
                .await;
            crate::metrics::held(&shared.engine);
        }
    }
}

/// Serves one connection until it ends or the server stops (then gracefully: the
/// request in progress is answered, the connection is not kept alive).
async fn connection<I, S>(io: I, service: S, mut stopped: watch::Receiver<bool>, peer: SocketAddr)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = Full<Bytes>> + Send,
    S::Future: Send,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(IDLE_LIMIT)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        debug!(%peer, error = %e, "connection ended");
    }
}

fn response(status: u16, soap: Soap, action: &str, body: String) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    if let Ok(v) = hyper::header::HeaderValue::from_str(&content_type(soap, action)) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

/// The identity of valid `Authorization: Basic` credentials; refused: the user the
/// header named, if it named one (for the log line).
fn basic_identity<B>(
    req: &hyper::Request<B>,
    validator: &dyn PasswordValidator,
) -> Result<Identity, Option<String>> {
    use base64::Engine as _;
    let value = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(None)?;
    let (scheme, token) = value.split_once(' ').ok_or(None)?;
    if !scheme.eq_ignore_ascii_case("basic") || token.len() > 4096 {
        return Err(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|_| None)?;
    let text = String::from_utf8(decoded).map_err(|_| None)?;
    let (user, password) = text.split_once(':').ok_or(None)?;
    validator
        .validate(user, &Password::new(password))
        .map_err(|_| Some(user.to_owned()))
}

/// Whether a query asks for the service's WSDL: `wsdl` or WCF's `singleWsdl`, in any
/// case, alone or first.
fn asks_for_wsdl(query: Option<&str>) -> bool {
    query
        .and_then(|q| q.split('&').next())
        .map(|q| q.split('=').next().unwrap_or(q))
        .is_some_and(|q| q.eq_ignore_ascii_case("wsdl") || q.eq_ignore_ascii_case("singlewsdl"))
}

fn soap_of<B>(req: &hyper::Request<B>) -> Soap {
    let ct = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/soap+xml") {
        Soap::V12
    } else {
        Soap::V11
    }
}

/// The action a request names in HTTP: SOAP 1.1's `SOAPAction` header, or SOAP 1.2's
/// `action` parameter of its `Content-Type` (bounded and quoted as sent; `None` when
/// empty). Read for messages without WS-Addressing, whose action travels there only.
fn http_action<B>(req: &hyper::Request<B>) -> Option<String> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let raw = header("SOAPAction").map(str::to_owned).or_else(|| {
        header(hyper::header::CONTENT_TYPE.as_str()).and_then(|ct| {
            ct.split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("action="))
                .map(str::to_owned)
        })
    })?;
    let action = raw.trim().trim_matches('"');
    (!action.is_empty() && action.len() <= 2048).then(|| action.to_owned())
}

pub(crate) async fn respond<B>(
    shared: Arc<Shared>,
    req: hyper::Request<B>,
    peer: Option<SocketAddr>,
    certificate: Option<Identity>,
) -> hyper::Response<Full<Bytes>>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let soap = soap_of(&req);
    let http_action = http_action(&req);
    let peer = Peer(peer);
    let transport_identity = match &shared.basic {
        // The client's TLS certificate, verified in the handshake, says who it is.
        None => certificate,
        Some((validator, realm)) => match basic_identity(&req, validator.as_ref()) {
            Ok(identity) => Some(identity),
            Err(user) => {
                let user = user.as_deref().map(peer_text);
                warn!(%peer, user, "HTTP basic authentication failed");
                crate::metrics::refused("http-basic");
                let mut r = hyper::Response::new(Full::new(Bytes::new()));
                *r.status_mut() = hyper::StatusCode::UNAUTHORIZED;
                if let Ok(v) = hyper::header::HeaderValue::from_str(&format!(
                    "Basic realm=\"{}\"",
                    realm.replace('"', "'")
                )) {
                    r.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, v);
                }
                return r;
            }
        },
    };
    if req.method() == hyper::Method::GET && asks_for_wsdl(req.uri().query()) {
        if let Some(wsdl) = &shared.wsdl {
            let mut r = hyper::Response::new(Full::new(wsdl.clone()));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
            );
            return r;
        }
    }
    if req.method() != hyper::Method::POST {
        let mut r =
            hyper::Response::new(Full::new(Bytes::from_static(b"POST SOAP messages here\n")));
        *r.status_mut() = hyper::StatusCode::METHOD_NOT_ALLOWED;
        crate::metrics::refused("method");
        return r;
    }
    let body = tokio::time::timeout(
        IDLE_LIMIT,
        Limited::new(req.into_body(), shared.max_bytes).collect(),
    )
    .await;
    let bytes = match body {
        Ok(Ok(b)) => b.to_bytes(),
        Err(_) => {
            let mut r = hyper::Response::new(Full::new(Bytes::from_static(b"request timed out\n")));
            *r.status_mut() = hyper::StatusCode::REQUEST_TIMEOUT;
            crate::metrics::refused("timeout");
            return r;
        }
        Ok(Err(_)) => {
            let mut r = hyper::Response::new(Full::new(Bytes::from_static(b"message too large\n")));
            *r.status_mut() = hyper::StatusCode::PAYLOAD_TOO_LARGE;
            crate::metrics::refused("too-large");
            return r;
        }
    };
    let transport_user = transport_identity.clone();
    let incoming = if shared.quick(&bytes) {
        shared.engine_now(|engine| engine.handle(&bytes, transport_identity, SystemTime::now()))
    } else {
        shared
            .engine(move |engine| engine.handle(&bytes, transport_identity, SystemTime::now()))
            .await
    };
    let Some(incoming) = incoming else {
        return response(500, soap, "", String::new());
    };
    match incoming {
        Incoming::Negotiated { bytes, event } => {
            info!(%peer, ?event, "negotiation");
            crate::metrics::negotiated(&event);
            crate::metrics::held(&shared.engine);
            response(200, soap, "", bytes)
        }
        Incoming::Rejected {
            bytes,
            error,
            claimed,
        } => {
            let fault = error.fault().name();
            // Who the message claimed to be (escaped and bounded: a refused message's
            // name is the peer's text), else who HTTP basic authenticated.
            let user = claimed.or(transport_user).map(|i| peer_text(&i.name));
            warn!(%peer, user, fault, reason = %error, "message rejected");
            crate::metrics::refused(fault);
            response(super::FAULT_STATUS, soap, "", bytes)
        }
        Incoming::Request(mut request) => {
            crate::metrics::called();
            let call = Call {
                identity: request.identity.clone(),
                // Without WS-Addressing the action travelled in HTTP.
                action: request.verified.action.clone().or(http_action),
                // (Moved: the reply needs the request's addressing, not its content.)
                body: std::mem::take(&mut request.verified.body),
                headers: std::mem::take(&mut request.verified.headers),
                signed: request.signed().cloned(),
            };
            let answer = (shared.handler)(call).await;
            let answer_len = answer.body.len();
            // The engine writes the reply or the fault; HTTP adds the status.
            let (action, status) = match answer.fault_reason() {
                None => (answer.action.clone(), 200),
                Some(_) => {
                    let addressing = request
                        .verified
                        .addressing
                        .unwrap_or(shared.engine.config().framing.addressing);
                    (addressing.fault_action().to_owned(), super::FAULT_STATUS)
                }
            };
            // Protecting a reply calls no credential check: in this task, unless the
            // answer is large.
            let protect = move |engine: &ServerEngine| {
                let now = SystemTime::now();
                match answer.fault_reason() {
                    None => engine.reply_with_headers(
                        &request,
                        &answer.action,
                        answer.headers(),
                        &answer.body,
                        now,
                    ),
                    Some(reason) => {
                        engine.fault_reply(&request, reason, answer.fault_detail(), now)
                    }
                }
            };
            let reply = if answer_len <= INLINE_BYTES {
                shared.engine_now(protect)
            } else {
                shared.engine(protect).await
            };
            let Some(reply) = reply else {
                return response(500, soap, "", String::new());
            };
            match reply {
                Ok(bytes) => response(status, soap, &action, bytes),
                Err(e) => {
                    warn!(error = %e, "the handler's answer could not be protected");
                    response(500, soap, "", String::new())
                }
            }
        }
    }
}

/// The peer's address in a log line, formatted only when the line is written (not
/// for every request): empty when the application's server did not give one.
#[derive(Clone, Copy)]
struct Peer(Option<SocketAddr>);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(addr) => addr.fmt(f),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let listener = super::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let (accepted, connected) =
            tokio::join!(listener.accept(), tokio::net::TcpStream::connect(addr));
        let (tcp, _) = accepted.expect("accepted");
        connected.expect("connected");
        assert!(!tcp.nodelay().expect("an option"), "off by default");
        super::ready(&tcp);
        assert!(tcp.nodelay().expect("an option"));
    }
}
