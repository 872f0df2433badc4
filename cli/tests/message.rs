//! `wsbind message protect|verify`: the interoperability door, as peers and users run
//! it. Messages made by the command are verified by Apache WSS4J, and WSS4J's stored
//! messages by the command.

use std::path::PathBuf;
use std::process::{Command, Output};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const ID: &str = "urn:uuid:6f1a2b3c-4d5e-4f60-8172-839405a6b7c8";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> PathBuf {
    root().join("../shared")
}

fn wsbind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsbind"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("wsbind runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-message");
    std::fs::create_dir_all(&dir).expect("tmp");
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p
}

#[test]
fn protect_then_verify_in_every_variant_and_wss4j_agrees() {
    let body = tmp(
        "body.xml",
        "<?xml version=\"1.0\"?>\n<m:Ping xmlns:m=\"urn:example\">hello &amp; welcome</m:Ping>\n",
    );
    let body = body.to_str().expect("utf-8");
    for version in ["feb-2005", "1.3"] {
        for suite in ["basic256", "basic256-sha256", "basic256-sha256-hmac-sha256"] {
            for soap in ["1.1", "1.2"] {
                for extra in [&[][..], &["--external-reference"][..]] {
                    let mut args = vec![
                        "message",
                        "protect",
                        "--context-id",
                        ID,
                        "--key-hex",
                        KEY,
                        "--version",
                        version,
                        "--suite",
                        suite,
                        "--soap",
                        soap,
                    ];
                    args.extend_from_slice(extra);
                    args.push(body);
                    let o = wsbind(&args);
                    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
                    let name = format!("p-{version}-{suite}-{soap}-{}.xml", extra.len());
                    let msg = tmp(&name, &text(&o.stdout));
                    let msg = msg.to_str().expect("utf-8");
                    let v = wsbind(&[
                        "message",
                        "verify",
                        "--context-id",
                        ID,
                        "--key-hex",
                        KEY,
                        "--unsigned-body",
                        msg,
                    ]);
                    assert_eq!(
                        v.status.code(),
                        Some(0),
                        "{}{}",
                        text(&v.stdout),
                        text(&v.stderr)
                    );
                    assert_eq!(
                        text(&v.stdout).trim(),
                        r#"<m:Ping xmlns:m="urn:example">hello &amp; welcome</m:Ping>"#
                    );
                    let peer = Command::new(shared().join("peers/wss4j/run"))
                        .args(["verify", KEY, ID, msg])
                        .output()
                        .expect("WSS4J peer");
                    assert!(
                        peer.status.success(),
                        "WSS4J refused {name}: {}{}",
                        text(&peer.stdout),
                        text(&peer.stderr)
                    );
                }
            }
        }
    }
}

#[test]
fn verify_accepts_wss4j_messages_at_their_time_and_refuses_them_later() {
    let dir = shared().join("vectors/wss4j-messages-soap12");
    let msg = dir.join("soap12-sc200512-hmac-sha1.xml");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("soap12-sc200512-hmac-sha1.json")).expect("json"),
    )
    .expect("meta");
    let created = meta["created"].as_str().expect("created");
    let key = meta["secret_hex"].as_str().expect("key");
    let id = meta["context_id"].as_str().expect("id");
    let msg = msg.to_str().expect("utf-8");
    let o = wsbind(&[
        "message",
        "verify",
        "--context-id",
        id,
        "--key-hex",
        key,
        "--now",
        created,
        "--profile",
        "derived-keys",
        msg,
    ]);
    // These vectors were made with a 10-year timestamp, which a receiver refuses by
    // default (a day at most)...
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).contains("longer than the 86400s accepted"),
        "{}",
        text(&o.stdout)
    );
    // ...unless told to accept it.
    let o = wsbind(&[
        "message",
        "verify",
        "--context-id",
        id,
        "--key-hex",
        key,
        "--now",
        created,
        "--max-validity",
        "315360000",
        "--profile",
        "derived-keys",
        msg,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = wsbind(&[
        "message",
        "verify",
        "--context-id",
        id,
        "--key-hex",
        key,
        "--now",
        "2040-01-01T00:00:00Z",
        "--max-validity",
        "315360000",
        "--profile",
        "derived-keys",
        msg,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).starts_with("rejected: "),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stdout).contains("expired"), "{}", text(&o.stdout));
}

/// Under the derived-key profile every part is signed: a changed Body is refused.
#[test]
fn verify_says_why_it_rejects() {
    let body = tmp("b2.xml", "<a>1</a>");
    let o = wsbind(&[
        "message",
        "protect",
        "--context-id",
        ID,
        "--key-hex",
        KEY,
        "--version",
        "1.3",
        "--profile",
        "derived-keys",
        body.to_str().expect("utf-8"),
    ]);
    let signed = text(&o.stdout);
    let tampered = tmp("tampered.xml", &signed.replace("<a>1</a>", "<a>2</a>"));
    let verify = |key: &str, file: &std::path::Path, profile: &str| {
        wsbind(&[
            "message",
            "verify",
            "--context-id",
            ID,
            "--key-hex",
            key,
            "--profile",
            profile,
            file.to_str().expect("utf-8"),
        ])
    };
    let o = verify(KEY, &tampered, "derived-keys");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("digest"), "{}", text(&o.stdout));
    let other_key = "ff".repeat(32);
    let good = tmp("good.xml", &signed);
    let o = verify(&other_key, &good, "derived-keys");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("signature value does not match"),
        "{}",
        text(&o.stdout)
    );
    // The two ends must agree on the profile.
    let o = verify(KEY, &good, "ms-lwssp");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
}

