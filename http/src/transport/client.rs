//! The client side: an HTTPS connection pool and a [`ClientSession`] that runs the
//! engine's calls ([`ClientCall`]: negotiate on first use, renew or re-negotiate when due
//! — in the course of its own calls, no background task —, protect, re-negotiate once
//! when the server lost the context) and cancels on close. The policy is the engine's;
//! this side sends what it says and hands it the answers.
//!
//! Cancel safety: every await here is an HTTP exchange, and the engine changes only
//! after one completes (it is handed the answer together with what the request came
//! from). A future dropped at any await leaves the engine as it was before that
//! exchange; the next call asks it again what is due.

use super::{content_type, Needed, Reply, TransportError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::TokioExecutor;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};
use tracing::{debug, info_span, Instrument};
use wsbind_proto::credentials::{ClientCredentials, ClientTls, UsernameCredential};
use wsbind_proto::engine::{ClientCall, ClientEngine, Config, EngineError, Purpose, StateError};
use wsbind_proto::keys::SystemRng;
use wsbind_proto::security::Verified;

/// How long one exchange may take, unless [`ClientOptions::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How a client reaches its endpoint: what reqwest's `ClientBuilder` offers that a SOAP
/// client needs. Set through the typed client (`Client::timeout`, `connect_timeout`,
/// `proxy`, `tls_config`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// How long one exchange may take, from sending the request to the answer's last
    /// byte ([`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// How long connecting may take (TCP; the TLS handshake counts toward `timeout`).
    pub connect_timeout: Option<Duration>,
    /// An HTTP proxy every connection is tunnelled through (`CONNECT`).
    pub proxy: Option<Proxy>,
    /// A rustls configuration to use instead of the one made from the description's
    /// `ClientTls` (client certificates, pinned roots, other providers…). The
    /// description's revocation settings are then the configuration's to honour.
    pub tls_config: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            proxy: None,
            tls_config: None,
        }
    }
}

/// An HTTP proxy, reached with `CONNECT` (so TLS still runs end to end).
#[derive(Debug, Clone)]
pub struct Proxy {
    uri: hyper::Uri,
    authorization: Option<hyper::header::HeaderValue>,
}

impl Proxy {
    /// The proxy at `url` (`http://host:port`).
    pub fn http(url: &str) -> Result<Self, TransportError> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|_| TransportError::Endpoint(url.to_owned()))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(TransportError::Endpoint(url.to_owned()));
        }
        Ok(Proxy {
            uri,
            authorization: None,
        })
    }

    /// Authenticates to the proxy with HTTP basic credentials (`Proxy-Authorization`).
    pub fn basic_auth(mut self, user: &str, password: &str) -> Result<Self, TransportError> {
        self.authorization = Some(basic_header(user, password)?);
        Ok(self)
    }
}

