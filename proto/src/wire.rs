//! Wire constants: namespaces, actions and URIs of SOAP, WS-Addressing, WS-Security,
//! XML Signature, WS-Trust and WS-SecureConversation, per protocol generation.
//! Source: the public specifications, as summarised in `../shared/reference/wire.md`.

pub use crate::description::{AddressingHeader, ScVersion};

/// Namespaces that do not depend on the WS-SC version.
pub mod ns {
    pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    pub const WSA10: &str = "http://www.w3.org/2005/08/addressing";
    pub const WSA2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    pub const WSSE: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    pub const WSU: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    pub const WSSE11: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
    pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    /// wsbind's own namespace for the sealed server state ("cookie") carried inside an
    /// SCT issued by a stateless server.
    pub const COOKIE: &str = "urn:wsbind:2026:cookie";
}

/// Algorithm and type URIs that do not depend on the WS-SC version.
pub mod uri {
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    pub const HMAC_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
    pub const HMAC_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
    pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
    pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
    pub const PASSWORD_TEXT: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
    /// The WS-Security Kerberos Token Profile 1.1's GSS-API-framed AP-REQ, the one
    /// token type MS-LWSSP allows (§2.2.1.3.1).
    pub const KERBEROS_AP_REQ: &str =
        "http://docs.oasis-open.org/wss/oasis-wss-kerberos-token-profile-1.1#GSS_Kerberosv5_AP_REQ";
    pub const BASE64_BINARY: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
    /// WS-Addressing 1.0 anonymous address.
    pub const WSA10_ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";
    /// WS-Addressing August 2004 anonymous address.
    pub const WSA2004_ANONYMOUS: &str =
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
    /// WS-Security fault codes (local names in the wsse namespace).
    pub const FAULT_INVALID_SECURITY: &str = "InvalidSecurity";
    pub const FAULT_FAILED_CHECK: &str = "FailedCheck";
    pub const FAULT_MESSAGE_EXPIRED: &str = "MessageExpired";
    pub const FAULT_FAILED_AUTHENTICATION: &str = "FailedAuthentication";
    pub const FAULT_SECURITY_TOKEN_UNAVAILABLE: &str = "SecurityTokenUnavailable";
}

/// SOAP version of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Soap {
    V11,
    V12,
}

impl Soap {
    /// How messages and errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Soap::V11 => "SOAP 1.1",
            Soap::V12 => "SOAP 1.2",
        }
    }
    pub fn ns(self) -> &'static str {
        match self {
            Soap::V11 => ns::SOAP11,
            Soap::V12 => ns::SOAP12,
        }
    }
    /// The value of `mustUnderstand` when set.
    pub fn must_understand(self) -> &'static str {
        match self {
            Soap::V11 => "1",
            Soap::V12 => "true",
        }
    }
    /// The envelope's SOAP version from its namespace.
    pub fn from_ns(ns: &str) -> Option<Soap> {
        match ns {
            ns::SOAP11 => Some(Soap::V11),
            ns::SOAP12 => Some(Soap::V12),
            _ => None,
        }
    }
}

/// WS-Addressing version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addressing {
    /// WS-Addressing 1.0 (W3C).
    V10,
    /// WS-Addressing August 2004.
    Aug2004,
    /// No WS-Addressing: the transport addresses the message (WWSAPI's
    /// `WS_ADDRESSING_VERSION_TRANSPORT`; WCF's basicHttpBinding): no addressing header
    /// is written, the action travels in HTTP (`SOAPAction`, or SOAP 1.2's `action`
    /// parameter), and a reply is the HTTP response to its request. Only without a
    /// security context, whose WS-Trust exchanges need WS-Addressing.
    Transport,
}

impl Addressing {
    /// How messages and errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Addressing::V10 => "WS-Addressing 1.0",
            Addressing::Aug2004 => "WS-Addressing August 2004",
            Addressing::Transport => "no WS-Addressing",
        }
    }
    /// The namespace; "" for [`Addressing::Transport`], which writes no header.
    pub fn ns(self) -> &'static str {
        match self {
            Addressing::V10 => ns::WSA10,
            Addressing::Aug2004 => ns::WSA2004,
            Addressing::Transport => "",
        }
    }

    /// The action of a SOAP fault.
    pub fn fault_action(self) -> &'static str {
        match self {
            Addressing::V10 => "http://www.w3.org/2005/08/addressing/soap/fault",
            Addressing::Aug2004 => "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault",
            // WS-Addressing 1.0's, for the SOAPAction of a fault (WCF sends it there).
            Addressing::Transport => "http://www.w3.org/2005/08/addressing/soap/fault",
        }
    }
    pub fn anonymous(self) -> &'static str {
        match self {
            Addressing::V10 => uri::WSA10_ANONYMOUS,
            Addressing::Aug2004 => uri::WSA2004_ANONYMOUS,
            Addressing::Transport => "",
        }
    }
    pub fn from_ns(ns: &str) -> Option<Addressing> {
        match ns {
            ns::WSA10 => Some(Addressing::V10),
            ns::WSA2004 => Some(Addressing::Aug2004),
            _ => None,
        }
    }
}

