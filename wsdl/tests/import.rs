//! The importer's table: every port of the WSDLs in `../shared/vectors/real-world/` (WCF's
//! 23 interop endpoints, CXF's and Metro's WS-SC system tests) and WSDLs of our own in
//! the shapes WCF and CoreWCF publish, each imported into the expected description or
//! refused with the expected rule at the expected line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wsbind_compiler::description::{Description, Role};
use wsbind_compiler::Target;
use wsbind_wsdl::{import, Imported, Options};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/real-world")
}

/// What a port imports to.
enum Expect {
    /// Imported; the description's debug form holds each text.
    Binding(&'static [&'static str]),
    /// Refused: rule id, and `file:line:col` of the first error.
    Refused(&'static str, &'static str),
}

fn run(path: &Path, port: Option<&str>, target: Target, read: wsbind_wsdl::Reader<'_>) -> Imported {
    import(
        path,
        &Options {
            port: port.map(str::to_owned),
            target,
            role: Role::Both,
            read,
            shown_as: None,
        },
    )
}

fn place(imported: &Imported) -> Option<(String, String)> {
    let f = imported.found.iter().find(|f| f.diagnostic.is_error())?;
    let at = match (&f.source, f.diagnostic.primary.loc.range()) {
        (Some(i), Some(r)) => {
            let s = &imported.sources[*i];
            let (l, c) = s.line_col(r.start);
            let name = Path::new(&s.name)
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            format!("{name}:{l}:{c}")
        }
        _ => "-".into(),
    };
    Some((f.diagnostic.rule.id.to_owned(), at))
}

fn description(imported: &Imported) -> Description {
    let toml = imported.toml.as_deref().expect("imported");
    let checked = wsbind_compiler::check_toml(toml, Target::Model);
    assert!(!checked.has_errors(), "the written TOML checks:\n{toml}");
    checked.description().expect("valid")
}

fn check(name: &str, imported: &Imported, expect: &Expect) {
    let rendered = imported.render(wsbind_compiler::diag::Style::Plain);
    match expect {
        Expect::Binding(texts) => {
            assert!(!imported.has_errors(), "{name}: refused:\n{rendered}");
            let d = format!("{:?}", description(imported));
            for t in *texts {
                assert!(
                    d.contains(t),
                    "{name}: `{t}` not in\n{d}\n{}",
                    imported.toml.as_deref().unwrap_or("")
                );
            }
        }
        Expect::Refused(rule, at) => {
            assert!(imported.toml.is_none(), "{name}: imported, expected {rule}");
            assert_eq!(
                place(imported),
                Some(((*rule).to_owned(), (*at).to_owned())),
                "{name}:\n{rendered}"
            );
            // Every refusal says what to do or why, and where.
            assert!(rendered.contains("-->"), "{name}: no place:\n{rendered}");
        }
    }
}

