//! `wsbind export`: a description's WS-SecurityPolicy and a WSDL 1.1 skeleton around it,
//! in the shape WCF writes for the same binding (WS-Policy 2004/09; WS-SecurityPolicy
//! 2005/07 with Trust10, or 1.2 with Trust13 for a WS-SC 1.3 context; WCF's own
//! assertions for HTTP authentication, net.tcp and `MustNotSendCancel`), so that svcutil,
//! wsdl2java or `wsbind import` can read it. `import(export(d))` gives `d` back for
//! every template (`wsdl/tests/export.rs`).
//!
//! What WS-SecurityPolicy has no assertion for (intervals, limits, the server's
//! realm, client-side certificate leniency) is listed in [`Exported::notes`]; what cannot
//! be written at all (a udp or named-pipe channel, xml-token and saml credentials, an
//! explicit algorithm table, no SOAP envelope) is an error.

use crate::ns;
use std::fmt::Write;
use std::time::Duration;
use wsbind_compiler::description::{
    AddressingHeader, AddressingVersion, Description, EnvelopeVersion, HeaderLayout, HeaderVersion,
    KeyEntropyMode, Properties, ScVersion, SecurityContext, SignatureProfile, TimestampUsage,
};
use wsbind_compiler::model::{self, BindingKind, ChannelBinding, Scheme};

/// An exported description.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The whole WSDL: the policy, a port type, a binding referring to the policy, a
    /// service with one port.
    pub wsdl: String,
    /// The `wsp:Policy` element alone (to paste into a WSDL of one's own).
    pub policy: String,
    /// The policy's `wsu:Id`.
    pub policy_id: String,
    /// What the description says that no policy assertion can carry.
    pub notes: Vec<String>,
}

/// Names and address of the skeleton.
#[derive(Debug, Clone)]
pub struct Names {
    /// The service's name (`wsdl:service/@name`; the port type, binding, port and
    /// policy are named after it).
    pub service: String,
    /// The port's address (default: `https://localhost/{service}`, `http://…` without
    /// TLS, `net.tcp://…` on tcp).
    pub address: Option<String>,
    /// The target namespace (default `urn:wsbind:{service}`).
    pub namespace: Option<String>,
}

const INCLUDE_ALWAYS: &str = "/IncludeToken/AlwaysToRecipient";
const INCLUDE_ONCE: &str = "/IncludeToken/Once";

