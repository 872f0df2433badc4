//! A farm's shared stores in Redis. Cookie contexts need no shared state to be *used*
//! on any node, but two things are remembered per node unless they are shared: the
//! signatures already accepted (the replay cache) and the contexts cancelled.
//! [`RedisFarm`] keeps both in a Redis every node reaches, through the store traits of
//! the protocol crate (`wsbind_proto::security::replay::ReplayStore`,
//! `wsbind_proto::cancel::CancelStore`); in-memory stores stay the default.
//!
//! Everything here fails closed: when the shared store cannot answer, the message is
//! refused (a replay cannot be ruled out, a cancellation cannot be ruled out).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use wsbind_proto::cancel::CancelStore;
use wsbind_proto::security::replay::{ReplayError, ReplayStore};

/// The replay cache and the cancellations of a farm, in Redis (6.2 or later: `SET` with
/// `NX` and `PXAT`). Each entry expires in Redis at the time it would be forgotten
/// anyway. Keys are `{prefix}r:{fingerprint}` and `{prefix}c:{context identifier}`.
///
/// The client is a few lines of RESP over one TCP connection, reconnected when it
/// breaks: wsbind sends three commands (`PING`, `SET`, `EXISTS`), and the redis crate
/// would bring some eighty crates (URL parsing and Unicode tables among them) for them.
/// No TLS or AUTH: run it on a private network, or loopback, as the tests do.
#[derive(Debug)]
pub struct RedisFarm {
    addr: String,
    prefix: String,
    conn: Mutex<Option<BufReader<TcpStream>>>,
}

/// One RESP reply.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Simple(String),
    Int(i64),
    Nil,
    Bulk(Vec<u8>),
}

/// How long a command may take before the store counts as unreachable.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisFarm {
    /// Connects to Redis at `addr` (`host:port`) and checks it answers; `prefix`
    /// separates this farm's keys from others' in the same Redis.
    pub fn connect(addr: &str, prefix: &str) -> Result<Self, String> {
        let farm = RedisFarm {
            addr: addr.to_owned(),
            prefix: prefix.to_owned(),
            conn: Mutex::new(None),
        };
        match farm.command(&[b"PING"])? {
            Reply::Simple(s) if s == "PONG" => Ok(farm),
            other => Err(format!("Redis at {addr} answered PING with {other:?}")),
        }
    }

    fn command(&self, args: &[&[u8]]) -> Result<Reply, String> {
        // A panic while the connection was held leaves at worst a half-read reply,
        // which the next exchange detects and reconnects on: take the lock over.
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One retry on a fresh connection: a connection Redis closed (idle, restart)
        // is not an outage.
        for attempt in 0..2 {
            if conn.is_none() {
                let tcp = TcpStream::connect(&self.addr)
                    .map_err(|e| format!("cannot reach Redis at {}: {e}", self.addr))?;
                let _ = tcp.set_read_timeout(Some(REDIS_TIMEOUT));
                let _ = tcp.set_write_timeout(Some(REDIS_TIMEOUT));
                let _ = tcp.set_nodelay(true);
                *conn = Some(BufReader::new(tcp));
            }
            let Some(c) = conn.as_mut() else { continue };
            match exchange(c, args) {
                Ok(r) => return Ok(r),
                Err(e) if attempt == 0 => {
                    tracing::debug!(error = %e, "Redis connection lost; reconnecting");
                    *conn = None;
                }
                Err(e) => {
                    *conn = None;
                    return Err(e);
                }
            }
        }
        Err(format!("Redis at {} does not answer", self.addr))
    }

    fn set(&self, key: &str, value: &[u8], until: SystemTime, nx: bool) -> Result<bool, String> {
        let at = until
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .max(1)
            .to_string();
        let mut args: Vec<&[u8]> = vec![b"SET", key.as_bytes(), value];
        if nx {
            args.push(b"NX");
        }
        args.extend([b"PXAT".as_slice(), at.as_bytes()]);
        match self.command(&args)? {
            Reply::Simple(s) if s == "OK" => Ok(true),
            Reply::Nil => Ok(false),
            other => Err(format!("Redis answered SET with {other:?}")),
        }
    }
}

/// Writes one command and reads its reply.
fn exchange(c: &mut BufReader<TcpStream>, args: &[&[u8]]) -> Result<Reply, String> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    c.get_mut()
        .write_all(&out)
        .map_err(|e| format!("Redis: {e}"))?;
    let mut line = String::new();
    c.read_line(&mut line).map_err(|e| format!("Redis: {e}"))?;
    let line = line.trim_end_matches(['\r', '\n']);
    let (kind, rest) = line.split_at(line.len().min(1));
    match kind {
        "+" => Ok(Reply::Simple(rest.to_owned())),
        ":" => rest
            .parse()
            .map(Reply::Int)
            .map_err(|_| format!("Redis sent a bad integer `{rest}`")),
        "-" => Err(format!(
            "Redis: {}",
            wsbind_proto::security::peer_text(rest)
        )),
        "$" => {
            let len: i64 = rest
                .parse()
                .map_err(|_| format!("Redis sent a bad length `{rest}`"))?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            // Only short values are ever asked for.
            if len > 4096 {
                return Err("Redis sent an unexpectedly long value".into());
            }
            let mut buf = vec![0; len as usize + 2];
            std::io::Read::read_exact(c, &mut buf).map_err(|e| format!("Redis: {e}"))?;
            buf.truncate(len as usize);
            Ok(Reply::Bulk(buf))
        }
        "" => Err("Redis closed the connection".into()),
        _ => Err(format!(
            "Redis sent an unexpected reply `{}`",
            wsbind_proto::security::peer_text(line)
        )),
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
            Err(e) => Err(ReplayError::Unavailable(e)),
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
        .map(|_| ())
    }

    fn is_cancelled(&self, identifier: &str, _now: SystemTime) -> Result<bool, String> {
        let key = format!("{}c:{identifier}", self.prefix);
        match self.command(&[b"EXISTS", key.as_bytes()])? {
            Reply::Int(n) => Ok(n > 0),
            other => Err(format!("Redis answered EXISTS with {other:?}")),
        }
    }
}
