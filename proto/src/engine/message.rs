//! Reading the envelope of a negotiation message: SOAP version, addressing, faults.

use super::{peer_text, EngineError, Mismatch};
use crate::security::{Acceptance, FaultCode, ReceivedFault, SecurityError};
use crate::wire::{Addressing, Soap};
use crate::xml::dom::{Document, Element};

pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, EngineError> {
    std::str::from_utf8(bytes)
        .map_err(|e| EngineError::Security(SecurityError::NotUtf8(e.to_string())))
}

pub(crate) fn parse<'a>(text: &'a str, policy: &Acceptance) -> Result<Document<'a>, EngineError> {
    Ok(crate::security::parse_message(text, &policy.limits)?)
}

/// The parts of an envelope a negotiation looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnvelopeParts {
    pub soap: Soap,
    pub addressing: Option<Addressing>,
    pub header: Option<Element>,
    pub body: Element,
    /// The WS-Security header addressed to this receiver.
    pub security: Option<Element>,
}

impl EnvelopeParts {
    /// Read by the one strict envelope reader
    /// ([`read_envelope`](crate::security::verify::read_envelope)), as every message is.
    pub(crate) fn read(doc: &Document<'_>) -> Result<EnvelopeParts, EngineError> {
        let e = crate::security::verify::read_envelope(doc)?;
        Ok(EnvelopeParts {
            soap: e.soap,
            addressing: e.addressing,
            header: e.header,
            body: e.body,
            security: e.security,
        })
    }

    /// The text of the addressing header `local`.
    pub(crate) fn addressing_header(&self, doc: &Document<'_>, local: &str) -> Option<String> {
        let (h, a) = (self.header?, self.addressing?);
        doc.child(h, a.ns(), local)
            .map(|e| doc.text(e).trim().to_owned())
    }

    /// The one element in the Body.
    pub(crate) fn payload(&self, doc: &Document<'_>) -> Result<Element, EngineError> {
        let mut it = doc.children(self.body);
        match (it.next(), it.next()) {
            (Some(e), None) => Ok(e),
            _ => Err(Mismatch::BodyNotOneElement.into()),
        }
    }

    /// A SOAP fault in the Body becomes [`EngineError::Fault`], its code resolved to a
    /// [`FaultCode`] where wsbind knows it.
    pub(crate) fn fail_on_fault(&self, doc: &Document<'_>) -> Result<(), EngineError> {
        let Some(fault) = doc.child(self.body, self.soap.ns(), "Fault") else {
            return Ok(());
        };
        let detail = match self.soap {
            Soap::V11 => doc.child(fault, "", "detail"),
            Soap::V12 => doc.child(fault, self.soap.ns(), "Detail"),
        }
        .filter(|d| doc.range(*d).len() <= crate::security::MAX_FAULT_DETAIL)
        .map(|d| {
            let mut out = String::new();
            for child in doc.children(d) {
                crate::xml::c14n::exclusive(doc, child, &[], false, &mut out);
            }
            if out.is_empty() {
                // A detail of text alone: the text, escaped as XML.
                out = crate::envelope::text(doc.text(d).trim());
            }
            out
        });
        let (code, reason) = match self.soap {
            Soap::V11 => (
                doc.child(fault, "", "faultcode"),
                doc.child(fault, "", "faultstring"),
            ),
            Soap::V12 => {
                let ns = self.soap.ns();
                // The innermost Subcode's Value, else the Code's own.
                let mut value = None;
                let mut code = doc.child(fault, ns, "Code");
                while let Some(c) = code {
                    value = doc.child(c, ns, "Value").or(value);
                    code = doc.child(c, ns, "Subcode");
                }
                let reason = doc
                    .child(fault, ns, "Reason")
                    .and_then(|r| doc.child(r, ns, "Text"));
                (value, reason)
            }
        };
        let (known, raw_code) = match code {
            Some(c) => {
                let text = doc.text(c);
                let qname = text.trim();
                let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
                match doc.lookup_namespace(c, prefix) {
                    Some(ns) => (
                        FaultCode::from_qname(ns, local),
                        peer_text(&format!("{{{ns}}}{local}")),
                    ),
                    None => (None, peer_text(qname)),
                }
            }
            None => (None, "(no code)".to_owned()),
        };
        Err(EngineError::Fault(ReceivedFault {
            code: known,
            raw_code,
            reason: reason.map_or_else(
                || "(no reason)".to_owned(),
                |r| peer_text(doc.text(r).trim()),
            ),
            detail,
        }))
    }

