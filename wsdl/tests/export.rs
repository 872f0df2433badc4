//! `wsbind export` and `wsbind import` are each other's inverse: for each of WWSAPI's
//! fourteen binding templates, the exported WSDL imports back into the same description
//! (its typed form, and the channel and binding kinds the typed form leaves out), and
//! exporting that again gives the same policy.

use wsbind_compiler::description::{AddressingVersion, Description, EnvelopeVersion, Role};
use wsbind_compiler::model::File;
use wsbind_compiler::{check_toml, templates, Target};
use wsbind_wsdl::export::{export, Exported, Names};
use wsbind_wsdl::import_text;

/// The channel and each binding's kind, bootstrap included, in order.
fn shape(file: &File) -> String {
    let mut out = format!("{}:", file.channel.binding.value.as_str());
    if let Some(sec) = &file.security {
        for b in sec.bindings.iter() {
            out.push_str(&format!(" {}", b.kind.value.as_str()));
            if let Some(boot) = &b.bootstrap {
                out.push_str(" [");
                for bb in boot.bindings.iter() {
                    out.push_str(&format!(" {}", bb.kind.value.as_str()));
                }
                out.push_str(" ]");
            }
        }
    }
    out
}

/// The description and its model, from TOML valid in the model.
fn read(toml: &str) -> (File, Description) {
    let checked = check_toml(toml, Target::Model);
    assert!(!checked.has_errors(), "{toml}\n{:?}", checked.diagnostics);
    let d = checked.description().expect("valid");
    (checked.file.expect("read"), d)
}

fn exported(file: &File, d: &Description) -> Exported {
    export(
        file,
        d,
        &Names {
            service: "Service".into(),
            address: None,
            namespace: None,
        },
    )
    .unwrap_or_else(|e| panic!("export refused: {e:?}"))
}

#[test]
fn every_template_round_trips() {
    assert_eq!(templates::ALL.len(), 14);
    for t in templates::ALL {
        let (file, d) = read(t.text);
        let out = exported(&file, &d);
        let imported = import_text("service.wsdl", &out.wsdl, None, Target::Model, Role::Both);
        let rendered = imported.render(wsbind_compiler::diag::Style::Plain);
        let toml = imported.toml.as_deref().unwrap_or_else(|| {
            panic!(
                "{}: the export does not import:\n{rendered}\n{}",
                t.name, out.wsdl
            )
        });
        let (file2, d2) = read(toml);
        assert_eq!(shape(&file2), shape(&file), "{}:\n{toml}", t.name);
        // A WSDL always names its SOAP version and (with a policy) its WS-Addressing: the
        // template's defaults, made explicit.
        let mut expected = d.clone();
        expected.envelope.get_or_insert(EnvelopeVersion::Soap12);
        expected.addressing.get_or_insert(AddressingVersion::V10);
        assert_eq!(d2, expected, "{}:\n{}\n{toml}", t.name, out.wsdl);
        // And exporting the import gives the same policy.
        assert_eq!(exported(&file2, &d2).policy, out.policy, "{}", t.name);
        assert!(out.notes.is_empty(), "{}: {:?}", t.name, out.notes);
        if std::env::var_os("WSBIND_SHOW_EXPORT").is_some()
            && t.name == "http-ssl-username-security-context"
        {
            eprintln!("{}\n{toml}\n{rendered}", out.wsdl);
        }
    }
}

#[test]
fn what_no_assertion_carries_is_noted_and_what_cannot_be_written_is_refused() {
    let toml = r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
renewal-interval = "2h"
wsbind-signed-headers = ["to"]
wsbind-send-cancel = false
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#
    .replace(
        "binding = \"http\"",
        "binding = \"http\"\nrole = \"client\"\naddressing-version = \"0.9\"",
    );
    let (file, d) = read(&toml);
    let out = exported(&file, &d);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("renewal-interval = 7200s")),
        "{:?}",
        out.notes
    );
    assert!(
        out.policy.contains("<mssp:MustNotSendCancel/>"),
        "{}",
        out.policy
    );
    assert!(
        out.policy.contains(
            r#"<sp:Header Name="To" Namespace="http://schemas.xmlsoap.org/ws/2004/08/addressing"/>"#
        ),
        "{}",
        out.policy
    );
    let imported = import_text(
        "service.wsdl",
        &out.wsdl,
        None,
        Target::Runtime,
        Role::Client,
    );
    let (_, d2) = read(imported.toml.as_deref().expect("imports"));
    assert!(!d2.security.context.as_ref().expect("context").send_cancel);
    assert_eq!(d2.addressing, Some(AddressingVersion::V09));

    let named_pipe = "[channel]\nbinding = \"named-pipe\"\n";
    let (file, d) = read(named_pipe);
    let e = export(
        &file,
        &d,
        &Names {
            service: "S".into(),
            address: None,
            namespace: None,
        },
    )
    .expect_err("refused");
    assert!(e[0].contains("named-pipe"), "{e:?}");
}

#[test]
fn a_wsdl_of_ones_own_gets_the_policy_filled_in() {
    let template = templates::find("http-ssl-username-security-context").expect("template");
    let (file, d) = read(template.text);
    let out = exported(&file, &d);
    let own = r#"<?xml version="1.0"?>
<!-- the service's own WSDL, operations and all -->
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:tns="urn:orders" targetNamespace="urn:orders">
  <portType name="IOrders"><operation name="Submit"/></portType>
  <binding name="Orders" type="tns:IOrders">
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Submit"><soap12:operation soapAction="urn:orders/Submit"/></operation>
  </binding>
  <service name="OrderService">
    <port name="OrdersPort" binding="tns:Orders"><soap12:address location="https://orders.example/svc"/></port>
  </service>
</definitions>
"#;
    let filled = wsbind_wsdl::export::fill(own, &out).expect("filled");
    assert!(filled.contains("<operation name=\"Submit\"><soap12:operation soapAction=\"urn:orders/Submit\"/></operation>"));
    let imported = import_text("orders.wsdl", &filled, None, Target::Model, Role::Both);
    let (file2, d2) = read(imported.toml.as_deref().unwrap_or_else(|| {
        panic!(
            "{}\n{filled}",
            imported.render(wsbind_compiler::diag::Style::Plain)
        )
    }));
    assert_eq!(shape(&file2), shape(&file));
    let mut expected = d.clone();
    expected.envelope.get_or_insert(EnvelopeVersion::Soap12);
    expected.addressing.get_or_insert(AddressingVersion::V10);
    assert_eq!(d2, expected);
    assert!(wsbind_wsdl::export::fill("<nope/>", &out).is_err());
}
