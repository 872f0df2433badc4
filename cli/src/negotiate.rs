//! `wsbind negotiate rst|respond|key`: the engine's WS-Trust negotiation as commands,
//! one message at a time, for interoperability tests with other implementations.
//! `rst` writes an Issue request, `respond` answers one as a server would, `key`
//! derives the context key from a response the way the requesting client does.

use crate::args::one_line;
use crate::args::{clock, exit, hex, read, unhex, SoapArg, Usage, Version};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use wsbind_compiler::FromToml;
use wsbind_proto::engine::ServerEvent;
use wsbind_proto::engine::{issue_entropy, issue_request, read_issue_response};
use wsbind_proto::engine::{Config, Incoming, ServerEngine};
use wsbind_proto::keys::{self, SecretKey, SystemRng};
use wsbind_proto::wire::Addressing;
use wsbind_proto::Framing;
use wsbind_proto::{Description, Password, PasswordValidator, UsernameCredential};

#[derive(Subcommand, Debug)]
pub enum NegotiateCommand {
    /// Write an Issue request (RST) for a security context token. Prints the envelope;
    /// on standard error, its message id and the client entropy (hex) that `key` needs.
    Rst(RstArgs),
    /// Answer an Issue request as a server: authenticate it, issue a context and print
    /// the response (RSTR, or RSTRC for WS-SC 1.3); on standard error, the context id
    /// and its key (hex). Exit 1 with the reason when the request is refused.
    Respond(RespondArgs),
    /// Read an Issue response as the requesting client: print the context id and the
    /// key (hex) derived from it and the client entropy.
    Key(KeyArgs),
}

#[derive(Args, Debug)]
pub struct Common {
    /// WS-SecureConversation generation.
    #[arg(long, value_enum)]
    version: Version,
    /// Key entropy mode.
    #[arg(long, value_enum, default_value_t = Entropy::Combined)]
    entropy: Entropy,
    /// Key size, bits.
    #[arg(long, default_value_t = 256)]
    key_size: u32,
    /// SOAP version.
    #[arg(long, value_enum, default_value_t = SoapArg::V1_2)]
    soap: SoapArg,
    /// The clock (RFC 3339, UTC); default: now.
    #[arg(long)]
    now: Option<String>,
}

#[derive(Args, Debug)]
pub struct RstArgs {
    #[command(flatten)]
    common: Common,
    /// The user name of the username bootstrap (a security context's bootstrap
    /// carries a client credential, WSB0047).
    #[arg(long)]
    username: String,
    /// The password of the username bootstrap.
    #[arg(long)]
    password: String,
    /// The service address (wsa:To).
    #[arg(long, default_value = "https://localhost/service")]
    endpoint: String,
}

#[derive(Args, Debug)]
pub struct RespondArgs {
    #[command(flatten)]
    common: Common,
    /// The username bootstrap's USER:PASSWORD to accept (a security context's
    /// bootstrap carries a client credential, WSB0047).
    #[arg(long)]
    accept: String,
    /// Lifetime of the issued context, seconds.
    #[arg(long, default_value_t = 36_000)]
    lifetime: u64,
    /// The request file ("-": standard input).
    file: PathBuf,
}

