//! The rule catalogue: every diagnostic wsbind can report, with its stable id, its
//! severity and the long explanation `wsbind explain` prints. The checks themselves live
//! in `validate.rs` (security rules) and `read.rs` (structure); this file is the one
//! place a rule's identity and documentation are written.

/// How bad a violation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One rule of the catalogue.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable diagnostic id, `WSB0001`….
    pub id: &'static str,
    pub severity: Severity,
    /// What the rule says, in one line.
    pub summary: &'static str,
    /// Where the rule comes from (WWSAPI page or `wsbind`).
    pub source: &'static str,
    /// The long form printed by `wsbind explain`.
    pub explanation: &'static str,
}

macro_rules! rules {
    ($($name:ident $sev:ident $summary:literal, $source:literal, $expl:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $name: Rule = Rule {
                id: stringify!($name),
                severity: Severity::$sev,
                summary: $summary,
                source: $source,
                explanation: $expl,
            };
        )*
        /// Every rule, in id order.
        pub static ALL: &[&Rule] = &[$(&$name),*];
    };
}

/// Looks a rule up by id (case-insensitive, `WSB12` and `12` accepted).
pub fn find(id: &str) -> Option<&'static Rule> {
    let digits = id.trim().trim_start_matches(|c: char| {
        c.eq_ignore_ascii_case(&'w') || c.eq_ignore_ascii_case(&'s') || c.eq_ignore_ascii_case(&'b')
    });
    let n: u32 = digits.parse().ok()?;
    ALL.iter()
        .copied()
        .find(|r| r.id[3..].parse::<u32>() == Ok(n))
}

