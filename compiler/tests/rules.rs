//! Every rule of the catalogue, through both front-ends: the right id, at the right
//! place, and no other rule than the ones the case legitimately breaks.

mod common {
    pub mod cases;
    pub mod convert;
}

use common::cases::{Case, CASES};
use common::convert::to_attr;
use std::collections::BTreeSet;
use wsbind_compiler::diag::Diagnostic;
use wsbind_compiler::{check_attr, check_toml, rules, Checked, Target};

fn target(case: &Case) -> Target {
    if case.rule == "WSB0040" {
        Target::Runtime
    } else {
        Target::Model
    }
}

fn ids(c: &Checked) -> BTreeSet<&'static str> {
    c.diagnostics.iter().map(|d| d.rule.id).collect()
}

fn expected_ids(case: &Case) -> BTreeSet<&'static str> {
    std::iter::once(case.rule)
        .chain(case.also.iter().copied())
        .collect()
}

/// The description `text` resolves to, through both front-ends (which must agree); a
/// panic with every diagnostic when it is invalid.
fn resolved_both(text: &str) -> wsbind_compiler::description::Description {
    resolved_both_for(text, Target::Runtime)
}

/// As [`resolved_both`], checked for `target`.
fn resolved_both_for(text: &str, target: Target) -> wsbind_compiler::description::Description {
    let checked = check_toml(text, target);
    let from_toml = checked
        .description()
        .unwrap_or_else(|| panic!("invalid:\n{text}\n{}", list(&checked)));
    let tokens: proc_macro2::TokenStream = to_attr(text).parse().expect("tokens");
    let from_attr = check_attr(tokens, target)
        .description()
        .expect("valid attribute form");
    assert_eq!(from_toml, from_attr);
    from_toml
}

fn list(c: &Checked) -> String {
    c.diagnostics
        .iter()
        .map(|d| format!("{}: {} [{}]", d.rule.id, d.message, d.primary.text))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_through_toml() {
    for case in CASES {
        let checked = check_toml(case.toml, target(case));
        assert_eq!(
            ids(&checked),
            expected_ids(case),
            "case {}:\n{}",
            case.rule,
            list(&checked)
        );
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.rule.id == case.rule)
            .expect("present");
        let range = d.primary.loc.range().expect("a TOML location");
        assert_eq!(
            &case.toml[range], case.primary,
            "case {}: points at the wrong text",
            case.rule
        );
        assert!(
            d.help.is_some(),
            "case {}: every diagnostic says how to fix it",
            case.rule
        );
    }
}

/// The text a proc-macro2 span covers in a one-line attribute source.
fn span_text(src: &str, span: proc_macro2::Span) -> String {
    let (s, e) = (span.start(), span.end());
    assert_eq!(s.line, 1, "attribute sources are one line");
    src.chars()
        .skip(s.column)
        .take(e.column.saturating_sub(s.column))
        .collect()
}

#[test]
fn every_rule_through_attributes() {
    for case in CASES {
        let attr = to_attr(case.toml);
        let tokens: proc_macro2::TokenStream =
            attr.parse().expect("attribute form parses as tokens");
        let checked = check_attr(tokens, target(case));
        assert_eq!(
            ids(&checked),
            expected_ids(case),
            "case {} ({attr}):\n{}",
            case.rule,
            list(&checked)
        );
        let d: &Diagnostic = checked
            .diagnostics
            .iter()
            .find(|d| d.rule.id == case.rule)
            .expect("present");
        let span = d.primary.loc.span().expect("a token location");
        let expected =
            if case.primary.starts_with(['"', '[', '{']) || case.primary.parse::<i64>().is_ok() {
                case.primary.to_owned()
            } else {
                case.primary.replace('-', "_")
            };
        if !case.primary.starts_with('{') {
            assert_eq!(
                span_text(&attr, span),
                expected,
                "case {}: points at the wrong token in {attr}",
                case.rule
            );
        }
        // Keys in messages and help are spelled the attribute way.
        let text = format!("{} {}", d.message, d.help.clone().unwrap_or_default());
        for kebab in [
            "key-size",
            "transport-protection-level",
            "require-server-auth",
            "renewal-interval",
        ] {
            assert!(
                !text.contains(&format!("`{kebab}")),
                "case {}: TOML spelling in an attribute diagnostic: {text}",
                case.rule
            );
        }
    }
}

