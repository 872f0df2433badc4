//! Every security rule of the catalogue (`rules.rs`), each a short block. Validation
//! never stops at the first problem: it reports every violation it finds.

use crate::diag::{Ctxt, Diagnostic};
use crate::loc::{Loc, Spanned};
use crate::model::*;
use crate::rules::*;
use std::time::Duration;
use wsbind_description::{MAX_KEY_BITS, MIN_KEY_BITS};

/// What the description is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The WWSAPI security model only (`wsbind check --model-only`).
    Model,
    /// The model, plus what the wsbind runtime can execute (WSB0040): code generation and
    /// `Description::from_toml_str`.
    Runtime,
}

/// Applies every rule to a description that was read.
pub fn validate(file: &File, target: Target, cx: &mut Ctxt) {
    let role = file.channel.role.as_ref();
    let mut v = Validator {
        cx,
        channel: file.channel.binding.value,
        channel_loc: file.channel.binding.loc.clone(),
        role: role.map_or(Role::Both, |r| r.value),
        role_loc: role.map_or(Loc::Nowhere, |r| r.loc.clone()),
    };
    v.channel_type(&file.channel);
    v.envelope(&file.channel, file.security.as_ref());
    if let Some(sec) = &file.security {
        v.description(sec, None);
    }
    if target == Target::Runtime {
        v.runtime_support(file);
    }
}

/// Which side a property or binding is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Any,
    Client,
    Server,
}

/// The keys a binding of `kind` accepts, `kind` included (for the reader's "known keys
/// here" help, so that it names this kind's keys only).
pub(crate) fn keys_of_kind(kind: BindingKind) -> Vec<&'static str> {
    std::iter::once("kind")
        .chain(accepted(kind).1.iter().map(|(k, _)| *k))
        .collect()
}

/// Which side the property `key` of a binding of kind `kind` (both as written in TOML)
/// is for; `None` when the kind does not accept it. The WSDL importer asks, to write a
/// side's property only for that side.
pub fn side_of(kind: &str, key: &str) -> Option<Side> {
    let (_, kind) = BindingKind::ALL.iter().find(|(name, _)| *name == kind)?;
    accepted(*kind)
        .1
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, side)| *side)
}

