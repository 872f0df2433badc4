//! Writing SOAP envelopes: escaping, WS-Addressing headers, the WS-Security header's
//! tokens, and RFC 3339 times. Every message wsbind sends is assembled here, so the
//! prefixes and ids are the same everywhere:
//! `s` SOAP, `a` WS-Addressing, `u` wsu, `o` wsse, `c` WS-SC, `t` WS-Trust.

use crate::description::AddressingHeader;
use crate::wire::{header_kind, ns, Addressing, Sc, Soap};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

/// A part of a message a signature can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The security header's own `wsu:Timestamp`.
    Timestamp,
    /// Every WS-Addressing header of the message.
    Addressing,
    /// The SOAP Body.
    Body,
    /// One WS-Addressing header (what a policy's `sp:SignedParts/sp:Header` names).
    Header(AddressingHeader),
}

/// Appends `s` escaped for element content (canonical XML's escaping: the XML layer's
/// one escaper, so headers written here are already in the form their digests need).
pub(crate) fn escape_text(s: &str, out: &mut String) {
    crate::xml::c14n::escape_text(s, out);
}

/// Appends `s` escaped for a double-quoted attribute value (as canonical XML does).
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    crate::xml::c14n::escape_attr(s, out);
}

/// `s` escaped for element content.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_text(s, &mut out);
    out
}

/// `s` escaped for an attribute value.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_attr(s, &mut out);
    out
}

/// The last instant an `xsd:dateTime` with a four-digit year can say.
const LAST_WRITABLE: Duration = Duration::from_millis(253_402_300_799_999);

/// A time as WS-Security writes it: UTC, milliseconds, `Z`. A time after year 9999
/// (which durations bounded by [`crate::description::MAX_DURATION`] never reach) is
/// written as the last millisecond of 9999 instead of panicking; one before 1970 as
/// 1970-01-01.
pub fn format_time(t: SystemTime) -> String {
    let last = SystemTime::UNIX_EPOCH + LAST_WRITABLE;
    humantime::format_rfc3339_millis(t.clamp(SystemTime::UNIX_EPOCH, last)).to_string()
}

/// A malformed time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a UTC time like 2026-11-24T10:00:00Z ({reason})")]
pub struct TimeError {
    pub value: String,
    pub reason: String,
}

/// Parses an `xsd:dateTime` in UTC (`Z`), with up to nine fractional digits.
pub fn parse_time(s: &str) -> Result<SystemTime, TimeError> {
    let s = s.trim();
    humantime::parse_rfc3339(s).map_err(|e| TimeError {
        value: crate::text::peer_text(&s.chars().take(64).collect::<String>()),
        reason: e.to_string(),
    })
}

/// The WS-Addressing headers of a message.
#[derive(Debug, Clone, Default)]
pub struct Headers<'a> {
    pub action: &'a str,
    pub to: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub relates_to: Option<&'a str>,
    /// Write `ReplyTo` with the anonymous address (requests).
    pub reply_to_anonymous: bool,
    /// The application's own header blocks (each a well-formed element, written as it
    /// is, after the addressing headers). No profile signs them: TLS protects them.
    pub application: &'a [String],
}

/// How a message is framed.
#[derive(Debug, Clone, Copy)]
pub struct Framing {
    pub soap: Soap,
    pub addressing: Addressing,
}

/// An assembled envelope.
#[derive(Debug, Clone)]
pub struct WrittenEnvelope {
    pub text: String,
    /// The `wsu:Id`s given to the addressing headers and the Body, in document order:
    /// what a signature covers (plus the timestamp).
    pub ids: Vec<String>,
    /// The Body's `wsu:Id`, when it was given one.
    pub body_id: Option<String>,
    /// The signed addressing headers: their id and exclusive canonical form.
    pub signed_headers: Vec<(String, String)>,
    /// Byte index just before `</o:Security>`, where a signature is inserted; `None`
    /// when the message has no security header.
    pub security_end: Option<usize>,
}