#[test]
fn every_compile_time_rule_has_a_case() {
    let covered: BTreeSet<&str> = CASES.iter().map(|c| c.rule).collect();
    for r in rules::ALL {
        // WSB0041 (syntax) and WSB0042 (file) are front-end specific: see their own tests.
        // WSB0051–WSB0054 are the WSDL importer's: its table test (wsdl/tests/import.rs).
        if matches!(
            r.id,
            "WSB0041" | "WSB0042" | "WSB0051" | "WSB0052" | "WSB0053" | "WSB0054"
        ) {
            continue;
        }
        assert!(covered.contains(r.id), "{} has no test case", r.id);
    }
}

/// One description breaking six rules, in different places of the file (`keysize` is
/// unknown in both forms; `key_size` would be the attribute spelling of `key-size`).
const MANY_VIOLATIONS: &str = r#"
[channel]
binding = "named-pipe"
role = "client"
[[security.binding]]
kind = "security-context"
usage = "signing"
keysize = 100
renewal-interval = "ten hours"
"#;

#[test]
fn all_violations_are_reported_together() {
    let checked = check_toml(MANY_VIOLATIONS, Target::Runtime);
    let ids = ids(&checked);
    for id in [
        "WSB0039", "WSB0034", "WSB0001", "WSB0002", "WSB0005", "WSB0040",
    ] {
        assert!(ids.contains(id), "{id} missing from\n{}", list(&checked));
    }
}

#[test]
fn conflicts_point_at_both_places() {
    let case = CASES.iter().find(|c| c.rule == "WSB0001").expect("case");
    let checked = check_toml(case.toml, Target::Model);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.rule.id == "WSB0001")
        .expect("present");
    assert_eq!(d.related.len(), 1);
    let r = d.related[0].loc.range().expect("range");
    assert_eq!(&case.toml[r], r#""security-context""#);
}

#[test]
fn did_you_mean_suggests_the_closest_key_and_value() {
    let checked = check_toml(
        "[channel]\nbinding = \"htp\"\nrloe = \"client\"\n",
        Target::Model,
    );
    let helps: Vec<String> = checked
        .diagnostics
        .iter()
        .filter_map(|d| d.help.clone())
        .collect();
    assert!(
        helps.iter().any(|h| h.contains("did you mean \"http\"")),
        "{helps:?}"
    );
    assert!(
        helps.iter().any(|h| h.contains("did you mean `role`")),
        "{helps:?}"
    );
}

#[test]
fn syntax_errors_are_wsb0041_with_a_location() {
    let checked = check_toml("[channel]\nbinding = \n", Target::Model);
    assert_eq!(ids(&checked), BTreeSet::from(["WSB0041"]));
    assert!(checked.diagnostics[0].primary.loc.range().is_some());

    let checked = check_attr(
        "channel(binding = )".parse().expect("tokens"),
        Target::Model,
    );
    assert_eq!(ids(&checked), BTreeSet::from(["WSB0041"]));
    let checked = check_attr("channel binding".parse().expect("tokens"), Target::Model);
    assert_eq!(ids(&checked), BTreeSet::from(["WSB0041"]));
}

/// A security context bootstrapped by Kerberos over TLS (WWSAPI's
/// `WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE`).
const KERBEROS_CONTEXT: &str = r#"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "kerberos-apreq"
"#;

/// The runtime executes a Kerberos bootstrap: no WSB0040, through both front-ends, for
/// each side.
#[test]
fn a_kerberos_bootstrap_runs() {
    for role in ["client", "server", "both"] {
        let text = format!("[channel]\nbinding = \"http\"\nrole = \"{role}\"\n{KERBEROS_CONTEXT}");
        for (front, runtime) in [
            ("toml", check_toml(&text, Target::Runtime)),
            (
                "attribute",
                check_attr(to_attr(&text).parse().expect("tokens"), Target::Runtime),
            ),
        ] {
            assert!(
                runtime.diagnostics.is_empty(),
                "{role} ({front}):\n{}",
                list(&runtime)
            );
        }
    }
}