#[test]
fn wcf_interop_endpoints() {
    use Expect::*;
    let wsdl = vectors().join("wcf-interop-wssc-wsdl/WSSecureConversation.wsdl");
    let symmetric = |line: &'static str| Refused("WSB0052", line);
    let table: BTreeMap<&str, Expect> = [
        (
            "SecureConversation_UserNameOverTransport_IPingService",
            Binding(&[
                "envelope: Some(Soap12), addressing: Some(V09)",
                "security_header_layout: Lax, security_header_version: V1_1",
                "ssl: Some(SslTransport { require_client_certificate: false",
                "context: Some(SecurityContext { key_size: None, key_entropy_mode: Combined, secure_conversation_version: Feb2005",
                "signature_profile: MsLwssp, send_cancel: true, signed_headers: [To]",
                "security_header_layout: Strict",
                "username: true, kerberos: false } })",
            ]),
        ),
        ("SecureConversation_MutualCertificate10SignEncrypt_IPingService", symmetric("WSSecureConversation_policy.wsdl:149:6")),
        ("XC_IPingService", symmetric("WSSecureConversation_policy.wsdl:335:6")),
        ("XDC_IPingService", symmetric("WSSecureConversation_policy.wsdl:519:6")),
        ("XDC_IPingService1", symmetric("WSSecureConversation_policy.wsdl:519:6")),
        ("XDC-ES_IPingService", symmetric("WSSecureConversation_policy.wsdl:704:6")),
        ("XDC-SEES_IPingService", symmetric("WSSecureConversation_policy.wsdl:891:6")),
        ("_X_IPingService", symmetric("WSSecureConversation_policy.wsdl:1078:6")),
        ("_X10_IPingService", symmetric("WSSecureConversation_policy.wsdl:1260:6")),
        ("_XD_IPingService", symmetric("WSSecureConversation_policy.wsdl:1436:6")),
        ("_XD-SEES_IPingService", symmetric("WSSecureConversation_policy.wsdl:1621:6")),
        ("_XD-ES_IPingService", symmetric("WSSecureConversation_policy.wsdl:1808:6")),
        ("AC_IPingService", symmetric("WSSecureConversation_policy.wsdl:1997:6")),
        ("ADC_IPingService", symmetric("WSSecureConversation_policy.wsdl:2170:6")),
        ("ADC-ES_IPingService", symmetric("WSSecureConversation_policy.wsdl:2345:6")),
        ("_A_IPingService", symmetric("WSSecureConversation_policy.wsdl:2522:6")),
        ("_AD_IPingService", symmetric("WSSecureConversation_policy.wsdl:2693:6")),
        ("_AD-ES_IPingService", symmetric("WSSecureConversation_policy.wsdl:2866:6")),
        ("UXC_IPingService", symmetric("WSSecureConversation_policy.wsdl:3041:6")),
        ("UXDC_IPingService", symmetric("WSSecureConversation_policy.wsdl:3224:6")),
        ("UXDC-SEES_IPingService", symmetric("WSSecureConversation_policy.wsdl:3409:6")),
        ("_UX_IPingService", symmetric("WSSecureConversation_policy.wsdl:3596:6")),
        ("_UXD_IPingService", symmetric("WSSecureConversation_policy.wsdl:3777:6")),
        ("_UXD-SEES_IPingService", symmetric("WSSecureConversation_policy.wsdl:3960:6")),
    ]
    .into_iter()
    .collect();
    let all = run(&wsdl, None, Target::Runtime, &wsbind_wsdl::read_file);
    let names: Vec<&str> = all.ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 24, "{names:?}");
    assert_eq!(
        place(&all),
        Some(("WSB0051".into(), "WSSecureConversation.wsdl:61:4".into())),
        "several ports and none named"
    );
    for name in &names {
        let expect = table
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the table"));
        let imported = run(&wsdl, Some(name), Target::Runtime, &wsbind_wsdl::read_file);
        check(name, &imported, expect);
    }
}

#[test]
fn cxf_and_metro_wsdls() {
    use Expect::*;
    let cases: &[(&str, &str, Expect)] = &[
        (
            "cxf-wssc-wsdl/DoubleItSecConv.wsdl",
            "DoubleItSecureConversationPort",
            Refused("WSB0052", "DoubleItSecConv.wsdl:50:18"),
        ),
        // Bootstrapped by the transport alone: WWSAPI wants a client credential.
        (
            "cxf-wssc-wsdl/DoubleItWSSC.wsdl",
            "DoubleItTransportPort",
            Refused("WSB0047", "DoubleItWSSC.wsdl:116:34"),
        ),
        (
            "cxf-wssc-wsdl/DoubleItWSSC.wsdl",
            "DoubleItTransportSP12Port",
            Refused("WSB0047", "DoubleItWSSC.wsdl:192:34"),
        ),
        (
            "cxf-wssc-wsdl/DoubleItWSSC.wsdl",
            "DoubleItSymmetricPort",
            Refused("WSB0052", "DoubleItWSSC.wsdl:242:18"),
        ),
        (
            "metro-wssc-e2e/sc_wssx_scenario6-PingService.wsdl",
            "CustomBinding_IPingServiceContract3",
            Refused("WSB0052", "sc_wssx_scenario6-PingService.wsdl:34:6"),
        ),
    ];
    for (file, port, expect) in cases {
        let imported = run(
            &vectors().join(file),
            Some(port),
            Target::Runtime,
            &wsbind_wsdl::read_file,
        );
        check(&format!("{file} {port}"), &imported, expect);
    }
}

