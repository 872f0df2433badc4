//! The `wsbind` binary as users run it: output, formats and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn wsbind(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsbind"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("wsbind runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_valid_files_exits_0() {
    let o = wsbind(&[
        "check",
        "examples/bindings/order-service.toml",
        "examples/bindings/server-behind-tls-proxy.toml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("examples/bindings/order-service.toml: valid"));
}

#[test]
fn check_invalid_file_prints_rustc_style_diagnostics_and_exits_1() {
    let o = wsbind(&["check", "--color", "never", "examples/bindings/broken.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for expected in [
        "error[WSB0001]: the security-context binding cannot be used on a named-pipe channel",
        "--> examples/bindings/broken.toml:5:11",
        "binding = \"named-pipe\"",
        "^^^^^^^^^^^^ channel declared here",
        "------------------ security-context binding here",
        "= help: use an http or tcp channel",
        "error[WSB0039]: unknown key `key_size`",
        "= help: did you mean `key-size`?",
        "error[WSB0034]",
        "examples/bindings/broken.toml: ",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        !out.contains('\u{1b}'),
        "--color never prints no escape codes"
    );
}

#[test]
fn color_always_uses_ansi_colours() {
    let o = wsbind(&[
        "check",
        "--color",
        "always",
        "examples/bindings/broken.toml",
    ]);
    assert!(stdout(&o).contains('\u{1b}'));
}

#[test]
fn model_only_skips_runtime_support() {
    let with = stdout(&wsbind(&["check", "examples/bindings/broken.toml"]));
    let without = stdout(&wsbind(&[
        "check",
        "--model-only",
        "examples/bindings/broken.toml",
    ]));
    assert!(with.contains("WSB0040"));
    assert!(!without.contains("WSB0040"));
}

#[test]
fn json_format_is_machine_readable() {
    let o = wsbind(&[
        "check",
        "--format",
        "json",
        "examples/bindings/broken.toml",
        "examples/bindings/order-service.toml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["valid"], false);
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["valid"], false);
    assert_eq!(files[1]["valid"], true);
    let d = files[0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["id"] == "WSB0001")
        .expect("WSB0001");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["primary"]["line"], 5);
    assert_eq!(d["primary"]["column"], 11);
    assert_eq!(d["related"][0]["label"], "security-context binding here");
    assert!(d["help"]
        .as_str()
        .expect("help")
        .contains("named-pipe-sspi-transport"));
}

#[test]
fn unreadable_file_exits_2() {
    let o = wsbind(&["check", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn explain_prints_the_long_form() {
    let o = wsbind(&["explain", "WSB0012"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with(
        "WSB0012 (error): named-pipe-sspi-transport is available only on a named-pipe channel"
    ));
    assert!(out.contains("Fix:"));
    let list = stdout(&wsbind(&["explain"]));
    assert_eq!(list.lines().count(), wsbind_compiler::rules::ALL.len());
    assert!(list.contains("WSB0036 (warning)"));
    assert_eq!(wsbind(&["explain", "WSB9999"]).status.code(), Some(2));
    // Every id of the catalogue, old and new, WSB0001 to WSB0047.
    for n in 1..=47 {
        let id = format!("WSB{n:04}");
        let o = wsbind(&["explain", &id]);
        assert_eq!(o.status.code(), Some(0), "{id}");
        assert!(stdout(&o).starts_with(&id), "{id}");
    }
}

#[test]
fn schema_prints_the_committed_schema() {
    let o = wsbind(&["schema"]);
    let committed =
        std::fs::read_to_string(root().join("schemas/binding.schema.json")).expect("schema");
    assert_eq!(stdout(&o), committed);
}

/// A reader that stops early (`wsbind explain | head -1`) ends the program quietly, as
/// SIGPIPE would (status 141), instead of a panic about a broken pipe.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // Far more output than a pipe holds: one file of many diagnostics, checked 50 times.
    let dir = std::env::temp_dir().join(format!("wsbind-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("b.toml");
    let keys: String = (0..200).map(|i| format!("unknown{i} = 1\n")).collect();
    std::fs::write(
        &file,
        format!("[channel]\nbinding = \"http\"\n[security]\n{keys}"),
    )
    .expect("a description");
    let file = file.to_string_lossy().into_owned();
    let mut args = vec!["check"];
    args.extend(std::iter::repeat_n(file.as_str(), 50));
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsbind"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wsbind");
    // Read a little, then go away (as `head` does).
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("exit");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{:?}", out.status);
}

/// `wsbind new`: WWSAPI's fourteen templates listed; one written to a file that then
/// checks valid; an existing file never overwritten; an unknown name refused.
#[test]
fn new_lists_and_writes_the_templates() {
    let list = wsbind(&["new"]);
    assert!(list.status.success());
    assert_eq!(stdout(&list).lines().count(), 14, "{}", stdout(&list));
    let dir = std::env::temp_dir().join(format!("wsbind-new-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("binding.toml");
    let file_s = file.to_string_lossy().into_owned();
    let _ = std::fs::remove_file(&file);
    let written = wsbind(&[
        "new",
        "--template",
        "http-ssl-username-security-context",
        "-o",
        &file_s,
    ]);
    assert!(written.status.success(), "{written:?}");
    let checked = wsbind(&["check", &file_s]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    let again = wsbind(&["new", "--template", "tcp", "-o", &file_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(std::fs::read_to_string(&file)
        .expect("kept")
        .contains("SECURITY_CONTEXT"));
    let unknown = wsbind(&["new", "--template", "carrier-pigeon"]);
    assert_eq!(unknown.status.code(), Some(2));
    // A template the runtime does not run still checks valid in WWSAPI's model.
    let tcp = wsbind(&[
        "new",
        "--template",
        "WS_TCP_SSPI_BINDING_TEMPLATE",
        "-o",
        &dir.join("tcp.toml").to_string_lossy(),
    ]);
    assert!(tcp.status.success());
    let model = wsbind(&[
        "check",
        "--model-only",
        &dir.join("tcp.toml").to_string_lossy(),
    ]);
    assert!(model.status.success(), "{}", stdout(&model));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_reads_a_wsdl_into_a_checked_binding() {
    let wsdl =
        root().join("../shared/vectors/real-world/wcf-interop-wssc-wsdl/WSSecureConversation.wsdl");
    let wsdl = wsdl.to_str().expect("utf-8 path");
    // Several ports: listed, and none imported until one is named.
    let o = wsbind(&["import", "--color", "never", wsdl]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        err.contains("error[WSB0051]: the WSDL has 24 ports: name the one to import"),
        "{err}"
    );
    assert!(
        err.contains("SecureConversation_UserNameOverTransport_IPingService"),
        "{err}"
    );
    let list = stdout(&wsbind(&["import", "--list-ports", wsdl]));
    assert_eq!(list.lines().count(), 24, "{list}");

    // The port WCF's UserNameOverTransport: a binding `wsbind check` accepts.
    let dir = std::env::temp_dir().join(format!("wsbind-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("binding.toml");
    let _ = std::fs::remove_file(&out);
    let port = "SecureConversation_UserNameOverTransport_IPingService";
    let o = wsbind(&[
        "import",
        "--color",
        "never",
        "--port",
        port,
        "-o",
        out.to_str().expect("utf-8"),
        wsdl,
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning[WSB0053]"),
        "the assertions left out are named:\n{err}"
    );
    let toml = std::fs::read_to_string(&out).expect("written");
    assert!(toml.contains("# wsap:UsingAddressing (WSSecureConversation_policy.wsdl:141:5)\naddressing-version = \"0.9\""), "{toml}");
    let o = wsbind(&["check", out.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // An existing file is not overwritten.
    let o = wsbind(&[
        "import",
        "--port",
        port,
        "-o",
        out.to_str().expect("utf-8"),
        wsdl,
    ]);
    assert_eq!(o.status.code(), Some(2));

    // A port the model cannot express: refused at the policy's line, exit 1.
    let o = wsbind(&[
        "import",
        "--color",
        "never",
        "--port",
        "XC_IPingService",
        wsdl,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        err.contains("error[WSB0052]: `sp:SymmetricBinding` asks for message-mode security"),
        "{err}"
    );
    assert!(
        err.contains("WSSecureConversation_policy.wsdl:335:6"),
        "{err}"
    );
    assert!(
        err.contains("help: ask the service owner for an endpoint"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());

    // A WSDL that is not there.
    let o = wsbind(&["import", "no-such.wsdl"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_writes_a_wsdl_that_imports_back() {
    let dir = std::env::temp_dir().join(format!("wsbind-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let wsdl = dir.join("service.wsdl");
    let _ = std::fs::remove_file(&wsdl);
    let o = wsbind(&[
        "export",
        "examples/bindings/order-service.toml",
        "--service",
        "Orders",
        "-o",
        wsdl.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&wsdl).expect("written");
    assert!(
        text.contains("<sp:SecureConversationToken")
            && text.contains("<wsp:PolicyReference URI=\"#Orders_policy\"/>"),
        "{text}"
    );
    let o = wsbind(&["import", "--model-only", wsdl.to_str().expect("utf-8")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("kind = \"security-context\""));
    // The policy alone, and a description that cannot be written.
    let o = wsbind(&[
        "export",
        "--policy-only",
        "examples/bindings/order-service.toml",
    ]);
    assert!(
        stdout(&o).starts_with("<wsp:Policy xmlns:wsp="),
        "{}",
        stdout(&o)
    );
    let pipe = dir.join("pipe.toml");
    std::fs::write(&pipe, "[channel]\nbinding = \"named-pipe\"\n").expect("write");
    let o = wsbind(&["export", pipe.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("named-pipe"));
    let _ = std::fs::remove_dir_all(&dir);
}