/// WSB0040 refuses each thing the catalogue lists as what the runtime cannot execute:
/// each description below is valid in the WWSAPI model and refused for the runtime, by
/// WSB0040 alone, through both front-ends.
#[test]
fn wsb0040_refuses_each_thing_the_catalogue_lists() {
    const CONTEXT: &str = r#"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
"#;
    let cases: Vec<(&str, String)> = vec![
        ("a tcp channel, tcp-sspi-transport", "[channel]\nbinding = \"tcp\"\n[[security.binding]]\nkind = \"tcp-sspi-transport\"\n".into()),
        ("a udp channel", "[channel]\nbinding = \"udp\"\n".into()),
        ("a named pipe, named-pipe-sspi-transport", "[channel]\nbinding = \"named-pipe\"\n[[security.binding]]\nkind = \"named-pipe-sspi-transport\"\n".into()),
        ("kerberos-apreq", "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"kerberos-apreq\"\n".into()),
        ("kerberos-apreq in a bootstrap, anonymous clients", format!("[channel]\nbinding = \"http\"\nrole = \"server\"\n{}", KERBEROS_CONTEXT.replace("kind = \"kerberos-apreq\"", "kind = \"kerberos-apreq\"\nallow-anonymous-clients = true"))),
        ("kerberos-apreq in a bootstrap, delegation", format!("[channel]\nbinding = \"http\"\nrole = \"client\"\n{}", KERBEROS_CONTEXT.replace("kind = \"kerberos-apreq\"", "kind = \"kerberos-apreq\"\nallowed-impersonation-level = \"delegation\""))),
        ("xml-token", "[channel]\nbinding = \"http\"\nrole = \"client\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"xml-token\"\n".into()),
        ("saml", "[channel]\nbinding = \"http\"\nrole = \"server\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"saml\"\n".into()),
        ("header auth, default scheme (negotiate)", "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"http-header-auth\"\n".into()),
        ("header auth, digest", "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"http-header-auth\"\nscheme = [\"digest\"]\n".into()),
        ("header auth towards a proxy", "[channel]\nbinding = \"http\"\nrole = \"client\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"http-header-auth\"\nscheme = [\"basic\"]\ntarget = \"proxy\"\n".into()),
        ("an explicit digest the engine lacks", format!("[channel]\nbinding = \"http\"\n[security.algorithm-suite]\ndigest = \"sha384\"\n{CONTEXT}")),
        ("an explicit canonicalization the engine lacks", format!("[channel]\nbinding = \"http\"\n[security.algorithm-suite]\ncanonicalization = \"exclusive-with-comments\"\n{CONTEXT}")),
        ("an explicit signature the engine lacks", format!("[channel]\nbinding = \"http\"\n[security.algorithm-suite]\nsymmetric-signature = \"hmac-sha512\"\n{CONTEXT}")),
    ];
    for (what, text) in &cases {
        for (front, model, runtime) in [
            (
                "toml",
                check_toml(text, Target::Model),
                check_toml(text, Target::Runtime),
            ),
            (
                "attribute",
                check_attr(to_attr(text).parse().expect("tokens"), Target::Model),
                check_attr(to_attr(text).parse().expect("tokens"), Target::Runtime),
            ),
        ] {
            assert!(
                model.diagnostics.is_empty(),
                "{what} ({front}), model:\n{}",
                list(&model)
            );
            assert_eq!(
                ids(&runtime),
                BTreeSet::from(["WSB0040"]),
                "{what} ({front}):\n{}",
                list(&runtime)
            );
        }
    }
}

