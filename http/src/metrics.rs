//! What the server counts, through the `metrics` facade (feature `metrics`; without it
//! these are empty and cost nothing). Install any recorder (Prometheus exporter,
//! StatsD, …) in the application; the names:
//!
//! - `wsbind_negotiations_total` (counter), label `event`: `issued`, `renewed`,
//!   `cancelled`;
//! - `wsbind_calls_total` (counter): verified application requests;
//! - `wsbind_refusals_total` (counter), label `reason`: the fault code sent
//!   (`BadContextToken`, `FailedAuthentication`, `InvalidSecurity`, …), or `http-basic`
//!   for HTTP basic authentication, `too-large`, `timeout`, `method`;
//! - `wsbind_live_contexts`, `wsbind_pending_contexts` (gauges), set as messages are
//!   handled and by the engine's timer.

use wsbind_proto::engine::ServerEngine;
use wsbind_proto::engine::ServerEvent;

#[cfg(feature = "metrics")]
pub(crate) fn negotiated(event: &ServerEvent) {
    let event = match event {
        ServerEvent::Issued { .. } => "issued",
        ServerEvent::Renewed { .. } => "renewed",
        ServerEvent::Cancelled { .. } => "cancelled",
    };
    metrics::counter!("wsbind_negotiations_total", "event" => event).increment(1);
}

#[cfg(feature = "metrics")]
pub(crate) fn called() {
    metrics::counter!("wsbind_calls_total").increment(1);
}

#[cfg(feature = "metrics")]
pub(crate) fn refused(reason: &'static str) {
    metrics::counter!("wsbind_refusals_total", "reason" => reason).increment(1);
}

#[cfg(feature = "metrics")]
pub(crate) fn held(engine: &ServerEngine) {
    let stats = engine.stats();
    metrics::gauge!("wsbind_live_contexts").set(stats.live_contexts as f64);
    metrics::gauge!("wsbind_pending_contexts").set(stats.pending_contexts as f64);
}

#[cfg(not(feature = "metrics"))]
pub(crate) fn negotiated(_: &ServerEvent) {}

#[cfg(not(feature = "metrics"))]
pub(crate) fn called() {}

#[cfg(not(feature = "metrics"))]
pub(crate) fn refused(_: &'static str) {}

#[cfg(not(feature = "metrics"))]
pub(crate) fn held(_: &ServerEngine) {}