/// `Basic base64(user:password)`, marked sensitive.
fn basic_header(user: &str, password: &str) -> Result<hyper::header::HeaderValue, TransportError> {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut value = hyper::header::HeaderValue::from_str(&format!("Basic {token}"))
        .map_err(|_| TransportError::Credentials(Needed::HeaderSafeBasicCredentials))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The TCP connector: direct, or through a proxy's `CONNECT` tunnel.
#[derive(Debug, Clone)]
enum Connector {
    Direct(HttpConnector),
    Tunnel(Tunnel<HttpConnector>),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = TokioIo<tokio::net::TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Connector::Direct(c) => c.poll_ready(cx).map_err(Into::into),
            Connector::Tunnel(t) => t.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, dst: hyper::Uri) -> Self::Future {
        match self {
            Connector::Direct(c) => {
                let connecting = c.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Connector::Tunnel(t) => {
                let connecting = t.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
        }
    }
}

/// POSTs SOAP messages to one endpoint.
#[derive(Debug, Clone)]
pub struct HttpClient {
    pool: Pool<hyper_rustls::HttpsConnector<Connector>, Full<Bytes>>,
    uri: hyper::Uri,
    endpoint: String,
    soap: wsbind_proto::wire::Soap,
    timeout: Duration,
    max_bytes: usize,
    /// `Authorization: Basic …` for HTTP header authentication.
    authorization: Option<hyper::header::HeaderValue>,
}

impl HttpClient {
    /// A client for `endpoint`: `https://` needs `tls` (the roots it trusts); plain
    /// `http://` is refused unless `allow_http` (the compiler allows it only where the
    /// description's transport protection level is none).
    pub fn new(
        endpoint: &str,
        tls: Option<&ClientTls>,
        revocation: super::tls::Revocation,
        allow_http: bool,
        config: &Config,
        options: &ClientOptions,
    ) -> Result<Self, TransportError> {
        let uri: hyper::Uri = endpoint
            .parse()
            .map_err(|_| TransportError::Endpoint(endpoint.to_owned()))?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(options.connect_timeout);
        tcp.set_nodelay(true);
        let tcp = match &options.proxy {
            None => Connector::Direct(tcp),
            Some(proxy) => {
                let tunnel = Tunnel::new(proxy.uri.clone(), tcp);
                Connector::Tunnel(match &proxy.authorization {
                    Some(auth) => tunnel.with_auth(auth.clone()),
                    None => tunnel,
                })
            }
        };
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let connector = match (uri.scheme_str(), tls, &options.tls_config) {
            (Some("https"), _, Some(config)) => builder
                .with_tls_config((**config).clone())
                .https_only()
                .enable_http1()
                .wrap_connector(tcp),
            (Some("https"), Some(tls), None) => builder
                .with_tls_config(super::tls::client_config(tls, revocation)?)
                .https_only()
                .enable_http1()
                .wrap_connector(tcp),
            (Some("https"), None, None) => {
                return Err(TransportError::Credentials(Needed::TrustRoots))
            }
            (Some("http"), _, _) if allow_http => builder
                .with_tls_config(
                    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                        rustls::crypto::ring::default_provider(),
                    ))
                    .with_safe_default_protocol_versions()
                    .map_err(|source| super::tls::TlsError::Rustls {
                        what: "the protocol versions",
                        source,
                    })?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
                )
                .https_or_http()
                .enable_http1()
                .wrap_connector(tcp),
            (Some("http"), _, _) => return Err(TransportError::PlainHttp(endpoint.to_owned())),
            _ => return Err(TransportError::Endpoint(endpoint.to_owned())),
        };
        Ok(HttpClient {
            pool: Pool::builder(TokioExecutor::new()).build(connector),
            uri,
            endpoint: endpoint.to_owned(),
            soap: config.framing.soap,
            timeout: options.timeout,
            max_bytes: config.policy.limits.max_bytes,
            authorization: None,
        })
    }

    /// Sends HTTP basic credentials with every message.
    pub fn with_basic_auth(mut self, user: &UsernameCredential) -> Result<Self, TransportError> {
        self.authorization = Some(basic_header(&user.username, user.password.expose())?);
        Ok(self)
    }

    /// Sends one message and returns the answer's bytes (a SOAP fault included).
    pub async fn post(&self, action: &str, bytes: String) -> Result<Vec<u8>, TransportError> {
        let mut req = hyper::Request::post(self.uri.clone())
            .header(hyper::header::CONTENT_TYPE, content_type(self.soap, action));
        if self.soap == wsbind_proto::wire::Soap::V11 {
            req = req.header("SOAPAction", format!("\"{action}\""));
        }
        if let Some(auth) = &self.authorization {
            req = req.header(hyper::header::AUTHORIZATION, auth.clone());
        }
        let req = req
            .body(Full::new(Bytes::from(bytes)))
            .map_err(|_| TransportError::Endpoint(self.endpoint.clone()))?;
        let exchange = async {
            let resp = self
                .pool
                .request(req)
                .await
                .map_err(|e| TransportError::Connect {
                    endpoint: self.endpoint.clone(),
                    source: Box::new(e),
                })?;
            let status = resp.status();
            if status == hyper::StatusCode::UNAUTHORIZED {
                return Err(TransportError::Unauthorized);
            }
            let body = Limited::new(resp.into_body(), self.max_bytes)
                .collect()
                .await
                .map_err(|_| TransportError::TooLarge(self.max_bytes))?
                .to_bytes();
            if body.is_empty() && !status.is_success() {
                return Err(TransportError::Status {
                    status: status.as_u16(),
                });
            }
            Ok(body.to_vec())
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| TransportError::Timeout {
                endpoint: self.endpoint.clone(),
                after: self.timeout,
            })?
    }
}

/// One client channel, shared by every task that calls through it: the engine (behind
/// a lock held only for its synchronous steps, never across an await) and the
/// connection pool it talks through. Calls from many tasks share one security context:
/// one negotiation at a time, renewals by one caller while the others go on with the
/// current key, and every request's `Created` later than the one before (so none is a
/// replay of another).
#[derive(Debug)]
pub struct ClientSession {
    engine: Mutex<ClientEngine>,
    http: HttpClient,
    /// Held by the caller running a negotiation (Issue or Renew), from sending it to
    /// handing its answer to the engine; dropped with that caller's future.
    negotiating: tokio::sync::Mutex<()>,
}

impl ClientSession {
    /// A session for `endpoint` with the client's `credentials` (the bootstrap's
    /// username, HTTP basic credentials, the roots it trusts).
    pub fn new(
        config: Config,
        endpoint: &str,
        credentials: &ClientCredentials,
        revocation: super::tls::Revocation,
        allow_http: bool,
        options: &ClientOptions,
    ) -> Result<Self, TransportError> {
        let tls = credentials.tls.as_ref();
        let mut http = HttpClient::new(endpoint, tls, revocation, allow_http, &config, options)?;
        if let Some(basic) = &credentials.http_basic {
            http = http.with_basic_auth(basic)?;
        }
        let username = credentials.username.clone();
        let kerberos_bootstrap = config.kerberos_bootstrap;
        let mut engine = ClientEngine::new(config, endpoint, username, Box::new(SystemRng::new()))?;
        match &credentials.kerberos {
            Some(k) => engine = engine.with_kerberos(k.clone()),
            None if kerberos_bootstrap => {
                return Err(EngineError::from(StateError::NeedsKerberos).into())
            }
            None => {}
        }
        Ok(ClientSession {
            engine: Mutex::new(engine),
            http,
            negotiating: tokio::sync::Mutex::new(()),
        })
    }