/// The binding properties each kind accepts, and the rule that guards them.
fn accepted(kind: BindingKind) -> (&'static Rule, &'static [(&'static str, Side)]) {
    use BindingKind::*;
    use Side::*;
    match kind {
        SecurityContext => (
            &WSB0004,
            &[
                ("usage", Any),
                ("bootstrap", Any),
                ("key-size", Any),
                ("key-entropy-mode", Any),
                ("message-properties", Any),
                ("secure-conversation-version", Any),
                ("support-renew", Any),
                ("renewal-interval", Any),
                ("rollover-interval", Any),
                ("max-pending-contexts", Server),
                ("max-active-contexts", Server),
                ("wsbind-signature", Any),
                ("wsbind-send-cancel", Client),
                ("wsbind-signed-headers", Any),
            ],
        ),
        SslTransport => (
            &WSB0022,
            &[
                ("require-client-certificate", Server),
                ("wsbind-client-certificate", Client),
                ("cert-failures-to-ignore", Client),
                ("disable-cert-revocation-check", Client),
            ],
        ),
        TcpSspiTransport | NamedPipeSspiTransport => (
            &WSB0023,
            &[
                ("windows-integrated-auth-package", Any),
                ("require-server-auth", Client),
                ("allowed-impersonation-level", Client),
                ("allow-anonymous-clients", Server),
            ],
        ),
        KerberosApreq => (
            &WSB0024,
            &[
                ("usage", Any),
                ("allowed-impersonation-level", Client),
                ("allow-anonymous-clients", Server),
            ],
        ),
        HttpHeaderAuth => (
            &WSB0025,
            &[
                ("scheme", Any),
                ("target", Client),
                ("basic-realm", Server),
                ("digest-realm", Server),
                ("digest-domain", Server),
            ],
        ),
        Username | XmlToken | Saml => (&WSB0020, &[("usage", Any)]),
    }
}

struct Validator<'a> {
    cx: &'a mut Ctxt,
    channel: ChannelBinding,
    channel_loc: Loc,
    role: Role,
    role_loc: Loc,
}

impl Validator<'_> {
    fn client(&self) -> bool {
        self.role != Role::Server
    }
    fn server(&self) -> bool {
        self.role != Role::Client
    }
    fn key(&self, k: &str) -> String {
        self.cx.key(k)
    }
    /// `key = value` as the user writes it in this front-end.
    fn kv(&self, k: &str, v: &str) -> String {
        format!("`{} = {v}`", self.cx.spelling.key(k))
    }
    fn role_label(&self) -> String {
        format!("role {} declared here", self.role)
    }
    /// Help for a side-only feature: which role to declare.
    fn role_help(&self, side: &str) -> String {
        // Each front-end in its own syntax: the attribute form has no `[channel]`.
        let place = match self.cx.spelling {
            crate::loc::Spelling::Toml => "in [channel]",
            crate::loc::Spelling::Attribute => "in channel(...)",
        };
        format!(
            "set {} {place} if this description is only for the {side}",
            self.kv("role", &format!("\"{side}\""))
        )
    }
    fn push(&mut self, d: Diagnostic) {
        self.cx.push(d);
    }

    /// One security description: the top one, or a bootstrap (`outer` = the
    /// security-context binding it bootstraps).
    fn description(&mut self, sec: &Spanned<Security>, outer: Option<&Spanned<Binding>>) {
        let bindings = &sec.bindings;
        for b in bindings.iter() {
            self.binding(sec, b, outer);
        }
        self.at_most_one(
            bindings,
            |k| k == BindingKind::SecurityContext,
            &WSB0003,
            "security-context binding",
        );
        self.at_most_one(
            bindings,
            BindingKind::is_transport,
            &WSB0015,
            "transport security binding",
        );
        self.at_most_one(
            bindings,
            |k| k == BindingKind::Username,
            &WSB0016,
            "username binding",
        );
        self.at_most_one(
            bindings,
            |k| k == BindingKind::Saml,
            &WSB0017,
            "saml binding",
        );
        self.at_most_one(
            bindings,
            |k| k == BindingKind::KerberosApreq,
            &WSB0043,
            "kerberos-apreq binding",
        );
        // WSB0044: a mixed-mode signature needs the Timestamp it signs.
        if let Some(never) = sec
            .timestamp_usage
            .as_ref()
            .filter(|t| t.value == TimestampUsage::Never)
        {
            if let Some(b) = bindings.iter().find(|b| {
                matches!(
                    b.kind.value,
                    BindingKind::SecurityContext | BindingKind::KerberosApreq
                )
            }) {
                let d = Diagnostic::new(
                    &WSB0044,
                    format!(
                        "{} contradicts the {} binding, whose signature covers the Timestamp",
                        self.kv("timestamp-usage", "\"never\""),
                        b.kind.value
                    ),
                    &never.loc,
                    "no timestamp",
                )
                .related(&b.kind.loc, format!("{} binding here", b.kind.value))
                .help(format!(
                    "use {} (the default) or {}",
                    self.kv("timestamp-usage", "\"always\""),
                    self.kv("timestamp-usage", "\"requests-only\"")
                ));
                self.push(d);
            }
        }
        self.protection(sec);
        self.properties(sec);
    }

    /// WSB0003, WSB0015, WSB0016, WSB0017: at most one binding of a family.
    fn at_most_one(
        &mut self,
        bindings: &[Spanned<Binding>],
        family: impl Fn(BindingKind) -> bool,
        rule: &'static Rule,
        what: &str,
    ) {
        let mut of_family = bindings.iter().filter(|b| family(b.kind.value));
        let Some(first) = of_family.next() else {
            return;
        };
        for extra in of_family {
            let d = Diagnostic::new(
                rule,
                format!("more than one {what} in one security description"),
                &extra.kind.loc,
                format!("another {what}"),
            )
            .related(&first.kind.loc, format!("first {what} here"))
            .help(format!("keep one {what} and remove the others"));
            self.push(d);
        }
    }

    fn binding(
        &mut self,
        sec: &Spanned<Security>,
        b: &Spanned<Binding>,
        outer: Option<&Spanned<Binding>>,
    ) {
        use BindingKind::*;
        let kind = b.kind.value;
        let kloc = &b.kind.loc;
        self.channel_fit(b);

        // WSB0018, WSB0019: one-sided bindings.
        if kind == XmlToken && self.server() {
            let d = Diagnostic::new(
                &WSB0018,
                "the xml-token binding is client-only",
                kloc,
                "xml-token binding here",
            )
            .related(&self.role_loc, self.role_label())
            .help(self.role_help("client"));
            self.push(d);
        }
        if kind == Saml && self.client() {
            let d = Diagnostic::new(
                &WSB0019,
                "the saml binding is server-only",
                kloc,
                "saml binding here",
            )
            .related(&self.role_loc, self.role_label())
            .help(self.role_help("server"));
            self.push(d);
        }

        // WSB0002, WSB0021: message usage.
        if kind.is_message() {
            let rule = if kind == SecurityContext {
                &WSB0002
            } else {
                &WSB0021
            };
            let fix = self.kv("usage", "\"supporting\"");
            match &b.usage {
                Some(u) if u.value == "supporting" => {}
                Some(u) => {
                    let d = Diagnostic::new(
                        rule,
                        format!(
                            "the {kind} binding's usage must be \"supporting\", not \"{}\"",
                            u.value
                        ),
                        &u.loc,
                        "unsupported usage",
                    )
                    .help(format!(
                        "write {fix}: it is the only message security usage WWSAPI defines"
                    ));
                    self.push(d);
                }
                // Left out: `supporting`, the only usage WWSAPI defines.
                None => {}
            }
        }

        self.accepted_properties(b);
        self.signed_headers(b);

        match kind {
            SecurityContext => self.security_context(sec, b, outer),
            HttpHeaderAuth => self.header_auth(b),
            TcpSspiTransport | NamedPipeSspiTransport => self.ntlm(b),
            _ => {}
        }
    }

    /// WSB0001, WSB0010–WSB0014, WSB0038: does the binding fit the channel?
    fn channel_fit(&mut self, b: &Spanned<Binding>) {
        use BindingKind::*;
        use ChannelBinding::*;
        let kind = b.kind.value;
        let (rule, help): (&'static Rule, &str) = match (kind, self.channel) {
            (_, Udp) => (&WSB0038, "remove the security bindings, or use an http or tcp channel"),
            (SecurityContext, NamedPipe) => {
                (&WSB0001, "use an http or tcp channel, or secure the named pipe with named-pipe-sspi-transport")
            }
            // On a named pipe every other binding is WSB0013's, transports included.
            (NamedPipeSspiTransport, NamedPipe) => return,
            (SslTransport | TcpSspiTransport | HttpHeaderAuth, NamedPipe) => {
                (&WSB0013, "secure the named pipe with named-pipe-sspi-transport instead, or use an http or tcp channel")
            }
            (SslTransport, c) if c != Http => (&WSB0010, "use an http channel, or tcp-sspi-transport on tcp"),
            (TcpSspiTransport, c) if c != Tcp => (&WSB0011, "use a tcp channel, or ssl-transport on http"),
            (NamedPipeSspiTransport, c) if c != NamedPipe => (&WSB0012, "use a named-pipe channel, or the transport binding of your channel"),
            (HttpHeaderAuth, c) if c != Http => (&WSB0014, "use an http channel"),
            (Username | KerberosApreq | XmlToken | Saml, NamedPipe) => {
                (&WSB0013, "secure the named pipe with named-pipe-sspi-transport, or use an http or tcp channel")
            }
            _ => return,
        };
        let message = match rule.id {
            "WSB0038" => format!("the {kind} binding cannot be used on a udp channel: udp supports no security binding"),
            "WSB0013" => format!("the {kind} binding cannot be used on a named-pipe channel: only named-pipe-sspi-transport is supported there"),
            _ => format!("the {kind} binding cannot be used on a {} channel", self.channel),
        };
        // The example of binding-format.md: the caret on the channel, the binding as context.
        let d = Diagnostic::new(rule, message, &self.channel_loc, "channel declared here")
            .related(&b.kind.loc, format!("{kind} binding here"))
            .help(help);
        self.push(d);
    }

    /// WSB0050: `wsbind-signed-headers` adds references to the MS-LWSSP profile's
    /// signature; the derived-keys profile signs every addressing header already.
    fn signed_headers(&mut self, b: &Spanned<Binding>) {
        let (Some(headers), Some(profile)) = (&b.signed_headers, &b.signature_profile) else {
            return;
        };
        if profile.value != SignatureProfile::DerivedKeys {
            return;
        }
        let d = Diagnostic::new(
            &WSB0050,
            format!(
                "{} names headers for a profile that signs every addressing header already",
                self.key("wsbind-signed-headers")
            ),
            &headers.loc,
            "headers to sign",
        )
        .related(&profile.loc, "derived-keys signs them all")
        .help(format!(
            "remove {}, or use the ms-lwssp profile (the default) that signs the Timestamp and these",
            self.key("wsbind-signed-headers")
        ));
        self.push(d);
    }

    /// WSB0004, WSB0020, WSB0022–WSB0025: only the kind's own properties, on its side.
    fn accepted_properties(&mut self, b: &Spanned<Binding>) {
        let kind = b.kind.value;
        let (rule, accepted) = accepted(kind);
        for (key, loc) in &b.written.0 {
            if *key == "kind" {
                continue;
            }
            let k = self.key(key);
            match accepted.iter().find(|(a, _)| a == key) {
                None => {
                    let list: Vec<String> = accepted
                        .iter()
                        .map(|(a, _)| self.cx.spelling.key(a))
                        .collect();
                    let help = if list.is_empty() {
                        format!("remove {k}: the {kind} binding takes no properties")
                    } else {
                        format!(
                            "remove {k}; the {kind} binding accepts: {}",
                            list.join(", ")
                        )
                    };
                    self.push(
                        Diagnostic::new(
                            rule,
                            format!("the {kind} binding does not accept {k}"),
                            loc,
                            "not accepted here",
                        )
                        .related(&b.kind.loc, format!("{kind} binding here"))
                        .help(help),
                    );
                }
                Some((_, Side::Client)) if self.server() => {
                    let d = Diagnostic::new(rule, format!("{k} of the {kind} binding is client-only, but the description's role includes the server"), loc, "client-only property")
                        .related(&self.role_loc, self.role_label())
                        .help(self.role_help("client"));
                    self.push(d);
                }
                Some((_, Side::Server)) if self.client() => {
                    let d = Diagnostic::new(rule, format!("{k} of the {kind} binding is server-only, but the description's role includes the client"), loc, "server-only property")
                        .related(&self.role_loc, self.role_label())
                        .help(self.role_help("server"));
                    self.push(d);
                }
                Some(_) => {}
            }
        }
    }

    fn security_context(
        &mut self,
        sec: &Spanned<Security>,
        b: &Spanned<Binding>,
        outer: Option<&Spanned<Binding>>,
    ) {
        let kloc = &b.kind.loc;
        // WSB0006: no context inside a bootstrap (and do not descend further).
        if let Some(outer) = outer {
            let d = Diagnostic::new(&WSB0006, "a bootstrap description may not contain a security-context binding", kloc, "security-context binding inside a bootstrap")
                .related(&outer.kind.loc, "the security-context binding this bootstraps")
                .help("bootstrap the context with ssl-transport and username (or another supporting binding)");
            self.push(d);
            return;
        }
        // WSB0005: the bootstrap is required, and is a full description itself.
        match &b.bootstrap {
            Some(boot) => {
                self.description(boot, Some(b));
                self.bootstrap_channel(sec, boot);
                self.bootstrap_credential(b, boot);
            }
            None if b.written.loc("bootstrap").is_some() => {} // written but unreadable: reported
            None => {
                let help = match self.cx.spelling {
                    crate::loc::Spelling::Toml => "add a [security.binding.bootstrap] table with the bindings that secure the negotiation, e.g. ssl-transport and username",
                    crate::loc::Spelling::Attribute => "add bootstrap(binding(kind = \"ssl-transport\"), binding(kind = \"username\", usage = \"supporting\"))",
                };
                let d = Diagnostic::new(
                    &WSB0005,
                    "the security-context binding has no bootstrap security description",
                    kloc,
                    "security-context binding without bootstrap",
                )
                .help(help);
                self.push(d);
            }
        }
        self.key_size(sec, b);
        self.intervals(b);
    }

    /// WSB0009 for a bootstrap: the negotiation runs on the channel the description
    /// protects (the RST goes to the service's own endpoint), so a bootstrap cannot
    /// have TLS where the description has none. Without this check a server whose TLS
    /// terminates in front of it (`transport-protection-level = "none"`) but whose
    /// bootstrap names ssl-transport would take passwords and entropy over plain http.
    fn bootstrap_channel(&mut self, sec: &Spanned<Security>, boot: &Spanned<Security>) {
        let ssl = |s: &Spanned<Security>| {
            s.bindings
                .iter()
                .find(|b| b.kind.value == BindingKind::SslTransport)
                .map(|b| b.kind.loc.clone())
        };
        // Without ssl-transport and without the explicit `none`, WSB0007 already says
        // the description's channel is unprotected.
        let none = sec
            .transport_protection_level
            .as_ref()
            .filter(|t| t.value == ProtectionLevel::None);
        let (Some(inner), None, Some(none)) = (ssl(boot), ssl(sec), none) else {
            return;
        };
        let tpl_none = self.kv("transport-protection-level", "\"none\"");
        let d = Diagnostic::new(
            &WSB0009,
            format!("the bootstrap's ssl-transport contradicts the description's {tpl_none}: the negotiation runs on that same channel, without TLS"),
            &inner,
            "TLS the channel does not have",
        )
        .related(&none.loc, "the channel is declared unprotected here")
        .help(format!(
            "when TLS terminates in front of the server, remove the bootstrap's ssl-transport and set {tpl_none} in the bootstrap too; otherwise add ssl-transport to the description"
        ));
        self.push(d);
    }

    /// WSB0047: the bootstrap authenticates the client.
    fn bootstrap_credential(&mut self, b: &Spanned<Binding>, boot: &Spanned<Security>) {
        use BindingKind::*;
        // On a named pipe WSB0001 already refuses the security context itself.
        if self.cx.dropped
            || self.channel == ChannelBinding::NamedPipe
            || boot.bindings.iter().any(|k| {
                matches!(k.kind.value, Username | KerberosApreq | XmlToken)
                    // The client's TLS certificate, which the server requires and
                    // verifies, authenticates the bootstrap (WWSAPI: the SSL binding's
                    // client certificate credential).
                    || k.kind.value == SslTransport
                        && (k.require_client_certificate.as_ref().is_some_and(|r| r.value)
                            || k.client_certificate.as_ref().is_some_and(|c| c.value))
            })
        {
            return;
        }
        let at = b.written.loc("bootstrap").unwrap_or(&b.kind.loc);
        let help = match self.cx.spelling {
            crate::loc::Spelling::Toml => "add a [[security.binding.bootstrap.binding]] with kind = \"username\" and usage = \"supporting\" (beside the bootstrap's ssl-transport)",
            crate::loc::Spelling::Attribute => "add binding(kind = \"username\", usage = \"supporting\") to bootstrap(...), beside its ssl-transport",
        };
        let d = Diagnostic::new(
            &WSB0047,
            "the bootstrap carries no client credential: a security context needs a username, kerberos-apreq or xml-token binding in its bootstrap, or a client certificate its ssl-transport requires",
            at,
            "bootstrap without a client credential",
        )
        .related(&b.kind.loc, "the security context it bootstraps")
        .help(help);
        self.push(d);
    }

    /// WSB0048: the envelope and addressing versions fit together and the channel
    /// binding; WSB0049: message security has the envelope and addressing it needs.
    fn envelope(&mut self, channel: &Spanned<Channel>, security: Option<&Spanned<Security>>) {
        let envelope = channel.envelope_version.as_ref();
        let addressing = channel.addressing_version.as_ref();
        let no_envelope = envelope.filter(|e| e.value == EnvelopeVersion::None);
        let transport = addressing.filter(|a| a.value == AddressingVersion::Transport);
        let (ek, ak) = (self.key("envelope-version"), self.key("addressing-version"));
        if let Some(e) = no_envelope {
            if transport.is_none() {
                let mut d = Diagnostic::new(
                    &WSB0048,
                    format!(
                        "{} has no header to carry WS-Addressing in: it requires {}",
                        self.kv("envelope-version", "\"none\""),
                        self.kv("addressing-version", "\"transport\"")
                    ),
                    &e.loc,
                    "no envelope",
                )
                .help(format!(
                    "write {} too, or leave {ek} out",
                    self.kv("addressing-version", "\"transport\"")
                ));
                if let Some(a) = addressing {
                    d = d.related(&a.loc, "addressing in headers");
                }
                self.push(d);
            }
        }
        if self.channel != ChannelBinding::Http {
            for (v, key, name, what) in [
                (
                    no_envelope.map(|e| &e.loc),
                    &ek,
                    "envelope-version",
                    "\"none\"",
                ),
                (
                    transport.map(|a| &a.loc),
                    &ak,
                    "addressing-version",
                    "\"transport\"",
                ),
            ] {
                let Some(loc) = v else { continue };
                let d = Diagnostic::new(
                    &WSB0048,
                    format!(
                        "{} is supported on the http channel only, not on {}",
                        self.kv(name, what),
                        self.channel
                    ),
                    loc,
                    "http only",
                )
                .related(&self.channel_loc, "channel binding here")
                .help(format!("leave {key} out on a {} channel", self.channel));
                self.push(d);
            }
        }
        let Some(sec) = security else { return };
        let bindings: Vec<&Spanned<Binding>> = sec.bindings.iter().collect();
        if let Some(e) = no_envelope {
            if let Some(b) = bindings.iter().find(|b| b.kind.value.is_message()) {
                let d = Diagnostic::new(
                    &WSB0049,
                    format!(
                        "the {} binding writes a WS-Security header, which needs a SOAP envelope",
                        b.kind.value
                    ),
                    &e.loc,
                    "no envelope",
                )
                .related(&b.kind.loc, "message security here")
                .help(format!("leave {ek} out (SOAP 1.2)"));
                self.push(d);
            }
        }
        if let Some(a) = transport {
            if let Some(b) = bindings
                .iter()
                .find(|b| b.kind.value == BindingKind::SecurityContext)
            {
                let d = Diagnostic::new(
                    &WSB0049,
                    "a security context is negotiated with WS-Trust exchanges, told apart by their WS-Addressing Action: it needs WS-Addressing",
                    &a.loc,
                    "no addressing",
                )
                .related(&b.kind.loc, "security context here")
                .help(format!("leave {ak} out (WS-Addressing 1.0), or write \"0.9\""));
                self.push(d);
            }
        }
    }

    /// WSB0046: the channel type fits the channel binding and every declared role.
    fn channel_type(&mut self, channel: &Spanned<Channel>) {
        use ChannelBinding as B;
        use ChannelType as T;
        let Some(t) = &channel.channel_type else {
            return;
        };
        // (client, server) type per channel binding, as WS_CHANNEL_TYPE lists them.
        let (client, server) = match self.channel {
            B::Http => (T::Request, T::Reply),
            B::Tcp | B::NamedPipe => (T::DuplexSession, T::DuplexSession),
            B::Udp => (T::Duplex, T::Input),
        };
        let wrong = [
            (self.client(), client, "client"),
            (self.server(), server, "server"),
        ]
        .into_iter()
        .find(|(declared, fits, _)| *declared && *fits != t.value);
        let Some((_, fits, side)) = wrong else {
            return;
        };
        let k = self.key("type");
        let mut d = Diagnostic::new(
            &WSB0046,
            format!(
                "{} does not fit a {side} on the {} channel, whose type is {fits}",
                self.kv("type", &format!("\"{}\"", t.value)),
                self.channel
            ),
            &t.loc,
            "channel type",
        )
        .related(&self.channel_loc, "channel binding here");
        if self.role == Role::Both && client != server {
            d = d.related(&self.role_loc, self.role_label()).help(format!(
                "leave {k} out, or describe one side: {client} for a client, {server} for a server"
            ));
        } else {
            d = d.help(format!(
                "leave {k} out, or use {}",
                self.kv("type", &format!("\"{fits}\""))
            ));
        }
        self.push(d);
    }

    /// WSB0033: key-size against the description's algorithm suite, and an explicit
    /// suite's own bounds.
    fn key_size(&mut self, sec: &Spanned<Security>, b: &Spanned<Binding>) {
        let bounds = key_bounds(sec);
        let (min_k, max_k) = (
            self.key("min-symmetric-key-length"),
            self.key("max-symmetric-key-length"),
        );
        if bounds.min > bounds.max {
            let d = Diagnostic::new(
                &WSB0033,
                format!(
                    "{min_k} ({}{}) is above {max_k} ({}{}): no key fits",
                    bounds.min,
                    if bounds.min_written { "" } else { " when left out" },
                    bounds.max,
                    if matches!(bounds.max_loc, Loc::Nowhere) { " when left out" } else { "" },
                ),
                &bounds.min_loc,
                "minimum",
            )
            .related(&bounds.max_loc, "maximum")
            .help(format!(
                "lower {min_k} or raise {max_k} (left out, they are {EXPLICIT_MIN_BITS} and {EXPLICIT_MAX_BITS})"
            ));
            self.push(d);
            return;
        }
        let Some(ks) = &b.key_size else { return };
        let bits = ks.value;
        let k = self.key("key-size");
        let (min, max) = (i64::from(bounds.min), i64::from(bounds.max));
        let problem = if bits <= 0 {
            Some(format!("{k} must be positive, found {bits}"))
        } else if bits % 8 != 0 {
            Some(format!(
                "{k} is in bits and must be a multiple of 8, found {bits}"
            ))
        } else if bits < min {
            Some(format!(
                "{k} {bits} is below the {}'s minimum symmetric key length of {min} bits",
                bounds.suite
            ))
        } else if bits > max {
            Some(format!(
                "{k} {bits} is above the {}'s maximum symmetric key length of {max} bits",
                bounds.suite
            ))
        } else {
            None
        };
        if let Some(msg) = problem {
            let example = bounds.max.min(bounds.min.max(256)) / 8 * 8;
            let mut help = format!(
                "use a multiple of 8 from {min} to {max} bits, e.g. {}",
                self.kv("key-size", &example.to_string())
            );
            if bits > max && !bounds.written_explicit {
                help.push_str(&format!(
                    "; every named suite's keys are at most {NAMED_MAX_BITS} bits, an explicit algorithm suite's up to {EXPLICIT_MAX_BITS} unless it says otherwise"
                ));
            } else if bounds.default_suite {
                help.push_str(&format!(
                    "; no algorithm suite is written, so WWSAPI's default ({}) applies: choose another with {}",
                    bounds.suite,
                    self.kv("algorithm-suite-name", "\"basic128\"")
                ));
            }
            let d = Diagnostic::new(&WSB0033, msg, &ks.loc, "invalid key size")
                .related(&bounds.min_loc, "algorithm suite chosen here")
                .related(&bounds.max_loc, "maximum set here")
                .help(help);
            self.push(d);
        }
    }

    /// WSB0035, WSB0036: renewal and rollover intervals.
    fn intervals(&mut self, b: &Spanned<Binding>) {
        const ROLLOVER_DEFAULT: Duration = Duration::from_secs(5 * 60);
        let renewal_default = if self.client() {
            Duration::from_secs(10 * 3600)
        } else {
            Duration::from_secs(15 * 3600)
        };
        let renewal = b.renewal_interval.as_ref();
        let rollover = b.rollover_interval.as_ref();
        let renewal_v = renewal.map_or(renewal_default, |r| r.value.0);
        let rollover_v = rollover.map_or(ROLLOVER_DEFAULT, |r| r.value.0);
        if (renewal.is_some() || rollover.is_some()) && rollover_v >= renewal_v {
            let show = |d: Duration| humantime::format_duration(d).to_string();
            let (ro, re) = (self.key("rollover-interval"), self.key("renewal-interval"));
            let mut d = match (rollover, renewal) {
                (Some(ro_s), Some(re_s)) => Diagnostic::new(
                    &WSB0035,
                    format!(
                        "{ro} ({}) should be shorter than {re} ({})",
                        show(rollover_v),
                        show(renewal_v)
                    ),
                    &ro_s.loc,
                    "rollover interval",
                )
                .related(&re_s.loc, "renewal interval"),
                (Some(ro_s), None) => Diagnostic::new(
                    &WSB0035,
                    format!(
                        "{ro} ({}) should be shorter than {re}, which defaults to {}",
                        show(rollover_v),
                        show(renewal_v)
                    ),
                    &ro_s.loc,
                    "rollover interval",
                ),
                (None, Some(re_s)) => Diagnostic::new(
                    &WSB0035,
                    format!(
                        "{re} ({}) should be longer than {ro}, which defaults to {}",
                        show(renewal_v),
                        show(rollover_v)
                    ),
                    &re_s.loc,
                    "renewal interval",
                ),
                (None, None) => unreachable!("checked above: at least one interval is written"),
            };
            d = d.help(format!("shorten {ro} or lengthen {re}"));
            self.push(d);
        }
        if let (Some(sr), Some(re)) = (&b.support_renew, renewal) {
            if !sr.value && self.client() {
                let d = Diagnostic::new(
                    &WSB0036,
                    format!(
                        "with {} the client establishes a new context every {} instead of renewing",
                        self.kv("support-renew", "false"),
                        humantime::format_duration(re.value.0)
                    ),
                    &re.loc,
                    "renewal interval",
                )
                .related(&sr.loc, "renewal disabled here")
                .help(format!(
                    "remove {}, or set {}",
                    self.key("renewal-interval"),
                    self.kv("support-renew", "true")
                ));
                self.push(d);
            }
        }
    }

    /// WSB0026–WSB0028: http-header-auth schemes and target.
    fn header_auth(&mut self, b: &Spanned<Binding>) {
        let Some(schemes) = &b.scheme else { return };
        let list = &schemes.value;
        if list.is_empty() {
            self.push(
                Diagnostic::new(
                    &WSB0026,
                    "the scheme list is empty",
                    &schemes.loc,
                    "no scheme",
                )
                .help("name at least one scheme: basic, digest, ntlm, negotiate or none"),
            );
            return;
        }
        for (i, s) in list.iter().enumerate() {
            if let Some(prev) = list[..i].iter().find(|p| p.value == s.value) {
                let d = Diagnostic::new(
                    &WSB0026,
                    format!("scheme \"{}\" is listed twice", s.value),
                    &s.loc,
                    "listed again",
                )
                .related(&prev.loc, "first listed here")
                .help("list each scheme once");
                self.push(d);
            }
        }
        if list.len() > 1 {
            if let Some(p) = list.iter().find(|s| s.value == Scheme::Passport) {
                let d = Diagnostic::new(
                    &WSB0026,
                    "scheme \"passport\" cannot be combined with other schemes",
                    &p.loc,
                    "passport in a list",
                )
                .help("use scheme = \"passport\" alone, or remove it");
                self.push(d);
            }
        }
        if self.server() {
            if let Some(n) = list.iter().find(|s| s.value == Scheme::None) {
                let d = Diagnostic::new(&WSB0027, "the scheme \"none\" is only for clients, but the description's role includes the server", &n.loc, "scheme none")
                    .related(&self.role_loc, self.role_label())
                    .help(format!("remove \"none\", or {}", self.role_help("client")));
                self.push(d);
            }
        }
        if let Some(t) = &b.target {
            if t.value == AuthTarget::Proxy
                && (list.len() != 1 || matches!(list[0].value, Scheme::None | Scheme::Passport))
            {
                let d = Diagnostic::new(
                    &WSB0028,
                    "authentication to a proxy needs exactly one scheme, and not none or passport",
                    &schemes.loc,
                    "schemes",
                )
                .related(&t.loc, "proxy target here")
                .help("set the scheme to one of \"basic\", \"digest\", \"ntlm\", \"negotiate\"");
                self.push(d);
            }
        }
    }

    /// WSB0029: NTLM cannot authenticate the server.
    fn ntlm(&mut self, b: &Spanned<Binding>) {
        let Some(pkg) = &b.windows_integrated_auth_package else {
            return;
        };
        if pkg.value != AuthPackage::Ntlm || !self.client() {
            return;
        }
        let default_requires = b.kind.value == BindingKind::TcpSspiTransport;
        let requires = b
            .require_server_auth
            .as_ref()
            .map_or(default_requires, |r| r.value);
        if requires {
            let k = self.key("require-server-auth");
            let mut d = Diagnostic::new(&WSB0029, format!("ntlm does not authenticate the server, but the client requires server authentication ({k})"), &pkg.loc, "ntlm chosen here");
            d = match &b.require_server_auth {
                Some(r) => d.related(&r.loc, "server authentication required here"),
                None => d.related(
                    &b.kind.loc,
                    format!("{} requires server authentication by default", b.kind.value),
                ),
            };
            let fix = self.kv("require-server-auth", "false");
            self.push(d.help(format!("set {fix}, or use \"kerberos\" or \"spnego\"")));
        }
    }

    /// WSB0007–WSB0009, WSB0037: how the channel is protected.
    fn protection(&mut self, sec: &Spanned<Security>) {
        use BindingKind::*;
        let transport = sec.bindings.iter().find(|b| b.kind.value.is_transport());
        let message = sec.bindings.iter().find(|b| b.kind.value.is_message());
        if self.cx.dropped {
            // A binding could not be read: "no transport binding" may be false.
            return;
        }
        let tpl = sec.transport_protection_level.as_ref();
        let none = tpl.filter(|t| t.value == ProtectionLevel::None);
        let tpl_key = self.key("transport-protection-level");
        let tpl_none = self.kv("transport-protection-level", "\"none\"");

        if let (Some(n), Some(t)) = (none, transport) {
            let d = Diagnostic::new(
                &WSB0009,
                format!(
                    "{tpl_none} contradicts the {} binding that protects the channel",
                    t.kind.value
                ),
                &n.loc,
                "no protection declared here",
            )
            .related(&t.kind.loc, "transport binding here")
            .help(format!("remove {tpl_key}, or remove the transport binding"));
            self.push(d);
        }
        let Some(m) = message else {
            if let (Some(h), None) = (
                sec.bindings.iter().find(|b| b.kind.value == HttpHeaderAuth),
                transport,
            ) {
                if none.is_none() && self.channel == ChannelBinding::Http {
                    let d = Diagnostic::new(
                        &WSB0037,
                        format!("http-header-auth without ssl-transport needs an explicit {tpl_none} (it sends credentials in clear)"),
                        &h.kind.loc,
                        "header authentication over plain http",
                    )
                    .help(format!(
                        "add kind = \"ssl-transport\", or set {tpl_none} if this is intended"
                    ));
                    self.push(d);
                }
            }
            return;
        };
        // Channels where message bindings are rejected outright report that instead.
        if matches!(
            self.channel,
            ChannelBinding::NamedPipe | ChannelBinding::Udp
        ) {
            return;
        }
        match (none, transport) {
            (Some(n), _) => {
                if self.channel != ChannelBinding::Http {
                    let d = Diagnostic::new(&WSB0008, format!("{tpl_none} with a message binding is not allowed on a {} channel", self.channel), &n.loc, "no transport protection")
                        .related(&self.channel_loc, "channel declared here")
                        .help("add the channel's transport binding (tcp-sspi-transport on tcp) and remove the protection level");
                    self.push(d);
                } else if self.client() {
                    let d = Diagnostic::new(&WSB0008, format!("{tpl_none} with a message binding is allowed only for a server, but the description's role includes the client"), &n.loc, "no transport protection")
                        .related(&self.role_loc, self.role_label())
                        .related(&m.kind.loc, format!("{} binding here", m.kind.value))
                        .help(format!("a client must use ssl-transport; {}", self.role_help("server")));
                    self.push(d);
                }
            }
            (None, None) => {
                let fix = match self.channel {
                    ChannelBinding::Tcp => {
                        "add kind = \"tcp-sspi-transport\" to protect the tcp channel".to_owned()
                    }
                    _ => format!(
                        "add kind = \"ssl-transport\", or (server on http only) set {tpl_none}"
                    ),
                };
                let d = Diagnostic::new(
                    &WSB0007,
                    format!(
                        "the {} binding needs a transport binding that protects the channel",
                        m.kind.value
                    ),
                    &m.kind.loc,
                    "message binding without transport security",
                )
                .help(fix);
                self.push(d);
            }
            (None, Some(_)) => {}
        }
    }

    /// WSB0030–WSB0032: security properties.
    fn properties(&mut self, sec: &Spanned<Security>) {
        if let (Some(a), Some(n)) = (&sec.algorithm_suite, &sec.algorithm_suite_name) {
            let (ka, kn) = (
                self.key("algorithm-suite"),
                self.key("algorithm-suite-name"),
            );
            let d = Diagnostic::new(
                &WSB0030,
                format!("{ka} and {kn} may not both be set"),
                &a.loc,
                "explicit suite",
            )
            .related(&n.loc, "named suite")
            .help(format!("keep either {ka} or {kn}"));
            self.push(d);
        }
        let has_auth = sec.bindings.iter().any(|b| {
            matches!(
                b.kind.value,
                BindingKind::HttpHeaderAuth | BindingKind::KerberosApreq
            )
        });
        let ep: [(&str, Option<&Loc>); 2] = [
            (
                "extended-protection-policy",
                sec.extended_protection_policy.as_ref().map(|s| &s.loc),
            ),
            (
                "extended-protection-scenario",
                sec.extended_protection_scenario.as_ref().map(|s| &s.loc),
            ),
        ];
        for (key, loc) in ep {
            let Some(loc) = loc else { continue };
            let why = self.server_on_http_problem().or_else(|| {
                (!has_auth).then(|| {
                    "the description has no http-header-auth or kerberos-apreq binding".to_owned()
                })
            });
            if let Some(why) = why {
                let d = Diagnostic::new(&WSB0031, format!("{} applies only to a server on http with http-header-auth or kerberos-apreq: {why}", self.key(key)), loc, "extended protection")
                    .related(&self.role_loc, self.role_label())
                    .help(format!("remove {}, or use it in a server's description on http with header authentication", self.key(key)));
                self.push(d);
            }
        }
        let scenario = sec.extended_protection_scenario.as_ref();
        let terminated =
            scenario.filter(|s| s.value == ExtendedProtectionScenario::TerminatedBySsl);
        if let (Some(t), None, None) = (
            terminated,
            &sec.service_identities,
            self.server_on_http_problem(),
        ) {
            let d = Diagnostic::new(
                &WSB0045,
                format!(
                    "{} needs {}: the server checks the name the client authenticated to against them",
                    self.kv("extended-protection-scenario", "\"terminated-ssl\""),
                    self.key("service-identities")
                ),
                &t.loc,
                "terminated-ssl scenario",
            )
            .help(format!(
                "add {}, or use {}",
                self.kv("service-identities", "[\"HTTP/host.example.com\"]"),
                self.kv("extended-protection-scenario", "\"bound-server\"")
            ));
            self.push(d);
        }
        // SPNs are validated with header authentication over plain http, or when TLS
        // terminates before the server.
        let validates_spn = terminated.is_some()
            || (sec
                .bindings
                .iter()
                .any(|b| b.kind.value == BindingKind::HttpHeaderAuth)
                && !sec
                    .bindings
                    .iter()
                    .any(|b| b.kind.value == BindingKind::SslTransport));
        if let Some(ids) = &sec.service_identities {
            if let (None, false) = (self.server_on_http_problem(), validates_spn) {
                let k = self.key("service-identities");
                let d = Diagnostic::new(
                    &WSB0032,
                    format!("{k} apply only where service principal names are validated: http-header-auth without ssl-transport, or {}", self.kv("extended-protection-scenario", "\"terminated-ssl\"")),
                    &ids.loc,
                    "service identities",
                )
                .help(format!("remove {k}, or use them with one of those two"));
                self.push(d);
            }
            if let Some(why) = self.server_on_http_problem() {
                let k = self.key("service-identities");
                let d = Diagnostic::new(
                    &WSB0032,
                    format!("{k} applies only to a server on http: {why}"),
                    &ids.loc,
                    "service identities",
                )
                .related(&self.role_loc, self.role_label())
                .help(format!("remove {k}, or {}", self.role_help("server")));
                self.push(d);
            }
        }
    }

    fn server_on_http_problem(&self) -> Option<String> {
        if self.client() {
            Some(format!(
                "the description's role ({}) includes the client",
                self.role
            ))
        } else if self.channel != ChannelBinding::Http {
            Some(format!("the channel is {}", self.channel))
        } else {
            None
        }
    }

    /// WSB0040: what the wsbind runtime cannot execute.
    fn runtime_support(&mut self, file: &File) {
        let before = self.cx.omitted().0 + self.cx.kept();
        if self.channel != ChannelBinding::Http {
            let d = Diagnostic::new(
                &WSB0040,
                format!(
                    "the {} channel is not supported by the wsbind runtime",
                    self.channel
                ),
                &self.channel_loc,
                "channel declared here",
            )
            .help("the wsbind runtime has http and https transports: use binding = \"http\"");
            self.push(d);
        }
        let context = file.security.as_ref().is_some_and(|sec| {
            sec.bindings
                .iter()
                .any(|b| b.kind.value == BindingKind::SecurityContext)
        });
        let bare = [
            file.channel
                .envelope_version
                .as_ref()
                .filter(|e| e.value == EnvelopeVersion::None)
                .map(|e| (&e.loc, self.kv("envelope-version", "\"none\""))),
            file.channel
                .addressing_version
                .as_ref()
                // Without a context the runtime sends no WS-Addressing header and the
                // action in HTTP (WCF's basicHttpBinding).
                .filter(|a| a.value == AddressingVersion::Transport && context)
                .map(|a| (&a.loc, self.kv("addressing-version", "\"transport\""))),
        ];
        for (loc, what) in bare.into_iter().flatten() {
            let d = Diagnostic::new(
                &WSB0040,
                format!("{what} is not supported by the wsbind runtime"),
                loc,
                "not supported",
            )
            .help("the wsbind runtime sends SOAP 1.1 or 1.2 envelopes, with WS-Addressing 0.9 or 1.0 when a security context is negotiated (addressing by the transport only without one)");
            self.push(d);
        }
        let has = |kind: BindingKind| {
            file.security
                .as_ref()
                .is_some_and(|sec| sec.bindings.iter().any(|b| b.kind.value == kind))
        };
        let has_context = has(BindingKind::SecurityContext);
        // Without a context the runtime runs a username on every message over TLS
        // (WS_HTTP_SSL_USERNAME_BINDING_TEMPLATE) and TLS alone (WS_HTTP_SSL_BINDING_TEMPLATE,
        // with client certificates or HTTP basic authentication when asked).
        let transport = !has_context && has(BindingKind::SslTransport);
        if let Some(sec) = &file.security {
            self.runtime_description(sec, true, has_context);
        }
        // Said once the rest is: what else the runtime cannot do comes first, and
        // fixing it (a username moved into a bootstrap) is where a context comes from.
        let said = self.cx.omitted().0 + self.cx.kept() > before;
        if !has_context && !transport && !said {
            let d = Diagnostic::new(
                &WSB0040,
                "a description with neither a security context nor ssl-transport is not run by the wsbind runtime",
                &self.channel_loc,
                "channel declared here",
            )
            .help("the wsbind runtime executes a security context (WS-SecureConversation), a username on every message, or TLS alone, each over ssl-transport: add ssl-transport (wsbind new --template http-ssl), and a security-context binding with its bootstrap (--template http-ssl-username-security-context) or a username binding (--template http-ssl-username)");
            self.push(d);
        }
    }

    /// WSB0040 within one security description (`top`: the channel's own, not a
    /// bootstrap; `context`: the description has a security context).
    fn runtime_description(&mut self, sec: &Spanned<Security>, top: bool, context: bool) {
        use BindingKind::*;
        for b in sec.bindings.iter() {
            let kind = b.kind.value;
            if top && kind == Username && context {
                let d = Diagnostic::new(&WSB0040, "a username binding on every message beside a security context is not supported by the wsbind runtime", &b.kind.loc, "username on every message")
                    .help("wsbind authenticates the client once, when the security context is negotiated: put the username binding in the security-context's bootstrap, or remove the security context for a username on every message");
                self.push(d);
            }
            if let Some(list) = b
                .cert_failures_to_ignore
                .as_ref()
                .filter(|_| kind == SslTransport)
            {
                // The client's verifier (rustls with webpki) checks the whole chain and
                // reports its first failure only, so it cannot ignore one failure and
                // still check the others; revocation-offline is what it can honour.
                for f in list
                    .value
                    .iter()
                    .filter(|f| f.value != CertFailure::RevocationOffline)
                {
                    let d = Diagnostic::new(&WSB0040, format!("ignoring the {} certificate failure is not supported by the wsbind runtime", f.value), &f.loc, "certificate failure ignored")
                        .help("the wsbind runtime verifies the server's certificate fully: trust its issuer with ClientTls instead; only revocation-offline may be ignored");
                    self.push(d);
                }
            }
            if let Some(ks) = b.key_size.as_ref().filter(|_| kind == SecurityContext) {
                // Only where WSB0033 accepts the size: the runtime's own floor.
                let suite_min = key_bounds(sec).min;
                let bits = ks.value;
                if bits > 0
                    && bits % 8 == 0
                    && bits >= i64::from(suite_min)
                    && bits < i64::from(MIN_KEY_BITS)
                {
                    let d = Diagnostic::new(&WSB0040, format!("a {bits}-bit key is not supported by the wsbind runtime, which refuses keys shorter than {MIN_KEY_BITS} bits"), &ks.loc, "key too short")
                        .help(format!("use {} or more, e.g. {}", MIN_KEY_BITS, self.kv("key-size", "256")));
                    self.push(d);
                }
            }
            if matches!(
                kind,
                TcpSspiTransport | NamedPipeSspiTransport | XmlToken | Saml
            ) {
                let d = Diagnostic::new(&WSB0040, format!("the {kind} binding is not supported by the wsbind runtime"), &b.kind.loc, "unsupported binding")
                    .help("wsbind executes ssl-transport, http-header-auth (basic), username, security-context bindings, and kerberos-apreq in a security context's bootstrap");
                self.push(d);
            }
            // The runtime authenticates with Kerberos once, in the bootstrap of a
            // context, as WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE does.
            if kind == KerberosApreq && top {
                let d = Diagnostic::new(&WSB0040, "a kerberos-apreq binding on every message is not supported by the wsbind runtime", &b.kind.loc, "kerberos-apreq on every message")
                    .help("wsbind runs Kerberos in the bootstrap of a security context: move the kerberos-apreq binding into the security-context's bootstrap (wsbind new --template http-ssl-kerberos-apreq-security-context)");
                self.push(d);
            }
            if kind == KerberosApreq {
                // MIT's GSS-API has no anonymous Kerberos acceptor here, and an AP-REQ
                // in a SOAP header forwards no credentials.
                if let Some(a) = b.allow_anonymous_clients.as_ref().filter(|a| a.value) {
                    let d = Diagnostic::new(
                        &WSB0040,
                        "anonymous Kerberos clients are not supported by the wsbind runtime",
                        &a.loc,
                        "anonymous clients allowed",
                    )
                    .help(format!(
                        "remove {} (every client then authenticates)",
                        self.key("allow-anonymous-clients")
                    ));
                    self.push(d);
                }
                if let Some(l) = b.allowed_impersonation_level.as_ref().filter(|l| {
                    matches!(
                        l.value,
                        ImpersonationLevel::Delegation | ImpersonationLevel::Anonymous
                    )
                }) {
                    let d = Diagnostic::new(&WSB0040, format!("the {} impersonation level is not supported by the wsbind runtime's Kerberos bootstrap", l.value), &l.loc, "impersonation level")
                        .help(format!("use {} (the service learns who the client is; no credentials are forwarded)", self.kv("allowed-impersonation-level", "\"identification\"")));
                    self.push(d);
                }
            }
            if kind == HttpHeaderAuth {
                if let Some(t) = b.target.as_ref().filter(|t| t.value == AuthTarget::Proxy) {
                    let d = Diagnostic::new(&WSB0040, "http-header-auth towards a proxy is not supported by the wsbind runtime", &t.loc, "proxy authentication")
                        .help("the wsbind runtime authenticates to the service only: remove target or set it to \"service\"");
                    self.push(d);
                }
                match &b.scheme {
                    None => {
                        let d = Diagnostic::new(&WSB0040, "http-header-auth defaults to the negotiate scheme, which the wsbind runtime does not support", &b.kind.loc, "default scheme negotiate")
                            .help(format!("set {}", self.kv("scheme", "\"basic\"")));
                        self.push(d);
                    }
                    Some(list) => {
                        for s in list
                            .value
                            .iter()
                            .filter(|s| !matches!(s.value, Scheme::None | Scheme::Basic))
                        {
                            let d = Diagnostic::new(&WSB0040, format!("the {} header auth scheme is not supported by the wsbind runtime", s.value), &s.loc, "unsupported scheme")
                                .help("the wsbind runtime supports the basic scheme (and none on a client)");
                            self.push(d);
                        }
                    }
                }
            }
            if let Some(boot) = &b.bootstrap {
                if kind == SecurityContext {
                    self.runtime_description(boot, false, false);
                }
            }
        }
        if let Some(max) = sec
            .algorithm_suite
            .as_ref()
            .and_then(|s| s.max_symmetric_key_length.as_ref())
            .filter(|m| m.value.0 > 0 && m.value.0 < MIN_KEY_BITS)
            // Below the suite's own minimum it is WSB0033's (no key fits at all).
            .filter(|_| {
                let b = key_bounds(sec);
                b.min <= b.max
            })
        {
            let d = Diagnostic::new(&WSB0040, format!("a maximum symmetric key length of {} bits leaves no key the wsbind runtime accepts (at least {MIN_KEY_BITS} bits)", max.value.0), &max.loc, "maximum below the runtime's floor")
                .help(format!("raise it to {MIN_KEY_BITS} or more, or remove it"));
            self.push(d);
        }
        if let Some(suite) = &sec.algorithm_suite {
            let unsupported: Vec<(&Loc, String)> = [
                suite
                    .canonicalization
                    .as_ref()
                    .filter(|a| a.value != Canonicalization::Exclusive)
                    .map(|a| (&a.loc, a.value.to_string())),
                suite
                    .digest
                    .as_ref()
                    .filter(|a| !matches!(a.value, Digest::Sha1 | Digest::Sha256))
                    .map(|a| (&a.loc, a.value.to_string())),
                suite
                    .symmetric_signature
                    .as_ref()
                    .filter(|a| {
                        !matches!(
                            a.value,
                            SymmetricSignature::HmacSha1 | SymmetricSignature::HmacSha256
                        )
                    })
                    .map(|a| (&a.loc, a.value.to_string())),
            ]
            .into_iter()
            .flatten()
            .collect();
            for (loc, alg) in unsupported {
                let d = Diagnostic::new(&WSB0040, format!("the algorithm {alg} is not supported by the wsbind runtime"), loc, "unsupported algorithm")
                    .help("the engine implements exclusive canonicalization, sha1 and sha256 digests, hmac-sha1 and hmac-sha256 signatures");
                self.push(d);
            }
        }
    }
}

