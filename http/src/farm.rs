//! A farm's shared stores in Redis. Cookie contexts need no shared state to be *used*
//! on any node, but two things are remembered per node unless they are shared: the
//! signatures already accepted (the replay cache) and the contexts cancelled or renewed
//! (a renewed context's old cookie is refused after the rollover). [`RedisFarm`] keeps
//! both in a Redis every node reaches — keys `r:<fingerprint>`, `c:<context>` and
//! `n:<context>` under the farm's prefix, each expiring with what it guards — through
//! the store traits of
//! the protocol crate (`wsbind_proto::stores::ReplayStore`,
//! `wsbind_proto::stores::CancelStore`); in-memory stores stay the default.
//!
//! Everything here fails closed: when the shared store cannot answer, the message is
//! refused (a replay cannot be ruled out, a cancellation cannot be ruled out).
//!
//! The engine asks its stores synchronously, on the blocking threads the server runs
//! engine calls on. Each question is handed to one connection task on the tokio
//! runtime, which pipelines them on one connection: a slow answer delays no other
//! question, and no lock is held while Redis answers. A lost connection fails the
//! questions in flight (never retried: a `SET NX` whose reply was lost may have been
//! applied, and asking again would call a first-time message a replay) and the next
//! question opens a new one.

use std::collections::VecDeque;
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use wsbind_proto::credentials::{ClientTls, Password};
use wsbind_proto::security::peer_text;
use wsbind_proto::stores::{CancelStore, Ended};
use wsbind_proto::stores::{ReplayError, ReplayStore};

/// How long a question may take (connecting included) before the store counts as
/// unreachable, unless [`RedisFarmBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why Redis could not answer. The engine refuses the message (fail closed).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FarmError {
    #[error("cannot reach Redis at {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: Arc<std::io::Error>,
    },
    #[error("TLS with Redis at {addr}: {source}")]
    Tls {
        addr: String,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The TLS configuration could not be built from the [`ClientTls`].
    #[error("TLS configuration for Redis: {0}")]
    TlsConfig(#[source] Arc<crate::transport::tls::TlsError>),
    /// The name given to [`RedisFarmBuilder::tls`] is not a DNS name or IP address.
    #[error("`{0}` is not a server name TLS can check")]
    ServerName(String),
    #[error("Redis at {addr} refused the credentials: {message}")]
    Auth { addr: String, message: String },
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the connection to Redis was lost: {0}")]
    Lost(Arc<std::io::Error>),
    /// Redis answered with an error (its text, bounded).
    #[error("Redis answered {command} with an error: {message}")]
    Refused {
        command: &'static str,
        message: String,
    },
    /// Something that is not the reply the command has.
    #[error("Redis answered {command} unexpectedly: {reply}")]
    Unexpected {
        command: &'static str,
        reply: String,
    },
    /// The tokio runtime the farm was connected on has shut down.
    #[error("the runtime of the Redis farm has stopped")]
    Stopped,
    /// [`RedisFarmBuilder::connect`] was called outside a tokio runtime.
    #[error("the Redis farm needs a tokio runtime to run its connection on")]
    NoRuntime,
}

/// How to reach Redis: [`RedisFarm::builder`].
#[derive(Debug, Clone)]
pub struct RedisFarmBuilder {
    addr: String,
    prefix: String,
    user: Option<String>,
    password: Option<Password>,
    tls: Option<(ClientTls, String)>,
    timeout: Duration,
}

impl RedisFarmBuilder {
    /// Prefixes every key with `prefix`, separating this farm's keys from others' in
    /// the same Redis (none by default).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Signs in as `user` (a Redis 6 ACL user) with `password` on every connection.
    pub fn user(mut self, user: impl Into<String>, password: impl Into<Password>) -> Self {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }

    /// Signs in with `password` alone (`requirepass`, the `default` user).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.user = None;
        self.password = Some(password.into());
        self
    }

    /// Speaks TLS (Redis 6 `tls-port`), trusting the roots of `tls` and expecting a
    /// certificate for `server_name`.
    pub fn tls(mut self, tls: ClientTls, server_name: impl Into<String>) -> Self {
        self.tls = Some((tls, server_name.into()));
        self
    }

    /// How long one question may take, connecting included (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects on the current tokio runtime (where the farm's connection task runs
    /// for as long as the farm lives) and checks that Redis answers, signed in.
    pub async fn connect(self) -> Result<RedisFarm, FarmError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| FarmError::NoRuntime)?;
        let tls = match &self.tls {
            None => None,
            Some((tls, name)) => {
                let config = crate::transport::tls::client_config(
                    tls,
                    crate::transport::tls::Revocation::default(),
                )
                .map_err(|e| FarmError::TlsConfig(Arc::new(e)))?;
                let name = rustls_pki_types::ServerName::try_from(name.clone())
                    .map_err(|_| FarmError::ServerName(name.clone()))?;
                Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
            }
        };
        let farm = RedisFarm {
            prefix: self.prefix.clone(),
            timeout: self.timeout,
            link: Arc::new(Link {
                options: Arc::new(Options {
                    addr: self.addr,
                    user: self.user,
                    password: self.password,
                    tls,
                    timeout: self.timeout,
                }),
                runtime,
                sender: Mutex::new(None),
            }),
        };
        // The question waits on a blocking thread, as the engine's do.
        let probe = farm.clone();
        let answer = tokio::task::spawn_blocking(move || probe.command(&[b"PING"]))
            .await
            .map_err(|_| FarmError::Stopped)??;
        match answer {
            Reply::Simple(s) if s == "PONG" => Ok(farm),
            other => Err(other.unexpected("PING")),
        }
    }
}

