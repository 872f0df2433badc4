//! The importer's table: every port of the WSDLs in `../shared/vectors/real-world/` (WCF's
//! 23 interop endpoints, CXF's and Metro's WS-SC system tests) and WSDLs of our own in
//! the shapes WCF and CoreWCF publish, each imported into the expected description or
//! refused with the expected rule at the expected line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wsbind_compiler::description::Description;
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
            read,
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
                "context: Some(SecurityContext { key_size: Some(256), key_entropy_mode: Combined, secure_conversation_version: Feb2005",
                "signature_profile: MsLwssp, send_cancel: true, signed_headers: [To]",
                "security_header_layout: Strict",
                "username: true } })",
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
