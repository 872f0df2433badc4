//! The SOAP endpoint as a tower `Service` ([`SoapService`], made by
//! `Server::into_service`), to mount in an application's router — axum's
//! `Router::route_service("/orders", service)` — beside its JSON routes and under its
//! tower and tower-http layers, the way tonic's `Routes::into_axum_router` mounts gRPC.

use super::server::{respond, Shared};
use bytes::Bytes;
use http_body_util::Full;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// How a mounted service's HTTP reaches it: wsbind cannot see the application's
/// listener, so the application says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// TLS ends before the service: the application's server speaks HTTPS (e.g.
    /// axum-server with rustls), or a TLS-terminating proxy is in front of it. Required
    /// when any part of the description names ssl-transport.
    BehindTls,
    /// Plain HTTP, for a description that names no ssl-transport (its transport
    /// protection level is none).
    PlainHttp,
}

/// A SOAP endpoint as a tower `Service<http::Request<B>>`: answers SOAP POSTs as
/// [`Server::serve`](crate::Server::serve) does (basic authentication, limits,
/// faults with status 500, verification on blocking threads). Cheap to clone; every
/// clone serves with the same engine. The peer's address is logged when the
/// application's server puts a `SocketAddr` in the request's extensions.
#[derive(Clone)]
pub struct SoapService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SoapService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapService").finish_non_exhaustive()
    }
}

impl SoapService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        SoapService { shared }
    }

    /// What the engine holds: contexts (live, unused), cancellations, replay entries.
    pub fn stats(&self) -> wsbind_proto::engine::ServerStats {
        self.shared.engine.stats()
    }
}

impl<B> tower_service::Service<hyper::Request<B>> for SoapService
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = hyper::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Always ready: the engine's CPU work queues for the blocking threads inside.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: hyper::Request<B>) -> Self::Future {
        let shared = self.shared.clone();
        let peer = req.extensions().get::<SocketAddr>().copied();
        // The application terminates TLS: when it verified a client certificate, it
        // may say whose it is by putting an `Identity` in the request's extensions.
        let certificate = req
            .extensions()
            .get::<wsbind_proto::credentials::Identity>()
            .cloned();
        Box::pin(async move { Ok(respond(shared, req, peer, certificate).await) })
    }
}
