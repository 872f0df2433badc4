//! Hostile-shape benchmark (issue 12): each shape the security review found, at 1 MiB
//! and 4 MiB (just under the 4 MiB message limit), next to a benign message of the same
//! size:
//! - `benign`: a genuine MS-LWSSP request whose Body holds the bytes as text;
//! - `benign-markup`: the same, its Body full of small elements with prefixed
//!   attributes (what `namespaces` is compared with: elements against elements);
//! - `namespaces`: attributes using prefixes declared at the top, under 60 levels
//!   that each declare 64 other prefixes (namespace lookup, item 1);
//! - `signed-info`: a SignedInfo filled with InclusiveNamespaces (item 2);
//! - `dkt-label`: a DerivedKeyToken whose Label holds the bytes (item 3; derived-keys
//!   profile);
//! - `namespace-uri`: one namespace URI holding the bytes (item 9);
//! - `references`: an authenticated sender's amplification (issue 22): 31 references
//!   beside the Timestamp's, to elements nested in the Body, every digest correct and
//!   the HMAC valid (the old verifier canonicalized the Body 31 times; only the
//!   Timestamp, the Body and header blocks may be referenced now, each once).
//!
//! Part 1 times `security::verify` with the policy of `wsbind message verify` and a
//! live context key: the time to refuse each shape, and its ratio to the benign
//! message of its make, elements or text (goal: within 5x). Part 2 serves HTTPS on loopback and measures a
//! legitimate client's call latency idle, then while another connection posts the
//! 4 MiB shapes back to back (goal: within 2x of idle). Part 3 checks descriptions
//! (`binding.toml`) of 64 KiB and 1 MiB as `wsbind check` does — parse, validate,
//! render every diagnostic — in hostile shapes next to a valid description of the same
//! size, a list of service principal names (goal: within 5x): 1,000 unknown keys (as
//! many as a description may hold: each a diagnostic), keys to the end, arrays nested
//! on one line, a string of control characters, a line of bad characters.
//!
//! `cargo bench --bench hostile` (under `cargo test`: 64 KiB shapes, a few calls).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wsbind::keys::{SecretKey, SeededRng};
use wsbind::security::{protect, verify, Acceptance, Outgoing, ReplayCache, SigningKey, Suite};
use wsbind::security::{DERIVED_KEYS, MS_LWSSP};
use wsbind::transport::{Answer, Call};
use wsbind::wire::{self, Addressing, ScVersion, Soap};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};
use wsbind::{Framing, Headers};

#[wsbind::binding(
    channel(binding = "http", role = "both"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            bootstrap(binding(kind = "ssl-transport"), binding(kind = "username")),
        ),
    )
)]
struct Orders;

const ID: &str = "urn:uuid:8a63487c-662b-40bf-b2df-f3b536062f5e";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn key() -> SecretKey {
    SecretKey::new(vec![0x5a; 32])
}

/// A genuine request with `body`, signed as `derived` says.
fn request(body: &str, derived: bool) -> String {
    let profile = if derived { &DERIVED_KEYS } else { &MS_LWSSP };
    protect(
        &Outgoing {
            framing: Framing {
                soap: Soap::V12,
                addressing: Addressing::V10,
            },
            headers: Headers {
                action: "urn:example:orders/Pay",
                to: Some("https://orders.example/svc"),
                message_id: Some("urn:uuid:11111111-2222-3333-4444-555555555555"),
                reply_to_anonymous: true,
                relates_to: None,
                application: &[],
            },
            body,
        },
        &SigningKey {
            sc: wire::sc(ScVersion::V1_3),
            identifier: ID,
            instance: None,
            cookie: None,
            key: &key(),
            include_token: true,
            received: None,
        },
        &Suite::BASIC256,
        &profile.request,
        t0(),
        Duration::from_secs(300),
        &mut SeededRng::new(3),
    )
    .expect("protect")
}