rules! {
WSB0001 Error "a security-context binding may not be used on a named-pipe channel",
"WWSAPI: WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING",
"WWSAPI does not support the security context message binding on WS_NAMEDPIPE_CHANNEL_BINDING:
creating such a channel fails with E_INVALIDARG. Named pipes are local and are secured by
the transport (named-pipe-sspi-transport), so there is no message-level context to establish.

Fix: put the service on an `http` channel (with `ssl-transport`) or a `tcp` channel, or keep
the named pipe and replace the security-context binding with `named-pipe-sspi-transport`.";

WSB0002 Error "the security-context binding's usage must be \"supporting\"",
"WWSAPI: WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING, WS_MESSAGE_SECURITY_USAGE",
"The only message security usage WWSAPI defines is WS_SUPPORTING_MESSAGE_SECURITY_USAGE,
and the security context binding requires it. Any other value is rejected; left out, the
usage is `supporting`.

Fix: write `usage = \"supporting\"` in the security-context binding, or leave it out.";

WSB0003 Error "at most one security-context binding per security description",
"WWSAPI: WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING",
"A security description may contain a single security context binding: a channel
establishes one context and protects its messages with it.

Fix: remove the extra `kind = \"security-context\"` binding.";

WSB0004 Error "the security-context binding accepts only its own properties",
"WWSAPI: WS_SECURITY_BINDING_PROPERTY_ID",
"The security context binding accepts exactly these binding properties: key-size,
key-entropy-mode, message-properties, secure-conversation-version, support-renew,
renewal-interval, rollover-interval, and on the server side max-pending-contexts and
max-active-contexts, plus its `usage` and its `bootstrap` description. Any other property
(for example one of ssl-transport's) is rejected, and the server-only ones are rejected in
a description whose role includes the client.

Fix: remove the property, move it to the binding it belongs to, or set `role = \"server\"`
in [channel] for the server-only properties.";

WSB0005 Error "a security-context binding needs a bootstrap security description",
"WWSAPI: WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING.bootstrapSecurityDescription",
"The security context is established by a WS-Trust exchange that is itself secured by the
bootstrap security description (for example SSL transport plus a username). The bootstrap
is required, and it is validated as a full security description on the same channel and
for the same roles.

Fix: add a `[security.binding.bootstrap]` table (TOML) or a `bootstrap(...)` entry
(attribute) with the bindings that authenticate the client during negotiation.";

WSB0006 Error "a bootstrap description may not contain a security-context binding",
"wsbind",
"The bootstrap description secures the negotiation of a security context; a context that
is bootstrapped by another context would need a negotiation to start the negotiation.

Fix: bootstrap with ssl-transport plus username (or another supporting binding) instead.";

WSB0007 Error "a supporting message binding needs a transport binding that protects the channel",
"WWSAPI: username, kerberos, xml token, saml and security context binding pages",
"Supporting message bindings (username, kerberos-apreq, xml-token, saml,
security-context) authenticate messages but do not encrypt the channel. WWSAPI requires a
transport security binding that protects it (ssl-transport on http, tcp-sspi-transport on
tcp), unless the description sets `transport-protection-level = \"none\"` explicitly.

Fix: add `kind = \"ssl-transport\"` (http) or `kind = \"tcp-sspi-transport\"` (tcp) before
the message binding; or, for a server on http only, set
`transport-protection-level = \"none\"` in the description.";

WSB0008 Error "transport-protection-level = \"none\" with a message binding is allowed only for a server on http",
"WWSAPI: username, kerberos, saml binding pages",
"Running message security without a protected transport is allowed by WWSAPI only on the
server side of an http channel (for deployments where SSL terminates in front of the
service). A client, or a tcp channel, is rejected.

Fix: on a client, add ssl-transport and remove the protection-level setting; on a server,
set `role = \"server\"` in [channel] and use an http channel.";

WSB0009 Error "transport-protection-level = \"none\" contradicts a transport security binding",
"wsbind",
"A transport security binding (ssl-transport, tcp-sspi-transport, named-pipe-sspi-transport)
protects the channel; declaring the protection level `none` at the same time says the
opposite. The same holds between a security-context binding's bootstrap and the
description it bootstraps: the negotiation runs on that same channel, so a bootstrap's
ssl-transport where the description has none (a server behind a TLS-terminating proxy)
would be TLS the channel does not have, and the server would take the bootstrap's
credentials over plain http.

Fix: remove `transport-protection-level = \"none\"`, or remove the transport binding. For
a bootstrap: state `transport-protection-level = \"none\"` in it too, or add ssl-transport
to the description.";

WSB0010 Error "ssl-transport is available only on an http channel",
"WWSAPI: WS_SSL_TRANSPORT_SECURITY_BINDING",
"SSL transport security applies to WS_HTTP_CHANNEL_BINDING only.

Fix: use `binding = \"http\"` in [channel], or use tcp-sspi-transport on tcp.";

WSB0011 Error "tcp-sspi-transport is available only on a tcp channel",
"WWSAPI: WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING",
"Windows SSPI transport security over TCP applies to WS_TCP_CHANNEL_BINDING only.

Fix: use `binding = \"tcp\"`, or use ssl-transport on http.";

WSB0012 Error "named-pipe-sspi-transport is available only on a named-pipe channel",
"WWSAPI: WS_NAMEDPIPE_SSPI_TRANSPORT_SECURITY_BINDING",
"Windows SSPI transport security over named pipes applies to WS_NAMEDPIPE_CHANNEL_BINDING
only.

Fix: use `binding = \"named-pipe\"`, or pick the transport binding of your channel.";

WSB0013 Error "a named-pipe channel supports no security binding but named-pipe-sspi-transport",
"WWSAPI: named pipe, username, kerberos, xml token and saml pages",
"On a named pipe WWSAPI supports only Windows SSPI transport security. Message bindings
(username, kerberos-apreq, xml-token, saml) are rejected there.

Fix: remove the binding and use `kind = \"named-pipe-sspi-transport\"`, or move the service
to an http or tcp channel.";

WSB0014 Error "http-header-auth is available only on an http channel",
"WWSAPI: WS_HTTP_HEADER_AUTH_SECURITY_BINDING",
"HTTP header authentication is part of HTTP.

Fix: use `binding = \"http\"`, or pick another binding.";

WSB0015 Error "at most one transport security binding per description",
"wsbind",
"A channel has one transport: ssl-transport, tcp-sspi-transport and
named-pipe-sspi-transport are mutually exclusive, and each may appear once.

Fix: keep only the transport binding that matches your channel.";

WSB0016 Error "at most one username binding per description",
"WWSAPI: WS_USERNAME_MESSAGE_SECURITY_BINDING",
"A message carries at most one username token from one username binding.

Fix: remove the extra `kind = \"username\"` binding.";

WSB0017 Error "at most one saml binding per description",
"WWSAPI: WS_SAML_MESSAGE_SECURITY_BINDING",
"A description may hold a single SAML binding.

Fix: remove the extra `kind = \"saml\"` binding.";

WSB0018 Error "xml-token is client-only",
"WWSAPI: WS_XML_TOKEN_MESSAGE_SECURITY_BINDING",
"The XML token binding attaches a token the client already holds; WWSAPI supports it only
on the client side. The role of the description (default `both`) includes the server.

Fix: set `role = \"client\"` in [channel], or remove the binding from the server's
description.";

WSB0019 Error "saml is server-only",
"WWSAPI: WS_SAML_MESSAGE_SECURITY_BINDING",
"The SAML binding validates SAML assertions a client presents; WWSAPI supports it only on
the server side. The role of the description (default `both`) includes the client.

Fix: set `role = \"server\"` in [channel]; a client sends a SAML token through an xml-token
binding.";

WSB0020 Error "username, xml-token and saml accept no binding properties",
"WWSAPI: username, xml token and saml binding pages",
"These bindings take no binding properties, only their `usage`.

Fix: remove the property.";

WSB0021 Error "the usage of a message binding must be \"supporting\"",
"WWSAPI: WS_MESSAGE_SECURITY_USAGE",
"username, kerberos-apreq, xml-token and saml take a message security usage, and the only
one WWSAPI defines is WS_SUPPORTING_MESSAGE_SECURITY_USAGE; any other value is rejected.
Left out, the usage is `supporting`.

Fix: write `usage = \"supporting\"`, or leave it out.";

WSB0022 Error "ssl-transport accepts only its own properties, on the right side",
"WWSAPI: WS_SSL_TRANSPORT_SECURITY_BINDING",
"ssl-transport accepts `cert-failures-to-ignore` and `disable-cert-revocation-check`
(client only) and `require-client-certificate` (server only); nothing else. A side-only
property is rejected when the description's role includes the other side (the default
role, `both`, includes both).

