//! The wire profile: how messages protected by a security context are signed, as data.
//!
//! A closed set, one value per [`SignatureProfile`] of the description, chosen once in
//! the engine's configuration ([`Profile::of`]) and interpreted only where messages are
//! protected ([`protect`](mod@super::protect)) and checked ([`verify`](mod@super::verify)).
//!
//! - [`MS_LWSSP`], the default: what WWSAPI, WCF (`TransportWithMessageCredential` with a
//!   security context), CoreWCF and the .NET WCF client send and expect ([MS-LWSSP] §4,
//!   `shared/reference/wire.md`). The context *authenticates* the client: a request
//!   carries the Timestamp, the SCT and one HMAC by the context's own key over the
//!   Timestamp; a reply carries a Timestamp only. The Body's integrity rests on TLS.
//! - [`DERIVED_KEYS`], wsbind's opt-in: an HMAC by a key derived from the context's over
//!   the Timestamp, every WS-Addressing header and the Body, in requests and replies. No
//!   Microsoft stack sends or accepts it.

pub(crate) use crate::description::{AddressingHeader, SignatureProfile};
pub use crate::envelope::Part;

/// Which key computes a signature's HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// The context's key itself; KeyInfo references the SCT.
    Context,
    /// A key derived from the context's (a `DerivedKeyToken` in the header); KeyInfo
    /// references that token.
    Derived,
}

/// How messages are signed in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signing {
    /// What the signature covers; empty: the message is not signed (its Security header
    /// holds a Timestamp only).
    pub covers: &'static [Part],
    /// Which key signs.
    pub key: KeyUse,
    /// Addressing headers it also covers, one by one (a description's
    /// `wsbind-signed-headers`; none in the profiles themselves).
    pub headers: HeaderSet,
}

impl Signing {
    /// Whether the message carries a signature at all.
    pub fn signed(&self) -> bool {
        !self.covers.is_empty()
    }

    /// Whether the signature must cover `part`.
    pub fn covers(&self, part: Part) -> bool {
        match part {
            Part::Header(h) => self.headers.contains(h),
            _ => self.covers.contains(&part),
        }
    }

    /// Every part it covers, the named headers included.
    pub fn parts(&self) -> Vec<Part> {
        let mut parts = self.covers.to_vec();
        parts.extend(self.headers.iter().map(Part::Header));
        parts
    }
}

/// A set of addressing headers (at most the four a signature may name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeaderSet(u8);

impl HeaderSet {
    /// No header.
    pub const NONE: HeaderSet = HeaderSet(0);

    fn bit(h: AddressingHeader) -> u8 {
        let i = AddressingHeader::ALL
            .iter()
            .position(|(_, x)| *x == h)
            .unwrap_or(0);
        1 << i
    }

    /// The set of `headers`.
    pub fn of(headers: &[AddressingHeader]) -> HeaderSet {
        HeaderSet(headers.iter().fold(0, |bits, h| bits | Self::bit(*h)))
    }

    /// Whether `h` is in the set.
    pub fn contains(self, h: AddressingHeader) -> bool {
        self.0 & Self::bit(h) != 0
    }

    /// Its headers, in the vocabulary's order.
    pub fn iter(self) -> impl Iterator<Item = AddressingHeader> {
        AddressingHeader::ALL
            .iter()
            .map(|(_, h)| *h)
            .filter(move |h| self.contains(*h))
    }
}

/// A wire profile: how requests (application messages, Renew and Cancel) and replies
/// are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// The description's name of the profile.
    pub name: SignatureProfile,
    /// Requests: signed with the context, the SCT in the message.
    pub request: Signing,
    /// Replies.
    pub reply: Signing,
    /// How a reply may be signed instead, where `reply` is unsigned: policy-driven
    /// peers (Apache CXF, WSS4J) sign theirs — the Cancel response too — with the
    /// context's key over the Timestamp. Accepted when the signature verifies, never
    /// otherwise; `None`: only `reply`.
    pub signed_reply: Option<Signing>,
}

/// [MS-LWSSP]: requests signed by the context's key over their Timestamp, replies a
/// Timestamp only (or, from a policy-driven peer, signed as requests are).
pub static MS_LWSSP: Profile = Profile {
    name: SignatureProfile::MsLwssp,
    request: Signing {
        covers: &[Part::Timestamp],
        key: KeyUse::Context,
        headers: HeaderSet::NONE,
    },
    reply: Signing {
        covers: &[],
        key: KeyUse::Context,
        headers: HeaderSet::NONE,
    },
    signed_reply: Some(Signing {
        covers: &[Part::Timestamp],
        key: KeyUse::Context,
        headers: HeaderSet::NONE,
    }),
};

/// wsbind's derived-key profile: both directions signed by a derived key over the
/// Timestamp, the addressing headers and the Body.
pub static DERIVED_KEYS: Profile = Profile {
    name: SignatureProfile::DerivedKeys,
    request: Signing {
        covers: &[Part::Timestamp, Part::Addressing, Part::Body],
        key: KeyUse::Derived,
        headers: HeaderSet::NONE,
    },
    reply: Signing {
        covers: &[Part::Timestamp, Part::Addressing, Part::Body],
        key: KeyUse::Derived,
        headers: HeaderSet::NONE,
    },
    signed_reply: None,
};

impl Profile {
    /// The profile a description names (the one `match` on it).
    pub fn of(name: SignatureProfile) -> &'static Profile {
        match name {
            SignatureProfile::MsLwssp => &MS_LWSSP,
            SignatureProfile::DerivedKeys => &DERIVED_KEYS,
        }
    }

    /// How a reply is checked: as [`signed_reply`](Self::signed_reply) says when it
    /// carries a signature and the profile allows one, else as `reply` (which refuses
    /// a signature in an unsigned direction).
    pub fn reply_for(&self, carries_signature: bool) -> &Signing {
        match (&self.signed_reply, carries_signature) {
            (Some(signed), true) => signed,
            _ => &self.reply,
        }
    }

    /// How a message in `direction` is protected.
    pub fn signing(&self, direction: Direction) -> &Signing {
        match direction {
            Direction::Request => &self.request,
            Direction::Reply => &self.reply,
        }
    }
}

/// Which way a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server: an application request, a Renew or a Cancel.
    Request,
    /// Server to client.
    Reply,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&Profile; 2] = [&MS_LWSSP, &DERIVED_KEYS];

    #[test]
    fn every_profile_is_reached_by_its_name() {
        for p in ALL {
            assert_eq!(Profile::of(p.name), p);
        }
        for (_, name) in SignatureProfile::ALL {
            assert_eq!(Profile::of(*name).name, *name);
        }
    }

    #[test]
    fn every_request_signs_its_timestamp() {
        for p in ALL {
            assert!(p.request.signed(), "{:?}", p.name);
            assert!(p.request.covers(Part::Timestamp), "{:?}", p.name);
        }
    }

    #[test]
    fn every_signed_reply_signs_its_timestamp() {
        for p in ALL {
            assert!(!p.reply.signed() || p.reply.covers(Part::Timestamp));
        }
    }

    #[test]
    fn ms_lwssp_is_exactly_the_spec() {
        // One reference, to the Timestamp, by the context's key; replies sign nothing.
        assert_eq!(MS_LWSSP.request.covers, &[Part::Timestamp]);
        assert_eq!(MS_LWSSP.request.key, KeyUse::Context);
        assert!(!MS_LWSSP.reply.signed());
    }

    #[test]
    fn the_default_is_ms_lwssp() {
        assert_eq!(SignatureProfile::ALL[0].1, SignatureProfile::MsLwssp);
    }
}