impl Framing {
    /// Writes an envelope. `security`: the content of the WS-Security header (none:
    /// no header). `signed`: the parts a signature will cover, which get `wsu:Id`s
    /// (the addressing headers, all or those named, the Body).
    pub fn write(
        &self,
        headers: &Headers<'_>,
        security: Option<&str>,
        body: &str,
        signed: &[Part],
    ) -> WrittenEnvelope {
        self.write_with_room(headers, security, body, signed, 0)
    }

    /// As [`write`](Self::write), the text allocated with `room` bytes more: where a
    /// signature is inserted afterwards (at `security_end`) without growing it.
    pub fn write_with_room(
        &self,
        headers: &Headers<'_>,
        security: Option<&str>,
        body: &str,
        signed: &[Part],
        room: usize,
    ) -> WrittenEnvelope {
        let signs = |name: &str| {
            signed.contains(&Part::Addressing)
                || header_kind(name).is_some_and(|h| signed.contains(&Part::Header(h)))
        };
        let mut ids = Vec::new();
        // (Written piece by piece: a message is written for every call.)
        let mut out =
            String::with_capacity(1024 + body.len() + security.map_or(0, str::len) + room);
        out.push_str(r#"<s:Envelope xmlns:s=""#);
        out.push_str(self.soap.ns());
        if self.addressing != Addressing::Transport {
            out.push_str(r#"" xmlns:a=""#);
            out.push_str(self.addressing.ns());
        }
        out.push_str(r#"" xmlns:u=""#);
        out.push_str(ns::WSU);
        out.push_str(r#""><s:Header>"#);
        let mu = self.soap.must_understand();
        let mut signed_headers = Vec::new();
        for part in self.header_parts(headers) {
            out.push_str("<a:");
            out.push_str(part.name);
            if part.must_understand {
                out.push_str(r#" s:mustUnderstand=""#);
                out.push_str(mu);
                out.push('"');
            }
            if signs(part.name) {
                let id = format!("_{}", ids.len() + 1);
                let _ = write!(out, r#" u:Id="{id}""#);
                signed_headers.push((id.clone(), self.canonical_header(&part, &id)));
                ids.push(id);
            }
            out.push('>');
            part.content.write(&mut out);
            out.push_str("</a:");
            out.push_str(part.name);
            out.push('>');
        }
        for block in headers.application {
            out.push_str(block);
        }
        let mut security_end = None;
        if let Some(security) = security {
            out.push_str(r#"<o:Security s:mustUnderstand=""#);
            out.push_str(mu);
            out.push_str(r#"" xmlns:o=""#);
            out.push_str(ns::WSSE);
            out.push_str(r#"">"#);
            out.push_str(security);
            security_end = Some(out.len());
            out.push_str("</o:Security>");
        }
        out.push_str("</s:Header><s:Body");
        let mut body_id = None;
        if signed.contains(&Part::Body) {
            let id = format!("_{}", ids.len() + 1);
            let _ = write!(out, r#" u:Id="{id}""#);
            ids.push(id.clone());
            body_id = Some(id);
        }
        out.push('>');
        out.push_str(body);
        out.push_str("</s:Body></s:Envelope>");
        WrittenEnvelope {
            text: out,
            ids,
            body_id,
            signed_headers,
            security_end,
        }
    }

    /// The addressing headers of a message, in the order they are written.
    fn header_parts<'h>(&self, headers: &Headers<'h>) -> Vec<HeaderPart<'h>> {
        if self.addressing == Addressing::Transport {
            return Vec::new();
        }
        let mut parts = vec![HeaderPart {
            name: "Action",
            must_understand: true,
            content: Content::Text(headers.action),
        }];
        if let Some(id) = headers.message_id {
            parts.push(HeaderPart {
                name: "MessageID",
                must_understand: false,
                content: Content::Text(id),
            });
        }
        if let Some(id) = headers.relates_to {
            parts.push(HeaderPart {
                name: "RelatesTo",
                must_understand: false,
                content: Content::Text(id),
            });
        }
        if headers.reply_to_anonymous {
            parts.push(HeaderPart {
                name: "ReplyTo",
                must_understand: false,
                content: Content::Address(self.addressing.anonymous()),
            });
        }
        if let Some(to) = headers.to {
            parts.push(HeaderPart {
                name: "To",
                must_understand: true,
                content: Content::Text(to),
            });
        }
        parts
    }

    /// The exclusive canonical form of a header as [`write`](Self::write) writes it
    /// inside the envelope: the prefixes it uses declared on it (sorted: `a`, `s`,
    /// `u`), attributes sorted by namespace URI. Signing digests these bytes; the
    /// verifier recomputes them from the parsed message, so any slip here fails every
    /// round-trip and peer test.
    fn canonical_header(&self, part: &HeaderPart, id: &str) -> String {
        let mut out = format!(r#"<a:{} xmlns:a="{}""#, part.name, self.addressing.ns());
        if part.must_understand {
            let _ = write!(out, r#" xmlns:s="{}""#, self.soap.ns());
        }
        let _ = write!(out, r#" xmlns:u="{}""#, ns::WSU);
        let id_attr = (ns::WSU, format!(r#" u:Id="{}""#, attr(id)));
        let mu_attr = (
            self.soap.ns(),
            format!(r#" s:mustUnderstand="{}""#, self.soap.must_understand()),
        );
        let mut attrs = vec![id_attr];
        if part.must_understand {
            attrs.push(mu_attr);
        }
        attrs.sort_by(|x, y| x.0.cmp(y.0));
        for (_, a) in attrs {
            out.push_str(&a);
        }
        out.push('>');
        part.content.write(&mut out);
        let _ = write!(out, "</a:{}>", part.name);
        out
    }

    /// A standalone document holding only the Body, with the namespaces the envelope
    /// puts in scope around it: its exclusive canonical form is the Body's inside the
    /// envelope.
    pub fn body_document(&self, body_id: &str, body: &str) -> String {
        format!(
            r#"<s:Body xmlns:s="{}" xmlns:a="{}" xmlns:u="{}" u:Id="{}">{body}</s:Body>"#,
            self.soap.ns(),
            self.addressing.ns(),
            ns::WSU,
            attr(body_id)
        )
    }
}

/// One WS-Addressing header.
#[derive(Debug)]
struct HeaderPart<'a> {
    name: &'static str,
    must_understand: bool,
    content: Content<'a>,
}

/// What a WS-Addressing header holds.
#[derive(Debug)]
enum Content<'a> {
    /// Text, escaped as it is written.
    Text(&'a str),
    /// An endpoint reference to this address.
    Address(&'static str),
}

impl Content<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Content::Text(t) => escape_text(t, out),
            Content::Address(a) => {
                out.push_str("<a:Address>");
                out.push_str(a);
                out.push_str("</a:Address>");
            }
        }
    }
}

/// A `wsu:Timestamp`, with an id when something references it.
pub(crate) fn timestamp(id: Option<&str>, created: SystemTime, validity: Duration) -> String {
    Stamp::new(created, validity).element(id)
}

/// The two times of a Timestamp, formatted once for the element and for its canonical
/// form (a signed message writes both).
pub(crate) struct Stamp {
    created: String,
    expires: String,
}

impl Stamp {
    pub(crate) fn new(created: SystemTime, validity: Duration) -> Self {
        Stamp {
            created: format_time(created),
            expires: format_time(created + validity),
        }
    }

    /// The `wsu:Timestamp` element, with an id when something references it.
    pub(crate) fn element(&self, id: Option<&str>) -> String {
        let mut out = String::with_capacity(160);
        out.push_str("<u:Timestamp");
        if let Some(id) = id {
            out.push_str(r#" u:Id=""#);
            escape_attr(id, &mut out);
            out.push('"');
        }
        self.times(&mut out);
        out
    }

    /// The exclusive canonical form of [`element`](Self::element) inside an envelope.
    pub(crate) fn canonical(&self, id: &str) -> String {
        let mut out = String::with_capacity(256);
        out.push_str(r#"<u:Timestamp xmlns:u=""#);
        out.push_str(ns::WSU);
        out.push_str(r#"" u:Id=""#);
        escape_attr(id, &mut out);
        out.push('"');
        self.times(&mut out);
        out
    }

    /// From the start tag's `>` to the end tag.
    fn times(&self, out: &mut String) {
        out.push_str("><u:Created>");
        out.push_str(&self.created);
        out.push_str("</u:Created><u:Expires>");
        out.push_str(&self.expires);
        out.push_str("</u:Expires></u:Timestamp>");
    }
}

/// The exclusive canonical form of [`timestamp`]'s element inside an envelope.
pub(crate) fn timestamp_canonical(id: &str, created: SystemTime, validity: Duration) -> String {
    Stamp::new(created, validity).canonical(id)
}

/// A `SecurityContextToken` with its identifier (and instance, for renewed keys), and
/// optionally a cookie (opaque server state) in the WS-SC namespace.
pub(crate) fn sct(
    sc: &Sc,
    id: &str,
    identifier: &str,
    instance: Option<&str>,
    cookie: Option<&str>,
) -> String {
    let mut out = String::with_capacity(256 + cookie.map_or(0, str::len));
    out.push_str(r#"<c:SecurityContextToken u:Id=""#);
    escape_attr(id, &mut out);
    out.push_str(r#"" xmlns:c=""#);
    out.push_str(sc.sc);
    out.push_str(r#""><c:Identifier>"#);
    escape_text(identifier, &mut out);
    out.push_str("</c:Identifier>");
    if let Some(instance) = instance {
        out.push_str("<c:Instance>");
        escape_text(instance, &mut out);
        out.push_str("</c:Instance>");
    }
    if let Some(cookie) = cookie {
        out.push_str(r#"<w:Cookie xmlns:w=""#);
        out.push_str(ns::COOKIE);
        out.push_str(r#"">"#);
        escape_text(cookie, &mut out);
        out.push_str("</w:Cookie>");
    }
    out.push_str("</c:SecurityContextToken>");
    out
}

/// A reference to a security context token: by `wsu:Id` inside the message
/// (`#id`), or by its identifier when the token is not in the message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SctRef<'a> {
    Local(&'a str),
    External {
        identifier: &'a str,
        instance: Option<&'a str>,
    },
}

/// A `wsse:SecurityTokenReference` to an SCT.
pub(crate) fn sct_reference(sc: &Sc, r: SctRef<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(r#"<o:SecurityTokenReference><o:Reference URI=""#);
    match r {
        SctRef::Local(id) => {
            out.push('#');
            escape_attr(id, &mut out);
            out.push('"');
        }
        SctRef::External {
            identifier,
            instance,
        } => {
            escape_attr(identifier, &mut out);
            out.push('"');
            // WS-SC: an external reference to a renewed key names its instance, on the
            // Reference as MS-LWSSP shows it.
            if let Some(i) = instance {
                out.push_str(r#" c:Instance=""#);
                escape_attr(i, &mut out);
                out.push_str(r#"" xmlns:c=""#);
                out.push_str(sc.sc);
                out.push('"');
            }
        }
    }
    out.push_str(r#" ValueType=""#);
    out.push_str(sc.sct);
    out.push_str(r#""/></o:SecurityTokenReference>"#);
    out
}

/// A `DerivedKeyToken` as wsbind emits it: the token reference, `Offset` (never
/// `Generation`: WSS4J ignores it), `Length` and `Nonce`, default label.
pub(crate) fn derived_key_token(
    sc: &Sc,
    id: &str,
    reference: SctRef<'_>,
    length: usize,
    nonce: &[u8],
) -> String {
    use base64::Engine as _;
    format!(
        r#"<c:DerivedKeyToken u:Id="{}" xmlns:c="{}">{}<c:Offset>0</c:Offset><c:Length>{}</c:Length><c:Nonce>{}</c:Nonce></c:DerivedKeyToken>"#,
        attr(id),
        sc.sc,
        sct_reference(sc, reference),
        length,
        base64::engine::general_purpose::STANDARD.encode(nonce)
    )
}

/// A WS-Security `UsernameToken` with a text password.
pub(crate) fn username_token(id: &str, username: &str, password: &str) -> String {
    let mut out = String::with_capacity(256 + username.len() + password.len());
    out.push_str(r#"<o:UsernameToken u:Id=""#);
    escape_attr(id, &mut out);
    out.push_str(r#""><o:Username>"#);
    escape_text(username, &mut out);
    out.push_str(r#"</o:Username><o:Password Type=""#);
    out.push_str(crate::wire::uri::PASSWORD_TEXT);
    out.push_str(r#"">"#);
    escape_text(password, &mut out);
    out.push_str("</o:Password></o:UsernameToken>");
    out
}

/// A WS-Security `BinarySecurityToken` of `value_type`, base64.
pub(crate) fn binary_security_token(id: &str, value_type: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        r#"<o:BinarySecurityToken u:Id="{}" ValueType="{}" EncodingType="{}">{}</o:BinarySecurityToken>"#,
        attr(id),
        value_type,
        crate::wire::uri::BASE64_BINARY,
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A direct `wsse:SecurityTokenReference` to the token `#id` of `value_type` (MS-LWSSP
/// §2.2.1.1).
pub(crate) fn token_reference(id: &str, value_type: &str) -> String {
    format!(
        r##"<o:SecurityTokenReference><o:Reference URI="#{}" ValueType="{}"/></o:SecurityTokenReference>"##,
        attr(id),
        value_type
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(text("a<b&c>\r"), "a&lt;b&amp;c&gt;&#xD;");
        assert_eq!(attr("\"<&\t\n"), "&quot;&lt;&amp;&#x9;&#xA;");
    }

    #[test]
    fn times_round_trip() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_000_000_123);
        let s = format_time(t);
        assert!(s.ends_with('Z'), "{s}");
        assert_eq!(parse_time(&s), Ok(t));
        assert!(parse_time("2026-11-24T10:00:00+01:00").is_err());
        assert!(parse_time("yesterday").is_err());
        assert_eq!(
            parse_time("2026-11-24T00:26:47.1234567Z").map(|_| ()),
            Ok(())
        );
    }

    #[test]
    fn times_beyond_what_a_date_can_say_do_not_panic() {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(9000 * 366 * 86_400);
        assert_eq!(format_time(far), "9999-12-31T23:59:59.999Z");
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(format_time(before), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn envelope_ids_cover_headers_and_body() {
        let f = Framing {
            soap: Soap::V12,
            addressing: Addressing::V10,
        };
        let w = f.write(
            &Headers {
                action: "urn:a",
                to: Some("https://x/"),
                message_id: Some("urn:uuid:1"),
                ..Headers::default()
            },
            Some("<u:Timestamp/>"),
            "<m:Ping xmlns:m=\"urn:m\"/>",
            &[Part::Addressing, Part::Body],
        );
        assert_eq!(w.ids, ["_1", "_2", "_3", "_4"]);
        assert_eq!(w.body_id.as_deref(), Some("_4"));
        let end = w.security_end.expect("security header");
        assert!(w.text[end..].starts_with("</o:Security>"));
        assert!(w.text.contains(r#"s:mustUnderstand="true""#));
    }
}
