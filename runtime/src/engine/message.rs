//! Reading the envelope of a negotiation message: SOAP version, addressing, faults.

use super::EngineError;
use crate::security::{Policy, SecurityError};
use crate::wire::{Addressing, Soap};
use crate::xml::dom::{Document, Element};

pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, EngineError> {
    std::str::from_utf8(bytes)
        .map_err(|e| EngineError::Security(SecurityError::NotUtf8(e.to_string())))
}

pub(crate) fn parse<'a>(text: &'a str, policy: &Policy) -> Result<Document<'a>, EngineError> {
    Ok(crate::security::parse_message(text, &policy.limits)?)
}

/// The parts of an envelope a negotiation looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope {
    pub soap: Soap,
    pub addressing: Option<Addressing>,
    pub header: Option<Element>,
    pub body: Element,
}

impl Envelope {
    pub fn read(doc: &Document<'_>) -> Result<Envelope, EngineError> {
        let env = doc.root();
        let soap = Soap::from_ns(doc.namespace(env))
            .filter(|_| doc.local_name(env) == "Envelope")
            .ok_or_else(|| {
                EngineError::Security(SecurityError::NotSoap {
                    found: format!("{{{}}}{}", doc.namespace(env), doc.local_name(env)),
                })
            })?;
        let header = doc.child(env, soap.ns(), "Header");
        let body = doc.child(env, soap.ns(), "Body").ok_or_else(|| {
            EngineError::Security(SecurityError::Envelope("the Envelope has no Body".into()))
        })?;
        let addressing = header.and_then(|h| {
            doc.children(h)
                .find_map(|c| Addressing::from_ns(doc.namespace(c)))
        });
        Ok(Envelope {
            soap,
            addressing,
            header,
            body,
        })
    }

    /// The text of the addressing header `local`.
    pub fn addressing_header(&self, doc: &Document<'_>, local: &str) -> Option<String> {
        let (h, a) = (self.header?, self.addressing?);
        doc.child(h, a.ns(), local)
            .map(|e| doc.text(e).trim().to_owned())
    }

    /// The one element in the Body.
    pub fn payload(&self, doc: &Document<'_>) -> Result<Element, EngineError> {
        let mut it = doc.children(self.body);
        match (it.next(), it.next()) {
            (Some(e), None) => Ok(e),
            _ => Err(EngineError::Unexpected(
                "the Body must hold exactly one element".into(),
            )),
        }
    }

    /// A SOAP fault in the Body becomes [`EngineError::Fault`].
    pub fn fail_on_fault(&self, doc: &Document<'_>) -> Result<(), EngineError> {
        let Some(fault) = doc.child(self.body, self.soap.ns(), "Fault") else {
            return Ok(());
        };
        let (code, reason) = match self.soap {
            Soap::V11 => (
                doc.child(fault, "", "faultcode")
                    .map(|c| doc.text(c).trim().to_owned()),
                doc.child(fault, "", "faultstring")
                    .map(|c| doc.text(c).trim().to_owned()),
            ),
            Soap::V12 => {
                let ns = self.soap.ns();
                let code = doc.child(fault, ns, "Code").map(|c| {
                    let sub = doc
                        .child(c, ns, "Subcode")
                        .and_then(|s| doc.child(s, ns, "Value"))
                        .or_else(|| doc.child(c, ns, "Value"));
                    sub.map(|v| doc.text(v).trim().to_owned())
                        .unwrap_or_default()
                });
                let reason = doc
                    .child(fault, ns, "Reason")
                    .and_then(|r| doc.child(r, ns, "Text"))
                    .map(|t| doc.text(t).trim().to_owned());
                (code, reason)
            }
        };
        Err(EngineError::Fault {
            code: code.unwrap_or_else(|| "(no code)".into()),
            reason: reason.unwrap_or_else(|| "(no reason)".into()),
        })
    }

    /// Checks the response's action and that it relates to our request.
    pub fn expect(
        &self,
        doc: &Document<'_>,
        action: &str,
        request_id: &str,
    ) -> Result<(), EngineError> {
        match self.addressing_header(doc, "Action") {
            Some(a) if a == action => {}
            other => {
                return Err(EngineError::Unexpected(format!(
                    "the response's action is {}, not {action}",
                    other.as_deref().unwrap_or("missing")
                )))
            }
        }
        match self.addressing_header(doc, "RelatesTo") {
            Some(r) if r == request_id => Ok(()),
            other => Err(EngineError::Unexpected(format!(
                "the response relates to {}, not to the request {request_id}",
                other.as_deref().unwrap_or("nothing")
            ))),
        }
    }
}