Fix: remove the property, or set `role` in [channel] to the side it belongs to.";

WSB0023 Error "sspi transport bindings accept only their own properties, on the right side",
"WWSAPI: WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING, WS_NAMEDPIPE_SSPI_TRANSPORT_SECURITY_BINDING",
"tcp-sspi-transport and named-pipe-sspi-transport accept `windows-integrated-auth-package`
(kerberos, ntlm, spnego), `require-server-auth` and `allowed-impersonation-level` (client
only) and `allow-anonymous-clients` (server only); nothing else.

Fix: remove the property, or set `role` in [channel] to the side it belongs to.";

WSB0024 Error "kerberos-apreq accepts only its own properties, on the right side",
"WWSAPI: WS_KERBEROS_APREQ_MESSAGE_SECURITY_BINDING",
"kerberos-apreq accepts `allowed-impersonation-level` (client only) and
`allow-anonymous-clients` (server only), plus its `usage`; nothing else.

Fix: remove the property, or set `role` in [channel] to the side it belongs to.";

WSB0025 Error "http-header-auth accepts only its own properties, on the right side",
"WWSAPI: WS_HTTP_HEADER_AUTH_SECURITY_BINDING",
"http-header-auth accepts `scheme`, `target` (client only) and `basic-realm`,
`digest-realm`, `digest-domain` (server only); nothing else.

Fix: remove the property, or set `role` in [channel] to the side it belongs to.";

WSB0026 Error "invalid http-header-auth scheme set",
"WWSAPI: WS_SECURITY_BINDING_PROPERTY_HTTP_HEADER_AUTH_SCHEME",
"`scheme` is one scheme or a list of distinct schemes among none, basic, digest, ntlm and
negotiate; `passport` may only be used alone.