    /// The engine, locked for a synchronous look or step. A panic while it was held
    /// (a step panicking) leaves it as that step found it: each step changes it at the
    /// end, whole, or not at all.
    pub fn engine(&self) -> MutexGuard<'_, ClientEngine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `call`, the engine's policy for one call: sends what it says, hands it the
    /// answers. The engine changes only when an answer is handed over, after the last
    /// await of a step. One negotiation runs at a time: an Issue waits for the one in
    /// flight (then asks the engine again); a Renew another caller is running is
    /// deferred and the request goes with the current key.
    async fn run(&self, mut call: ClientCall) -> Result<Option<Verified>, TransportError> {
        let mut negotiating = None;
        let mut deferred = false;
        loop {
            let (purpose, action, bytes, context, key) = {
                let mut engine = self.engine();
                let Some(req) = call.poll_transmit(&mut engine, SystemTime::now())? else {
                    return Ok(None);
                };
                let context = engine.context_id().unwrap_or("").to_owned();
                let key = engine.instance().map(str::to_owned);
                (
                    req.purpose,
                    req.action.clone(),
                    req.bytes.clone(),
                    context,
                    key,
                )
            };
            if matches!(purpose, Purpose::Issue | Purpose::Renew) && negotiating.is_none() {
                let guard = match self.negotiating.try_lock() {
                    Ok(guard) => guard,
                    Err(_) if purpose == Purpose::Renew && !deferred => {
                        // Another caller is renewing: go on with the current key.
                        deferred = true;
                        call.defer_renewal();
                        continue;
                    }
                    Err(_) => self.negotiating.lock().await,
                };
                negotiating = Some(guard);
                // Another caller may have completed one meanwhile (the context or its
                // key changed): ask again. Otherwise the request stands (rebuilding it
                // would spend a credential for nothing: a Kerberos AP-REQ each).
                let engine = self.engine();
                let now_context = engine.context_id().unwrap_or("");
                if now_context != context || engine.instance() != key.as_deref() {
                    drop(engine);
                    call.reconsider();
                    continue;
                }
            }
            if !matches!(purpose, Purpose::Issue | Purpose::Renew) {
                // Nothing (more) to negotiate: let the others' negotiations run.
                negotiating = None;
            }
            let span = info_span!(
                "exchange",
                ?purpose,
                %action,
                %context,
                endpoint = %self.http.endpoint,
            );
            let started = Instant::now();
            let answer = self.http.post(&action, bytes).instrument(span).await?;
            debug!(
                elapsed_us = started.elapsed().as_micros() as u64,
                "answered"
            );
            let reply = call.handle_answer(&mut self.engine(), &answer, SystemTime::now())?;
            if matches!(purpose, Purpose::Issue | Purpose::Renew) {
                negotiating = None;
            }
            if let Some(reply) = reply {
                return Ok(Some(reply));
            }
        }
    }

    /// Negotiates, renews or re-negotiates when that is due. Cancel safe: dropped
    /// before the response is read, the negotiation is abandoned and the engine is
    /// unchanged (the next call starts it again).
    pub async fn negotiate_if_due(&self) -> Result<(), TransportError> {
        self.run(ClientCall::connect()).await.map(drop)
    }

    /// Sends a protected request and returns the verified reply. Cancel safe: see
    /// [`negotiate_if_due`](Self::negotiate_if_due); a request dropped in flight changes
    /// nothing (the server may have seen it).
    pub async fn call(&self, action: &str, body: &str) -> Result<Reply, TransportError> {
        self.call_with_headers(action, Vec::new(), body).await
    }

    /// As [`call`](Self::call), with the application's own SOAP header blocks.
    pub async fn call_with_headers(
        &self,
        action: &str,
        headers: Vec<String>,
        body: &str,
    ) -> Result<Reply, TransportError> {
        // A call with a message ends with its reply or an error.
        let reply = self
            .run(ClientCall::request(action, body).with_headers(headers))
            .await?
            .ok_or(EngineError::State(StateError::NothingAwaited))?;
        Ok(Reply {
            action: reply.action,
            body: reply.body,
            headers: reply.headers,
        })
    }

    /// Cancels the context, if there is one; afterwards the session is closed. Cancel
    /// safe: dropped before the Cancel's response is read, or failing to exchange it,
    /// the context stays in use (the server may have cancelled it: the next call then
    /// negotiates a new one).
    pub async fn close(&self) -> Result<(), TransportError> {
        // Not beside a negotiation: the Cancel names the context as it will stay.
        let _negotiating = self.negotiating.lock().await;
        let Some(negotiation) = self.engine().close(SystemTime::now())? else {
            return Ok(());
        };
        let req = &negotiation.request;
        let answer = self.http.post(&req.action, req.bytes.clone()).await?;
        let ev = self
            .engine()
            .handle_response(&negotiation, &answer, SystemTime::now())?;
        debug!(?ev, "closed");
        Ok(())
    }
}