/// A one-port WSDL in the shape WCF and CoreWCF publish: the policy `P` attached to the
/// binding by reference, the binding's SOAP version, and the port's address.
fn wsdl(soap: &str, transport: &str, policy: &str, address: &str) -> String {
    format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="Service" targetNamespace="http://tempuri.org/"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:tns="http://tempuri.org/"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"
    xmlns:wsp15="http://www.w3.org/ns/ws-policy"
    xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"
    xmlns:sp12="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
    xmlns:mssp="http://schemas.microsoft.com/ws/2005/07/securitypolicy"
    xmlns:wsap="http://schemas.xmlsoap.org/ws/2004/08/addressing/policy"
    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
    xmlns:msb="http://schemas.microsoft.com/ws/06/2004/mspolicy/netbinary1"
    xmlns:vnd="urn:example:vendor">
  <wsp:Policy wsu:Id="P">
{policy}
  </wsp:Policy>
  <wsdl:portType name="IService">
    <wsdl:operation name="Ping"/>
  </wsdl:portType>
  <wsdl:binding name="B" type="tns:IService">
    <wsp:PolicyReference URI="#P"/>
    <{soap}:binding transport="{transport}"/>
    <wsdl:operation name="Ping">
      <{soap}:operation soapAction="http://tempuri.org/IService/Ping" style="document"/>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="Service">
    <wsdl:port name="B_IService" binding="tns:B">
      <{soap}:address location="{address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"##
    )
}

const HTTP: &str = "http://schemas.xmlsoap.org/soap/http";
const HTTPS: &str = "https://service.example/Service.svc";

/// WCF's TransportBinding for TransportWithMessageCredential (2005/07).
const TRANSPORT: &str = r#"<sp:TransportBinding><wsp:Policy>
  <sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="false"/></wsp:Policy></sp:TransportToken>
  <sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite>
  <sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout>
  <sp:IncludeTimestamp/>
</wsp:Policy></sp:TransportBinding>"#;

/// A security context over that transport, bootstrapped by `bootstrap_token`.
fn context(extra: &str, bootstrap_token: &str) -> String {
    format!(
        r#"<wsp:ExactlyOne><wsp:All>
{TRANSPORT}
<sp:EndorsingSupportingTokens><wsp:Policy>
  <sp:SecureConversationToken sp:IncludeToken="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy/IncludeToken/AlwaysToRecipient"><wsp:Policy>
    {extra}
    <sp:BootstrapPolicy><wsp:Policy>
      {TRANSPORT}
      <sp:SignedSupportingTokens><wsp:Policy>{bootstrap_token}</wsp:Policy></sp:SignedSupportingTokens>
      <sp:Trust10><wsp:Policy><sp:MustSupportIssuedTokens/><sp:RequireClientEntropy/><sp:RequireServerEntropy/></wsp:Policy></sp:Trust10>
    </wsp:Policy></sp:BootstrapPolicy>
  </wsp:Policy></sp:SecureConversationToken>
</wsp:Policy></sp:EndorsingSupportingTokens>
<wsap:UsingAddressing/>
</wsp:All></wsp:ExactlyOne>"#
    )
}

const USERNAME: &str = r#"<sp:UsernameToken sp:IncludeToken="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken>"#;

/// What one of our WSDLs imports to: `Binding` as above, or the rule and the text the
/// first error points at.
enum Own {
    Binding(&'static [&'static str]),
    Refused(&'static str, &'static str),
}

fn own(name: &str, text: &str, target: Target, expect: Own) -> Imported {
    own_as(name, text, target, Role::Both, expect)
}