/// An explicit algorithm suite's minimum symmetric key length when it is left out or 0
/// (WWSAPI: WS_SECURITY_ALGORITHM_SUITE).
pub(crate) const EXPLICIT_MIN_BITS: u32 = 128;
/// An explicit suite's maximum when it is left out or 0.
pub(crate) const EXPLICIT_MAX_BITS: u32 = 512;
/// The longest key of every named suite (WS_SECURITY_ALGORITHM_SUITE_NAME).
pub(crate) const NAMED_MAX_BITS: u32 = 256;

/// The symmetric key lengths a description's algorithm suite allows: one definition, for
/// the checks (WSB0033) and for the resolved description.
pub(crate) struct KeyBounds {
    pub min: u32,
    /// At most [`MAX_KEY_BITS`], the runtime's own cap.
    pub max: u32,
    /// The suite as messages name it (`basic256 suite`, `explicit algorithm suite`).
    pub suite: String,
    /// No suite is written: WWSAPI's default applies.
    pub default_suite: bool,
    /// An explicit suite's minimum is written (not defaulted).
    pub min_written: bool,
    /// The suite is an explicit `algorithm-suite` table.
    pub written_explicit: bool,
    pub min_loc: Loc,
    pub max_loc: Loc,
}

pub(crate) fn key_bounds(sec: &Security) -> KeyBounds {
    if let Some(s) = &sec.algorithm_suite {
        let written = |v: Option<&crate::loc::Spanned<crate::read::Count>>| {
            v.filter(|m| m.value.0 > 0)
                .map(|m| (m.value.0, m.loc.clone()))
        };
        let min_written = written(s.min_symmetric_key_length.as_ref());
        let min_was_written = min_written.is_some();
        let (min, min_loc) = min_written.unwrap_or((EXPLICIT_MIN_BITS, s.loc.clone()));
        let (max, max_loc) = written(s.max_symmetric_key_length.as_ref())
            .unwrap_or((EXPLICIT_MAX_BITS, Loc::Nowhere));
        return KeyBounds {
            min,
            max: max.min(MAX_KEY_BITS),
            suite: "explicit algorithm suite".into(),
            default_suite: false,
            min_written: min_was_written,
            written_explicit: true,
            min_loc,
            max_loc,
        };
    }
    let (name, loc) = effective_suite(sec);
    KeyBounds {
        min: name.key_bits(),
        max: NAMED_MAX_BITS,
        suite: format!("{name} suite"),
        default_suite: matches!(loc, Loc::Nowhere),
        min_written: true,
        written_explicit: false,
        min_loc: loc,
        max_loc: Loc::Nowhere,
    }
}

/// The named suite in effect: the written one, or the WWSAPI default (basic128 with
/// kerberos-apreq, basic256 otherwise).
pub(crate) fn effective_suite(sec: &Security) -> (SuiteName, Loc) {
    match &sec.algorithm_suite_name {
        Some(n) => (n.value, n.loc.clone()),
        None if sec
            .bindings
            .iter()
            .any(|b| b.kind.value == BindingKind::KerberosApreq) =>
        {
            (SuiteName::Basic128, Loc::Nowhere)
        }
        None => (SuiteName::Basic256, Loc::Nowhere),
    }
}
