//! One policy alternative mapped onto the WWSAPI security model, the way WWSAPI's
//! metadata import maps WS-SecurityPolicy: TransportBinding/HttpsToken → ssl-transport,
//! supporting UsernameToken → username, KerberosToken → kerberos-apreq, an endorsing
//! SecureConversationToken → security-context with its BootstrapPolicy, AlgorithmSuite,
//! Layout, IncludeTimestamp, Wss10/Wss11, Trust10/Trust13 entropy, the WS-Addressing
//! assertions. What has no counterpart is a WSB0052 error naming the assertion; what the
//! model has no use for is a WSB0053 warning. Nothing is dropped silently.

use crate::docs::Docs;
use crate::ns;
use crate::policy::{qname, Assertion};
use crate::{error, Found};
use wsbind_compiler::rules;
use wsbind_xml::dom::Element;

/// A value as the TOML writer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    Bool(bool),
    List(Vec<String>),
}

/// Where a value comes from: an element of a document, and its path from the policy's
/// alternative (`sp:TransportBinding/sp:AlgorithmSuite/sp:Basic256`).
#[derive(Debug, Clone)]
pub(crate) struct From {
    pub doc: usize,
    pub el: Element,
    pub path: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub key: &'static str,
    pub value: Value,
    pub from: From,
}

/// A security description being built (the endpoint's, or a bootstrap's).
#[derive(Debug, Default)]
pub(crate) struct SecDraft {
    pub props: Vec<Setting>,
    pub bindings: Vec<BindingDraft>,
}

#[derive(Debug)]
pub(crate) struct BindingDraft {
    pub kind: &'static str,
    pub from: From,
    pub settings: Vec<Setting>,
    /// A security context's bootstrap, and the `sp:BootstrapPolicy` it comes from.
    pub bootstrap: Option<(From, SecDraft)>,
}

/// What one alternative maps to, and what was found on the way.
#[derive(Debug)]
pub(crate) struct Mapped {
    pub security: SecDraft,
    pub addressing: Option<Setting>,
    pub found: Vec<Found>,
}

impl Mapped {
    pub fn fits(&self) -> bool {
        !self.found.iter().any(|f| f.diagnostic.is_error())
    }
}

const ASK_FOR_TMC: &str = "ask the service owner for an endpoint with WCF's TransportWithMessageCredential security over HTTPS and a UserName credential (with or without a security context), or with transport security alone";

/// A level's results before they are put in order.
#[derive(Default)]
struct Level {
    props: Vec<Setting>,
    transport: Vec<BindingDraft>,
    header_auth: Option<BindingDraft>,
    message: Vec<BindingDraft>,
    context: Option<Context>,
    addressing: Option<Setting>,
    entropy: Option<Setting>,
}

struct Context {
    binding: BindingDraft,
    boot_entropy: Option<Setting>,
    /// `sp:SignedParts` beside the token in the endorsing supporting tokens.
    signed_parts: Option<(Assertion, String)>,
    derived: bool,
}

pub(crate) struct Mapper<'a, 's> {
    docs: &'a Docs<'s>,
    found: Vec<Found>,
    tcp: bool,
}

/// Maps one alternative of the endpoint's effective policy (`tcp`: the port is WCF's
/// net.tcp, the WWSAPI tcp channel).
pub(crate) fn alternative(docs: &Docs<'_>, alt: &[Assertion], tcp: bool) -> Mapped {
    let mut m = Mapper {
        docs,
        found: Vec::new(),
        tcp,
    };
    let mut lv = m.level(alt, "", false);
    let addressing = lv.addressing.take();
    let security = m.finish(lv);
    Mapped {
        security,
        addressing,
        found: m.found,
    }
}

impl Mapper<'_, '_> {
    fn names(&self, a: &Assertion) -> (&str, &str, String) {
        let d = self.docs.doc(a.doc);
        let q = qname(d.prefix(a.el), d.local_name(a.el));
        (d.namespace(a.el), d.local_name(a.el), q)
    }

    fn from(&self, a: &Assertion, path: &str) -> From {
        From {
            doc: a.doc,
            el: a.el,
            path: path.to_owned(),
        }
    }