/// Exports a checked description (`file` as read, `d` resolved from it).
pub fn export(file: &model::File, d: &Description, names: &Names) -> Result<Exported, Vec<String>> {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let channel = file.channel.binding.value;
    let tcp = match channel {
        ChannelBinding::Http => false,
        ChannelBinding::Tcp => true,
        other => {
            errors.push(format!(
                "the {} channel has no WSDL binding WCF or WWSAPI publishes (http and tcp do)",
                other.as_str()
            ));
            false
        }
    };
    let soap12 = match d.envelope {
        Some(EnvelopeVersion::Soap11) => false,
        Some(EnvelopeVersion::None) => {
            errors.push("envelope-version = \"none\" has no SOAP binding to describe".into());
            true
        }
        _ => true,
    };
    let sc13 = d
        .security
        .context
        .as_ref()
        .is_some_and(|c| c.secure_conversation_version == ScVersion::V1_3);
    let wsa = if d.addressing == Some(AddressingVersion::V09) {
        ns::WSA_2004
    } else {
        ns::WSA_10
    };
    let sp = if sc13 { ns::SP_12 } else { ns::SP_2005 };
    let service = xml_name(&names.service);
    let policy_id = format!("{service}_policy");
    let mut w = Policy {
        out: String::new(),
        sp,
        sc13,
        wsa,
        errors: &mut errors,
        notes: &mut notes,
    };
    let sec = file.security.as_ref().map(|s| &s.value);
    let _ = write!(
        w.out,
        "<wsp:Policy wsu:Id=\"{policy_id}\"><wsp:ExactlyOne><wsp:All>"
    );
    if tcp {
        w.out.push_str("<msb:BinaryEncoding/>");
    }
    w.level(
        sec,
        &d.security.protection.properties,
        d.security.context.as_ref(),
        false,
    );
    match d.addressing {
        Some(AddressingVersion::V09) => w.out.push_str("<wsap:UsingAddressing/>"),
        Some(AddressingVersion::Transport) => {}
        _ => w.out.push_str("<wsaw:UsingAddressing/>"),
    }
    w.out.push_str("</wsp:All></wsp:ExactlyOne></wsp:Policy>");
    let policy = indent(&w.out, "  ");
    w.notes.extend(limits(d));
    if !errors.is_empty() {
        return Err(errors);
    }
    let soap = if soap12 { "soap12" } else { "soap" };
    let transport = if tcp { ns::SOAP_TCP } else { ns::SOAP_HTTP };
    let tls = d.security.protection.ssl.is_some();
    let address = names.address.clone().unwrap_or_else(|| {
        let scheme = if tcp {
            "net.tcp"
        } else if tls {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://localhost/{service}")
    });
    let target = names
        .namespace
        .clone()
        .unwrap_or_else(|| format!("urn:wsbind:{service}"));
    let mut wsdl = String::new();
    let _ = write!(
        wsdl,
        r##"<?xml version="1.0" encoding="utf-8"?>
<!-- Exported by `wsbind export`: the description's WS-SecurityPolicy and a binding skeleton
     (add the operations of your port type). -->
<wsdl:definitions name="{service}" targetNamespace="{target}"
    xmlns:wsdl="{wsdl_ns}" xmlns:soap="{soap11}" xmlns:soap12="{soap12_ns}" xmlns:tns="{target}"
    xmlns:wsp="{wsp}" xmlns:wsu="{wsu}" xmlns:sp="{sp}"
    xmlns:mssp="{mssp}" xmlns:msb="{msb}" xmlns:msf="{msf}" xmlns:http="{http}"
    xmlns:wsap="{wsap}" xmlns:wsaw="{wsaw}">
  {policy}
  <wsdl:portType name="I{service}"/>
  <wsdl:binding name="{service}_binding" type="tns:I{service}">
    <wsp:PolicyReference URI="#{policy_id}"/>
    <{soap}:binding transport="{transport}"/>
  </wsdl:binding>
  <wsdl:service name="{service}">
    <wsdl:port name="{service}_port" binding="tns:{service}_binding">
      <{soap}:address location="{address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"##,
        wsdl_ns = ns::WSDL,
        soap11 = ns::SOAP11_BINDING,
        soap12_ns = ns::SOAP12_BINDING,
        wsp = ns::WSP_2004,
        wsu = ns::WSU,
        mssp = ns::MSSP,
        msb = ns::MSB,
        msf = ns::MSF,
        http = ns::MS_HTTP,
        wsap = ns::WSA_POLICY_2004,
        wsaw = ns::WSAW,
        address = attr(&address),
        target = attr(&target),
    );
    // The bare policy carries its own declarations, to be pasted anywhere.
    let policy = policy.replacen(
        "<wsp:Policy ",
        &format!(
            "<wsp:Policy xmlns:wsp=\"{}\" xmlns:wsu=\"{}\" xmlns:sp=\"{sp}\" xmlns:mssp=\"{}\" xmlns:msb=\"{}\" xmlns:msf=\"{}\" xmlns:http=\"{}\" xmlns:wsap=\"{}\" xmlns:wsaw=\"{}\" ",
            ns::WSP_2004,
            ns::WSU,
            ns::MSSP,
            ns::MSB,
            ns::MSF,
            ns::MS_HTTP,
            ns::WSA_POLICY_2004,
            ns::WSAW
        ),
        1,
    );
    Ok(Exported {
        wsdl,
        policy,
        policy_id,
        notes,
    })
}

struct Policy<'a> {
    out: String,
    sp: &'static str,
    sc13: bool,
    /// The WS-Addressing namespace of signed headers.
    wsa: &'static str,
    errors: &'a mut Vec<String>,
    notes: &'a mut Vec<String>,
}