/// The replay cache and the cancellations of a farm, in Redis (6.2 or later: `SET` with
/// `NX` and `PXAT`). Each entry expires in Redis at the time it would be forgotten
/// anyway. Keys are `{prefix}r:{fingerprint}` and `{prefix}c:{context identifier}`.
/// Cheap to clone: clones share the connection.
///
/// The client is a few lines of RESP: wsbind sends four commands (`AUTH`, `PING`,
/// `SET`, `EXISTS`), and the redis crate would bring some eighty crates (URL parsing and
/// Unicode tables among them) for them.
#[derive(Debug, Clone)]
pub struct RedisFarm {
    prefix: String,
    timeout: Duration,
    link: Arc<Link>,
}

/// What a connection is opened with.
struct Options {
    addr: String,
    user: Option<String>,
    password: Option<Password>,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls_pki_types::ServerName<'static>,
    )>,
    timeout: Duration,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("addr", &self.addr)
            .field("user", &self.user)
            .field("tls", &self.tls.as_ref().map(|(_, name)| name))
            .finish_non_exhaustive()
    }
}

/// The way to the connection task: the sender of its questions, replaced (and a new
/// task started) when the task ended with its connection.
#[derive(Debug)]
struct Link {
    options: Arc<Options>,
    runtime: tokio::runtime::Handle,
    sender: Mutex<Option<UnboundedSender<Job>>>,
}

/// One question: the command's RESP bytes, and where its answer goes.
struct Job {
    bytes: Vec<u8>,
    answer: Answer,
}

/// Where a question's answer goes.
type Answer = SyncSender<Result<Reply, FarmError>>;

/// One RESP reply.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Simple(String),
    Int(i64),
    Nil,
    Bulk(Vec<u8>),
    Error(String),
    /// An array of the replies above (`MGET`'s), at most [`MAX_ARRAY`] of them.
    Array(Vec<Reply>),
}

impl Reply {
    fn unexpected(&self, command: &'static str) -> FarmError {
        match self {
            Reply::Error(message) => FarmError::Refused {
                command,
                message: message.clone(),
            },
            other => FarmError::Unexpected {
                command,
                reply: peer_text(&format!("{other:?}")),
            },
        }
    }
}