/// Pads `template` (which holds `{}` once) with `unit` repeated to `size` bytes.
fn fill(template: &str, unit: &str, size: usize) -> String {
    let room = size.saturating_sub(template.len()) / unit.len().max(1);
    template.replacen("{}", &unit.repeat(room), 1)
}

fn shape(name: &str, size: usize) -> String {
    match name {
        "benign" => fill(
            &request("<m:Pay xmlns:m=\"urn:example:orders\">{}</m:Pay>", false),
            "0123456789abcdef",
            size,
        ),
        // The same elements as `namespaces`, without its declarations.
        "benign-markup" => fill(
            &request(
                "<m:Pay xmlns:m=\"urn:example:orders\" xmlns:p0=\"urn:0\" xmlns:p31=\"urn:31\" xmlns:p63=\"urn:63\">{}</m:Pay>",
                false,
            ),
            "<e p0:a=\"1\" p31:b=\"2\" p63:c=\"3\"/>",
            size,
        ),
        "namespaces" => {
            // Prefixes p0..p63 declared at the Body's child, 60 levels each declaring
            // 64 others (62 in the review; with the Envelope, Body and the element
            // holding p0..p63 that meets the parser's depth limit of 64), then
            // elements using the root prefixes in attributes.
            let mut open = String::from("<r xmlns:p0=\"urn:0\"");
            for i in 1..64 {
                open.push_str(&format!(" xmlns:p{i}=\"urn:{i}\""));
            }
            open.push('>');
            for level in 0..60 {
                open.push_str("<n");
                for j in 0..64 {
                    open.push_str(&format!(" xmlns:q{level}x{j}=\"urn:q{j}\""));
                }
                open.push('>');
            }
            let close = format!("{}</r>", "</n>".repeat(60));
            let unit = "<e p0:a=\"1\" p31:b=\"2\" p63:c=\"3\"/>";
            let room = size.saturating_sub(open.len() + close.len() + 2000) / unit.len();
            let body = format!("{open}{}{close}", unit.repeat(room));
            request("{}", false).replacen("{}", &body, 1)
        }
        "signed-info" => {
            let r = request("<m:Pay xmlns:m=\"urn:example:orders\">10</m:Pay>", false);
            let empty = "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></CanonicalizationMethod>";
            let filled = "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{}</CanonicalizationMethod>";
            fill(
                &r.replacen(empty, filled, 1),
                "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"\"/>",
                size,
            )
        }
        "dkt-label" => {
            let r = request("<m:Pay xmlns:m=\"urn:example:orders\">10</m:Pay>", true);
            let at = r.find("<c:Nonce>").expect("the derived key token's nonce");
            let template = format!("{}<c:Label>{{}}</c:Label>{}", &r[..at], &r[at..]);
            fill(
                &template,
                "WS-SecureConversationWS-SecureConversation",
                size,
            )
        }
        "references" => {
            let open: String = (0..31).map(|i| format!("<m:n u:Id=\"n{i}\">")).collect();
            let close = "</m:n>".repeat(31);
            let template = request(
                &format!("<m:Pay xmlns:m=\"urn:example:orders\">{open}{{}}{close}</m:Pay>"),
                false,
            );
            // The 31 references take about 8 KiB of the size.
            let fill_to = size.saturating_sub(9 << 10);
            signed_with_references(&fill(&template, "0123456789abcdef", fill_to), 31)
        }
        _ => {
            // namespace-uri
            let r = request("<m:Pay xmlns:m=\"{}\">10</m:Pay>", false);
            fill(&r, "urn:example:", size)
        }
    }
}

const SHAPES: [&str; 7] = [
    "benign",
    "benign-markup",
    "namespaces",
    "signed-info",
    "dkt-label",
    "namespace-uri",
    "references",
];