#[test]
fn wcf_names_are_answered_with_this_formats_names() {
    let text = r#"
[channel]
binding = "wsHttpBinding"
[security]
mode = "TransportWithMessageCredential"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
establishSecurityContext = true
renewal-interval = "10:00:00"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
clientCredentialType = "UserName"
password = "hunter2"
"#;
    let expected = [
        ("wsHttpBinding", "binding = \"http\""),
        ("mode", "ssl-transport binding plus a message binding"),
        ("establishSecurityContext", "kind = \"security-context\""),
        ("10:00:00", "written \"10h\""),
        ("clientCredentialType", "kind = \"username\""),
        (
            "password",
            "credentials are not written into the description",
        ),
    ];
    let toml = check_toml(text, Target::Model);
    let attr = check_attr(to_attr(text).parse().expect("tokens"), Target::Model);
    for checked in [&toml, &attr] {
        assert_eq!(
            checked.diagnostics.len(),
            expected.len(),
            "{}",
            list(checked)
        );
        for (d, (what, help)) in checked.diagnostics.iter().zip(expected) {
            let shown = format!("{} / {}", d.message, d.help.as_deref().unwrap_or(""));
            assert!(
                shown.contains(what) && shown.contains(help),
                "{what}: {shown}"
            );
        }
    }
}

#[test]
fn errors_come_in_the_order_of_the_file() {
    let text = MANY_VIOLATIONS;
    let toml = check_toml(text, Target::Runtime);
    let starts: Vec<usize> = toml
        .diagnostics
        .iter()
        .map(|d| d.primary.loc.range().map_or(0, |r| r.start))
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "{starts:?}\n{}",
        list(&toml)
    );
    let first: Vec<&str> = toml.diagnostics.iter().map(|d| d.rule.id).collect();
    assert_eq!(
        first[0], "WSB0001",
        "the channel, on line 3, comes first: {first:?}"
    );
    // The attribute form: the same order.
    let attr = check_attr(to_attr(text).parse().expect("tokens"), Target::Runtime);
    let ids_attr: Vec<&str> = attr.diagnostics.iter().map(|d| d.rule.id).collect();
    assert_eq!(ids_attr, first, "{}", list(&attr));
}

#[test]
fn attribute_syntax_mistakes_are_named() {
    // The TOML spelling of a key, inside an attribute.
    let checked = check_attr(
        "channel(binding = \"http\"), security(binding(kind = \"security-context\", key-size = 256))"
            .parse()
            .expect("tokens"),
        Target::Model,
    );
    assert_eq!(ids(&checked), BTreeSet::from(["WSB0041"]));
    let d = &checked.diagnostics[0];
    assert_eq!(
        d.message,
        "invalid attribute syntax: attribute keys are snake_case: write `key_size`, not `key-size`"
    );
    // A value without its quotes, hyphenated or not.
    for (tokens, quoted) in [
        ("channel(binding = http)", "\"http\""),
        (
            "channel(binding = \"http\"), security(binding(kind = ssl-transport))",
            "\"ssl-transport\"",
        ),
    ] {
        let checked = check_attr(tokens.parse().expect("tokens"), Target::Model);
        assert_eq!(ids(&checked), BTreeSet::from(["WSB0041"]), "{tokens}");
        assert_eq!(
            checked.diagnostics[0].message,
            format!("invalid attribute syntax: put the value in quotes: `{quoted}`")
        );
    }
    // true and false are values of their own.
    let checked = check_attr(
        "channel(binding = \"http\"), security(binding(kind = \"ssl-transport\", require_client_certificate = true))"
            .parse()
            .expect("tokens"),
        Target::Model,
    );
    assert!(!ids(&checked).contains("WSB0041"), "{}", list(&checked));
}

#[test]
fn valid_descriptions_have_no_diagnostics() {
    for (name, text) in [
        (
            "order-service",
            include_str!("../../examples/bindings/order-service.toml"),
        ),
        (
            "server-behind-tls-proxy",
            include_str!("../../examples/bindings/server-behind-tls-proxy.toml"),
        ),
    ] {
        let checked = check_toml(text, Target::Runtime);
        assert!(
            checked.diagnostics.is_empty(),
            "{name}:\n{}",
            list(&checked)
        );
        assert!(checked.description().is_some());
    }
}

