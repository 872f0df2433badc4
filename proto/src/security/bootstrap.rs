//! The security header of a negotiation (bootstrap) message: a timestamp, and for a
//! username bootstrap a WS-Security `UsernameToken` with the password in text (the
//! bootstrap runs over SSL: the compiler's rules guarantee the transport protects it);
//! for a Kerberos bootstrap a `BinarySecurityToken` holding the AP-REQ and a signature
//! over the timestamp by its session key (MS-LWSSP §2.2.1.3.1).

use super::error::required;
use super::policy::{check_timestamp, Acceptance};
use super::{peer_text, HeaderError, KerberosTokenError, SecurityError, Structure};
use crate::credentials::{KerberosTicket, Password, UsernameCredential};
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

/// The `wsu:Id` of the Kerberos token in a bootstrap header wsbind writes.
const KERBEROS_ID: &str = "_kt";

/// The largest AP-REQ accepted, bytes: a Windows ticket with its PAC (group
/// memberships) runs to a few kilobytes, 12,000 bytes being Windows' own default limit
/// for the token of an HTTP header; the bound leaves room beyond it.
pub const MAX_AP_REQ_BYTES: usize = 64 * 1024;

/// The content of a Kerberos bootstrap's security header: the Timestamp, the AP-REQ
/// (`GSS_Kerberosv5_AP_REQ`, base64) and the `ds:Signature` over the Timestamp by the
/// AP-REQ's session key, its KeyInfo a direct reference to the token.
pub fn kerberos_header(
    ticket: &KerberosTicket,
    suite: &super::Suite,
    now: SystemTime,
    validity: Duration,
) -> String {
    let mut out = envelope::timestamp(Some("_0"), now, validity);
    out.push_str(&envelope::binary_security_token(
        KERBEROS_ID,
        uri::KERBEROS_AP_REQ,
        &ticket.token,
    ));
    out.push_str(&super::protect::timestamp_signature(
        suite,
        &ticket.key,
        &envelope::token_reference(KERBEROS_ID, uri::KERBEROS_AP_REQ),
        now,
        validity,
    ));
    out
}

/// What a bootstrap message's security header proved.
#[derive(Debug)]
pub struct Bootstrap {
    pub created: Option<SystemTime>,
    pub expires: Option<SystemTime>,
    /// The username token's name and password, still to be validated.
    pub username: Option<(String, Password)>,
    /// A Kerberos token and the signature beside it, still to be verified (with the
    /// service's keys: `verify::kerberos_bootstrap`).
    pub kerberos: Option<KerberosParts>,
}

/// The parts of a Kerberos bootstrap's security header, as read (their structure is
/// checked when the signature is).
#[derive(Debug, Clone, Copy)]
pub struct KerberosParts {
    pub timestamp: Option<Element>,
    pub token: Element,
    pub signature: Element,
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
    let mut timestamp = None;
    let mut token = None;
    let mut signature = None;
    if let Some(sec) = security {
        for c in doc.children(sec) {
            if doc.is(c, ns::WSSE, "BinarySecurityToken") {
                if token.replace(c).is_some() {
                    return Err(HeaderError::from(Structure::repeated(
                        doc,
                        sec,
                        "BinarySecurityToken",
                    ))
                    .into());
                }
            } else if doc.is(c, ns::DS, "Signature") {
                if signature.replace(c).is_some() {
                    return Err(
                        HeaderError::from(Structure::repeated(doc, sec, "Signature")).into(),
                    );
                }
            } else if doc.is(c, ns::WSU, "Timestamp") {
                timestamp = Some(c);
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
    let kerberos = match (token, signature) {
        (None, None) => None,
        (Some(token), Some(signature)) => Some(KerberosParts {
            timestamp,
            token,
            signature,
        }),
        (Some(_), None) => return Err(KerberosTokenError::NoSignature.into()),
        (None, Some(_)) => return Err(KerberosTokenError::NoToken.into()),
    };
    Ok(Bootstrap {
        created,
        expires,
        username,
        kerberos,
    })
}