/// `text` (an MS-LWSSP request) with references to the elements `n0`..`n{count-1}`
/// added to its SignedInfo, each with its true SHA-1 digest, and signed again with the
/// context's key: what a sender holding a context can make.
fn signed_with_references(text: &str, count: usize) -> String {
    use base64::Engine as _;
    use wsbind::security::ID_ATTRIBUTES;
    use wsbind::xml::c14n;
    use wsbind::xml::dom::{Document, Limits};
    let b64 = base64::engine::general_purpose::STANDARD;
    let limits = Limits::default();
    let doc = Document::parse_with_ids(text, &limits, ID_ATTRIBUTES).expect("the request");
    let mut references = String::new();
    for i in 0..count {
        let id = format!("n{i}");
        let e = doc
            .elements_with_id(&id)
            .next()
            .expect("the nested element");
        let mut canonical = Vec::new();
        c14n::exclusive(&doc, e, &[], false, &mut canonical);
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &canonical);
        references.push_str(&format!(
            "<Reference URI=\"#{id}\"><Transforms><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></Transform></Transforms><DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"></DigestMethod><DigestValue>{}</DigestValue></Reference>",
            b64.encode(digest)
        ));
    }
    let with_refs = text.replacen("</SignedInfo>", &format!("{references}</SignedInfo>"), 1);
    let doc = Document::parse_with_ids(&with_refs, &limits, ID_ATTRIBUTES).expect("resigned");
    let signed_info = doc
        .descendants(doc.root())
        .find(|e| doc.local_name(*e) == "SignedInfo")
        .expect("SignedInfo");
    let mut canonical = Vec::new();
    c14n::exclusive(&doc, signed_info, &[], false, &mut canonical);
    let k = key();
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, k.as_bytes()),
        &canonical,
    );
    let start = with_refs.find("<SignatureValue>").expect("a signature") + "<SignatureValue>".len();
    let end = with_refs[start..].find('<').expect("its end") + start;
    format!(
        "{}{}{}",
        &with_refs[..start],
        b64.encode(tag),
        &with_refs[end..]
    )
}

/// Median seconds of `runs` verifications of `text` (the policy of `wsbind message
/// verify`, the context's key known).
fn time_verify(name: &str, text: &str, runs: usize) -> (f64, String) {
    let mut times = Vec::new();
    let mut outcome = String::new();
    let signing = if name == "dkt-label" {
        &DERIVED_KEYS.request
    } else {
        &MS_LWSSP.request
    };
    for _ in 0..runs {
        let k = key();
        let mut keys = (ID, &k);
        let started = Instant::now();
        let r = verify(
            text.as_bytes(),
            &Acceptance::interop(),
            signing,
            &mut keys,
            &mut ReplayCache::new(16),
            t0() + Duration::from_secs(1),
        );
        times.push(started.elapsed().as_secs_f64());
        outcome = match r {
            Ok(_) => {
                if std::env::var_os("HOSTILE_DEBUG").is_some() {
                    eprintln!("{name} accepted: {}", &text[..text.len().min(3000)]);
                }
                "accepted".into()
            }
            Err(e) => {
                let e = e.to_string();
                if std::env::var_os("HOSTILE_DEBUG").is_some() {
                    eprintln!("{name}: {e}");
                }
                e.chars().take(70).collect()
            }
        };
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], outcome)
}

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("s3cret")
}

async fn echo(_: Call) -> Answer {
    Answer::new("urn:example:Echo", "<e:Echo xmlns:e=\"urn:example\"/>")
}