#[test]
fn rule_ids_are_unique_and_explained() {
    let mut seen = BTreeSet::new();
    for r in rules::ALL {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        assert!(
            r.explanation.contains("Fix:") || r.id == "WSB0039",
            "{} explains how to fix it",
            r.id
        );
        assert_eq!(rules::find(r.id).map(|x| x.id), Some(r.id));
    }
    assert_eq!(rules::find("wsb12").map(|r| r.id), Some("WSB0012"));
    assert_eq!(rules::find("12").map(|r| r.id), Some("WSB0012"));
    assert!(rules::find("WSB9999").is_none());
    assert!(rules::find("nonsense").is_none());
}

/// WSB0040 also refuses header authentication towards a proxy: the runtime sends
/// credentials to the service only.
#[test]
fn proxy_header_auth_is_not_executed() {
    let toml = r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "http-header-auth"
target = "proxy"
scheme = "basic"
"#;
    let checked = check_toml(toml, Target::Runtime);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.rule.id == "WSB0040")
        .unwrap_or_else(|| panic!("no WSB0040:\n{}", list(&checked)));
    let range = d.primary.loc.range().expect("a TOML location");
    assert_eq!(&toml[range], r#""proxy""#);
    assert!(
        check_toml(toml, Target::Model).diagnostics.is_empty(),
        "{}",
        list(&check_toml(toml, Target::Model))
    );
}