fn own_as(name: &str, text: &str, target: Target, role: Role, expect: Own) -> Imported {
    let imported = wsbind_wsdl::import_text("service.wsdl", text, None, target, role);
    match expect {
        Own::Binding(texts) => check(name, &imported, &Expect::Binding(texts)),
        Own::Refused(rule, needle) => {
            let at = text
                .find(needle)
                .unwrap_or_else(|| panic!("{name}: `{needle}` not in the WSDL"));
            // The diagnostic points at the element's name, one past its `<` (an XML
            // error at the tag itself).
            let at = if needle.starts_with('<') && !needle.starts_with("</") {
                at + 1
            } else {
                at
            };
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let place = format!("service.wsdl:{line}:{col}");
            check(
                name,
                &imported,
                &Expect::Refused(rule, Box::leak(place.into_boxed_str())),
            );
        }
    }
    imported
}

#[test]
fn wsdls_in_the_shapes_wcf_publishes() {
    use Own::*;
    // basicHttpBinding, TransportWithMessageCredential, UserName: a username on every
    // message (SOAP 1.1, no WS-Addressing). The model has it; the runtime does not yet.
    let basic = wsdl(
        "soap",
        HTTP,
        &format!("<wsp:ExactlyOne><wsp:All>{TRANSPORT}<sp:SignedSupportingTokens><wsp:Policy>{USERNAME}</wsp:Policy></sp:SignedSupportingTokens><sp:Wss10><wsp:Policy><sp:MustSupportRefKeyIdentifier/></wsp:Policy></sp:Wss10></wsp:All></wsp:ExactlyOne>"),
        HTTPS,
    );
    own(
        "basicHttpBinding TMC",
        &basic,
        Target::Model,
        Binding(&[
            "envelope: Some(Soap11), addressing: Some(Transport)",
            "security_header_version: V1_0",
            "username: true, kerberos: false }, context: None",
        ]),
    );
    // basicHttpBinding uses no WS-Addressing (no assertion says so): the runtime
    // addresses it by the transport.
    own(
        "basicHttpBinding TMC (runtime)",
        &basic,
        Target::Runtime,
        Binding(&["envelope: Some(Soap11), addressing: Some(Transport)"]),
    );

    // ws2007HttpBinding, TransportWithMessageCredential, UserName, a cookie security
    // context (WS-SP 1.2, WS-Policy 1.5, Trust13, WS-Addressing 1.0).
    let sp12 = r#"<wsp15:ExactlyOne><wsp15:All>
<sp12:TransportBinding><wsp15:Policy>
  <sp12:TransportToken><wsp15:Policy><sp12:HttpsToken/></wsp15:Policy></sp12:TransportToken>
  <sp12:AlgorithmSuite><wsp15:Policy><sp12:Basic128/></wsp15:Policy></sp12:AlgorithmSuite>
  <sp12:Layout><wsp15:Policy><sp12:Strict/></wsp15:Policy></sp12:Layout>
  <sp12:IncludeTimestamp/>
</wsp15:Policy></sp12:TransportBinding>
<sp12:EndorsingSupportingTokens><wsp15:Policy>
  <sp12:SecureConversationToken sp12:IncludeToken="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient"><wsp15:Policy>
    <mssp:MustNotSendCancel/>
    <sp12:BootstrapPolicy><wsp15:Policy>
      <sp12:SignedSupportingTokens><wsp15:Policy><sp12:UsernameToken sp12:IncludeToken="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient"><wsp15:Policy><sp12:WssUsernameToken10/></wsp15:Policy></sp12:UsernameToken></wsp15:Policy></sp12:SignedSupportingTokens>
      <sp12:TransportBinding><wsp15:Policy>
        <sp12:TransportToken><wsp15:Policy><sp12:HttpsToken/></wsp15:Policy></sp12:TransportToken>
        <sp12:AlgorithmSuite><wsp15:Policy><sp12:Basic128/></wsp15:Policy></sp12:AlgorithmSuite>
        <sp12:IncludeTimestamp/>
      </wsp15:Policy></sp12:TransportBinding>
      <sp12:Trust13><wsp15:Policy><sp12:RequireClientEntropy/><sp12:RequireServerEntropy/><sp12:RequireRequestSecurityTokenCollection/></wsp15:Policy></sp12:Trust13>
    </wsp15:Policy></sp12:BootstrapPolicy>
  </wsp15:Policy></sp12:SecureConversationToken>
</wsp15:Policy></sp12:EndorsingSupportingTokens>
<wsaw:UsingAddressing/>
</wsp15:All></wsp15:ExactlyOne>"#;
    let ws2007 = wsdl("soap12", HTTP, sp12, HTTPS)
        .replace(r#"<wsp:Policy wsu:Id="P">"#, r#"<wsp15:Policy wsu:Id="P">"#)
        .replace(
            "  </wsp:Policy>\n  <wsdl:portType",
            "  </wsp15:Policy>\n  <wsdl:portType",
        )
        .replace(
            r##"<wsp:PolicyReference URI="#P"/>"##,
            r##"<wsp15:PolicyReference URI="#P"/>"##,
        );
    let imported = own_as(
        "ws2007HttpBinding TMC cookie context",
        &ws2007,
        Target::Runtime,
        Role::Client,
        Binding(&[
            "envelope: Some(Soap12), addressing: Some(V10)",
            "key_size: None, key_entropy_mode: Combined, secure_conversation_version: V1_3",
            "send_cancel: false",
        ]),
    );
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(
        text.contains("sp12:RequireRequestSecurityTokenCollection"),
        "{text}"
    );
    // For both sides, the client's property is a comment, and said so.
    let both = own(
        "ws2007 for both sides",
        &ws2007,
        Target::Runtime,
        Binding(&["send_cancel: true"]),
    );
    let text = both.render(wsbind_compiler::diag::Style::Plain);
    assert!(text.contains("`mssp:MustNotSendCancel` is imported as `wsbind-send-cancel = false` for role = \"client\" only"), "{text}");
    assert!(both
        .toml
        .as_deref()
        .unwrap_or("")
        .contains("# wsbind-send-cancel = false"));

    // The context of WCF's UserNameOverTransport: runs.
    own(
        "security context",
        &wsdl("soap12", HTTP, &context("", USERNAME), HTTPS),
        Target::Runtime,
        Binding(&[
            "secure_conversation_version: Feb2005",
            "username: true, kerberos: false } })",
        ]),
    );

    // Transport security with a client certificate.
    let cert = wsdl(
        "soap12",
        HTTP,
        r#"<sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="true"/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256Sha256/></wsp:Policy></sp:AlgorithmSuite></wsp:Policy></sp:TransportBinding>"#,
        HTTPS,
    );
    own_as(
        "client certificate",
        &cert,
        Target::Model,
        Role::Server,
        Binding(&[
            "require_client_certificate: true",
            "name: Some(Basic256Sha256)",
        ]),
    );
    own_as(
        "client certificate (runtime)",
        &cert,
        Target::Runtime,
        Role::Server,
        Binding(&[
            "require_client_certificate: true",
            "addressing: Some(Transport)",
        ]),
    );

    // HTTP basic authentication inside the HTTPS token (WS-SP 1.2).
    let basic_auth = wsdl(
        "soap12",
        HTTP,
        r#"<sp12:TransportBinding><wsp:Policy><sp12:TransportToken><wsp:Policy><sp12:HttpsToken><wsp:Policy><sp12:HttpBasicAuthentication/></wsp:Policy></sp12:HttpsToken></wsp:Policy></sp12:TransportToken><sp12:AlgorithmSuite><wsp:Policy><sp12:Basic256/></wsp:Policy></sp12:AlgorithmSuite></wsp:Policy></sp12:TransportBinding>"#,
        HTTPS,
    );
    own(
        "https + basic",
        &basic_auth,
        Target::Model,
        Binding(&["header_auth: Some("]),
    );

    // A Kerberos AP-REQ bootstrap (WWSAPI's template): the model and the runtime run it.
    let kerberos = wsdl(
        "soap12",
        HTTP,
        &context(
            "",
            r#"<sp:KerberosToken sp:IncludeToken="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy/IncludeToken/Once"><wsp:Policy><sp:WssGssKerberosV5ApReqToken11/></wsp:Policy></sp:KerberosToken>"#,
        ),
        HTTPS,
    );
    own(
        "kerberos bootstrap",
        &kerberos,
        Target::Model,
        Binding(&["secure_conversation_version: Feb2005"]),
    );
    own(
        "kerberos bootstrap (runtime)",
        &kerberos,
        Target::Runtime,
        Binding(&["username: false, kerberos: true } })"]),
    );

    // Two alternatives: message security first, the transport second: the second is
    // imported.
    let two = wsdl(
        "soap12",
        HTTP,
        &context("", USERNAME).replacen(
            "<wsp:ExactlyOne>",
            "<wsp:ExactlyOne><wsp:All><sp:SymmetricBinding><wsp:Policy/></sp:SymmetricBinding></wsp:All>",
            1,
        ),
        HTTPS,
    );
    own(
        "second alternative",
        &two,
        Target::Runtime,
        Binding(&["secure_conversation_version: Feb2005"]),
    );

    // Refusals, each at its place.
    // WCF's netTcpBinding with Windows stream security: binary encoding, .NET Framing's
    // Windows transport security. WWSAPI's tcp channel with tcp-sspi-transport: in the
    // model; the runtime speaks HTTP only.
    let net_tcp = wsdl(
        "soap12",
        "http://schemas.microsoft.com/soap/tcp",
        r#"<msb:BinaryEncoding/><sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy><msf:WindowsTransportSecurity xmlns:msf="http://schemas.microsoft.com/ws/2006/05/framing/policy"><msf:ProtectionLevel>EncryptAndSign</msf:ProtectionLevel></msf:WindowsTransportSecurity></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout></wsp:Policy></sp:TransportBinding><wsaw:UsingAddressing/>"#,
        "net.tcp://service.example/Service.svc",
    );
    let imported = own(
        "net.tcp",
        &net_tcp,
        Target::Model,
        Binding(&["envelope: Some(Soap12), addressing: Some(V10)"]),
    );
    let toml = imported.toml.as_deref().unwrap_or("");
    assert!(
        toml.contains("binding = \"tcp\"") && toml.contains("kind = \"tcp-sspi-transport\""),
        "{toml}"
    );
    own(
        "net.tcp (runtime)",
        &net_tcp,
        Target::Runtime,
        Refused("WSB0040", "<soap12:binding"),
    );
    own(
        "another transport",
        &wsdl(
            "soap12",
            "http://example.org/soap/smtp",
            &context("", USERNAME),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<soap12:binding"),
    );
    own(
        "binary encoding",
        &wsdl(
            "soap12",
            HTTP,
            &context("", USERNAME).replace(
                "<wsap:UsingAddressing/>",
                "<wsap:UsingAddressing/><msb:BinaryEncoding/>",
            ),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<msb:BinaryEncoding"),
    );
    own(
        "digest password",
        &wsdl(
            "soap12",
            HTTP,
            &context(
                "",
                &USERNAME.replace("<sp:WssUsernameToken10/>", "<sp:HashPassword/>"),
            ),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:HashPassword"),
    );
    own(
        "X.509 credential",
        &wsdl(
            "soap12",
            HTTP,
            &context(
                "",
                r#"<sp:X509Token><wsp:Policy><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token>"#,
            ),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:X509Token"),
    );
    own(
        "SPNEGO",
        &wsdl(
            "soap12",
            HTTP,
            &context("", "<sp:SpnegoContextToken/>"),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:SpnegoContextToken"),
    );
    own(
        "Body signed by the context",
        &wsdl(
            "soap12",
            HTTP,
            &context("", USERNAME).replace(
                "</sp:SecureConversationToken>",
                "</sp:SecureConversationToken><sp:SignedParts><sp:Body/></sp:SignedParts>",
            ),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:Body"),
    );
    own(
        "unknown WS-SP assertion",
        &wsdl(
            "soap12",
            HTTP,
            &context("<sp:RequireSomethingNew/>", USERNAME),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:RequireSomethingNew"),
    );
    own(
        "no bootstrap policy",
        &wsdl(
            "soap12",
            HTTP,
            &context("", USERNAME)
                .replace("<sp:BootstrapPolicy>", "<vnd:Other>")
                .replace("</sp:BootstrapPolicy>", "</vnd:Other>"),
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0052", "<sp:SecureConversationToken"),
    );
    own(
        "missing policy",
        &wsdl("soap12", HTTP, "", HTTPS).replace(r##"URI="#P""##, r##"URI="#Q""##),
        Target::Runtime,
        Refused("WSB0051", "<wsp:PolicyReference"),
    );
    own(
        "reference cycle",
        &wsdl(
            "soap12",
            HTTP,
            r##"<wsp:PolicyReference URI="#P"/>"##,
            HTTPS,
        ),
        Target::Runtime,
        Refused("WSB0051", "<wsp:PolicyReference URI=\"#P\"/>\n"),
    );
    own(
        "no alternative",
        &wsdl("soap12", HTTP, "<wsp:ExactlyOne/>", HTTPS),
        Target::Runtime,
        Refused("WSB0051", "<wsdl:binding"),
    );
    own(
        "not well-formed",
        &wsdl("soap12", HTTP, "<sp:TransportBinding>", HTTPS),
        Target::Runtime,
        Refused("WSB0051", "</wsp:Policy>\n  <wsdl:portType"),
    );

    // Warnings, never silence: a vendor assertion and an optional one.
    let noted = wsdl(
        "soap12",
        HTTP,
        &context("", USERNAME).replace(
            "<wsap:UsingAddressing/>",
            "<wsap:UsingAddressing/><vnd:Audit/><sp:Wss11 wsp:Optional=\"true\"/>",
        ),
        HTTPS,
    );
    let imported = own(
        "vendor and optional",
        &noted,
        Target::Runtime,
        Binding(&["secure_conversation_version: Feb2005"]),
    );
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(
        text.contains("warning[WSB0053]: `vnd:Audit` (namespace `urn:example:vendor`)"),
        "{text}"
    );
    assert!(
        text.contains("warning[WSB0053]: `sp:Wss11` is optional"),
        "{text}"
    );
    let toml = imported.toml.as_deref().unwrap_or("");
    assert!(
        !toml.contains("security-header-version"),
        "an optional assertion is not imported:\n{toml}"
    );

    // A port that is not there, and a file that is not there.
    let missing = wsbind_wsdl::import_text(
        "service.wsdl",
        &basic,
        Some("Nope"),
        Target::Model,
        Role::Both,
    );
    assert_eq!(place(&missing), Some(("WSB0051".into(), "-".into())));
    assert!(missing
        .render(wsbind_compiler::diag::Style::Plain)
        .contains("the ports: B_IService"));
}

/// Hostile shapes are bounded: alternatives that multiply, references nested deeper
/// than the bound, documents that import one another without end, deep nesting.
#[test]
fn hostile_wsdls_are_bounded() {
    // 2^9 = 512 alternatives from nine ExactlyOne of two.
    let two = "<wsp:ExactlyOne><wsp:All><wsap:UsingAddressing/></wsp:All><wsp:All><wsaw:UsingAddressing/></wsp:All></wsp:ExactlyOne>";
    let many = wsdl("soap12", HTTP, &two.repeat(9), HTTPS);
    let imported = wsbind_wsdl::import_text("service.wsdl", &many, None, Target::Model, Role::Both);
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(text.contains("more than 256 alternatives"), "{text}");

    // A chain of 20 policies each referring to the next: deeper than 16.
    let mut chain = String::new();
    for i in 0..20 {
        chain.push_str(&format!(
            r##"<wsp:Policy wsu:Id="C{i}"><wsp:PolicyReference URI="#C{}"/></wsp:Policy>"##,
            i + 1
        ));
    }
    chain.push_str(r#"<wsp:Policy wsu:Id="C20"/>"#);
    let deep = wsdl(
        "soap12",
        HTTP,
        r##"<wsp:PolicyReference URI="#C0"/>"##,
        HTTPS,
    )
    .replace("<wsdl:portType", &format!("{chain}\n  <wsdl:portType"));
    let imported = wsbind_wsdl::import_text("service.wsdl", &deep, None, Target::Model, Role::Both);
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(
        text.contains("policy references nest deeper than 16"),
        "{text}"
    );

    // Every document imports two more, forever (the reader makes them up): at most 32
    // are read, each once.
    let root = wsdl("soap12", HTTP, &context("", USERNAME), HTTPS);
    let read = |p: &Path| -> std::io::Result<String> {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "service.wsdl" {
            return Ok(root.replace(
                "<wsp:Policy wsu:Id=\"P\">",
                "<wsdl:import location=\"d0.wsdl\"/><wsp:Policy wsu:Id=\"P\">",
            ));
        }
        let n: u64 = name
            .trim_start_matches('d')
            .trim_end_matches(".wsdl")
            .parse()
            .unwrap_or(0);
        Ok(format!(
            r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><wsdl:import location="d{}.wsdl"/><wsdl:import location="d{}.wsdl"/></wsdl:definitions>"#,
            2 * n + 1,
            2 * n + 2
        ))
    };
    let imported = run(Path::new("service.wsdl"), None, Target::Model, &read);
    assert_eq!(imported.sources.len(), 32);
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(
        text.contains("more than 32 documents are imported"),
        "{text}"
    );

    // Nesting deeper than the XML layer's bound (64): refused where it goes too deep.
    let nested = format!(
        "{}{}",
        "<wsp:Policy>".repeat(70),
        "</wsp:Policy>".repeat(70)
    );
    let imported = wsbind_wsdl::import_text(
        "service.wsdl",
        &wsdl("soap12", HTTP, &nested, HTTPS),
        None,
        Target::Model,
        Role::Both,
    );
    let text = imported.render(wsbind_compiler::diag::Style::Plain);
    assert!(
        text.contains("elements nest deeper than the limit of 64"),
        "{text}"
    );
}

/// `wsp:PolicyURIs` (WS-PolicyAttachment's attribute form) attaches policies as a
/// `wsp:PolicyReference` does; a URI that names nothing is an error, not ignored.
#[test]
fn policy_uris_attach_policies_too() {
    let by_reference = wsdl("soap12", HTTP, &context("", USERNAME), HTTPS);
    let by_uris = by_reference
        .replace(r##"<wsp:PolicyReference URI="#P"/>"##, "")
        .replace(
            r#"<wsdl:binding name="B" type="tns:IService">"#,
            r##"<wsdl:binding name="B" type="tns:IService" wsp:PolicyURIs="#P">"##,
        );
    assert_ne!(by_uris, by_reference);
    let a = wsbind_wsdl::import_text(
        "service.wsdl",
        &by_reference,
        None,
        Target::Runtime,
        Role::Both,
    );
    let b = wsbind_wsdl::import_text("service.wsdl", &by_uris, None, Target::Runtime, Role::Both);
    assert_eq!(description(&a), description(&b));
    // Attached to the port type instead (WS-PolicyAttachment allows it): the same.
    let on_port_type = by_reference
        .replace(r##"<wsp:PolicyReference URI="#P"/>"##, "")
        .replace(
            r#"<wsdl:portType name="IService">"#,
            r##"<wsdl:portType name="IService"><wsp:PolicyReference URI="#P"/>"##,
        );
    let p = wsbind_wsdl::import_text(
        "service.wsdl",
        &on_port_type,
        None,
        Target::Runtime,
        Role::Both,
    );
    assert_eq!(description(&p), description(&a));
    let missing = by_uris.replace(r##"wsp:PolicyURIs="#P""##, r##"wsp:PolicyURIs="#P #Q""##);
    let c = wsbind_wsdl::import_text("service.wsdl", &missing, None, Target::Runtime, Role::Both);
    assert_eq!(place(&c).map(|(rule, _)| rule), Some("WSB0051".to_owned()));
    assert!(c
        .render(wsbind_compiler::diag::Style::Plain)
        .contains("no policy has the id `Q`"));
}