Fix: remove duplicates, or use `scheme = \"passport\"` on its own.";

WSB0027 Error "the header auth scheme \"none\" is only for clients",
"WWSAPI: WS_SECURITY_BINDING_PROPERTY_HTTP_HEADER_AUTH_SCHEME",
"A client may offer `none` to try an unauthenticated request first; a server must require
an actual scheme.

Fix: remove `none` from the server's schemes, or set `role = \"client\"`.";

WSB0028 Error "proxy header auth needs exactly one scheme, not none or passport",
"WWSAPI: WS_SECURITY_BINDING_PROPERTY_HTTP_HEADER_AUTH_TARGET",
"With `target = \"proxy\"` the client authenticates to an HTTP proxy, which needs one
definite scheme: basic, digest, ntlm or negotiate.

Fix: set `scheme` to exactly one of basic, digest, ntlm, negotiate.";

WSB0029 Error "ntlm needs require-server-auth = false on the client",
"WWSAPI: WS_TCP_SSPI_TRANSPORT_SECURITY_BINDING",
"NTLM does not authenticate the server, so a client that requires server authentication
(the default for tcp-sspi-transport) cannot use it.

Fix: set `require-server-auth = false`, or use `windows-integrated-auth-package =
\"kerberos\"` or `\"spnego\"`.";

WSB0030 Error "algorithm-suite and algorithm-suite-name may not both be set",
"WWSAPI: WS_SECURITY_PROPERTY_ID",
"The algorithm suite is either named (`algorithm-suite-name`) or spelled out
(`algorithm-suite = { … }`), not both.

Fix: keep one of the two.";

WSB0031 Error "extended protection settings are only for a server on http with header auth or kerberos",
"WWSAPI: WS_SECURITY_PROPERTY_EXTENDED_PROTECTION_POLICY",
"`extended-protection-policy` and `extended-protection-scenario` bind Windows
authentication to the TLS channel; they apply only to a server on an http channel that
uses http-header-auth or kerberos-apreq.

Fix: remove them, or set `role = \"server\"` and add the authenticating binding.";

WSB0032 Error "service-identities are only for a server on http",
"WWSAPI: WS_SECURITY_PROPERTY_SERVICE_IDENTITIES",
"The service identities a server accepts apply only to a server on an http channel, and
only where service principal names are validated: with http-header-auth without
ssl-transport, or with the terminated-ssl extended-protection scenario. \"Otherwise, it
must not be set.\"

Fix: remove `service-identities`, or use them in a server's description on http with one
of those two.";

WSB0033 Error "invalid security-context key-size",
"wsbind (WS-SecurityPolicy algorithm suites)",
"`key-size` is in bits: a positive multiple of 8 within the algorithm suite's symmetric key
lengths. A named suite's minimum is its own (basic128: 128, basic192: 192, basic256: 256)
and every named suite's maximum is 256. An explicit suite's bounds are its
`min-symmetric-key-length` and `max-symmetric-key-length`, 128 and 512 when left out (and
at most 1024, the runtime's cap); a minimum above the maximum is itself an error. Without
an algorithm suite, WWSAPI's default applies (basic256; basic128 with kerberos-apreq).

Fix: use a size such as 256 for basic256, or choose the suite the key size needs.";

WSB0034 Error "invalid duration",
"wsbind",
"Durations (renewal-interval, rollover-interval, max-allowed-latency,
timestamp-validity-duration, max-allowed-clock-skew) are strings such as \"30s\", \"5m\",
\"10h\" or \"1d\", longer than zero and at most 365 days (every interval is added to the
present time and written as a date, and nothing here should live longer than a year).

Fix: write the duration as a number followed by a unit: s, m, h or d.";