#[derive(Args, Debug)]
pub struct KeyArgs {
    #[command(flatten)]
    common: Common,
    /// The message id of the request the response answers.
    #[arg(long)]
    request_id: String,
    /// The client entropy `rst` printed (hex); not for server-only entropy.
    #[arg(long)]
    client_entropy_hex: Option<String>,
    /// The response file ("-": standard input).
    file: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Entropy {
    ClientOnly,
    ServerOnly,
    Combined,
}

pub fn run(cmd: NegotiateCommand) -> ExitCode {
    exit(match cmd {
        NegotiateCommand::Rst(a) => rst(a),
        NegotiateCommand::Respond(a) => respond(a),
        NegotiateCommand::Key(a) => key(a),
    })
}

/// The engine configuration these arguments describe, built from a binding
/// description so that the compiler's rules apply to the command line too.
fn config(c: &Common, role: &str, lifetime: Option<u64>) -> Result<Config, Usage> {
    let version = wsbind_proto::wire::ScVersion::from(c.version);
    let entropy = match c.entropy {
        Entropy::ClientOnly => "client-only",
        Entropy::ServerOnly => "server-only",
        Entropy::Combined => "combined",
    };
    let renewal = lifetime.map_or(String::new(), |s| format!("renewal-interval = \"{s}s\"\n"));
    let toml = format!(
        "[channel]\nbinding = \"http\"\nrole = \"{role}\"\n[[security.binding]]\nkind = \"ssl-transport\"\n\
         [[security.binding]]\nkind = \"security-context\"\nusage = \"supporting\"\nkey-size = {}\n\
         key-entropy-mode = \"{entropy}\"\nsecure-conversation-version = \"{version}\"\n{renewal}\
         [security.binding.bootstrap]\n[[security.binding.bootstrap.binding]]\nkind = \"ssl-transport\"\n\
         [[security.binding.bootstrap.binding]]\nkind = \"username\"\nusage = \"supporting\"\n",
        c.key_size
    );
    let d = Description::from_named_toml_str("command line", &toml)
        .map_err(|e| Usage(e.to_string()))?;
    let framing = Framing {
        soap: c.soap.into(),
        addressing: Addressing::V10,
    };
    Config::from_description(&d, Some(framing)).map_err(|e| Usage(e.to_string()))
}

fn rst(a: RstArgs) -> Result<ExitCode, Usage> {
    let config = config(&a.common, "client", None)?;
    let now = clock(a.common.now.as_deref())?;
    let mut rng = SystemRng::new();
    let entropy = issue_entropy(&config, &mut rng);
    let user = Some(UsernameCredential::new(a.username, a.password));
    let message_id = keys::uuid_urn(&mut rng);
    let req = issue_request(
        &config,
        &a.endpoint,
        user.as_ref().into(),
        entropy.as_ref(),
        message_id,
        now,
    );
    outln!("{}", req.bytes);
    eprintln!("message-id: {}", req.message_id);
    if let Some(e) = entropy {
        eprintln!("client-entropy: {}", hex(e.as_bytes()));
    }
    Ok(ExitCode::SUCCESS)
}

fn respond(a: RespondArgs) -> Result<ExitCode, Usage> {
    let (user, password) = a
        .accept
        .split_once(':')
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .ok_or_else(|| Usage("--accept takes USER:PASSWORD".into()))?;
    let config = config(&a.common, "server", Some(a.lifetime))?;
    let now = clock(a.common.now.as_deref())?;
    let validator: Option<Arc<dyn PasswordValidator>> =
        Some(Arc::new(move |u: &str, p: &Password| {
            u == user && p.matches(&password)
        }));
    let server = ServerEngine::new(config, validator, Box::new(SystemRng::new()))
        .map_err(|e| Usage(e.to_string()))?;
    let request = read(&a.file)?;
    match server.handle(&request, None, now) {
        Incoming::Negotiated {
            bytes,
            event:
                ServerEvent::Issued {
                    identifier,
                    identity,
                },
        } => {
            outln!("{bytes}");
            eprintln!("context-id: {}", one_line(&identifier));
            eprintln!("identity: {}", one_line(&identity.name));
            if let Some(ctx) = server.context(&identifier, now) {
                eprintln!("key: {}", hex(ctx.key.as_bytes()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Incoming::Rejected {
            bytes,
            error,
            claimed,
        } => {
            outln!("{bytes}");
            eprintln!("rejected: {error}");
            if let Some(user) = claimed {
                eprintln!("claimed identity: {}", one_line(&user.name));
            }
            Ok(ExitCode::FAILURE)
        }
        Incoming::Negotiated { .. } | Incoming::Request(_) => {
            eprintln!("rejected: the message is not an Issue request");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn key(a: KeyArgs) -> Result<ExitCode, Usage> {
    let config = config(&a.common, "client", None)?;
    let now = clock(a.common.now.as_deref())?;
    let entropy = match &a.client_entropy_hex {
        Some(h) => Some(SecretKey::new(unhex("--client-entropy-hex", h)?)),
        None => None,
    };
    let response = read(&a.file)?;
    match read_issue_response(&config, &response, &a.request_id, entropy.as_ref(), now) {
        Ok(ctx) => {
            outln!("context-id: {}", one_line(&ctx.identifier));
            outln!("key: {}", hex(ctx.key.as_bytes()));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            outln!("rejected: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
