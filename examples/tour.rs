//! A tour of wsbind: two descriptions checked at compile time (one from a TOML file, one
//! inline), their typed descriptions and constructors, a broken description loaded at run
//! time to show the diagnostics a user gets — then the negotiation engine driven by the
//! first description, in memory with a fake clock: a context issued, protected calls,
//! renewal and key rollover, a message with a changed Timestamp refused, a replay
//! refused, cancellation.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wsbind::engine::ServerEvent;
use wsbind::engine::{ClientEngine, ClientEvent, Config, Incoming, ServerEngine};
use wsbind::keys::SystemRng;
use wsbind::{format_time, parse_time};
use wsbind::{Binding, ClientTls, Description, FromToml, Password, ServerTls, UsernameCredential};

/// Clients and servers of the order service, described in a TOML file.
#[wsbind::binding(file = "examples/bindings/order-service.toml")]
struct OrderService;

/// A client-only description, inline: WS-SC 1.3, client entropy.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "client-only",
            secure_conversation_version = "1.3",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct InventoryClient;

fn show<B: Binding>() {
    let d = B::description();
    let ctx = d
        .security
        .context
        .as_ref()
        .expect("both examples use a security context");
    println!(
        "{}: role {}, secure conversation {}, entropy {}, key size {}, renew every {}, bootstrap: ssl={} username={}",
        B::NAME,
        d.role,
        ctx.secure_conversation_version,
        ctx.key_entropy_mode,
        ctx.key_size.map_or("decided by the issuer".to_owned(), |k| format!("{k} bits")),
        humantime_like(ctx.renewal_interval),
        ctx.bootstrap.ssl.is_some(),
        ctx.bootstrap.username,
    );
}

fn humantime_like(d: std::time::Duration) -> String {
    let s = d.as_secs();
    let parts = [(s / 3600, "h"), (s / 60 % 60, "m"), (s % 60, "s")];
    let text: String = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if text.is_empty() {
        "0s".to_owned()
    } else {
        text
    }
}

fn main() {
    println!("== descriptions checked at compile time ==");
    show::<OrderService>();
    show::<InventoryClient>();

    // The constructors take exactly the credentials the description needs.
    let client = OrderService::client(
        "https://localhost:8443/orders",
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(b"-----BEGIN CERTIFICATE-----\n...".to_vec()),
    );
    let server = OrderService::server(
        |user: &str, pw: &wsbind::Password| user == "alice" && pw.matches("wonderland"),
        ServerTls::from_pem(Vec::new(), Vec::new()),
    );
    println!(
        "client for {} with {:?}",
        client.endpoint(),
        client.credentials().username
    );
    println!("server credentials: {:?}", server.credentials());
    let _inventory = InventoryClient::client(
        "https://localhost:8443/inventory",
        UsernameCredential::new("bob", "builder"),
        ClientTls::trust_pem(Vec::new()),
    );

    println!("\n== a broken description, loaded at run time with the same rules ==");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bindings/broken.toml");
    match Description::from_toml_file(path) {
        Ok(_) => println!("unexpectedly valid"),
        Err(e) => println!("{e}"),
    }

    println!("\n== the negotiation engine, in memory, driven by OrderService's description ==");
    if let Err(e) = negotiation() {
        println!("the negotiation failed: {e}");
        std::process::exit(1);
    }
}

/// A fake clock the tour moves forward.
struct Clock(SystemTime, Duration);

impl Clock {
    fn now(&self) -> SystemTime {
        self.0 + self.1
    }
    fn advance(&mut self, d: Duration) {
        self.1 += d;
    }
    fn show(&self) -> String {
        format!("t+{}", humantime_like(self.1))
    }
}