WSB0035 Warning "rollover-interval should be shorter than renewal-interval",
"wsbind (advice: WWSAPI relates the two intervals nowhere)",
"After a renewal the old key stays acceptable for the rollover interval. An old key that
outlives the renewal period would still be valid when the next renewal happens, so two old
keys are accepted at once. WWSAPI does not forbid it, so this is a warning. The defaults
(renewal 10h on the client, 15h on the server; rollover 5m) apply when an interval is not
written.

Fix: shorten rollover-interval or lengthen renewal-interval.";

WSB0036 Warning "support-renew = false with a renewal-interval establishes a new context at that interval",
"WWSAPI: WS_SECURITY_BINDING_PROPERTY_SECURITY_CONTEXT_SUPPORT_RENEW",
"Without renewal, the client cannot renew the context; when renewal-interval lapses it
establishes a brand new context instead (a full negotiation).

Fix: remove renewal-interval, or allow renewal with `support-renew = true`.";

WSB0037 Error "http-header-auth without ssl-transport needs transport-protection-level = \"none\"",
"WWSAPI: WS_HTTP_HEADER_AUTH_SECURITY_BINDING, WS_SECURITY_PROPERTY_TRANSPORT_PROTECTION_LEVEL",
"Basic credentials and digest exchanges over plain HTTP are visible to the network. WWSAPI
accepts header authentication without SSL only when the transport protection level is
explicitly set to none (\"must be explicitly set\"); otherwise creating the channel fails.

Fix: add `kind = \"ssl-transport\"`, or set `transport-protection-level = \"none\"` to state
that this is intended.";

WSB0038 Error "udp channels support no security binding",
"wsbind (WWSAPI documents no security binding for UDP)",
"WWSAPI documents no security binding for WS_UDP_CHANNEL_BINDING.

Fix: remove the bindings, or use an http or tcp channel.";

WSB0039 Error "invalid description structure",
"wsbind",
"The description has a key wsbind does not know (the error suggests the closest known
key), a value of the wrong type, an unknown enumeration value, a required key that is
missing, or the same key written twice.

TOML keys are kebab-case (`key-size`), attribute keys snake_case (`key_size`).";

WSB0040 Error "not supported by the wsbind runtime",
"wsbind",
"The description is valid for WWSAPI but uses something the wsbind runtime cannot execute:
tcp-sspi-transport, named-pipe-sspi-transport, xml-token or saml bindings, a kerberos-apreq
binding anywhere but in a security context's bootstrap (or with anonymous clients, or the
delegation or anonymous impersonation level), http-header-auth with a scheme other than
none or basic or towards a proxy, a channel other than http, an explicit algorithm suite
with algorithms the engine does not implement, or a description with neither a security
context nor ssl-transport (a username on every message beside a context is refused too:
the context authenticates once, in its bootstrap).
wsbind validates such descriptions (`wsbind check`) but refuses to generate code for them.

The runtime executes: ssl-transport alone (with client certificates or HTTP basic
authentication when asked), a username on every message over it, and a security context
bootstrapped over it by a username, a Kerberos AP-REQ (the wsbind-kerberos crate, MIT
Kerberos) or the client's certificate.

Fix: use an http channel with ssl-transport and a security-context binding bootstrapped by
a username or Kerberos (wsbind new --template http-ssl-username-security-context, or
http-ssl-kerberos-apreq-security-context), or ssl-transport and a username binding (wsbind
new --template http-ssl-username).";

WSB0041 Error "syntax error",
"wsbind",
"The TOML file or the attribute could not be parsed at all.

Fix: correct the syntax at the location shown.";

WSB0042 Error "the description file cannot be read",
"wsbind",
"`#[wsbind::binding(file = \"…\")]` resolves the path against the crate's
CARGO_MANIFEST_DIR; the file must exist and be UTF-8.

Fix: check the path, relative to the directory of Cargo.toml.";

WSB0043 Error "at most one kerberos-apreq binding per security description",
"WWSAPI: WS_KERBEROS_APREQ_MESSAGE_SECURITY_BINDING",
"A security description may hold one Kerberos AP-REQ message binding.

Fix: keep one kerberos-apreq binding and remove the others.";