impl Policy<'_> {
    /// One security description: the endpoint's, or (`context` None) a bootstrap's.
    fn level(
        &mut self,
        sec: Option<&model::Security>,
        props: &Properties,
        context: Option<&SecurityContext>,
        boot_level: bool,
    ) {
        let kinds: Vec<&model::Binding> = sec
            .map(|s| s.bindings.iter().map(|b| &b.value).collect())
            .unwrap_or_default();
        let has = |k: BindingKind| kinds.iter().find(|b| b.kind.value == k).copied();
        if let Some(suite) = sec.and_then(|s| s.algorithm_suite.as_ref()) {
            let _ = suite;
            self.errors.push("an explicit algorithm-suite table has no WS-SecurityPolicy name: name the suite (algorithm-suite-name)".into());
        }
        for k in [
            BindingKind::XmlToken,
            BindingKind::Saml,
            BindingKind::NamedPipeSspiTransport,
        ] {
            if has(k).is_some() {
                self.errors.push(format!(
                    "the {} binding has no policy WCF or WWSAPI publishes for it",
                    k.as_str()
                ));
            }
        }
        let ssl = has(BindingKind::SslTransport);
        let sspi = has(BindingKind::TcpSspiTransport);
        if ssl.is_some() || sspi.is_some() {
            self.out
                .push_str("<sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy>");
            if sspi.is_some() {
                self.out.push_str("<msf:WindowsTransportSecurity><msf:ProtectionLevel>EncryptAndSign</msf:ProtectionLevel></msf:WindowsTransportSecurity>");
            } else {
                // The server requires a client certificate, or the client presents one.
                let client_cert = ssl.is_some_and(|b| {
                    b.require_client_certificate
                        .as_ref()
                        .is_some_and(|v| v.value)
                        || b.client_certificate.as_ref().is_some_and(|v| v.value)
                });
                if self.sp == ns::SP_2005 {
                    let _ = write!(
                        self.out,
                        "<sp:HttpsToken RequireClientCertificate=\"{client_cert}\"/>"
                    );
                } else if client_cert {
                    self.out.push_str("<sp:HttpsToken><wsp:Policy><sp:RequireClientCertificate/></wsp:Policy></sp:HttpsToken>");
                } else {
                    self.out
                        .push_str("<sp:HttpsToken><wsp:Policy/></sp:HttpsToken>");
                }
            }
            self.out.push_str("</wsp:Policy></sp:TransportToken>");
            match props.algorithm_suite.name {
                Some(name) => {
                    let _ = write!(
                        self.out,
                        "<sp:AlgorithmSuite><wsp:Policy><sp:{}/></wsp:Policy></sp:AlgorithmSuite>",
                        suite_local(name.as_str())
                    );
                }
                None => self.errors.push("the algorithm suite has no name".into()),
            }
            let layout = match props.security_header_layout {
                HeaderLayout::Strict => "Strict",
                HeaderLayout::Lax => "Lax",
                HeaderLayout::LaxWithTimestampFirst => "LaxTsFirst",
                HeaderLayout::LaxWithTimestampLast => "LaxTsLast",
            };
            let _ = write!(
                self.out,
                "<sp:Layout><wsp:Policy><sp:{layout}/></wsp:Policy></sp:Layout>"
            );
            // A Timestamp only where messages carry a security header: under TLS alone
            // WCF writes none (and a policy-driven peer would then send one).
            let secured = has(BindingKind::Username).is_some()
                || has(BindingKind::KerberosApreq).is_some()
                || context.is_some()
                || boot_level;
            match props.timestamp_usage {
                _ if !secured => {}
                TimestampUsage::Always => self.out.push_str("<sp:IncludeTimestamp/>"),
                TimestampUsage::Never => {}
                TimestampUsage::RequestsOnly => {
                    self.out.push_str("<sp:IncludeTimestamp/>");
                    self.notes.push("timestamp-usage = \"requests-only\": WS-SecurityPolicy's IncludeTimestamp asks for a Timestamp both ways".into());
                }
            }
            self.out.push_str("</wsp:Policy></sp:TransportBinding>");
        } else if !kinds.is_empty()
            && props.transport_protection_level
                != wsbind_compiler::description::ProtectionLevel::None
        {
            self.notes.push(
                "transport protection without a transport security binding is not written".into(),
            );
        }
        if let Some(h) = has(BindingKind::HttpHeaderAuth) {
            let schemes: Vec<Scheme> = h
                .scheme
                .as_ref()
                .map(|l| l.value.iter().map(|s| s.value).collect())
                .unwrap_or_else(|| vec![Scheme::Negotiate]);
            for s in schemes {
                let local = match s {
                    Scheme::Basic => "BasicAuthentication",
                    Scheme::Digest => "DigestAuthentication",
                    Scheme::Ntlm => "NtlmAuthentication",
                    Scheme::Negotiate => "NegotiateAuthentication",
                    Scheme::None | Scheme::Passport => {
                        self.notes.push(format!(
                            "the http header scheme {} has no policy assertion",
                            s.as_str()
                        ));
                        continue;
                    }
                };
                let _ = write!(self.out, "<http:{local}/>");
            }
        }
        let include = |sp: &str, how: &str| format!("{sp}{how}");
        if has(BindingKind::Username).is_some() {
            let _ = write!(
                self.out,
                "<sp:SignedSupportingTokens><wsp:Policy><sp:UsernameToken sp:IncludeToken=\"{}\"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedSupportingTokens>",
                include(self.sp, INCLUDE_ALWAYS)
            );
        }
        if has(BindingKind::KerberosApreq).is_some() {
            let _ = write!(
                self.out,
                "<sp:EndorsingSupportingTokens><wsp:Policy><sp:KerberosToken sp:IncludeToken=\"{}\"><wsp:Policy><sp:WssGssKerberosV5ApReqToken11/></wsp:Policy></sp:KerberosToken></wsp:Policy></sp:EndorsingSupportingTokens>",
                include(self.sp, INCLUDE_ONCE)
            );
        }
        let message =
            has(BindingKind::Username).is_some() || has(BindingKind::KerberosApreq).is_some();
        if let Some(ctx) = context {
            let boot_model = kinds
                .iter()
                .find(|b| b.kind.value == BindingKind::SecurityContext)
                .and_then(|b| b.bootstrap.as_ref())
                .map(|s| &s.value);
            let _ = write!(
                self.out,
                "<sp:EndorsingSupportingTokens><wsp:Policy><sp:SecureConversationToken sp:IncludeToken=\"{}\"><wsp:Policy>",
                include(self.sp, INCLUDE_ALWAYS)
            );
            if ctx.signature_profile == SignatureProfile::DerivedKeys {
                self.out.push_str("<sp:RequireDerivedKeys/>");
            }
            if !ctx.send_cancel {
                self.out.push_str("<mssp:MustNotSendCancel/>");
            }
            if !ctx.support_renew {
                self.out.push_str("<mssp:MustNotSendRenew/>");
            }
            self.out.push_str("<sp:BootstrapPolicy><wsp:Policy>");
            self.level(boot_model, &ctx.bootstrap.properties, None, true);
            self.trust(ctx.key_entropy_mode);
            self.out.push_str(
                "</wsp:Policy></sp:BootstrapPolicy></wsp:Policy></sp:SecureConversationToken>",
            );
            if !ctx.signed_headers.is_empty() {
                self.out.push_str("<sp:SignedParts>");
                for h in ctx.signed_headers.iter() {
                    let name = match h {
                        AddressingHeader::To => "To",
                        AddressingHeader::Action => "Action",
                        AddressingHeader::MessageId => "MessageID",
                        AddressingHeader::ReplyTo => "ReplyTo",
                    };
                    let _ = write!(
                        self.out,
                        "<sp:Header Name=\"{name}\" Namespace=\"{}\"/>",
                        self.wsa
                    );
                }
                self.out.push_str("</sp:SignedParts>");
            }
            self.out
                .push_str("</wsp:Policy></sp:EndorsingSupportingTokens>");
            if ctx.key_size.is_some() {
                self.notes.push(format!(
                    "key-size = {}: WS-SecurityPolicy sizes a context's key by the algorithm suite",
                    ctx.key_size.unwrap_or_default()
                ));
            }
        }
        if message || context.is_some() || props.security_header_version != HeaderVersion::V1_1 {
            let wss = match props.security_header_version {
                HeaderVersion::V1_0 => "Wss10",
                HeaderVersion::V1_1 => "Wss11",
            };
            let _ = write!(self.out, "<sp:{wss}><wsp:Policy/></sp:{wss}>");
        }
        if let Some(ctx) = context {
            self.trust(ctx.key_entropy_mode);
        }
    }

    fn trust(&mut self, entropy: KeyEntropyMode) {
        let trust = if self.sc13 { "Trust13" } else { "Trust10" };
        let _ = write!(
            self.out,
            "<sp:{trust}><wsp:Policy><sp:MustSupportIssuedTokens/>"
        );
        if matches!(
            entropy,
            KeyEntropyMode::ClientOnly | KeyEntropyMode::Combined
        ) {
            self.out.push_str("<sp:RequireClientEntropy/>");
        }
        if matches!(
            entropy,
            KeyEntropyMode::ServerOnly | KeyEntropyMode::Combined
        ) {
            self.out.push_str("<sp:RequireServerEntropy/>");
        }
        let _ = write!(self.out, "</wsp:Policy></sp:{trust}>");
    }
}

