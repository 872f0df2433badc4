//! `wsbind negotiate rst|respond|key`: a negotiation one message at a time, in every
//! entropy mode and both generations; the negotiated key then protects a message that
//! Apache WSS4J verifies.

use std::path::PathBuf;
use std::process::{Command, Output};

fn wsbind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsbind"))
        .args(args)
        .output()
        .expect("wsbind runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn field(out: &str, name: &str) -> Option<String> {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
}

fn tmp(name: &str, content: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-negotiate");
    std::fs::create_dir_all(&dir).expect("tmp");
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p.to_str().expect("utf-8").to_owned()
}

#[test]
fn both_sides_derive_the_same_key_and_wss4j_accepts_it() {
    for entropy in ["client-only", "server-only", "combined"] {
        for version in ["feb-2005", "1.3"] {
            let tag = format!("{entropy}-{version}");
            let o = wsbind(&[
                "negotiate",
                "rst",
                "--version",
                version,
                "--entropy",
                entropy,
                "--username",
                "alice",
                "--password",
                "s3cret",
            ]);
            assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
            let err = text(&o.stderr);
            let request_id = field(&err, "message-id").expect("message id");
            let entropy_hex = field(&err, "client-entropy");
            assert_eq!(entropy_hex.is_some(), entropy != "server-only", "{tag}");
            let rst = tmp(&format!("rst-{tag}.xml"), &text(&o.stdout));

            let o = wsbind(&[
                "negotiate",
                "respond",
                "--version",
                version,
                "--entropy",
                entropy,
                "--accept",
                "alice:s3cret",
                &rst,
            ]);
            assert_eq!(o.status.code(), Some(0), "{tag}: {}", text(&o.stderr));
            let err = text(&o.stderr);
            let server_key = field(&err, "key").expect("key");
            let context_id = field(&err, "context-id").expect("context id");
            let rstr = tmp(&format!("rstr-{tag}.xml"), &text(&o.stdout));

            let mut args = vec![
                "negotiate",
                "key",
                "--version",
                version,
                "--entropy",
                entropy,
                "--request-id",
                &request_id,
            ];
            if let Some(h) = &entropy_hex {
                args.extend(["--client-entropy-hex", h]);
            }
            args.push(&rstr);
            let o = wsbind(&args);
            assert_eq!(o.status.code(), Some(0), "{tag}: {}", text(&o.stdout));
            let out = text(&o.stdout);
            assert_eq!(
                field(&out, "key").as_deref(),
                Some(server_key.as_str()),
                "{tag}"
            );
            assert_eq!(
                field(&out, "context-id").as_deref(),
                Some(context_id.as_str())
            );

            // The negotiated context protects a message WSS4J verifies.
            let body = tmp(&format!("body-{tag}.xml"), "<m:Ping xmlns:m=\"urn:m\"/>");
            let o = wsbind(&[
                "message",
                "protect",
                "--context-id",
                &context_id,
                "--key-hex",
                &server_key,
                "--version",
                version,
                &body,
            ]);
            assert_eq!(o.status.code(), Some(0));
            let msg = tmp(&format!("msg-{tag}.xml"), &text(&o.stdout));
            let peer = Command::new(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers/wss4j/run"),
            )
            .args(["verify", &server_key, &context_id, &msg])
            .output()
            .expect("WSS4J peer");
            assert!(peer.status.success(), "{tag}: {}", text(&peer.stdout));
        }
    }
}

#[test]
fn a_wrong_password_is_refused_with_a_fault() {
    let o = wsbind(&[
        "negotiate",
        "rst",
        "--version",
        "1.3",
        "--username",
        "alice",
        "--password",
        "nope",
    ]);
    let rst = tmp("rst-wrong.xml", &text(&o.stdout));
    let o = wsbind(&[
        "negotiate",
        "respond",
        "--version",
        "1.3",
        "--accept",
        "alice:s3cret",
        &rst,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("rejected: the client's credentials were rejected"));
    assert!(
        text(&o.stdout).contains("FailedAuthentication"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_mismatched_entropy_mode_is_named() {
    let o = wsbind(&[
        "negotiate",
        "rst",
        "--version",
        "feb-2005",
        "--entropy",
        "server-only",
        "--username",
        "alice",
        "--password",
        "s3cret",
    ]);
    let rst = tmp("rst-mode.xml", &text(&o.stdout));
    let o = wsbind(&[
        "negotiate",
        "respond",
        "--version",
        "feb-2005",
        "--entropy",
        "combined",
        "--accept",
        "alice:s3cret",
        &rst,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("entropy mode is combined"),
        "{}",
        text(&o.stderr)
    );
}

/// Issue 22: a value from an untrusted RSTR cannot print a line of its own: an
/// Identifier holding a line break and `key: …` stays on the `context-id:` line, and the
/// one `key:` line is the real key.
#[test]
fn an_untrusted_response_cannot_forge_an_output_line() {
    let o = wsbind(&[
        "negotiate",
        "rst",
        "--version",
        "1.3",
        "--entropy",
        "combined",
        "--username",
        "alice",
        "--password",
        "s3cret",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let request_id = field(&err, "message-id").expect("message id");
    let entropy = field(&err, "client-entropy").expect("entropy");
    let rst = tmp("forge-rst.xml", &text(&o.stdout));
    let o = wsbind(&[
        "negotiate",
        "respond",
        "--version",
        "1.3",
        "--entropy",
        "combined",
        "--accept",
        "alice:s3cret",
        &rst,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let context_id = field(&err, "context-id").expect("context id");
    let real_key = field(&err, "key").expect("key");
    let forged = format!("{context_id}&#10;key: {}", "41".repeat(32));
    let rstr = tmp(
        "forge-rstr.xml",
        &text(&o.stdout).replace(&context_id, &forged),
    );
    let o = wsbind(&[
        "negotiate",
        "key",
        "--version",
        "1.3",
        "--entropy",
        "combined",
        "--request-id",
        &request_id,
        "--client-entropy-hex",
        &entropy,
        &rstr,
    ]);
    let out = text(&o.stdout);
    let keys: Vec<&str> = out.lines().filter(|l| l.starts_with("key:")).collect();
    assert!(keys.len() <= 1, "a forged line: {out}");
    if o.status.code() == Some(0) {
        assert_eq!(keys, [format!("key: {real_key}").as_str()], "{out}");
        assert!(
            out.contains("\\nkey: 4141"),
            "escaped on the context-id line: {out}"
        );
    }
}
