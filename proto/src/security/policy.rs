//! What a receiver accepts ([`Acceptance`]: generations, algorithms, timing, limits)
//! and the check of a message's `wsu:Timestamp` against it — shared by the bootstrap's
//! reader and the verifier of protected messages.

use super::error::{required, single};
use super::{show_time, DigestAlgorithm, HeaderError, SecurityError, SignatureAlgorithm};
use crate::envelope::parse_time;
use crate::wire::{ns, ScVersion};
use crate::xml::dom::{Document, Element, Limits};
use std::time::{Duration, SystemTime};

/// The longest validity a received Timestamp may claim by default: one day. WCF,
/// WWSAPI and CXF write 5 minutes; a day leaves room for any configured peer and
/// still refuses a claim like "valid until 9999".
pub const DEFAULT_MAX_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// What a receiver accepts.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// WS-SC generations accepted (a description names exactly one).
    pub versions: Vec<ScVersion>,
    /// Signature algorithms accepted.
    pub signatures: Vec<SignatureAlgorithm>,
    /// Reference digests accepted.
    pub digests: Vec<DigestAlgorithm>,
    pub clock_skew: Duration,
    /// The oldest a message may be (from its `Created`), before skew.
    pub max_latency: Option<Duration>,
    /// The longest validity a sender's Timestamp may claim (`Expires` − `Created`):
    /// [`DEFAULT_MAX_VALIDITY`] unless set. Peers write 5 minutes (WCF, WWSAPI, CXF);
    /// a longer claim is refused, as is one past year 9999.
    pub max_validity: Duration,
    pub require_timestamp: bool,
    /// Whether every WS-Addressing header present must be signed.
    pub require_signed_addressing: bool,
    /// Derived signing key length bounds, bytes.
    pub min_derived_key: usize,
    pub max_derived_key: usize,
    pub limits: Limits,
}

impl Acceptance {
    /// A policy for one generation and suite, with WWSAPI's default timing (5 minutes
    /// of skew and latency).
    pub fn new(version: ScVersion, suite: &super::Suite) -> Self {
        Acceptance {
            versions: vec![version],
            signatures: vec![suite.signature],
            digests: vec![suite.digest],
            clock_skew: Duration::from_secs(300),
            max_latency: Some(Duration::from_secs(300)),
            max_validity: DEFAULT_MAX_VALIDITY,
            require_timestamp: true,
            require_signed_addressing: true,
            min_derived_key: 16,
            max_derived_key: 64,
            limits: Limits::default(),
        }
    }

    /// What a description says: its generation, suite and timing.
    pub fn from_description(d: &crate::Description) -> Result<Self, super::Unsupported> {
        let props = &d.security.protection.properties;
        let suite = super::Suite::from_description(&props.algorithm_suite)?;
        let version = d
            .security
            .context
            .as_ref()
            .map_or(ScVersion::Feb2005, |c| c.secure_conversation_version);
        let mut p = Acceptance::new(version, &suite);
        // A named SHA-256 suite signs with HMAC-SHA1 (WWSAPI); WCF's suite of the same
        // name signs with HMAC-SHA256: a receiver accepts both.
        if props.algorithm_suite.name.is_some_and(|n| n.sha256())
            && !p.signatures.contains(&SignatureAlgorithm::HmacSha256)
        {
            p.signatures.push(SignatureAlgorithm::HmacSha256);
        }
        p.clock_skew = props.max_allowed_clock_skew;
        p.max_latency = Some(props.max_allowed_latency);
        p.require_timestamp = props.timestamp_usage != crate::description::TimestampUsage::Never;
        Ok(p)
    }

    /// Everything the engine implements: both generations, HMAC-SHA1 and HMAC-SHA256
    /// with SHA-1 or SHA-256 digests (WSS4J digests with SHA-1 even under HMAC-SHA256).
    /// For the interoperability door of the CLI.
    pub fn interop() -> Self {
        let mut p = Acceptance::new(ScVersion::V1_3, &super::Suite::BASIC256);
        p.versions = vec![ScVersion::Feb2005, ScVersion::V1_3];
        p.signatures = vec![SignatureAlgorithm::HmacSha1, SignatureAlgorithm::HmacSha256];
        p.digests = vec![DigestAlgorithm::Sha1, DigestAlgorithm::Sha256];
        p
    }
}

