//! HTTP and HTTPS transports for the engine (hyper 1, tokio, rustls with ring). They
//! move bytes; every security decision is the engine's. The typed handles
//! ([`crate::Client`], [`crate::Server`]) are the way in.
//!
//! SOAP over HTTP: a POST per message; SOAP 1.1 as `text/xml` with a `SOAPAction`
//! header, SOAP 1.2 as `application/soap+xml` with the action parameter; faults come
//! back with status 500 in both versions ([`FAULT_STATUS`]).

pub mod client;
pub mod server;
pub mod service;
pub mod tls;

pub use service::{Mount, SoapService};

/// The HTTP status of a SOAP fault, SOAP 1.1 and 1.2 alike. SOAP 1.2's HTTP binding
/// suggests 400 for a sender's fault, but WCF answers every fault with 500 and Apache
/// CXF's client reads a fault only from a 500 (from a 400 it reports a bare HTTP error,
/// hiding the fault's code: found by the CXF interop test), so wsbind sends 500.
pub const FAULT_STATUS: u16 = 500;

use wsbind_proto::engine::EngineError;
use wsbind_proto::wire::Soap;

/// Why a message could not be exchanged. Causes are kept ([`source`](std::error::Error::source))
/// and named in the text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    #[error("the endpoint `{0}` is not a valid http or https URL")]
    Endpoint(String),
    /// A plain `http://` endpoint for a description whose channel is secured with
    /// ssl-transport (its bootstrap's included).
    #[error("the endpoint `{0}` is plain http, and this description secures its channel with ssl-transport: use https")]
    PlainHttp(String),
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    #[error("cannot reach {endpoint}: {}", error_chain(&**.source))]
    Connect {
        endpoint: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("no answer from {endpoint} within {after:?}")]
    Timeout {
        endpoint: String,
        after: std::time::Duration,
    },
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("HTTP status {status} without a SOAP message")]
    Status { status: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("this description needs {0}")]
    Credentials(Needed),
    #[error("the server refused the HTTP credentials (401)")]
    Unauthorized,
    /// `Server::into_service(Mount::PlainHttp, …)` for a description that names
    /// ssl-transport.
    #[error(
        "this description secures its channel with ssl-transport: mount the service behind \
         TLS (Mount::BehindTls: the application's server speaks HTTPS, or a TLS proxy is in \
         front), or serve it with a certificate"
    )]
    MountedWithoutTls,
    #[error("the service must be made inside a tokio runtime (it starts the engine's timer task)")]
    NoRuntime,
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Body(#[from] BodyError),
}

impl TransportError {
    /// Whether the exchange ran out of time ([`client::DEFAULT_TIMEOUT`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }

    /// Whether the endpoint could not be reached (connection refused, TLS failed, …).
    pub fn is_connect(&self) -> bool {
        matches!(self, TransportError::Connect { .. })
    }

    /// The SOAP fault the peer answered with, if that is the error: the application's
    /// refusal (its reason) or a security fault (its code).
    pub fn fault(&self) -> Option<&wsbind_proto::security::ReceivedFault> {
        match self {
            TransportError::Engine(EngineError::Fault(f)) => Some(f),
            _ => None,
        }
    }
}

/// The error and its sources, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

/// What a description needs that the handle was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Needed {
    #[error("a validator for HTTP basic credentials")]
    BasicValidator,
    #[error("a certificate and key for https (ServerTls)")]
    CertificateAndKey,
    #[error("the roots a client trusts for https (ClientTls)")]
    TrustRoots,
    #[error("basic credentials that fit an HTTP header")]
    HeaderSafeBasicCredentials,
}

/// The `Content-Type` of a SOAP message over HTTP.
pub(crate) fn content_type(soap: Soap, action: &str) -> String {
    match soap {
        Soap::V11 => "text/xml; charset=utf-8".to_owned(),
        Soap::V12 => format!(
            "application/soap+xml; charset=utf-8; action=\"{}\"",
            action.replace('"', "%22")
        ),
    }
}

/// A verified request as the application sees it.
#[derive(Debug, Clone)]
pub struct Call {
    /// Who negotiated the security context the request was protected with (or, under
    /// a username on every message, whose username token it carried).
    pub identity: wsbind_proto::credentials::Identity,
    /// The request's `wsa:Action`.
    pub action: Option<String>,
    /// The Body's content, in exclusive canonical form.
    pub body: String,
    /// The request's own SOAP header blocks (neither WS-Addressing nor WS-Security),
    /// each in exclusive canonical form. No profile signs them: TLS protected them.
    pub headers: Vec<String>,
    /// The context that signed the request and what its signature covers. Under the
    /// MS-LWSSP profile (the default) that is the Timestamp alone: the Body and the
    /// addressing headers are protected by TLS, not by the signature. `None` under a
    /// username on every message: nothing is signed, the request's username token
    /// was validated and TLS protected it.
    pub signed: Option<wsbind_proto::security::SignedBy>,
}