/// What the description says beyond its defaults that no policy assertion carries.
fn limits(d: &Description) -> Vec<String> {
    let mut notes = Vec::new();
    let five = Duration::from_secs(300);
    let p = &d.security.protection.properties;
    for (key, value) in [
        ("max-allowed-latency", p.max_allowed_latency),
        ("timestamp-validity-duration", p.timestamp_validity_duration),
        ("max-allowed-clock-skew", p.max_allowed_clock_skew),
    ] {
        if value != five {
            notes.push(format!(
                "{key} = {}s is the service's own setting: no assertion carries it",
                value.as_secs()
            ));
        }
    }
    if let Some(c) = &d.security.context {
        if c.renewal_interval != Duration::from_secs(36_000) {
            notes.push(format!(
                "renewal-interval = {}s is the service's own setting",
                c.renewal_interval.as_secs()
            ));
        }
        if c.rollover_interval != five {
            notes.push(format!(
                "rollover-interval = {}s is the service's own setting",
                c.rollover_interval.as_secs()
            ));
        }
        if c.max_pending_contexts != 100 || c.max_active_contexts != 1000 {
            notes.push(
                "max-pending-contexts and max-active-contexts are the service's own limits".into(),
            );
        }
    }
    if !p.service_identities.is_empty() {
        notes.push("service-identities are the server's: a WSDL names its identity in the port's EndpointReference, which the skeleton leaves out".into());
    }
    notes
}