/// The first instant at which [`check_timestamp`] refuses a message it accepts now:
/// how long the replay cache must remember it. `min(Expires, Created + latency) +
/// skew`: the sender's `Expires` alone would let it pin an entry for as long as it
/// likes (year 9999), and `now + latency` would forget a message whose `Created` lies
/// in the future while it is still acceptable. A message without a Timestamp has no
/// time of its own; it is remembered for the latency from its arrival.
pub(crate) fn acceptable_until(
    created: Option<SystemTime>,
    expires: Option<SystemTime>,
    policy: &Acceptance,
    now: SystemTime,
) -> SystemTime {
    let age = policy.max_latency.unwrap_or(policy.max_validity);
    let by_age = later(created.unwrap_or(now), age);
    later(expires.map_or(by_age, |x| x.min(by_age)), policy.clock_skew)
}

/// Checks a `wsu:Timestamp` against the clock: `Created` not beyond the skew in the
/// future nor older than the latency, `Expires` (when present) not past.
/// The validity a sender claims (`Expires` − `Created`) is at most
/// [`Acceptance::max_validity`].
pub(crate) fn check_timestamp(
    doc: &Document<'_>,
    ts: Element,
    policy: &Acceptance,
    now: SystemTime,
) -> Result<(SystemTime, Option<SystemTime>), SecurityError> {
    let time = |field: &'static str| move |error| HeaderError::Time { field, error };
    let c = required(doc, ts, ns::WSU, "Created").map_err(HeaderError::from)?;
    let created = parse_time(&doc.text(c)).map_err(time("Created"))?;
    let expires = match single(doc, ts, ns::WSU, "Expires").map_err(HeaderError::from)? {
        Some(x) => Some(parse_time(&doc.text(x)).map_err(time("Expires"))?),
        None => None,
    };
    if let Some(x) = expires {
        if x < created {
            return Err(HeaderError::ExpiresBeforeCreated.into());
        }
        if x.duration_since(created).unwrap_or_default() > policy.max_validity {
            return Err(SecurityError::ValidityTooLong {
                created: show_time(created),
                expires: show_time(x),
                max: policy.max_validity,
            });
        }
    }
    let skew = policy.clock_skew;
    if created > later(now, skew) {
        return Err(SecurityError::CreatedInFuture {
            created: show_time(created),
            now: show_time(now),
            skew,
        });
    }
    if let Some(x) = expires {
        if later(x, skew) <= now {
            return Err(SecurityError::Expired {
                expires: show_time(x),
                now: show_time(now),
                skew,
            });
        }
    }
    if let Some(latency) = policy.max_latency {
        if later(later(created, latency), skew) <= now {
            return Err(SecurityError::TooOld {
                created: show_time(created),
                now: show_time(now),
                latency,
            });
        }
    }
    Ok((created, expires))
}

/// `t + d`, or the latest time the platform holds when that overflows: a policy built
/// by hand (the engine's is bounded to a year) may say any duration, and no sum of
/// times may panic.
fn later(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d).unwrap_or_else(|| {
        // Far enough for every comparison here, and representable everywhere.
        SystemTime::UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::dom::Document;

    /// Issue 22: a policy built by hand with durations past what `SystemTime` holds
    /// checks a Timestamp without panicking.
    #[test]
    fn huge_durations_do_not_overflow() {
        let mut policy = Acceptance::new(ScVersion::V1_3, &super::super::Suite::BASIC256);
        policy.clock_skew = Duration::MAX;
        policy.max_latency = Some(Duration::MAX);
        policy.max_validity = Duration::MAX;
        let src = r#"<u:Timestamp xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><u:Created>2026-01-01T00:00:00Z</u:Created><u:Expires>2026-01-01T00:05:00Z</u:Expires></u:Timestamp>"#;
        let doc = Document::parse(src, &Limits::default()).expect("parse");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(check_timestamp(&doc, doc.root(), &policy, now).is_ok());
        let until = acceptable_until(None, None, &policy, now);
        assert!(until > now);
    }
}