    /// Checks the response's action (`action`, or `also` where another is accepted)
    /// and that it relates to our request.
    pub(crate) fn expect(
        &self,
        doc: &Document<'_>,
        action: &str,
        also: Option<&str>,
        request_id: &str,
    ) -> Result<(), EngineError> {
        match self.addressing_header(doc, "Action") {
            Some(a) if a == action || Some(a.as_str()) == also => {}
            other => {
                return Err(Mismatch::Action {
                    found: other.as_deref().map(peer_text),
                    expected: action.to_owned(),
                }
                .into())
            }
        }
        match self.addressing_header(doc, "RelatesTo") {
            Some(r) if r == request_id => Ok(()),
            other => Err(Mismatch::RelatesTo {
                found: other.as_deref().map(peer_text),
                request: request_id.to_owned(),
            }
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ns;

    fn fault_of(xml: &str) -> ReceivedFault {
        let doc = Document::parse(xml, &Default::default()).expect("well-formed");
        let env = EnvelopeParts::read(&doc).expect("an envelope");
        match env.fail_on_fault(&doc) {
            Err(EngineError::Fault(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn soap12_subcodes_resolve_to_fault_codes_in_both_generations() {
        for (sc_ns, code) in [
            (
                "http://schemas.xmlsoap.org/ws/2005/02/sc",
                FaultCode::BadContextToken,
            ),
            (
                "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512",
                FaultCode::RenewNeeded,
            ),
        ] {
            let local = if code == FaultCode::BadContextToken {
                "BadContextToken"
            } else {
                "RenewNeeded"
            };
            let xml = format!(
                r#"<s:Envelope xmlns:s="{}"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="{sc_ns}">a:{local}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">gone</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#,
                ns::SOAP12
            );
            let f = fault_of(&xml);
            assert_eq!(f.code, Some(code));
            assert_eq!(f.raw_code, format!("{{{sc_ns}}}{local}"));
            assert_eq!(f.reason, "gone");
            assert!(f.context_lost());
        }
    }

    #[test]
    fn the_prefix_decides_not_the_local_name() {
        // A code of another namespace that happens to be called BadContextToken.
        let xml = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body><s:Fault><faultcode xmlns:x="urn:other">x:BadContextToken</faultcode><faultstring>no</faultstring></s:Fault></s:Body></s:Envelope>"#,
            ns::SOAP11
        );
        let f = fault_of(&xml);
        assert_eq!(f.code, None);
        assert!(!f.context_lost());
        assert_eq!(f.raw_code, "{urn:other}BadContextToken");
        // An undeclared prefix is kept as written, and names no code.
        let xml = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body><s:Fault><faultcode>q:BadContextToken</faultcode></s:Fault></s:Body></s:Envelope>"#,
            ns::SOAP11
        );
        let f = fault_of(&xml);
        assert_eq!(
            (f.code, f.raw_code.as_str(), f.reason.as_str()),
            (None, "q:BadContextToken", "(no reason)")
        );
    }

    #[test]
    fn soap11_codes_and_long_texts() {
        let reason = "é".repeat(10_000);
        let xml = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body><s:Fault><faultcode xmlns:w="{}">w:FailedAuthentication</faultcode><faultstring>{reason}</faultstring></s:Fault></s:Body></s:Envelope>"#,
            ns::SOAP11,
            ns::WSSE
        );
        let f = fault_of(&xml);
        assert_eq!(f.code, Some(FaultCode::FailedAuthentication));
        assert_eq!(
            f.reason.chars().count(),
            257,
            "256 characters and an ellipsis"
        );
    }

    #[test]
    fn every_fault_we_write_is_read_back_as_its_code() {
        use crate::security::fault_envelope;
        for version in [
            crate::wire::ScVersion::Feb2005,
            crate::wire::ScVersion::V1_3,
        ] {
            for soap in [Soap::V11, Soap::V12] {
                for &code in FaultCode::ALL {
                    let xml =
                        fault_envelope(soap, Addressing::V10, crate::wire::sc(version), code, None);
                    assert_eq!(fault_of(&xml).code, Some(code), "{xml}");
                }
            }
        }
    }
}