    fn set(&self, key: &'static str, value: Value, a: &Assertion, path: &str) -> Setting {
        Setting {
            key,
            value,
            from: self.from(a, path),
        }
    }

    fn refuse(&mut self, a: &Assertion, path: &str, message: String, label: &str, help: &str) {
        let mut f = error(
            &rules::WSB0052,
            a.doc,
            self.docs.name_range(a.doc, a.el),
            format!("{message} (at `{path}`)"),
            label,
        );
        if !help.is_empty() {
            f = f.help(help);
        }
        self.found.push(f);
    }

    fn note(&mut self, a: &Assertion, path: &str, message: String) {
        self.found.push(error(
            &rules::WSB0053,
            a.doc,
            self.docs.name_range(a.doc, a.el),
            format!("{message} (at `{path}`)"),
            "not imported",
        ));
    }

    fn unknown(&mut self, a: &Assertion, path: &str) {
        let (_, _, q) = self.names(a);
        self.refuse(
            a,
            path,
            format!("`{q}` has no counterpart in the WWSAPI security model"),
            "not expressible",
            ASK_FOR_TMC,
        );
    }

    fn nested<'x>(&self, a: &'x Assertion) -> &'x [Assertion] {
        a.nested.as_deref().unwrap_or(&[])
    }

    /// The nested assertions of `a` in WS-SecurityPolicy's namespaces (and Microsoft's,
    /// with `mssp`), each with its local name, qualified name and path; any other is a
    /// WSB0053 warning that names it.
    fn nested_sp(
        &mut self,
        a: &Assertion,
        here: &str,
        mssp: bool,
    ) -> Vec<(Assertion, String, String, String)> {
        let mut out = Vec::new();
        for n in self.nested(a).to_vec() {
            let (nns, nl, nq) = self.names(&n);
            let (known, nl) = (ns::is_sp(nns) || (mssp && nns == ns::MSSP), nl.to_owned());
            let nhere = join(here, &nq);
            if known {
                out.push((n, nl, nq, nhere));
            } else {
                self.note(
                    &n,
                    &nhere,
                    format!("`{nq}` is not a WS-SecurityPolicy assertion wsbind knows"),
                );
            }
        }
        out
    }

    /// One security description's assertions.
    fn level(&mut self, alt: &[Assertion], path: &str, bootstrap: bool) -> Level {
        let mut lv = Level::default();
        for a in alt {
            let (ns, local, q) = self.names(a);
            let (ns, local) = (ns.to_owned(), local.to_owned());
            let here = join(path, &q);
            if a.optional {
                self.note(a, &here, format!("`{q}` is optional (wsp:Optional): the service accepts messages without it, and wsbind imports what the service requires"));
                continue;
            }
            if ns::is_sp(&ns) {
                match local.as_str() {
                    "TransportBinding" => self.transport_binding(a, &here, &mut lv),
                    "SymmetricBinding" | "AsymmetricBinding" => self.refuse(
                        a,
                        &here,
                        format!("`{q}` asks for message-mode security (each message signed and encrypted with message keys), which the WWSAPI model does not have"),
                        "message security",
                        ASK_FOR_TMC,
                    ),
                    "SupportingTokens" | "SignedSupportingTokens" | "SignedEncryptedSupportingTokens" | "EncryptedSupportingTokens" => {
                        self.supporting(a, &here, false, &mut lv)
                    }
                    "EndorsingSupportingTokens" | "SignedEndorsingSupportingTokens" | "EndorsingEncryptedSupportingTokens" | "SignedEndorsingEncryptedSupportingTokens" => {
                        self.supporting(a, &here, true, &mut lv)
                    }
                    "Wss10" | "Wss11" => {
                        let v = if local == "Wss10" { "1.0" } else { "1.1" };
                        lv.props.push(self.set("security-header-version", Value::Str(v.into()), a, &here));
                        self.capabilities(a, &here, "capabilities of token references, which wsbind does not use: it names the context by its identifier");
                    }
                    "Trust10" | "Trust13" => self.trust(a, &here, &mut lv),
                    "SignedParts" | "EncryptedParts" | "SignedElements" | "EncryptedElements" | "ContentEncryptedElements" | "RequiredElements" | "RequiredParts" => {
                        let why = if bootstrap { "the bootstrap runs over TLS, which protects the whole message" } else { "TLS protects the whole message" };
                        self.note(a, &here, format!("`{q}`: {why}; wsbind signs what the security context's signature covers"));
                    }
                    _ => self.unknown(a, &here),
                }
            } else if ns == ns::WSA_POLICY_2004 && local == "UsingAddressing" {
                lv.addressing =
                    Some(self.set("addressing-version", Value::Str("0.9".into()), a, &here));
            } else if (ns == ns::WSAW && local == "UsingAddressing")
                || (ns == ns::WSAM && local == "Addressing")
            {
                lv.addressing =
                    Some(self.set("addressing-version", Value::Str("1.0".into()), a, &here));
                for n in self.nested(a).to_vec() {
                    let (_, nl, nq) = self.names(&n);
                    if nl == "NonAnonymousResponses" {
                        self.note(&n, &join(&here, &nq), format!("`{nq}`: replies go back on the HTTP response; wsbind does not send them elsewhere"));
                    }
                }
            } else if ns == ns::MSB && local == "BinaryEncoding" && self.tcp {
                // net.tcp's own encoding: WWSAPI's tcp channel speaks it.
            } else if ns == ns::MS_HTTP {
                let scheme = match local.as_str() {
                    "BasicAuthentication" => "basic",
                    "DigestAuthentication" => "digest",
                    "NtlmAuthentication" => "ntlm",
                    "NegotiateAuthentication" => "negotiate",
                    _ => {
                        self.note(
                            a,
                            &here,
                            format!("`{q}` is not an HTTP authentication scheme wsbind knows"),
                        );
                        continue;
                    }
                };
                self.header_scheme(&mut lv, a, &here, scheme);
            } else if ns == ns::MSB && local == "BinaryEncoding" {
                self.refuse(a, &here, format!("`{q}` asks for WCF's binary message encoding; wsbind writes SOAP as text XML"), "binary encoding", "ask for a text-encoded endpoint (WCF's basicHttpBinding or wsHttpBinding)");
            } else if ns::is_wsp(&ns) {
                self.unknown(a, &here);
            } else {
                self.note(
                    a,
                    &here,
                    format!("`{q}` (namespace `{ns}`) is not a security assertion wsbind knows"),
                );
            }
        }
        lv
    }

    /// A policy's nested assertions that are capabilities wsbind has no use for: one
    /// warning naming them.
    fn capabilities(&mut self, a: &Assertion, path: &str, why: &str) {
        let names: Vec<String> = self.nested(a).iter().map(|n| self.names(n).2).collect();
        if !names.is_empty() {
            let (_, _, q) = self.names(a);
            self.note(a, path, format!("`{q}`'s {}: {why}", names.join(", ")));
        }
    }

    /// An HTTP header authentication scheme the policy asks for.
    fn header_scheme(&mut self, lv: &mut Level, a: &Assertion, here: &str, scheme: &str) {
        let from = self.from(a, here);
        let b = lv.header_auth.get_or_insert_with(|| BindingDraft {
            kind: "http-header-auth",
            from: from.clone(),
            settings: Vec::new(),
            bootstrap: None,
        });
        match b.settings.iter_mut().find(|s| s.key == "scheme") {
            Some(Setting {
                value: Value::List(l),
                ..
            }) => {
                if !l.iter().any(|x| x == scheme) {
                    l.push(scheme.into())
                }
            }
            _ => b.settings.push(Setting {
                key: "scheme",
                value: Value::List(vec![scheme.into()]),
                from,
            }),
        }
    }

    fn transport_binding(&mut self, a: &Assertion, here: &str, lv: &mut Level) {
        let mut ssl = BindingDraft {
            kind: "ssl-transport",
            from: self.from(a, here),
            settings: Vec::new(),
            bootstrap: None,
        };
        for (n, nl, _, nhere) in self.nested_sp(a, here, false) {
            match nl.as_str() {
                "TransportToken" => {
                    for t in self.nested(&n).to_vec() {
                        let (tns, tl, tq) = self.names(&t);
                        let there = join(&nhere, &tq);
                        if tns == ns::MSF && tl == "WindowsTransportSecurity" && self.tcp {
                            // net.tcp's Windows stream security: WWSAPI's tcp-sspi-transport.
                            ssl.kind = "tcp-sspi-transport";
                            ssl.from = self.from(&t, &there);
                            continue;
                        }
                        if tl != "HttpsToken" {
                            self.refuse(
                                &t,
                                &there,
                                format!(
                                    "`{tq}` as the transport token: wsbind's transport is HTTPS"
                                ),
                                "not HTTPS",
                                ASK_FOR_TMC,
                            );
                            continue;
                        }
                        let d = self.docs.doc(t.doc);
                        if d.attr(t.el, "", "RequireClientCertificate")
                            .is_some_and(|v| v.trim() == "true")
                        {
                            // The server requires it; the client presents it.
                            ssl.settings.push(self.set(
                                "require-client-certificate",
                                Value::Bool(true),
                                &t,
                                &there,
                            ));
                            ssl.settings.push(self.set(
                                "wsbind-client-certificate",
                                Value::Bool(true),
                                &t,
                                &there,
                            ));
                        }
                        for h in self.nested(&t).to_vec() {
                            let (_, hl, hq) = self.names(&h);
                            let hhere = join(&there, &hq);
                            match hl {
                                "RequireClientCertificate" => {
                                    for key in
                                        ["require-client-certificate", "wsbind-client-certificate"]
                                    {
                                        ssl.settings.push(self.set(
                                            key,
                                            Value::Bool(true),
                                            &h,
                                            &hhere,
                                        ));
                                    }
                                }
                                "HttpBasicAuthentication" | "HttpDigestAuthentication" => {
                                    let scheme = if hl == "HttpBasicAuthentication" {
                                        "basic"
                                    } else {
                                        "digest"
                                    };
                                    self.header_scheme(lv, &h, &hhere, scheme);
                                }
                                _ => self.unknown(&h, &hhere),
                            }
                        }
                    }
                }
                "AlgorithmSuite" => self.suite(&n, &nhere, lv),
                "Layout" => {
                    for l in self.nested(&n).to_vec() {
                        let (_, ll, lq) = self.names(&l);
                        let v = match ll {
                            "Strict" => "strict",
                            "Lax" => "lax",
                            "LaxTsFirst" => "lax-with-timestamp-first",
                            "LaxTsLast" => "lax-with-timestamp-last",
                            _ => {
                                self.unknown(&l, &join(&nhere, &lq));
                                continue;
                            }
                        };
                        lv.props.push(self.set(
                            "security-header-layout",
                            Value::Str(v.into()),
                            &l,
                            &join(&nhere, &lq),
                        ));
                    }
                }
                "IncludeTimestamp" => lv.props.push(self.set(
                    "timestamp-usage",
                    Value::Str("always".into()),
                    &n,
                    &nhere,
                )),
                _ => self.unknown(&n, &nhere),
            }
        }
        lv.transport.push(ssl);
    }

    fn suite(&mut self, n: &Assertion, here: &str, lv: &mut Level) {
        for s in self.nested(n).to_vec() {
            let (_, sl, sq) = self.names(&s);
            let shere = join(here, &sq);
            match suite_name(sl) {
                Some((name, _bits)) => {
                    lv.props.push(self.set("algorithm-suite-name", Value::Str(name), &s, &shere));
                }
                None if sl == "InclusiveC14N" || sl == "SOAPNormalization10" || sl == "STRTransform10" || sl == "XPath10" || sl == "XPathFilter20" => {
                    self.refuse(&s, &shere, format!("`{sq}` changes how signed XML is transformed; WWSAPI and wsbind use exclusive C14N"), "not expressible", "")
                }
                None => self.refuse(&s, &shere, format!("`{sq}` is not an algorithm suite WWSAPI has (WS_SECURITY_ALGORITHM_SUITE_NAME: Basic128 to Basic256, with Sha256 and Rsa15 variants)"), "unknown suite", ""),
            }
        }
    }

    fn trust(&mut self, a: &Assertion, here: &str, lv: &mut Level) {
        let mut client = false;
        let mut server = false;
        let mut other = Vec::new();
        for n in self.nested(a) {
            let (_, nl, nq) = self.names(n);
            match nl {
                "RequireClientEntropy" => client = true,
                "RequireServerEntropy" => server = true,
                _ => other.push(nq),
            }
        }
        let mode = match (client, server) {
            (true, true) => "combined",
            (true, false) => "client-only",
            _ => "server-only",
        };
        lv.entropy = Some(self.set("key-entropy-mode", Value::Str(mode.into()), a, here));
        if !other.is_empty() {
            let (_, _, q) = self.names(a);
            self.note(a, here, format!("`{q}`'s {}: WS-Trust options wsbind does not use (it issues and reads security context tokens only)", other.join(", ")));
        }
    }

    fn supporting(&mut self, a: &Assertion, here: &str, endorsing: bool, lv: &mut Level) {
        let mut signed_parts = None;
        for (t, tl, tq, there) in self.nested_sp(a, here, false) {
            match tl.as_str() {
                "UsernameToken" => {
                    if endorsing {
                        self.refuse(&t, &there, "a username token cannot endorse (sign) a message".into(), "endorsing username", ASK_FOR_TMC);
                        continue;
                    }
                    for n in self.nested(&t).to_vec() {
                        let (_, nl, nq) = self.names(&n);
                        match nl {
                            "WssUsernameToken10" | "WssUsernameToken11" => {}
                            "HashPassword" | "NoPassword" => self.refuse(&n, &join(&there, &nq), format!("`{nq}`: WWSAPI sends the username's password as text, protected by TLS"), "not expressible", ASK_FOR_TMC),
                            _ => self.note(&n, &join(&there, &nq), format!("`{nq}` on the username token is not imported")),
                        }
                    }
                    lv.message.push(BindingDraft {
                        kind: "username",
                        from: self.from(&t, &there),
                        settings: vec![self.set("usage", Value::Str("supporting".into()), &t, &there)],
                        bootstrap: None,
                    });
                }
                "KerberosToken" => {
                    for n in self.nested(&t).to_vec() {
                        let (_, nl, nq) = self.names(&n);
                        if !matches!(nl, "WssKerberosV5ApReqToken11" | "WssGssKerberosV5ApReqToken11") {
                            self.note(&n, &join(&there, &nq), format!("`{nq}` on the Kerberos token is not imported"));
                        }
                    }
                    lv.message.push(BindingDraft {
                        kind: "kerberos-apreq",
                        from: self.from(&t, &there),
                        settings: vec![self.set("usage", Value::Str("supporting".into()), &t, &there)],
                        bootstrap: None,
                    });
                }
                "SecureConversationToken" => {
                    if !endorsing {
                        self.refuse(&t, &there, format!("`{tq}` outside endorsing supporting tokens: a security context signs the messages it secures"), "not endorsing", ASK_FOR_TMC);
                    } else if lv.context.is_some() {
                        self.refuse(&t, &there, "a second security context token".into(), "second context", "");
                    } else {
                        lv.context = Some(self.context(&t, &there));
                    }
                }
                "X509Token" => self.refuse(&t, &there, "an X.509 certificate as a message credential".into(), "X.509 message credential", ASK_FOR_TMC),
                "IssuedToken" | "SamlToken" | "RelToken" | "KeyValueToken" => self.refuse(&t, &there, format!("`{tq}`: issued (federated) tokens as message credentials"), "issued token", ASK_FOR_TMC),
                "SpnegoContextToken" => self.refuse(&t, &there, "an SPNEGO negotiation (WCF's message security with a Windows credential and negotiateServiceCredential)".into(), "SPNEGO", ASK_FOR_TMC),
                "SslContextToken" => self.refuse(&t, &there, "a TLSNEGO negotiation (TLS inside SOAP messages)".into(), "TLSNEGO", ASK_FOR_TMC),
                "SignedParts" => signed_parts = Some((t.clone(), there)),
                "EncryptedParts" | "SignedElements" | "EncryptedElements" | "ContentEncryptedElements" => {
                    self.note(&t, &there, format!("`{tq}`: TLS protects the whole message"));
                }
                "AlgorithmSuite" => self.note(&t, &there, format!("`{tq}` of supporting tokens: the endpoint's suite applies")),
                _ => self.unknown(&t, &there),
            }
        }
        if let Some((sp, there)) = signed_parts {
            match lv.context.as_mut() {
                Some(c) if endorsing && c.signed_parts.is_none() => {
                    c.signed_parts = Some((sp, there))
                }
                _ => {
                    let (_, _, q) = self.names(&sp);
                    self.note(
                        &sp,
                        &there,
                        format!("`{q}`: TLS protects the whole message"),
                    );
                }
            }
        }
    }

    fn context(&mut self, t: &Assertion, here: &str) -> Context {
        let (tns, _, _) = self.names(t);
        let version = if tns == ns::SP_2005 {
            "feb-2005"
        } else {
            "1.3"
        };
        let mut binding = BindingDraft {
            kind: "security-context",
            from: self.from(t, here),
            settings: vec![
                self.set("usage", Value::Str("supporting".into()), t, here),
                self.set(
                    "secure-conversation-version",
                    Value::Str(version.into()),
                    t,
                    here,
                ),
            ],
            bootstrap: None,
        };
        let mut c_entropy = None;
        let mut derived = false;
        let mut saw_bootstrap = false;
        for (n, nl, nq, nhere) in self.nested_sp(t, here, true) {
            match nl.as_str() {
                "RequireDerivedKeys" | "RequireImpliedDerivedKeys" | "RequireExplicitDerivedKeys" => {
                    derived = true;
                    binding.settings.push(self.set("wsbind-signature", Value::Str("derived-keys".into()), &n, &nhere));
                }
                "SC10SecurityContextToken" | "SC13SecurityContextToken" => {
                    let v = if nl == "SC10SecurityContextToken" { "feb-2005" } else { "1.3" };
                    let s = self.set("secure-conversation-version", Value::Str(v.into()), &n, &nhere);
                    if let Some(x) = binding.settings.iter_mut().find(|s| s.key == "secure-conversation-version") {
                        *x = s;
                    }
                }
                "RequireExternalUriReference" => self.note(&n, &nhere, format!("`{nq}`: wsbind refers to the context by its identifier in the token it sends")),
                "MustNotSendCancel" => binding.settings.push(self.set("wsbind-send-cancel", Value::Bool(false), &n, &nhere)),
                "MustNotSendRenew" => binding.settings.push(self.set("support-renew", Value::Bool(false), &n, &nhere)),
                "MustNotSendAmend" => self.note(&n, &nhere, format!("`{nq}`: wsbind never sends an Amend")),
                "BootstrapPolicy" => {
                    saw_bootstrap = true;
                    let inner = self.nested(&n).to_vec();
                    let mut boot = self.level(&inner, &nhere, true);
                    c_entropy = boot.entropy.take();
                    if let Some(a) = boot.addressing.take() {
                        let _ = a;
                    }
                    if boot.context.is_some() {
                        self.refuse(&n, &nhere, "a security context bootstrapped by another security context".into(), "nested context", "");
                    }
                    binding.bootstrap = Some((self.from(&n, &nhere), self.finish(boot)));
                }
                _ => self.unknown(&n, &nhere),
            }
        }
        if !saw_bootstrap {
            self.refuse(t, here, "a security context token without `sp:BootstrapPolicy`: how the context is negotiated is not said".into(), "no bootstrap policy", "");
        }
        Context {
            binding,
            boot_entropy: c_entropy,
            signed_parts: None,
            derived,
        }
    }

    /// `sp:SignedParts` beside the context token: the headers its signature covers.
    fn signed_headers(&mut self, c: &mut Context, sp: &Assertion, here: &str) {
        let d = self.docs.doc(sp.doc);
        let mut headers = Vec::new();
        let children: Vec<Element> = d.children(sp.el).collect();
        for part in children {
            let ptq = qname(d.prefix(part), d.local_name(part));
            let phere = join(here, &ptq);
            let pa = Assertion {
                doc: sp.doc,
                el: part,
                optional: false,
                nested: None,
            };
            match d.local_name(part) {
                "Body" if c.derived => {}
                "Body" => self.refuse(&pa, &phere, "the security context's signature is asked to cover the Body; wsbind signs as MS-LWSSP does (the Timestamp and the addressing headers named), with TLS protecting the Body".into(), "Body signed by the context", ASK_FOR_TMC),
                "Header" => {
                    let name = d.attr(part, "", "Name").unwrap_or("");
                    let hns = d.attr(part, "", "Namespace").unwrap_or("");
                    let key = match (name, hns == ns::WSA_2004 || hns == ns::WSA_10) {
                        ("To", true) => "to",
                        ("Action", true) => "action",
                        ("MessageID", true) => "message-id",
                        ("ReplyTo", true) => "reply-to",
                        _ => {
                            let what = if name.is_empty() { format!("every header of `{hns}`") } else { format!("the header `{name}` of `{hns}`") };
                            if !c.derived {
                                self.refuse(&pa, &phere, format!("the security context's signature is asked to cover {what}; wsbind can sign To, Action, MessageID and ReplyTo"), "header not signed", "");
                            }
                            continue;
                        }
                    };
                    if !headers.contains(&key.to_owned()) {
                        headers.push(key.to_owned());
                    }
                }
                _ => self.note(&pa, &phere, format!("`{ptq}` in the signed parts is not imported")),
            }
        }
        if !headers.is_empty() && !c.derived {
            c.binding.settings.push(Setting {
                key: "wsbind-signed-headers",
                value: Value::List(headers),
                from: self.from(sp, here),
            });
        }
    }

    /// A level's bindings in order: the transport, header authentication, message
    /// credentials, the security context.
    fn finish(&mut self, mut lv: Level) -> SecDraft {
        if lv.transport.is_empty()
            && (lv.header_auth.is_some() || !lv.message.is_empty() || lv.context.is_some())
        {
            if let Some(first) = lv
                .header_auth
                .as_ref()
                .or(lv.message.first())
                .or(lv.context.as_ref().map(|c| &c.binding))
            {
                // Credentials without transport security: the policy has no TransportBinding.
                lv.props.insert(
                    0,
                    Setting {
                        key: "transport-protection-level",
                        value: Value::Str("none".into()),
                        from: first.from.clone(),
                    },
                );
            }
        }
        // No `sp:IncludeTimestamp` where messages carry a security header (message
        // credentials or a context): the service expects them without a Timestamp.
        // Under TLS alone there is no header, and no timestamp to say anything about.
        let secured = !lv.message.is_empty() || lv.context.is_some();
        if secured && !lv.props.iter().any(|p| p.key == "timestamp-usage") {
            if let Some(t) = lv.transport.first() {
                lv.props.push(Setting {
                    key: "timestamp-usage",
                    value: Value::Str("never".into()),
                    from: t.from.clone(),
                });
            }
        }
        let mut bindings = std::mem::take(&mut lv.transport);
        bindings.extend(lv.header_auth.take());
        bindings.append(&mut lv.message);
        if let Some(mut c) = lv.context.take() {
            if let Some(e) = c.boot_entropy.take().or(lv.entropy.take()) {
                c.binding.settings.push(Setting {
                    key: "key-entropy-mode",
                    ..e
                });
            }
            // The key size is the suite's: the runtime sizes a context's key within the
            // suite's bounds, so it is not written.
            if let Some((sp, here)) = c.signed_parts.take() {
                self.signed_headers(&mut c, &sp, &here);
            }
            bindings.push(c.binding);
        }
        SecDraft {
            props: lv.props,
            bindings,
        }
    }
}

/// `Basic256Sha256Rsa15` → `basic256-sha256-rsa15` and its key size.
fn suite_name(local: &str) -> Option<(String, i64)> {
    let rest = local.strip_prefix("Basic")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let bits: i64 = match digits.as_str() {
        "128" => 128,
        "192" => 192,
        "256" => 256,
        _ => return None,
    };
    let mut name = format!("basic{bits}");
    let mut rest = &rest[digits.len()..];
    if let Some(r) = rest.strip_prefix("Sha256") {
        name.push_str("-sha256");
        rest = r;
    }
    if let Some(r) = rest.strip_prefix("Rsa15") {
        name.push_str("-rsa15");
        rest = r;
    }
    rest.is_empty().then_some((name, bits))
}

fn join(path: &str, q: &str) -> String {
    if path.is_empty() {
        q.to_owned()
    } else {
        format!("{path}/{q}")
    }
}