WSB0044 Error "timestamp-usage = \"never\" where a mixed-mode signature is required",
"WWSAPI: WS_SECURITY_TIMESTAMP_USAGE",
"WWSAPI: \"It is an error to specify this value when a mixed-mode message signature is
required.\" A security-context or kerberos-apreq binding signs each request's Timestamp
with its key (the security context's signature is over the Timestamp alone, [MS-LWSSP]),
so the message must carry one.

Fix: use `timestamp-usage = \"always\"` (the default) or `\"requests-only\"`.";

WSB0045 Error "extended-protection-scenario = \"terminated-ssl\" needs service-identities",
"WWSAPI: WS_EXTENDED_PROTECTION_SCENARIO",
"With the terminated-SSL scenario, TLS ends before the server (at a proxy), so the channel
binding cannot tie the client's authentication to the connection; the server checks the
service principal name the client authenticated to instead, against its service
identities. Without them there is nothing to check against.

Fix: add `service-identities = [\"HTTP/host.example.com\"]`, or use the bound-server
scenario.";

WSB0046 Error "the channel type does not fit the channel binding and role",
"WWSAPI: WS_CHANNEL_TYPE",
"Each channel binding supports particular channel types, per side: http a `request`
channel on the client and a `reply` channel on the server; tcp and named-pipe a
`duplex-session` channel; udp a `duplex` channel on the client and an `input` channel on
the server. `output`, `input-session` and `output-session` are supported by no channel
binding. With `role = \"both\"` a type that fits one side only does not fit the other.

Fix: leave `type` out (the binding's own type applies), or use the type listed for the
channel binding and role.";

WSB0047 Error "a security context's bootstrap carries no client credential",
"WWSAPI: WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING",
"WWSAPI: \"Security contexts require the presence of bootstrap security credentials.\" The
bootstrap authenticates the client once, and the context then stands for that identity:
it needs a username, kerberos-apreq or xml-token binding, or a client certificate the
bootstrap's ssl-transport requires (`require-client-certificate = true`: WWSAPI's SSL
binding authenticates the client by its certificate, and the server verifies it against
its roots; its subject is the context's identity). Without one, anyone who reaches the
server gets a context, and every context looks alike, so no per-client limit can hold.
HTTP basic authentication beside the context does not count: it guards each request, the
context stands for the bootstrap's identity. (`require-client-certificate` is the
server's property, so a description for clients says its credential with a username or
Kerberos binding.)

Fix: add a username binding (`usage = \"supporting\"`) to the bootstrap, next to its
ssl-transport, or (server) require a client certificate on the bootstrap's
ssl-transport.";

WSB0048 Error "the envelope and addressing versions do not fit together or the channel binding",
"WWSAPI: WS_ENVELOPE_VERSION, WS_ADDRESSING_VERSION",
"`envelope-version = \"none\"` (WS_ENVELOPE_VERSION_NONE: the body alone, no SOAP envelope)
has no header to carry addressing in: it requires `addressing-version = \"transport\"`
(WS_ADDRESSING_VERSION_TRANSPORT, where the transport says where a message goes). Both are
supported on the http channel binding only; tcp, udp and named-pipe channels carry SOAP
envelopes with WS-Addressing.

Fix: leave both out (SOAP 1.2 with WS-Addressing 1.0), or write them together on an http
channel.";

WSB0049 Error "message security needs a SOAP envelope, and a security context WS-Addressing",
"WWSAPI: WS_SECURITY_BINDING; WS-Trust and WS-SecureConversation",
"A message security binding (username, kerberos-apreq, xml-token, saml, security-context)
writes a WS-Security header, which only a SOAP envelope has: `envelope-version = \"none\"`
cannot carry it. A security context is negotiated and renewed with WS-Trust exchanges,
which are told apart by their WS-Addressing Action and answered by RelatesTo:
`addressing-version = \"transport\"` cannot carry them.

Fix: use a SOAP envelope (leave `envelope-version` out), and WS-Addressing (leave
`addressing-version` out, or write \"1.0\" or \"0.9\") with a security context.";

WSB0050 Error "wsbind-signed-headers applies to the ms-lwssp profile",
"wsbind",
"`wsbind-signed-headers` (a wsbind extension) names WS-Addressing headers a request's
signature covers besides the Timestamp, as a service's policy asks with `sp:SignedParts`
in its endorsing supporting tokens (WCF's interop export asks for `To`). It adds to the
MS-LWSSP profile's signature; the derived-keys profile (`wsbind-signature =
\"derived-keys\"`) signs every addressing header already, so the list would say nothing.
Name only what the policy asks: .NET Framework refuses a signature with a reference it
does not expect.

Fix: remove `wsbind-signed-headers`, or leave `wsbind-signature` at ms-lwssp.";

WSB0051 Error "the WSDL cannot be imported as it is written",
"wsbind import (WSDL 1.1, WS-Policy 1.2 and 1.5)",
"`wsbind import` (and `#[wsbind::binding(wsdl = ...)]`) reads a WSDL 1.1 document, the
documents it imports with `wsdl:import` (local files, at most 32), and the WS-Policy
expressions attached to the port's binding, its operations and their messages. The import
stops here when the WSDL is not well-formed XML, names a document, binding, port or policy
that is not there (`wsp:PolicyReference URI=\"#...\"` names a `wsu:Id`), refers to a
policy outside the documents (only local references are followed), expands past the
bounds (16 nested policy references, a reference cycle, 256 policy alternatives), or
has several ports and none was chosen.

Fix: name the port with `--port` (or `port = ...`); give the documents it imports beside
it; or ask the service owner for the WSDL with its policies inline (WCF's `?singleWsdl`).";

WSB0052 Error "the policy asks for security the WWSAPI model cannot express",
"WWSAPI: Windows Web Services metadata import (WsCreateServiceProxyFromTemplate); WS-SecurityPolicy 1.1 and 1.2",
"The WWSAPI security model, which wsbind checks and executes, secures a channel with the
transport (TLS) and adds message credentials to it: a username, a Kerberos AP-REQ, a
security context bootstrapped by one of them. A policy alternative that asks for message-
mode security (`sp:SymmetricBinding`, `sp:AsymmetricBinding`), X.509 certificates or
issued (SAML, federation) tokens as message credentials, an SPNEGO or TLSNEGO negotiation,
an assertion of the WS-SecurityPolicy namespace the model has no counterpart for, or a
transport other than HTTP (net.tcp) cannot be imported: wsbind could not honour it, and
importing the rest would make a binding the service refuses. Every policy alternative is
tried; this is reported when none fits, for each of them.

Fix: ask the service owner for an endpoint wsbind speaks: WCF's
`TransportWithMessageCredential` security over HTTPS with a `UserName` credential (with or
without `establishSecurityContext`), or transport security alone.";

WSB0053 Warning "a policy assertion is not imported",
"wsbind import",
"An assertion the import reads and leaves out, said so instead of dropped silently: a
vendor assertion outside WS-SecurityPolicy (WCF's `msb:BinaryEncoding` aside, which is
refused), an assertion marked `wsp:Optional`, and ones the model has no use for over TLS:
the bootstrap's `sp:SignedParts` and `sp:EncryptedParts` (TLS protects the whole message),
the `sp:Wss10`/`sp:Wss11` token-reference capabilities, `sp:MustSupportIssuedTokens`.
Nothing here changes what goes on the wire with a peer that wrote the policy.

Fix: nothing to do when the listed assertions are what you expect; otherwise read the
assertion at the place shown.";

WSB0054 Warning "a document the WSDL imports cannot be read",
"wsbind import",
"A `wsdl:import` names a document that is not there (or not a local file). The import
goes on without it: a WSDL's logical part (types, messages, port types) is often kept in
a document of its own, and the security policy does not need it. What the import does
need from a missing document — the port's binding, a policy it refers to — is then an
error of its own (WSB0051), at the place that refers to it.

Fix: nothing, when the imports left out hold no binding or policy; otherwise save the
document at the path the import names (relative to the WSDL).";
}