impl Link {
    /// Hands `job` to the connection task, starting one when there is none (or it
    /// ended). The lock is held for that alone, never while Redis answers.
    fn send(&self, job: Job) -> Result<(), FarmError> {
        let mut sender = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let job = match sender.as_ref() {
            Some(s) => match s.send(job) {
                Ok(()) => return Ok(()),
                // The task ended with its connection: start another.
                Err(tokio::sync::mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = unbounded_channel();
        tx.send(job).map_err(|_| FarmError::Stopped)?;
        self.runtime.spawn(connection(self.options.clone(), rx));
        *sender = Some(tx);
        Ok(())
    }
}

/// Encodes a command as a RESP array of bulk strings.
fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Opens a connection: TCP, TLS when asked, and `AUTH` when a password is set.
async fn open(o: &Options) -> Result<Box<dyn Stream>, FarmError> {
    let tcp = tokio::net::TcpStream::connect(&o.addr)
        .await
        .map_err(|e| FarmError::Connect {
            addr: o.addr.clone(),
            source: Arc::new(e),
        })?;
    let _ = tcp.set_nodelay(true);
    let mut stream: Box<dyn Stream> = match &o.tls {
        None => Box::new(tcp),
        Some((connector, name)) => Box::new(connector.connect(name.clone(), tcp).await.map_err(
            |e| FarmError::Tls {
                addr: o.addr.clone(),
                source: Arc::new(e),
            },
        )?),
    };
    if let Some(password) = &o.password {
        let mut args: Vec<&[u8]> = vec![b"AUTH"];
        args.extend(o.user.as_deref().map(str::as_bytes));
        args.push(password.expose().as_bytes());
        stream.write_all(&encode(&args)).await.map_err(lost)?;
        let mut reader = BufReader::new(&mut stream);
        match read_reply(&mut reader).await? {
            Reply::Simple(s) if s == "OK" => {}
            Reply::Error(message) => {
                return Err(FarmError::Auth {
                    addr: o.addr.clone(),
                    message,
                })
            }
            other => return Err(other.unexpected("AUTH")),
        }
        // AUTH's reply is all Redis sent: nothing is left in the reader's buffer.
    }
    Ok(stream)
}

fn lost(e: std::io::Error) -> FarmError {
    FarmError::Lost(Arc::new(e))
}

/// The connection task: opens the connection (failing the questions waiting when it
/// cannot), then writes each question as it comes and hands each reply, in order, to
/// the question it answers. It ends with its connection, failing what is in flight;
/// the farm then starts another for the next question.
async fn connection(options: Arc<Options>, mut jobs: UnboundedReceiver<Job>) {
    let opened = tokio::time::timeout(options.timeout, open(&options)).await;
    let stream = match opened {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return fail_queued(&mut jobs, &e),
        Err(_) => return fail_queued(&mut jobs, &FarmError::Timeout(options.timeout)),
    };
    let (read, mut write) = tokio::io::split(stream);
    let mut read = BufReader::new(read);
    // Where the answers to the questions written go, oldest first (RESP answers in
    // order).
    let in_flight: Mutex<VecDeque<Answer>> = Mutex::new(VecDeque::new());
    let take = || {
        in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let writer = async {
        while let Some(Job { bytes, answer }) = jobs.recv().await {
            // Queued before it is written: its reply cannot come first.
            take().push_back(answer);
            if let Err(e) = write.write_all(&bytes).await {
                return lost(e);
            }
        }
        FarmError::Stopped
    };
    let reader = async {
        loop {
            let reply = match read_reply(&mut read).await {
                Ok(reply) => reply,
                Err(e) => return e,
            };
            let Some(answer) = take().pop_front() else {
                return FarmError::Unexpected {
                    command: "nothing",
                    reply: peer_text(&format!("{reply:?}")),
                };
            };
            // The asker may have given up (its timeout): nothing to do then.
            let _ = answer.try_send(Ok(reply));
        }
    };
    let error = tokio::select! {
        e = writer => e,
        e = reader => e,
    };
    tracing::debug!(%error, "Redis connection closed");
    for answer in take().drain(..) {
        let _ = answer.try_send(Err(error.clone()));
    }
    fail_queued(&mut jobs, &error);
}

/// Fails the questions waiting in `jobs` with `error`, and closes it: the farm starts a
/// new connection for the next one.
fn fail_queued(jobs: &mut UnboundedReceiver<Job>, error: &FarmError) {
    jobs.close();
    while let Ok(job) = jobs.try_recv() {
        let _ = job.answer.try_send(Err(error.clone()));
    }
}

/// The longest line or value wsbind reads from Redis: its replies here are short.
const MAX_REPLY: usize = 4096;

/// The most elements of an array wsbind reads (its `MGET`s ask for two keys).
const MAX_ARRAY: usize = 8;

/// One RESP line read: a reply, or the head of an array of `n`.
enum Read {
    Reply(Reply),
    Array(usize),
}

/// Reads one RESP reply: a simple string, error, integer, bulk string, or an array of
/// those (no deeper).
async fn read_reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Result<Reply, FarmError> {
    match read_one(r).await? {
        Read::Reply(reply) => Ok(reply),
        Read::Array(n) => {
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                match read_one(r).await? {
                    Read::Reply(reply) => items.push(reply),
                    Read::Array(_) => {
                        return Err(FarmError::Unexpected {
                            command: "a command",
                            reply: "a nested array".into(),
                        })
                    }
                }
            }
            Ok(Reply::Array(items))
        }
    }
}

async fn read_one<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Result<Read, FarmError> {
    let mut line = Vec::new();
    (&mut *r)
        .take(MAX_REPLY as u64)
        .read_until(b'\n', &mut line)
        .await
        .map_err(lost)?;
    if line.is_empty() {
        return Err(lost(std::io::ErrorKind::UnexpectedEof.into()));
    }
    if !line.ends_with(b"\r\n") {
        return Err(FarmError::Unexpected {
            command: "a command",
            reply: "a line without its end".into(),
        });
    }
    let line = String::from_utf8_lossy(&line[..line.len() - 2]).into_owned();
    let (kind, rest) = line.split_at(line.len().min(1));
    let bad = |what: &str| FarmError::Unexpected {
        command: "a command",
        reply: format!("{what} `{}`", peer_text(rest)),
    };
    let reply = match kind {
        "+" => Reply::Simple(rest.to_owned()),
        "-" => Reply::Error(peer_text(rest)),
        ":" => rest
            .parse()
            .map(Reply::Int)
            .map_err(|_| bad("a bad integer"))?,
        "$" => {
            let len: i64 = rest.parse().map_err(|_| bad("a bad length"))?;
            let Ok(len) = usize::try_from(len) else {
                return Ok(Read::Reply(Reply::Nil));
            };
            if len > MAX_REPLY {
                return Err(bad("a value too long"));
            }
            let mut buf = vec![0; len + 2];
            r.read_exact(&mut buf).await.map_err(lost)?;
            buf.truncate(len);
            Reply::Bulk(buf)
        }
        "*" => {
            let n: i64 = rest.parse().map_err(|_| bad("a bad array length"))?;
            return match usize::try_from(n) {
                Err(_) => Ok(Read::Reply(Reply::Nil)),
                Ok(n) if n > MAX_ARRAY => Err(bad("an array too long")),
                Ok(n) => Ok(Read::Array(n)),
            };
        }
        _ => return Err(bad("not a RESP reply")),
    };
    Ok(Read::Reply(reply))
}

impl RedisFarm {
    /// How to reach Redis at `addr` (`host:port`): prefix, credentials, TLS, timeout.
    pub fn builder(addr: impl Into<String>) -> RedisFarmBuilder {
        RedisFarmBuilder {
            addr: addr.into(),
            prefix: String::new(),
            user: None,
            password: None,
            tls: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Connects to Redis at `addr` without credentials or TLS; `prefix` separates this
    /// farm's keys from others' in the same Redis (see [`builder`](Self::builder)).
    pub async fn connect(addr: &str, prefix: &str) -> Result<Self, FarmError> {
        Self::builder(addr).prefix(prefix).connect().await
    }

    /// Asks Redis and waits for the answer on this thread (the engine's blocking
    /// threads; never an async task's). At most the farm's timeout.
    fn command(&self, args: &[&[u8]]) -> Result<Reply, FarmError> {
        let (answer, answered) = sync_channel(1);
        self.link.send(Job {
            bytes: encode(args),
            answer,
        })?;
        match answered.recv_timeout(self.timeout) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => Err(FarmError::Timeout(self.timeout)),
            Err(RecvTimeoutError::Disconnected) => Err(FarmError::Stopped),
        }
    }

    /// `SET key value [NX] PXAT until`: whether it was set.
    fn set(&self, key: &str, value: &[u8], until: SystemTime, nx: bool) -> Result<bool, FarmError> {
        let at = unix_ms(until).max(1).to_string();
        let mut args: Vec<&[u8]> = vec![b"SET", key.as_bytes(), value];
        if nx {
            args.push(b"NX");
        }
        args.extend([b"PXAT".as_slice(), at.as_bytes()]);
        match self.command(&args)? {
            Reply::Simple(s) if s == "OK" => Ok(true),
            Reply::Nil => Ok(false),
            other => Err(other.unexpected("SET")),
        }
    }
}

impl ReplayStore for RedisFarm {
    fn check_and_insert(
        &self,
        signature: &[u8],
        _context: &str,
        until: SystemTime,
        _now: SystemTime,
    ) -> Result<(), ReplayError> {
        let digest = ring::digest::digest(&ring::digest::SHA256, signature);
        let fp: String = digest.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match self.set(&format!("{}r:{fp}", self.prefix), b"1", until, true) {
            Ok(true) => Ok(()),
            Ok(false) => Err(ReplayError::Replayed),
            Err(e) => Err(ReplayError::Unavailable(e.to_string())),
        }
    }
}

impl CancelStore for RedisFarm {
    fn cancel(
        &self,
        identifier: &str,
        identity: &str,
        until: SystemTime,
        _now: SystemTime,
    ) -> Result<(), String> {
        self.set(
            &format!("{}c:{identifier}", self.prefix),
            identity.as_bytes(),
            until,
            false,
        )
        .map(drop)
        .map_err(|e| e.to_string())
    }

    /// A renewal is its own key (`n:`), beside the cancellation's (`c:`), so that no
    /// write of one can undo the other; both are read in one `MGET`.
    fn renewed(
        &self,
        identifier: &str,
        _identity: &str,
        instance: Option<&str>,
        previous: Option<&str>,
        rollover_until: SystemTime,
        until: SystemTime,
        _now: SystemTime,
    ) -> Result<(), String> {
        let value = Renewal {
            instance: instance.unwrap_or_default(),
            previous: previous.unwrap_or_default(),
            rollover_ms: unix_ms(rollover_until),
        }
        .to_string();
        self.set(
            &format!("{}n:{identifier}", self.prefix),
            value.as_bytes(),
            until,
            false,
        )
        .map(drop)
        .map_err(|e| e.to_string())
    }

    fn ended(
        &self,
        identifier: &str,
        instance: Option<&str>,
        now: SystemTime,
    ) -> Result<Option<Ended>, String> {
        let cancelled = format!("{}c:{identifier}", self.prefix);
        let renewed = format!("{}n:{identifier}", self.prefix);
        let reply = self
            .command(&[b"MGET", cancelled.as_bytes(), renewed.as_bytes()])
            .map_err(|e| e.to_string())?;
        let Reply::Array(items) = &reply else {
            return Err(reply.unexpected("MGET").to_string());
        };
        match items.as_slice() {
            [Reply::Bulk(_), _] => Ok(Some(Ended::Cancelled)),
            [Reply::Nil, Reply::Nil] => Ok(None),
            [Reply::Nil, Reply::Bulk(value)] => {
                let renewal = std::str::from_utf8(value)
                    .ok()
                    .and_then(Renewal::parse)
                    .ok_or_else(|| "a renewal record that does not read".to_owned())?;
                let instance = instance.unwrap_or_default();
                Ok(wsbind_proto::stores::after_renewal(
                    instance == renewal.instance,
                    instance == renewal.previous,
                    unix_ms(now) >= renewal.rollover_ms,
                ))
            }
            _ => Err(reply.unexpected("MGET").to_string()),
        }
    }
}

/// What a renewal record holds: the instances (an empty one: the context's first key,
/// which has none) and the end of the rollover, in Unix milliseconds, one per line.
struct Renewal<'a> {
    instance: &'a str,
    previous: &'a str,
    rollover_ms: u128,
}

impl std::fmt::Display for Renewal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n{}\n{}",
            self.instance, self.previous, self.rollover_ms
        )
    }
}

impl<'a> Renewal<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut lines = text.split('\n');
        let (instance, previous, ms) = (lines.next()?, lines.next()?, lines.next()?);
        Some(Renewal {
            instance,
            previous,
            rollover_ms: ms.parse().ok()?,
        })
        .filter(|_| lines.next().is_none())
    }
}

fn unix_ms(t: SystemTime) -> u128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}