fn negotiation() -> Result<(), Box<dyn std::error::Error>> {
    let d = OrderService::description();
    let config = Config::from_description(d, None)?;
    let ctx = d.security.context.as_ref().ok_or("no security context")?;
    println!(
        "WS-SC {}, {} entropy, {}-bit keys, renewal every {}, rollover {}",
        ctx.secure_conversation_version,
        ctx.key_entropy_mode,
        config.key_bits,
        humantime_like(config.renewal_interval),
        humantime_like(config.rollover_interval)
    );
    let validator: Arc<dyn wsbind::PasswordValidator> =
        Arc::new(|user: &str, pw: &Password| user == "alice" && pw.matches("wonderland"));
    let mut server =
        ServerEngine::new(config.clone(), Some(validator), Box::new(SystemRng::new()))?
            // The tour jumps hours ahead between calls: a server with WCF's 2-minute
            // idle timeout (the default) would have dropped the context by then.
            .with_idle_timeout(None);
    let mut client = ClientEngine::new(
        config.clone(),
        "https://localhost:8443/orders",
        Some(UsernameCredential::new("alice", "wonderland")),
        Box::new(SystemRng::new()),
    )?;
    let mut clock = Clock(SystemTime::now(), Duration::ZERO);

    // Negotiate.
    let started = Instant::now();
    let rst = client.poll(clock.now())?.ok_or("nothing to negotiate")?;
    let (rstr, event) = match server.handle(rst.request.bytes.as_bytes(), None, clock.now()) {
        Incoming::Negotiated { bytes, event } => (bytes, event),
        other => return Err(format!("the server refused the RST: {other:?}").into()),
    };
    let established = client.handle_response(&rst, rstr.as_bytes(), clock.now())?;
    if let (
        ServerEvent::Issued {
            identifier,
            identity,
        },
        ClientEvent::Established { key_bits, .. },
    ) = (&event, &established)
    {
        println!(
            "{:10} RST ({} bytes) -> RSTR ({} bytes): context {identifier} for {}, {key_bits}-bit key [{} us]",
            clock.show(),
            rst.request.bytes.len(),
            rstr.len(),
            identity.name,
            started.elapsed().as_micros()
        );
    }

    // Protected calls.
    let call = |client: &mut ClientEngine,
                server: &mut ServerEngine,
                clock: &Clock,
                n: u32|
     -> Result<(), Box<dyn std::error::Error>> {
        let started = Instant::now();
        let body = format!(
            r#"<o:Submit xmlns:o="urn:example:orders"><o:Item qty="{n}">tea</o:Item></o:Submit>"#
        );
        let req = client.protect("urn:example:orders/Submit", &body, clock.now())?;
        let request = match server.handle(req.bytes.as_bytes(), None, clock.now()) {
            Incoming::Request(r) => r,
            Incoming::Rejected { error, .. } => return Err(error.into()),
            Incoming::Negotiated { .. } => return Err("a request taken for a negotiation".into()),
        };
        let reply = server.reply(
            &request,
            "urn:example:orders/SubmitResponse",
            r#"<o:Accepted xmlns:o="urn:example:orders"/>"#,
            clock.now(),
        )?;
        let verified = client.verify_reply(reply.as_bytes(), &req.message_id, clock.now())?;
        let signed = request
            .verified
            .signed
            .as_ref()
            .map_or("unsigned".to_owned(), |s| {
                format!("{} over {:?}", s.signature, s.covered)
            });
        println!(
            "{:10} request {n} ({} bytes, {signed}) verified for {}; reply {} (timestamp {}) [{} us]",
            clock.show(),
            req.bytes.len(),
            request.identity.name,
            verified.body,
            if verified.signed.is_some() { "and signature" } else { "only" },
            started.elapsed().as_micros()
        );
        Ok(())
    };
    clock.advance(Duration::from_secs(1));
    call(&mut client, &mut server, &clock, 1)?;
    call(&mut client, &mut server, &clock, 2)?;

    // Renewal, before the renewal interval lapses; the old key rolls over.
    clock.advance(config.renewal_interval.mul_f64(0.9));
    let in_flight = client.protect(
        "urn:example:orders/Submit",
        "<o:Late xmlns:o=\"urn:example:orders\"/>",
        clock.now(),
    )?;
    let started = Instant::now();
    let renew = client.poll(clock.now())?.ok_or("no renewal due")?;
    let Incoming::Negotiated { bytes, .. } =
        server.handle(renew.request.bytes.as_bytes(), None, clock.now())
    else {
        return Err("the server refused the renewal".into());
    };
    if let ClientEvent::Renewed { instance, .. } =
        client.handle_response(&renew, bytes.as_bytes(), clock.now())?
    {
        println!(
            "{:10} renewal due: RST/Renew -> new key, instance {} [{} us]",
            clock.show(),
            instance.unwrap_or_default(),
            started.elapsed().as_micros()
        );
    }
    call(&mut client, &mut server, &clock, 3)?;
    clock.advance(Duration::from_secs(60));
    match server.handle(in_flight.bytes.as_bytes(), None, clock.now()) {
        Incoming::Request(_) => println!(
            "{:10} a request signed with the old key is still accepted (rollover)",
            clock.show()
        ),
        other => return Err(format!("rollover failed: {other:?}").into()),
    }

    // A tampered request. Under MS-LWSSP the signature covers the Timestamp (the Body's
    // integrity is TLS's), so it is the Timestamp an attacker would have to change.
    let req = client.protect(
        "urn:example:orders/Submit",
        r#"<o:Pay xmlns:o="urn:example:orders">10</o:Pay>"#,
        clock.now(),
    )?;
    let created = req
        .bytes
        .split("<u:Created>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .ok_or("the request has no Created")?;
    // One second later: a fresh-looking message made from a captured one.
    let later = format_time(parse_time(created)? + Duration::from_secs(1));
    let tampered = req.bytes.replacen(created, &later, 1);
    if let Incoming::Rejected { error, bytes, .. } =
        server.handle(tampered.as_bytes(), None, clock.now())
    {
        let code = if bytes.contains("FailedCheck") {
            "wsse:FailedCheck"
        } else {
            "fault"
        };
        println!(
            "{:10} request with a changed Timestamp refused: {error} ({code})",
            clock.show()
        );
    } else {
        return Err("a request with a changed Timestamp was accepted".into());
    }
    if let Incoming::Rejected { error, .. } = server.handle(req.bytes.as_bytes(), None, clock.now())
    {
        return Err(format!("the intact request was refused: {error}").into());
    }
    if let Incoming::Rejected { error, .. } = server.handle(req.bytes.as_bytes(), None, clock.now())
    {
        println!(
            "{:10} the same request again refused: {error}",
            clock.show()
        );
    }

    // Cancellation.
    let started = Instant::now();
    let cancel = client.close(clock.now())?.ok_or("nothing to cancel")?;
    let Incoming::Negotiated { bytes, .. } =
        server.handle(cancel.request.bytes.as_bytes(), None, clock.now())
    else {
        return Err("the server refused the cancellation".into());
    };
    client.handle_response(&cancel, bytes.as_bytes(), clock.now())?;
    println!(
        "{:10} closed: RST/Cancel -> RequestedTokenCancelled [{} us]",
        clock.show(),
        started.elapsed().as_micros()
    );
    if let Incoming::Rejected { error, .. } =
        server.handle(in_flight.bytes.as_bytes(), None, clock.now())
    {
        println!(
            "{:10} a request with the cancelled context refused: {error}",
            clock.show()
        );
    }
    Ok(())
}