/// Posts `bodies` over one HTTPS connection, one after the other, until `stop`.
async fn hostile_sender(
    addr: std::net::SocketAddr,
    ca: String,
    bodies: Vec<String>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> u64 {
    use rustls_pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
        roots.add(c.expect("ca")).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut sent = 0;
    let mut i = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let Ok(tcp) = tokio::net::TcpStream::connect(addr).await else {
            break;
        };
        let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
        let Ok(mut tls) = connector.connect(name, tcp).await else {
            break;
        };
        let body = &bodies[i % bodies.len()];
        i += 1;
        let head = format!(
            "POST /svc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        if tls.write_all(head.as_bytes()).await.is_err()
            || tls.write_all(body.as_bytes()).await.is_err()
        {
            break;
        }
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer).await;
        sent += 1;
    }
    sent
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

async fn http_part(size: usize, calls: usize) -> (f64, f64, u64) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (pem, key) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let running = Orders::server(check, ServerTls::from_pem(pem.clone(), key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let addr = running.local_addr();
    let client = Orders::client(
        format!("https://localhost:{}/svc", addr.port()),
        UsernameCredential::new("alice", "s3cret"),
        ClientTls::trust_pem(pem.clone()),
    );
    client.connect().await.expect("negotiated");
    let get = "<e:Get xmlns:e=\"urn:example\"/>";
    let measure = async |n: usize| {
        let mut v = Vec::new();
        for _ in 0..n {
            let started = Instant::now();
            client.call("urn:example:Get", get).await.expect("served");
            v.push(started.elapsed().as_secs_f64());
        }
        percentile(&mut v, 0.5)
    };
    let idle = measure(calls).await;
    let bodies: Vec<String> = SHAPES[2..].iter().map(|s| shape(s, size)).collect();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = tokio::spawn(hostile_sender(addr, pem, bodies, stop.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let loaded = measure(calls).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = sender.await.unwrap_or(0);
    running.shutdown().await;
    (idle, loaded, sent)
}

/// A description of `size` bytes in the shape `name` (part 3).
fn toml_shape(name: &str, size: usize) -> String {
    let head = "[channel]\nbinding = \"http\"\n[security]\n";
    let room = |unit: &str, around: usize| size.saturating_sub(around) / unit.len().max(1);
    match name {
        // A valid server description (WWSAPI's model) that lists many service
        // principal names: values the parser and the validator both walk.
        "benign" => {
            let valid = "[channel]\nbinding = \"http\"\nrole = \"server\"\n\n[security]\ntransport-protection-level = \"none\"\nservice-identities = [{}]\n\n[[security.binding]]\nkind = \"http-header-auth\"\nscheme = \"negotiate\"\n";
            let unit = "\"HTTP/orders-00000.example.com\", ";
            let ids: Vec<String> = (0..room(unit, valid.len()))
                .map(|i| format!("\"HTTP/orders-{i:05}.example.com\""))
                .collect();
            valid.replacen("{}", &ids.join(", "), 1)
        }
        // As many unknown keys as a description may hold (each one a diagnostic),
        // then comments; and past that bound, keys to the end.
        "unknown-keys" | "too-many-keys" => {
            let mut text = String::from(head);
            let mut i = 0;
            let keys = if name == "too-many-keys" {
                usize::MAX
            } else {
                1000
            };
            while text.len() + 24 < size && i < keys {
                text.push_str(&format!("unknown{i} = 1\n"));
                i += 1;
            }
            let unit = "# padding\n";
            text.push_str(&unit.repeat(room(unit, text.len())));
            text
        }
        "nested-arrays" => format!("{head}x = {}\n", "[".repeat(room("[", head.len() + 5))),
        "control-characters" => {
            format!(
                "{head}x = \"{}\"\n",
                "\u{1}".repeat(room("\u{1}", head.len() + 7))
            )
        }
        _ => format!("{head}{}\n", "@".repeat(room("@", head.len() + 1))),
    }
}

const TOML_SHAPES: [&str; 6] = [
    "benign",
    "unknown-keys",
    "too-many-keys",
    "nested-arrays",
    "control-characters",
    "bad-characters",
];

/// Median seconds of `runs` checks of `text` as `wsbind check --model-only` does them
/// (the runtime's rules are one more), and the diagnostics found.
fn time_check(text: &str, runs: usize) -> (f64, usize, usize) {
    use wsbind_compiler::diag::{self, SourceFile, Style};
    let mut times = Vec::new();
    let (mut found, mut printed) = (0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let checked = wsbind_compiler::check_toml(text, wsbind_compiler::Target::Model);
        let out = diag::render(
            &checked.diagnostics,
            &SourceFile::new("binding.toml", text.to_owned()),
            Style::Plain,
        );
        times.push(started.elapsed().as_secs_f64());
        found = checked.diagnostics.len();
        printed = out.len();
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], found, printed)
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if bench {
        &[1 << 20, (4 << 20) - 4096]
    } else {
        &[64 << 10]
    };
    let runs = if bench { 7 } else { 1 };
    // `HOSTILE_PART=3`: the descriptions alone (parts 1 and 2 take minutes).
    let only_toml = std::env::var("HOSTILE_PART").is_ok_and(|p| p == "3");
    let (mut worst, mut latency) = (0.0_f64, 1.0_f64);
    if !only_toml {
        println!("part 1: security::verify (the policy of `wsbind message verify`)");
        println!(
            "{:<14} {:>9} {:>10} {:>7}  outcome",
            "shape", "bytes", "ms", "ratio"
        );
        for &size in sizes {
            let (benign, _) = time_verify("benign", &shape("benign", size), runs);
            let (markup, _) = time_verify("benign-markup", &shape("benign-markup", size), runs);
            for name in SHAPES {
                let text = shape(name, size);
                let (t, outcome) = time_verify(name, &text, runs);
                // Each hostile shape against the benign message of its make: elements
                // against elements (the namespace declarations, the SignedInfo full of
                // InclusiveNamespaces), text against text. (A text Body costs one
                // vectorized pass and no copy since issue 21: a megabyte of elements,
                // hostile or not, costs several times a megabyte of text.)
                let of_elements = matches!(name, "namespaces" | "signed-info");
                let ratio = t / if of_elements { markup } else { benign };
                if !name.starts_with("benign") {
                    worst = worst.max(ratio);
                }
                println!(
                    "{name:<14} {:>9} {:>10.2} {:>6.1}x  {outcome}",
                    text.len(),
                    t * 1000.0,
                    ratio
                );
            }
        }
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let size = *sizes.last().expect("a size");
        let (idle, loaded, sent) = rt.block_on(http_part(size, if bench { 200 } else { 5 }));
        println!("part 2: HTTPS on loopback, a legitimate client's call latency (p50)");
        println!(
            "idle {:.2} ms; while {} hostile {}-byte messages were posted: {:.2} ms ({:.1}x)",
            idle * 1000.0,
            sent,
            size,
            loaded * 1000.0,
            loaded / idle
        );
        latency = loaded / idle;
    }
    println!("part 3: descriptions, checked and rendered as `wsbind check` does");
    println!(
        "{:<19} {:>9} {:>10} {:>7} {:>12} {:>9}",
        "shape", "bytes", "ms", "ratio", "diagnostics", "printed"
    );
    let mut worst_toml: f64 = 0.0;
    let toml_sizes: &[usize] = if bench {
        &[64 << 10, (1 << 20) - 64]
    } else {
        &[16 << 10]
    };
    for &size in toml_sizes {
        let (benign, benign_found, _) = time_check(&toml_shape("benign", size), runs);
        assert_eq!(benign_found, 0, "the benign description is valid");
        for name in TOML_SHAPES {
            let text = toml_shape(name, size);
            let (t, found, printed) = time_check(&text, runs);
            let ratio = t / benign;
            if name != "benign" {
                worst_toml = worst_toml.max(ratio);
            }
            println!(
                "{name:<19} {:>9} {:>10.2} {:>6.1}x {found:>12} {printed:>9}",
                text.len(),
                t * 1000.0,
                ratio
            );
        }
    }
    if bench && (worst > 5.0 || latency > 2.0 || worst_toml > 5.0) {
        eprintln!("a goal is missed: worst hostile/benign {worst:.1}x (goal 5x), latency {latency:.1}x (goal 2x), descriptions {worst_toml:.1}x (goal 5x)");
        std::process::exit(1);
    }
}
