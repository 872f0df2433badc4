//! Editing a `binding.toml` makes cargo rebuild the crate that uses it (the generated code
//! `include_bytes!`s the file, as sqlx's macros track their inputs): a valid description
//! builds, the same file made invalid fails with the rule's error, fixed again it builds.

use std::path::{Path, PathBuf};
use std::process::Command;

const VALID: &str = r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#;

const INVALID: &str = r#"
[channel]
binding = "named-pipe"
role = "client"
[[security.binding]]
kind = "ssl-transport"
"#;

fn build(dir: &Path, target: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A crate `name` depending on wsbind, with `main` as its `src/main.rs`, under
/// `target/tests/`: its directory, and the target directory its builds share (trybuild's,
/// which already holds wsbind's dependencies).
fn probe(name: &str, main: &str) -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nwsbind = {{ path = {:?} }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .expect("write manifest");
    // Same dependency versions as the workspace, so the build reuses its artifacts.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy lock");
    std::fs::write(dir.join("src/main.rs"), main).expect("write main");
    (dir, root.join("target/tests/trybuild"))
}

#[test]
fn editing_the_toml_rebuilds() {
    let (dir, target) = probe(
        "rebuild-probe",
        "#[wsbind::binding(file = \"binding.toml\")]\nstruct Service;\nfn main() { let _ = Service::DESCRIPTION; }\n",
    );

    std::fs::write(dir.join("binding.toml"), VALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "the valid description builds:\n{err}");

    std::fs::write(dir.join("binding.toml"), INVALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(
        !ok,
        "editing the TOML to an invalid description must fail the next build"
    );
    assert!(
        err.contains("[WSB0013]") && err.contains("binding.toml:3:11"),
        "the rule's error, at the TOML line:\n{err}"
    );

    std::fs::write(dir.join("binding.toml"), VALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "fixed again, it builds:\n{err}");
}

/// The service's WSDL: its port and binding; the policy lives in `policy.wsdl`.
const SERVICE_WSDL: &str = r##"<wsdl:definitions targetNamespace="urn:probe"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:tns="urn:probe">
  <wsdl:import namespace="urn:probe" location="policy.wsdl"/>
  <wsdl:binding name="B" type="tns:I">
    <wsp:PolicyReference URI="#P"/>
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  </wsdl:binding>
  <wsdl:service name="S">
    <wsdl:port name="P" binding="tns:B"><soap12:address location="https://probe/"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"##;

/// The policy document: WCF's TransportWithMessageCredential security context, or
/// (`symmetric`) message security, which the model cannot express.
fn policy_wsdl(symmetric: bool) -> String {
    let transport = if symmetric {
        "SymmetricBinding"
    } else {
        "TransportBinding"
    };
    format!(
        r##"<wsdl:definitions targetNamespace="urn:probe" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"
    xmlns:wsap="http://schemas.xmlsoap.org/ws/2004/08/addressing/policy">
  <wsp:Policy wsu:Id="P">
    <sp:{transport}><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken><sp:IncludeTimestamp/></wsp:Policy></sp:{transport}>
    <sp:EndorsingSupportingTokens><wsp:Policy><sp:SecureConversationToken><wsp:Policy><sp:BootstrapPolicy><wsp:Policy>
      <sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken></wsp:Policy></sp:TransportBinding>
      <sp:SignedSupportingTokens><wsp:Policy><sp:UsernameToken/></wsp:Policy></sp:SignedSupportingTokens>
    </wsp:Policy></sp:BootstrapPolicy></wsp:Policy></sp:SecureConversationToken></wsp:Policy></sp:EndorsingSupportingTokens>
    <wsap:UsingAddressing/>
  </wsp:Policy>
</wsdl:definitions>
"##
    )
}

#[test]
fn editing_an_imported_wsdl_document_rebuilds() {
    let (dir, target) = probe(
        "rebuild-wsdl-probe",
        "#[wsbind::binding(wsdl = \"service.wsdl\", role = \"client\")]\nstruct Service;\nfn main() { let _ = Service::DESCRIPTION; }\n",
    );
    std::fs::write(dir.join("service.wsdl"), SERVICE_WSDL).expect("write");

    std::fs::write(dir.join("policy.wsdl"), policy_wsdl(false)).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "the imported policy builds:\n{err}");

    // Only the imported document changes: the build must see it.
    std::fs::write(dir.join("policy.wsdl"), policy_wsdl(true)).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(!ok, "editing the imported policy must fail the next build");
    assert!(
        err.contains("[WSB0052]") && err.contains("policy.wsdl:7:6"),
        "the refusal, at the policy's line:\n{err}"
    );

    std::fs::write(dir.join("policy.wsdl"), policy_wsdl(false)).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "fixed again, it builds:\n{err}");
}