/// The application's answer to a [`Call`]: a reply, or a fault. Either way it goes
/// back protected with the caller's context.
#[derive(Debug, Clone)]
pub struct Answer {
    pub action: String,
    /// The reply Body's content (well-formed XML).
    pub body: String,
    /// Set by [`Answer::fault`]: the reason of a sender fault.
    fault: Option<String>,
    /// Set by [`Answer::with_detail`]: the fault's detail (XML).
    detail: Option<String>,
    /// Set by [`Answer::with_header`]: the reply's own SOAP header blocks.
    headers: Vec<String>,
}

impl Answer {
    pub fn new(action: impl Into<String>, body: impl Into<String>) -> Self {
        Answer {
            action: action.into(),
            body: body.into(),
            fault: None,
            detail: None,
            headers: Vec::new(),
        }
    }

    /// Adds a SOAP header block to the reply (a well-formed element, written as it is;
    /// no profile signs it).
    pub fn with_header(mut self, header: impl Into<String>) -> Self {
        self.headers.push(header.into());
        self
    }

    /// The header blocks added with [`Answer::with_header`].
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// A SOAP sender fault (`Client` in SOAP 1.1) with `reason`: the request was
    /// understood and authenticated, and the application refuses it. The client's
    /// `call` returns it as a fault error with this reason
    /// ([`TransportError::fault`]).
    pub fn fault(reason: impl Into<String>) -> Self {
        Answer {
            action: String::new(),
            body: String::new(),
            fault: Some(reason.into()),
            detail: None,
            headers: Vec::new(),
        }
    }

    /// Adds the fault's detail: the application's XML (well-formed: the server
    /// checks it, and answers 500 when it is not), which a WCF client reads as a typed
    /// `FaultException<T>` and a wsbind client as `ReceivedFault::detail`. Only for a
    /// fault.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        if self.fault.is_some() {
            self.detail = Some(detail.into());
        }
        self
    }

    /// The reason given to [`Answer::fault`], if this is a fault.
    pub fn fault_reason(&self) -> Option<&str> {
        self.fault.as_deref()
    }

    /// The fault's detail ([`Answer::with_detail`]).
    pub fn fault_detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

/// A typed body that did not become XML, or XML that did not become the type asked
/// for (feature `serde`).
#[derive(Debug, thiserror::Error)]
#[error("the {what} body: {source}")]
pub struct BodyError {
    /// `request` or `reply`.
    pub what: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

#[cfg(feature = "serde")]
mod typed {
    //! Typed bodies, as axum's `Json<T>` and reqwest's `.json()`: serde over quick-xml's
    //! serializer. The type names its element (`#[serde(rename = "o:Submit")]`) and
    //! declares its namespace as an attribute (`#[serde(rename = "@xmlns:o")]`).
    //! quick-xml's reader matches child elements by local name: a field written with a
    //! prefix says both (`#[serde(rename(serialize = "o:Item", deserialize = "Item"))]`).
    //! The raw `body` stays available (`tests/typed_bodies.rs` shows a whole type).
    use super::{Answer, BodyError, Call, Reply};
    use serde::{de::DeserializeOwned, Serialize};

    pub(crate) fn to_xml<T: Serialize>(what: &'static str, body: &T) -> Result<String, BodyError> {
        quick_xml::se::to_string(body).map_err(|e| BodyError {
            what,
            source: Box::new(e),
        })
    }

    pub(crate) fn from_xml<T: DeserializeOwned>(
        what: &'static str,
        body: &str,
    ) -> Result<T, BodyError> {
        quick_xml::de::from_str(body).map_err(|e| BodyError {
            what,
            source: Box::new(e),
        })
    }

    impl Call {
        /// The request's Body content as `T`.
        pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, BodyError> {
            from_xml("request", &self.body)
        }
    }

    impl Reply {
        /// The reply's Body content as `T`.
        pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, BodyError> {
            from_xml("reply", &self.body)
        }
    }

    impl Answer {
        /// A reply whose Body holds `body`, serialized.
        pub fn xml<T: Serialize>(action: impl Into<String>, body: &T) -> Result<Self, BodyError> {
            Ok(Answer::new(action, to_xml("reply", body)?))
        }
    }
}

#[cfg(feature = "serde")]
pub(crate) use typed::to_xml;

/// A verified reply as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub action: Option<String>,
    /// The Body's content, in exclusive canonical form.
    pub body: String,
    /// The reply's own SOAP header blocks, each in exclusive canonical form (not
    /// signed by any profile: TLS protected them).
    pub headers: Vec<String>,
}