/// The URIs of one WS-SecureConversation generation and its WS-Trust.
#[derive(Debug, PartialEq, Eq)]
pub struct Sc {
    pub version: ScVersion,
    /// WS-SC namespace.
    pub sc: &'static str,
    /// WS-Trust namespace.
    pub trust: &'static str,
    /// SCT token type, and the `ValueType` of references to an SCT.
    pub sct: &'static str,
    /// `ValueType` of references to a derived key token.
    pub dk: &'static str,
    /// Derived-key algorithm.
    pub dk_p_sha1: &'static str,
    /// Computed-key algorithm.
    pub ck_p_sha1: &'static str,
    pub issue: &'static str,
    pub renew: &'static str,
    pub cancel: &'static str,
    /// `BinarySecret/@Type` of entropy.
    pub nonce: &'static str,
    pub symmetric_key: &'static str,
    pub action_issue: &'static str,
    pub action_issue_response: &'static str,
    /// Another issue response action accepted on receipt, never sent: WS-Trust 1.3's
    /// `RSTRC/IssueFinal`. WCF, CoreWCF, Metro and CXF answer an SCT request with
    /// `RSTR/SCT` (the RSTR collection in the Body), and WWSAPI's client refuses
    /// `IssueFinal` on this exchange ([MS-LWSSP] note 5).
    pub action_issue_response_also: Option<&'static str>,
    pub action_renew: &'static str,
    pub action_renew_response: &'static str,
    pub action_cancel: &'static str,
    pub action_cancel_response: &'static str,
    /// WS-Trust 1.3 wraps the final issue response in an RSTR collection.
    pub rstr_collection: bool,
}

pub const FEB_2005: Sc = Sc {
    version: ScVersion::Feb2005,
    sc: "http://schemas.xmlsoap.org/ws/2005/02/sc",
    trust: "http://schemas.xmlsoap.org/ws/2005/02/trust",
    sct: "http://schemas.xmlsoap.org/ws/2005/02/sc/sct",
    dk: "http://schemas.xmlsoap.org/ws/2005/02/sc/dk",
    dk_p_sha1: "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1",
    ck_p_sha1: "http://schemas.xmlsoap.org/ws/2005/02/trust/CK/PSHA1",
    issue: "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    renew: "http://schemas.xmlsoap.org/ws/2005/02/trust/Renew",
    cancel: "http://schemas.xmlsoap.org/ws/2005/02/trust/Cancel",
    nonce: "http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce",
    symmetric_key: "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey",
    action_issue: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT",
    action_issue_response: "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT",
    action_issue_response_also: None,
    action_renew: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Renew",
    action_renew_response: "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Renew",
    action_cancel: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Cancel",
    action_cancel_response: "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Cancel",
    rstr_collection: false,
};

pub const V1_3: Sc = Sc {
    version: ScVersion::V1_3,
    sc: "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512",
    trust: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
    sct: "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct",
    dk: "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk",
    dk_p_sha1: "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1",
    ck_p_sha1: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1",
    issue: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    renew: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew",
    cancel: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Cancel",
    nonce: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce",
    symmetric_key: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey",
    action_issue: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT",
    action_issue_response: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT",
    action_issue_response_also: Some(
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal",
    ),
    action_renew: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Renew",
    action_renew_response: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Renew",
    action_cancel: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Cancel",
    action_cancel_response: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Cancel",
    rstr_collection: true,
};

/// The URIs of a WS-SC generation.
pub fn sc(version: ScVersion) -> &'static Sc {
    match version {
        ScVersion::Feb2005 => &FEB_2005,
        ScVersion::V1_3 => &V1_3,
    }
}

/// The WS-SC generation whose namespace is `ns`.
pub fn sc_by_ns(ns: &str) -> Option<&'static Sc> {
    [&FEB_2005, &V1_3].into_iter().find(|s| s.sc == ns)
}

/// The WS-SC generation whose SCT token type (a reference's `ValueType`) is `t`.
pub fn sc_by_sct_type(t: &str) -> Option<&'static Sc> {
    [&FEB_2005, &V1_3].into_iter().find(|s| s.sct == t)
}

/// The WS-SC generation whose WS-Trust namespace is `ns`.
pub fn sc_by_trust_ns(ns: &str) -> Option<&'static Sc> {
    [&FEB_2005, &V1_3].into_iter().find(|s| s.trust == ns)
}

/// Whether `action` is a WS-Trust action of either WS-SC generation (an RST or RSTR of
/// any kind).
pub(crate) fn is_trust_action(action: &str) -> bool {
    [&FEB_2005, &V1_3]
        .iter()
        .any(|sc| action.starts_with(sc.trust))
}

/// The local name of an addressing header as wsbind writes it.
pub fn header_name(h: AddressingHeader) -> &'static str {
    match h {
        AddressingHeader::To => "To",
        AddressingHeader::Action => "Action",
        AddressingHeader::MessageId => "MessageID",
        AddressingHeader::ReplyTo => "ReplyTo",
    }
}

/// Which addressing header the local name `name` is, if one a signature may name.
pub(crate) fn header_kind(name: &str) -> Option<AddressingHeader> {
    AddressingHeader::ALL
        .iter()
        .map(|(_, h)| *h)
        .find(|h| header_name(*h) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uri_of_a_generation_lives_under_its_namespaces() {
        for s in [&FEB_2005, &V1_3] {
            for u in [s.sct, s.dk, s.dk_p_sha1] {
                assert!(u.starts_with(s.sc), "{u}");
            }
            for u in [
                s.ck_p_sha1,
                s.issue,
                s.renew,
                s.cancel,
                s.nonce,
                s.symmetric_key,
                s.action_issue,
                s.action_issue_response,
                s.action_renew,
                s.action_renew_response,
                s.action_cancel,
                s.action_cancel_response,
            ] {
                assert!(u.starts_with(s.trust), "{u}");
            }
            assert_eq!(sc_by_ns(s.sc), Some(s));
            assert_eq!(sc_by_trust_ns(s.trust), Some(s));
            assert_eq!(sc(s.version), s);
        }
    }
}