/// Under MS-LWSSP (the default) the signature covers the Timestamp alone: the Body's
/// integrity is TLS's, a changed Timestamp or another key is refused.
#[test]
fn ms_lwssp_signs_the_timestamp_alone() {
    let body = tmp("b4.xml", "<a>1</a>");
    let o = wsbind(&[
        "message",
        "protect",
        "--context-id",
        ID,
        "--key-hex",
        KEY,
        "--version",
        "feb-2005",
        "--now",
        "2026-12-01T10:00:00Z",
        body.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let signed = text(&o.stdout);
    assert_eq!(signed.matches("<Reference URI=").count(), 1, "{signed}");
    assert!(!signed.contains("DerivedKeyToken"), "{signed}");
    let verify = |key: &str, text_: &str, name: &str| {
        let file = tmp(name, text_);
        wsbind(&[
            "message",
            "verify",
            "--context-id",
            ID,
            "--key-hex",
            key,
            "--now",
            "2026-12-01T10:00:01Z",
            file.to_str().expect("utf-8"),
        ])
    };
    let o = verify(KEY, &signed, "lwssp-good.xml");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("over the Timestamp"),
        "{}",
        text(&o.stderr)
    );
    // Issue 22: the Body is not presented as verified: not printed at all unless
    // asked for, and then marked as not covered.
    assert_eq!(text(&o.stdout), "", "an unsigned Body printed");
    assert!(
        text(&o.stderr).contains("not covered by the signature"),
        "{}",
        text(&o.stderr)
    );
    let o = verify(
        KEY,
        &signed.replace("<a>1</a>", "<a>1000000 to mallory</a>"),
        "lwssp-body.xml",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "the Body is TLS's: {}",
        text(&o.stdout)
    );
    assert!(!text(&o.stdout).contains("mallory"), "{}", text(&o.stdout));
    let o = verify(
        KEY,
        &signed.replacen("10:00:00.000Z", "10:00:00.500Z", 1),
        "lwssp-ts.xml",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("digest"), "{}", text(&o.stdout));
    let o = verify(&"ff".repeat(32), &signed, "lwssp-key.xml");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("signature value does not match"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn usage_errors_exit_2() {
    let body = tmp("b3.xml", "<a/>");
    let b = body.to_str().expect("utf-8");
    let o = wsbind(&[
        "message",
        "protect",
        "--context-id",
        ID,
        "--key-hex",
        "xyz",
        "--version",
        "1.3",
        b,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--key-hex"), "{}", text(&o.stderr));
    let bad_body = tmp("bad.xml", "<a>");
    let o = wsbind(&[
        "message",
        "protect",
        "--context-id",
        ID,
        "--key-hex",
        KEY,
        "--version",
        "1.3",
        bad_body.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("not well-formed"),
        "{}",
        text(&o.stderr)
    );
    let o = wsbind(&[
        "message",
        "verify",
        "--context-id",
        ID,
        "--key-hex",
        KEY,
        "--now",
        "soon",
        b,
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 22: an oversized duration flag is a usage error naming the bound, not a panic
/// (it overflowed the clock arithmetic).
#[test]
fn oversized_duration_flags_are_refused_not_a_panic() {
    let body = tmp("b4.xml", "<a/>");
    for (flag, bound) in [
        ("--clock-skew", "31536000"),
        ("--max-validity", "3153600000"),
    ] {
        let o = wsbind(&[
            "message",
            "verify",
            "--context-id",
            ID,
            "--key-hex",
            KEY,
            flag,
            "18446744073709551615",
            body.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(bound), "{}", text(&o.stderr));
        assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
    }
}

/// Issue 22: `verify --reply` says what it checked (an MS-LWSSP reply is not signed:
/// its Timestamp's times, nothing else, whatever key is given), and prints the Body
/// only when asked, marked as not covered.
#[test]
fn a_reply_check_says_what_it_checked() {
    let body = tmp("b5.xml", "<a>reply</a>");
    let o = wsbind(&[
        "message",
        "protect",
        "--context-id",
        ID,
        "--key-hex",
        KEY,
        "--version",
        "1.3",
        "--reply",
        "--now",
        "2026-12-01T10:00:00Z",
        body.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let reply = tmp("reply.xml", &text(&o.stdout));
    let check = |extra: &[&str]| {
        let mut args = vec![
            "message",
            "verify",
            "--context-id",
            ID,
            "--key-hex",
            "ff",
            "--reply",
            "--now",
            "2026-12-01T10:00:01Z",
        ];
        args.extend_from_slice(extra);
        args.push(reply.to_str().expect("utf-8"));
        wsbind(&args)
    };
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("nothing else"),
        "{}",
        text(&o.stderr)
    );
    assert!(!text(&o.stderr).contains("verified"), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "");
    let o = check(&["--unsigned-body"]);
    assert_eq!(text(&o.stdout).trim(), "<a>reply</a>");
    assert!(
        text(&o.stderr).contains("not covered by any signature"),
        "{}",
        text(&o.stderr)
    );
}
