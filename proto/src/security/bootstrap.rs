//! The security header of a negotiation (bootstrap) message: a timestamp, and for a
//! username bootstrap a WS-Security `UsernameToken` with the password in text (the
//! bootstrap runs over SSL: the compiler's rules guarantee the transport protects it).

use super::error::required;
use super::policy::{check_timestamp, Acceptance};
use super::{peer_text, HeaderError, SecurityError, Structure};
use crate::credentials::{Password, UsernameCredential};
use crate::envelope;
use crate::wire::{ns, uri};
use crate::xml::dom::{Document, Element};
use std::time::{Duration, SystemTime};

/// The content of a bootstrap message's security header.
pub fn header(
    username: Option<&UsernameCredential>,
    now: SystemTime,
    validity: Duration,
) -> String {
    let mut out = envelope::timestamp(Some("_0"), now, validity);
    if let Some(u) = username {
        out.push_str(&envelope::username_token(
            "_ut",
            &u.username,
            u.password.expose(),
        ));
    }
    out
}

/// What a bootstrap message's security header proved.
#[derive(Debug)]
pub struct Bootstrap {
    pub created: Option<SystemTime>,
    pub expires: Option<SystemTime>,
    /// The username token's name and password, still to be validated.
    pub username: Option<(String, Password)>,
}

/// Reads the security header of a negotiation request: the one addressed to this
/// receiver (the strict envelope reader finds it), a fresh timestamp, at most one
/// username token with a text password. Nothing else is accepted in it.
pub fn read(
    doc: &Document<'_>,
    policy: &Acceptance,
    now: SystemTime,
) -> Result<Bootstrap, SecurityError> {
    let envelope = super::verify::read_envelope(doc)?;
    read_header(doc, envelope.security, policy, now)
}

/// As [`read`], given the security header the envelope reader found.
pub(crate) fn read_header(
    doc: &Document<'_>,
    security: Option<Element>,
    policy: &Acceptance,
    now: SystemTime,
) -> Result<Bootstrap, SecurityError> {
    let mut created = None;
    let mut expires = None;
    let mut username = None;
    if let Some(sec) = security {
        for c in doc.children(sec) {
            if doc.is(c, ns::WSU, "Timestamp") {
                if created.is_some() {
                    return Err(
                        HeaderError::from(Structure::repeated(doc, sec, "Timestamp")).into(),
                    );
                }
                let (c, x) = check_timestamp(doc, c, policy, now)?;
                created = Some(c);
                expires = x;
            } else if doc.is(c, ns::WSSE, "UsernameToken") {
                if username.is_some() {
                    return Err(
                        HeaderError::from(Structure::repeated(doc, sec, "UsernameToken")).into(),
                    );
                }
                let name = required(doc, c, ns::WSSE, "Username").map_err(HeaderError::from)?;
                let pw = required(doc, c, ns::WSSE, "Password").map_err(HeaderError::from)?;
                if let Some(t) = doc.attr(pw, "", "Type") {
                    if t != uri::PASSWORD_TEXT {
                        return Err(SecurityError::UnsupportedAlgorithm {
                            what: "password",
                            uri: peer_text(t),
                        });
                    }
                }
                username = Some((
                    doc.text(name).trim().to_owned(),
                    Password::new(doc.text(pw).into_owned()),
                ));
            } else {
                return Err(HeaderError::Unsupported {
                    element: peer_text(&format!("{{{}}}{}", doc.namespace(c), doc.local_name(c))),
                }
                .into());
            }
        }
    }
    if created.is_none() && policy.require_timestamp {
        return Err(SecurityError::NoTimestamp);
    }
    Ok(Bootstrap {
        created,
        expires,
        username,
    })
}
