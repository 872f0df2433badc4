//! The client's policy for one call: [`ClientCall`].

use super::{ClientEngine, EngineError, Negotiation, Purpose, Request, StateError};
use crate::security::Verified;
use std::time::SystemTime;
use tracing::{info, warn};

/// One call's progress: the client's policy for a call as a step machine a driver
/// runs. [`poll_transmit`](Self::poll_transmit) says what to send next,
/// [`handle_answer`](Self::handle_answer) what the answer means; the driver only moves
/// bytes:
///
/// ```text
/// let mut call = ClientCall::request(action, body);
/// while let Some(request) = call.poll_transmit(&mut engine, now)? {
///     let answer = send(request).await?;            // the driver's I/O
///     if let Some(reply) = call.handle_answer(&mut engine, &answer, now)? {
///         return Ok(reply);
///     }
/// }
/// ```
///
/// Before the request, it negotiates or renews when the engine says one is due (a
/// renewal the server refuses is followed by a new context: two negotiations at most);
/// it sends the request; when the server answers that it lost the context or that it
/// expired, it renews or negotiates again (the engine decides which) and sends the
/// request once more, never twice. The engine changes only in `handle_answer`, after an
/// answer arrived: a call dropped between the two steps leaves it as it was.
#[derive(Debug)]
pub struct ClientCall {
    /// The application message (action, Body content); `None`: only negotiate what is
    /// due (a `connect`).
    message: Option<(String, String)>,
    /// The application's own SOAP header blocks for the request.
    headers: Vec<String>,
    state: Step,
    /// Negotiations since the request was (re)started: a refused renewal and then an
    /// Issue at most.
    negotiations: u8,
    /// Whether the request was already sent again after the server lost the context.
    resent: bool,
    /// Another caller of the same engine is renewing: send with the current key.
    renewal_deferred: bool,
}

#[derive(Debug)]
enum Step {
    /// Nothing in flight: ask the engine what is next.
    Ready,
    Negotiating(Negotiation),
    Requesting(Request),
    Done,
}

/// The most negotiations before one request: a renewal the server refuses, then a new
/// context.
const MAX_NEGOTIATIONS: u8 = 2;

impl ClientCall {
    /// A call sending `body` (the SOAP Body's content) with `action`.
    pub fn request(action: impl Into<String>, body: impl Into<String>) -> Self {
        Self::new(Some((action.into(), body.into())))
    }

    /// Negotiates or renews what is due, and sends nothing else.
    pub fn connect() -> Self {
        Self::new(None)
    }

    /// Sends these header blocks with the request (each a well-formed element; no
    /// profile signs them: TLS protects them).
    pub fn with_headers(mut self, headers: Vec<String>) -> Self {
        self.headers = headers;
        self
    }

    fn new(message: Option<(String, String)>) -> Self {
        ClientCall {
            message,
            headers: Vec::new(),
            state: Step::Ready,
            negotiations: 0,
            resent: false,
            renewal_deferred: false,
        }
    }

    /// For callers sharing one engine, when [`poll_transmit`](Self::poll_transmit)
    /// returned a negotiation another caller may be running (or may just have run):
    /// drops it, and the next `poll_transmit` asks the engine again what is due.
    pub fn reconsider(&mut self) {
        if matches!(self.state, Step::Negotiating(_)) {
            self.state = Step::Ready;
            self.negotiations = self.negotiations.saturating_sub(1);
        }
    }

    /// For callers sharing one engine, when `poll_transmit` returned a Renew and
    /// another caller is renewing: drops it, and this call sends its request with the
    /// current key while it is usable (renewals fall due before it expires; one the
    /// server said expired is not deferred: `poll_transmit` returns the Renew again).
    /// An Issue cannot be deferred (there is no key to send with): wait for the other
    /// caller, then [`reconsider`](Self::reconsider).
    pub fn defer_renewal(&mut self) {
        if matches!(&self.state, Step::Negotiating(n) if n.request.purpose == Purpose::Renew) {
            self.state = Step::Ready;
            self.negotiations = self.negotiations.saturating_sub(1);
            self.renewal_deferred = true;
        }
    }

    /// The next message to send (the same one again until its answer is handled), or
    /// `None` when the call is over.
    pub fn poll_transmit(
        &mut self,
        engine: &mut ClientEngine,
        now: SystemTime,
    ) -> Result<Option<&Request>, EngineError> {
        if matches!(self.state, Step::Ready) {
            self.state = self.next(engine, now)?;
        }
        Ok(match &self.state {
            Step::Negotiating(n) => Some(&n.request),
            Step::Requesting(r) => Some(r),
            Step::Ready | Step::Done => None,
        })
    }

    fn next(&mut self, engine: &mut ClientEngine, now: SystemTime) -> Result<Step, EngineError> {
        if self.negotiations < MAX_NEGOTIATIONS {
            match engine.poll(now)? {
                Some(n)
                    if self.renewal_deferred
                        && n.request.purpose == Purpose::Renew
                        && engine.key_usable(now) => {}
                Some(n) => {
                    self.negotiations += 1;
                    return Ok(Step::Negotiating(n));
                }
                None => {}
            }
        }
        Ok(match &self.message {
            Some((action, body)) => {
                Step::Requesting(engine.protect_with_headers(action, &self.headers, body, now)?)
            }
            None => Step::Done,
        })
    }

    /// Handles the answer to the message [`poll_transmit`](Self::poll_transmit)
    /// returned: `Some` with the verified reply when the call is done, `None` when
    /// there is more to send. An error ends the call.
    pub fn handle_answer(
        &mut self,
        engine: &mut ClientEngine,
        answer: &[u8],
        now: SystemTime,
    ) -> Result<Option<Verified>, EngineError> {
        match std::mem::replace(&mut self.state, Step::Done) {
            Step::Negotiating(n) => match engine.handle_response(&n, answer, now) {
                Ok(event) => {
                    info!(?event, "negotiated");
                    self.state = Step::Ready;
                    Ok(None)
                }
                Err(EngineError::Fault(fault)) if n.request.purpose == Purpose::Renew => {
                    // The engine now negotiates a new context instead (or drops one the
                    // server lost): the next step.
                    warn!(%fault, "renewal refused; negotiating a new context");
                    self.state = Step::Ready;
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Step::Requesting(r) => match engine.verify_reply(answer, &r.message_id, now) {
                Ok(reply) => Ok(Some(reply)),
                Err(EngineError::Fault(fault)) if !self.resent && engine.context_lost(&fault) => {
                    // The server lost the context (say it restarted) or says it expired:
                    // once, renew it or negotiate a new one, and send again.
                    warn!(%fault, "the server lost or expired the context; negotiating again");
                    self.resent = true;
                    self.negotiations = 0;
                    self.state = Step::Ready;
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Step::Ready | Step::Done => Err(StateError::NothingAwaited.into()),
        }
    }
}