/// `basic256-sha256-rsa15` → `Basic256Sha256Rsa15`.
fn suite_local(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A name usable as an NCName and in a `wsu:Id`.
fn xml_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

fn attr(s: &str) -> String {
    let mut out = String::new();
    wsbind_xml::c14n::escape_attr(s, &mut out);
    out
}

/// The policy written one element a line, nested two spaces deeper each level, as WCF
/// writes it (`out` holds tags and one element's text, `msf:ProtectionLevel`'s).
fn indent(xml: &str, first: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + end + 1];
        rest = &rest[start + end + 1..];
        if !text.is_empty() {
            // Text stays on its element's line, with the closing tag.
            out.push_str(text);
            out.push_str(tag);
            depth = depth.saturating_sub(1);
            continue;
        }
        let closing = tag.starts_with("</");
        let empty = tag.ends_with("/>");
        if closing {
            depth = depth.saturating_sub(1);
        }
        if !out.is_empty() {
            out.push('\n');
            out.push_str(first);
            out.push_str(&"  ".repeat(depth));
        }
        out.push_str(tag);
        if !closing && !empty {
            depth += 1;
        }
    }
    out
}

/// A WSDL of one's own with the exported policy filled in: the `wsp:Policy` becomes the
/// first child of `wsdl:definitions`, and every `wsdl:binding` that names no policy gets
/// a `wsp:PolicyReference` to it. The rest of the text is kept byte for byte (serve the
/// result with `Server::with_wsdl`).
pub fn fill(wsdl: &str, exported: &Exported) -> Result<String, String> {
    use wsbind_xml::dom::Document;
    let doc = Document::parse(wsdl, &crate::docs::limits()).map_err(|e| {
        let (l, c) = e
            .offset()
            .map_or((0, 0), |o| wsbind_xml::dom::line_col(wsdl, o));
        format!("the WSDL is not well-formed XML ({l}:{c}): {e}")
    })?;
    let root = doc.root();
    if !doc.is(root, ns::WSDL, "definitions") {
        return Err("the document is not a WSDL 1.1 `wsdl:definitions`".into());
    }
    // (offset, text) insertions, applied from the end.
    let mut inserts = vec![(
        start_tag_end(wsdl, doc.range(root).start)?,
        format!("\n  {}", exported.policy),
    )];
    let reference = format!(
        "<wsp:PolicyReference xmlns:wsp=\"{}\" URI=\"#{}\"/>",
        ns::WSP_2004,
        exported.policy_id
    );
    let bindings: Vec<_> = doc
        .children(root)
        .filter(|&c| doc.is(c, ns::WSDL, "binding"))
        .collect();
    if bindings.is_empty() {
        return Err("the WSDL has no `wsdl:binding` to attach the policy to".into());
    }
    for b in bindings {
        let named = doc.children(b).any(|c| {
            ns::is_wsp(doc.namespace(c))
                && matches!(doc.local_name(c), "Policy" | "PolicyReference")
        });
        if !named {
            inserts.push((
                start_tag_end(wsdl, doc.range(b).start)?,
                format!("\n    {reference}"),
            ));
        }
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = wsdl.to_owned();
    for (at, text) in inserts {
        out.insert_str(at, &text);
    }
    Ok(out)
}

/// The offset just past the `>` of the start tag at `start` (quotes skipped).
fn start_tag_end(text: &str, start: usize) -> Result<usize, String> {
    let mut quote = None;
    for (i, c) in text[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                if text[..start + i].ends_with('/') {
                    return Err("an empty element cannot take the policy".into());
                }
                return Ok(start + i + 1);
            }
            _ => {}
        }
    }
    Err("a start tag does not end".into())
}