/// What a description resolves to for the wire: the signature profile (MS-LWSSP unless
/// `wsbind-signature` says otherwise) and what a named SHA-256 suite means (HMAC-SHA1
/// over SHA-256 digests, as WWSAPI defines it), through both front-ends.
#[test]
fn wire_defaults_resolve_as_documented() {
    use wsbind_compiler::description::{Digest, SignatureProfile, SymmetricSignature};
    let toml = |extra_security: &str, extra_context: &str| {
        format!(
            r#"
[channel]
binding = "http"
[security]
{extra_security}
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
{extra_context}
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#
        )
    };
    let d = resolved_both(&toml("", ""));
    let ctx = d.security.context.as_ref().expect("context");
    assert_eq!(ctx.signature_profile, SignatureProfile::MsLwssp);
    assert!(
        ctx.send_cancel,
        "a client cancels on close unless told not to"
    );
    let d = resolved_both(&toml("", r#"wsbind-signature = "derived-keys""#));
    let ctx = d.security.context.as_ref().expect("context");
    assert_eq!(ctx.signature_profile, SignatureProfile::DerivedKeys);
    let client = |t: String| {
        t.replace(
            "binding = \"http\"\n",
            "binding = \"http\"\nrole = \"client\"\n",
        )
    };
    let d = resolved_both(&client(toml("", "wsbind-send-cancel = false")));
    assert!(!d.security.context.as_ref().expect("context").send_cancel);
    // It is the client's decision: a description that includes the server is told so.
    let both = toml("", "wsbind-send-cancel = false");
    let checked = check_toml(&both, Target::Runtime);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.rule.id == "WSB0004")
        .unwrap_or_else(|| panic!("no WSB0004:\n{}", list(&checked)));
    assert!(d.message.contains("client-only"), "{}", d.message);

    let d = resolved_both(&toml(r#"algorithm-suite-name = "basic256-sha256""#, ""));
    let suite = d.security.protection.properties.algorithm_suite;
    assert_eq!(
        (suite.digest, suite.symmetric_signature),
        (Digest::Sha256, SymmetricSignature::HmacSha1)
    );
    let d = resolved_both(&toml(
        "[security.algorithm-suite]\ndigest = \"sha256\"\nsymmetric-signature = \"hmac-sha256\"",
        "",
    ));
    let suite = d.security.protection.properties.algorithm_suite;
    assert_eq!(
        (suite.digest, suite.symmetric_signature),
        (Digest::Sha256, SymmetricSignature::HmacSha256)
    );
    // An unknown profile is a vocabulary error at its value.
    let bad = toml("", r#"wsbind-signature = "signed-body""#);
    let checked = check_toml(&bad, Target::Runtime);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.rule.id == "WSB0039")
        .unwrap_or_else(|| panic!("no WSB0039:\n{}", list(&checked)));
    assert_eq!(
        &bad[d.primary.loc.range().expect("range")],
        r#""signed-body""#
    );
}

/// `usage` may be left out of a message binding (WSB0002, WSB0021): it is then
/// `supporting`, the only usage WWSAPI defines; through both front-ends, the
/// description is the same as with it written.
#[test]
fn usage_may_be_left_out() {
    let with = r#"
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
    let without = with.replace("usage = \"supporting\"\n", "");
    assert!(!without.contains("usage"));
    assert_eq!(resolved_both(&without), resolved_both(with));
}

/// WSB0033's bounds, as the catalogue gives them: a named suite from its own minimum to
/// 256 bits; an explicit suite from `min-symmetric-key-length` to
/// `max-symmetric-key-length`, 128 and 512 when left out; the message says when the
/// default suite applies, and the help never teaches a range WWSAPI refuses.
#[test]
fn key_size_bounds_follow_the_suite() {
    let text = |security: &str, key: &str| {
        format!(
            r#"
[channel]
binding = "http"
role = "client"
{security}
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
{key}
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
"#
        )
    };
    let wsb0033 = |t: &str| {
        let checked = check_toml(t, Target::Runtime);
        checked
            .diagnostics
            .iter()
            .find(|d| d.rule.id == "WSB0033")
            .map(|d| format!("{} | {}", d.message, d.help.clone().unwrap_or_default()))
    };
    // The default suite (basic256): 256 only.
    let m = wsb0033(&text("", "key-size = 512")).expect("512 is above basic256's maximum");
    assert!(
        m.contains("above the basic256 suite's maximum symmetric key length of 256"),
        "{m}"
    );
    assert!(m.contains("from 256 to 256"), "{m}");
    assert!(
        m.contains("every named suite's keys are at most 256 bits"),
        "{m}"
    );
    let m = wsb0033(&text("", "key-size = 192")).expect("192 is below basic256's minimum");
    assert!(
        m.contains("WWSAPI's default (basic256 suite) applies"),
        "{m}"
    );
    assert!(wsb0033(&text("", "key-size = 256")).is_none());
    // A named suite that is written: no word about the default.
    let m = wsb0033(&text(
        "[security]\nalgorithm-suite-name = \"basic128\"",
        "key-size = 64",
    ))
    .expect("below basic128");
    assert!(
        m.contains("from 128 to 256") && !m.contains("default"),
        "{m}"
    );
    // An explicit suite: 128 to 512 when left out.
    let explicit = "[security.algorithm-suite]\ndigest = \"sha1\"";
    assert!(wsb0033(&text(explicit, "key-size = 512")).is_none());
    let m = wsb0033(&text(explicit, "key-size = 1024")).expect("above 512");
    assert!(m.contains("maximum symmetric key length of 512"), "{m}");
    // Minimum above maximum is reported by itself.
    let m = wsb0033(&text(
        "[security.algorithm-suite]\nmin-symmetric-key-length = 256\nmax-symmetric-key-length = 192",
        "",
    ))
    .expect("min above max");
    assert!(m.contains("(256) is above") && m.contains("(192)"), "{m}");
    // The resolved description carries the same bounds.
    let d = check_toml(&text(explicit, ""), Target::Runtime)
        .description()
        .expect("valid");
    let s = d.security.protection.properties.algorithm_suite;
    assert_eq!(
        (s.min_symmetric_key_bits, s.max_symmetric_key_bits),
        (128, 512)
    );
    let d = check_toml(&text("", ""), Target::Runtime)
        .description()
        .expect("valid");
    let s = d.security.protection.properties.algorithm_suite;
    assert_eq!(
        (s.min_symmetric_key_bits, s.max_symmetric_key_bits),
        (256, 256)
    );
}

/// WWSAPI's own value names are accepted beside the format's (the catalogue's
/// vocabulary section), through both front-ends, and mean the same.
#[test]
fn wwsapi_value_names_are_accepted() {
    let text = |failures: &str, version: &str, signature: &str| {
        format!(
            r#"
[channel]
binding = "http"
role = "client"
[security.algorithm-suite]
asymmetric-signature = "{signature}"
[[security.binding]]
kind = "ssl-transport"
cert-failures-to-ignore = [{failures}]
[[security.binding]]
kind = "security-context"
secure-conversation-version = "{version}"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
"#
        )
    };
    // The WWSAPI model (the runtime ignores no certificate failure but
    // revocation-offline: WSB0040).
    let wwsapi = resolved_both_for(
        &text(
            r#""cn-mismatch", "invalid-date", "untrusted-root""#,
            "february-2005",
            "dsa-sha1",
        ),
        Target::Model,
    );
    let ours = resolved_both_for(
        &text(
            r#""cn-invalid", "date-invalid", "unknown-ca""#,
            "feb-2005",
            "rsa-sha1",
        ),
        Target::Model,
    );
    assert_eq!(wwsapi, ours);
    let failures = wwsapi
        .security
        .protection
        .ssl
        .expect("ssl")
        .cert_failures_to_ignore;
    assert!(failures.cn_invalid && failures.date_invalid && failures.unknown_ca);
}

/// A description without its `[channel]` table: the error points at the first line of
/// content (not at a comment above it) and says what to write, in each front-end's
/// syntax.
#[test]
fn a_missing_channel_says_what_to_write() {
    let text = "# the order service\n\n[[security.binding]]\nkind = \"ssl-transport\"\n";
    let checked = check_toml(text, Target::Model);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`channel`"))
        .unwrap_or_else(|| panic!("{}", list(&checked)));
    let at = d.primary.loc.range().expect("range").start;
    assert!(text[at..].starts_with("[[security.binding]]"), "{at}");
    let help = d.help.clone().unwrap_or_default();
    assert!(
        help.contains("`[channel]`") && help.contains("binding = \"http\""),
        "{help}"
    );

    let checked = check_attr(
        "security(binding(kind = \"ssl-transport\"))"
            .parse()
            .expect("tokens"),
        Target::Model,
    );
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`channel`"))
        .unwrap_or_else(|| panic!("{}", list(&checked)));
    let help = d.help.clone().unwrap_or_default();
    assert!(
        help.contains("channel(binding = \"http\")") && !help.contains('['),
        "{help}"
    );
}

/// TOML's duplicate key error points at both definitions.
#[test]
fn a_duplicate_key_points_at_the_first_definition() {
    let text = "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\nkey-size = 256\nkey-size = 128\n";
    let checked = check_toml(text, Target::Model);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("duplicate key"))
        .unwrap_or_else(|| panic!("{}", list(&checked)));
    let first = d.related[0].loc.range().expect("first definition");
    assert_eq!(&text[first.clone()], "key-size");
    assert_eq!(&text[first.start..first.start + 14], "key-size = 256");
    // Another table's key of the same name is not a first definition.
    let text = "[channel]\nbinding = \"http\"\n[security]\nbinding = 1\nbinding = 2\n";
    let checked = check_toml(text, Target::Model);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("duplicate key"))
        .unwrap_or_else(|| panic!("{}", list(&checked)));
    let first = d.related[0].loc.range().expect("first definition");
    assert_eq!(&text[first.start..first.start + 11], "binding = 1");
}

/// An unknown key in a binding is answered with the keys *that kind* accepts.
#[test]
fn unknown_keys_list_the_keys_of_the_binding_kind() {
    let text = "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\nfoo-bar = 1\n";
    for checked in [
        check_toml(text, Target::Model),
        check_attr(to_attr(text).parse().expect("tokens"), Target::Model),
    ] {
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.message.contains("foo"))
            .unwrap_or_else(|| panic!("{}", list(&checked)));
        let help = d.help.clone().unwrap_or_default();
        assert!(help.contains("require") && help.contains("cert"), "{help}");
        assert!(
            !help.contains("renewal") && !help.contains("scheme"),
            "{help}"
        );
    }
}
