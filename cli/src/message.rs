//! `wsbind message protect|verify`: the engine's message protection as a command, for
//! interoperability tests with other implementations.

use crate::args::one_line;
use crate::args::{clock, exit, read, unhex, SoapArg, Usage, Version};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use wsbind_proto::description::SignatureProfile;
use wsbind_proto::keys::{SecretKey, SystemRng};
use wsbind_proto::security::{
    protect, verify, Acceptance, Outgoing, ReplayCache, SigningKey, Suite,
};
use wsbind_proto::security::{Direction, Part, Profile, Signing};
use wsbind_proto::wire::{self, Addressing, ScVersion};
use wsbind_proto::{Framing, Headers};

/// The longest clock skew a flag takes: a year, as the engine's configuration.
const MAX_SECONDS: u64 = wsbind_proto::description::MAX_DURATION.as_secs();
/// The longest validity claim a flag accepts: a century.
const MAX_VALIDITY_SECONDS: u64 = 100 * MAX_SECONDS;
#[derive(Subcommand, Debug)]
pub enum MessageCommand {
    /// Wrap BODY.xml (the content of the SOAP Body) in an envelope protected with the
    /// context as the profile says: by default MS-LWSSP's request (timestamp, SCT, HMAC
    /// by the context's key over the timestamp). Prints the envelope.
    Protect(ProtectArgs),
    /// Verify a protected envelope as a receiver that knows exactly this one context.
    /// Exit 0 and print the Body's content when accepted; exit 1 with the reason when
    /// rejected.
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
pub struct ContextArgs {
    /// The context's identifier (the SCT's wsc:Identifier).
    #[arg(long)]
    context_id: String,
    /// The context's key, hex.
    #[arg(long)]
    key_hex: String,
}

#[derive(Args, Debug)]
pub struct ProtectArgs {
    #[command(flatten)]
    context: ContextArgs,
    /// WS-SecureConversation generation.
    #[arg(long, value_enum)]
    version: Version,
    /// Algorithm suite.
    #[arg(long, value_enum, default_value_t = SuiteArg::Basic256)]
    suite: SuiteArg,
    /// SOAP version of the envelope.
    #[arg(long, value_enum, default_value_t = SoapArg::V1_2)]
    soap: SoapArg,
    /// WS-Addressing version.
    #[arg(long, value_enum, default_value_t = AddressingArg::V1_0)]
    addressing: AddressingArg,
    /// The wsa:Action of the message.
    #[arg(long, default_value = "urn:wsbind:message")]
    action: String,
    /// The wsa:To of the message.
    #[arg(long)]
    to: Option<String>,
    /// Reference the context by its identifier instead of including the SCT.
    #[arg(long)]
    external_reference: bool,
    /// The time the message is created (RFC 3339, UTC); default: now.
    #[arg(long)]
    now: Option<String>,
    /// How long the timestamp is valid, seconds.
    #[arg(long, default_value_t = 300)]
    validity: u64,
    #[command(flatten)]
    shape: ShapeArgs,
    /// The file holding the Body's content ("-": standard input).
    body: PathBuf,
}

/// Which wire profile, and which direction of it.
#[derive(Args, Debug)]
pub struct ShapeArgs {
    /// The wire profile (the description's `wsbind-signature`).
    #[arg(long, value_enum, default_value_t = ProfileArg::MsLwssp)]
    profile: ProfileArg,
    /// A reply (server to client) instead of a request: under MS-LWSSP, a Timestamp
    /// and no signature.
    #[arg(long)]
    reply: bool,
}

impl ShapeArgs {
    fn profile(&self) -> &'static Profile {
        Profile::of(match self.profile {
            ProfileArg::MsLwssp => SignatureProfile::MsLwssp,
            ProfileArg::DerivedKeys => SignatureProfile::DerivedKeys,
        })
    }

    /// How a message of this shape is signed (to protect one).
    fn signing(&self) -> &'static Signing {
        self.profile().signing(if self.reply {
            Direction::Reply
        } else {
            Direction::Request
        })
    }

    /// How `bytes`, a message of this shape, is checked: a reply that carries a
    /// signature where the profile lets it (a policy-driven peer's) is checked as
    /// signed.
    fn checking(&self, bytes: &[u8]) -> &'static Signing {
        if !self.reply {
            return self.signing();
        }
        let signed = std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| wsbind_proto::security::parse_message(text, &Default::default()).ok())
            .is_some_and(|doc| wsbind_proto::security::carries_signature(&doc));
        self.profile().reply_for(signed)
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ProfileArg {
    #[value(name = "ms-lwssp")]
    MsLwssp,
    #[value(name = "derived-keys")]
    DerivedKeys,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    context: ContextArgs,
    /// Print the Body also when the signature does not cover it. Under MS-LWSSP (the
    /// default) a request's signature covers the Timestamp alone — TLS protected the
    /// Body on the wire, and this file's Body may have been changed since — and a reply
    /// carries no signature at all.
    #[arg(long)]
    unsigned_body: bool,
    /// The receiver's clock (RFC 3339, UTC), for messages made earlier; default: now.
    #[arg(long)]
    now: Option<String>,
    /// Accept only this generation (default: both).
    #[arg(long, value_enum)]
    version: Option<Version>,
    /// Accept only this suite's algorithms (default: HMAC-SHA1 and HMAC-SHA256 with
    /// SHA-1 or SHA-256 digests, as peers send them).
    #[arg(long, value_enum)]
    suite: Option<SuiteArg>,
    /// Allowed clock skew, seconds (at most a year).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(..=MAX_SECONDS))]
    clock_skew: u64,
    /// The longest validity (Expires − Created) a message's Timestamp may claim,
    /// seconds (default: one day, as the engine; at most a century: test vectors are
    /// made with ten years).
    #[arg(long, default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(..=MAX_VALIDITY_SECONDS))]
    max_validity: u64,
    #[command(flatten)]
    shape: ShapeArgs,
    /// The message file ("-": standard input).
    file: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum SuiteArg {
    #[value(name = "basic256")]
    Basic256,
    /// HMAC-SHA1 over SHA-256 digests (WS-SecurityPolicy, WWSAPI).
    #[value(name = "basic256-sha256")]
    Basic256Sha256,
    /// HMAC-SHA256 over SHA-256 digests (WCF's Basic256Sha256).
    #[value(name = "basic256-sha256-hmac-sha256")]
    Basic256Sha256HmacSha256,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AddressingArg {
    #[value(name = "1.0")]
    V1_0,
    #[value(name = "2004-08")]
    Aug2004,
}

impl From<SuiteArg> for Suite {
    fn from(s: SuiteArg) -> Self {
        match s {
            SuiteArg::Basic256 => Suite::BASIC256,
            SuiteArg::Basic256Sha256 => Suite::BASIC256_SHA256,
            SuiteArg::Basic256Sha256HmacSha256 => Suite::BASIC256_SHA256_HMAC_SHA256,
        }
    }
}

pub fn run(cmd: MessageCommand) -> ExitCode {
    exit(match cmd {
        MessageCommand::Protect(a) => run_protect(a),
        MessageCommand::Verify(a) => run_verify(a),
    })
}

fn key(args: &ContextArgs) -> Result<SecretKey, Usage> {
    Ok(SecretKey::new(unhex("--key-hex", &args.key_hex)?))
}

fn run_protect(a: ProtectArgs) -> Result<ExitCode, Usage> {
    let key = key(&a.context)?;
    let now = clock(a.now.as_deref())?;
    let body = read(&a.body)?;
    let body =
        String::from_utf8(body).map_err(|_| Usage(format!("{} is not UTF-8", a.body.display())))?;
    let framing = Framing {
        soap: a.soap.into(),
        addressing: match a.addressing {
            AddressingArg::V1_0 => Addressing::V10,
            AddressingArg::Aug2004 => Addressing::Aug2004,
        },
    };
    let message_id = wsbind_proto::keys::uuid_urn(&mut SystemRng::new());
    let msg = Outgoing {
        framing,
        headers: Headers {
            action: &a.action,
            to: a.to.as_deref(),
            message_id: Some(&message_id),
            ..Headers::default()
        },
        body: strip_xml_declaration(&body),
    };
    let signing = SigningKey {
        sc: wire::sc(a.version.into()),
        identifier: &a.context.context_id,
        instance: None,
        cookie: None,
        key: &key,
        include_token: !a.external_reference,

        received: None,
    };
    let suite: Suite = a.suite.into();
    match protect(
        &msg,
        &signing,
        &suite,
        a.shape.signing(),
        now,
        Duration::from_secs(a.validity),
        &mut SystemRng::new(),
    ) {
        Ok(text) => {
            outln!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(Usage(format!("{}: {e}", a.body.display()))),
    }
}

fn run_verify(a: VerifyArgs) -> Result<ExitCode, Usage> {
    let key = key(&a.context)?;
    let now = clock(a.now.as_deref())?;
    let bytes = read(&a.file)?;
    let mut policy = Acceptance::interop();
    if let Some(v) = a.version {
        policy.versions = vec![v.into()];
    }
    if let Some(s) = a.suite {
        let suite: Suite = s.into();
        policy.signatures = vec![suite.signature];
        policy.digests = vec![suite.digest];
    }
    policy.clock_skew = Duration::from_secs(a.clock_skew);
    policy.max_validity = Duration::from_secs(a.max_validity);
    let mut keys = (a.context.context_id.as_str(), &key);
    match verify(
        &bytes,
        &policy,
        a.shape.checking(&bytes),
        &mut keys,
        &mut ReplayCache::default(),
        now,
    ) {
        Ok(v) => {
            let action = one_line(v.action.as_deref().unwrap_or("(none)"));
            let body_signed = match &v.signed {
                Some(signed) => {
                    eprintln!(
                        "verified: context {}, WS-SC {}, {} over {}, action {action}",
                        one_line(&signed.identifier),
                        match signed.version {
                            ScVersion::Feb2005 => "feb-2005",
                            ScVersion::V1_3 => "1.3",
                        },
                        signed.signature,
                        covered(&signed.covered),
                    );
                    signed.covered.contains(&Part::Body)
                }
                None => {
                    eprintln!(
                        "checked: an unsigned reply's Timestamp (its times) and nothing else: \
                         an MS-LWSSP reply carries no signature, so nothing here shows who \
                         made it or that it is unchanged; action {action}"
                    );
                    false
                }
            };
            // Only a Body the signature covers is printed as the message's (issue 22:
            // a changed Body used to be printed as if verified).
            if body_signed {
                outln!("{}", v.body);
            } else if a.unsigned_body {
                eprintln!("the Body below is not covered by any signature");
                outln!("{}", v.body);
            } else {
                eprintln!(
                    "the Body is not covered by the signature and is not printed \
                     (--unsigned-body prints it)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            outln!("rejected: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The parts a signature covered, for people.
fn covered(parts: &[Part]) -> String {
    let names: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Part::Timestamp => "the Timestamp".to_owned(),
            Part::Addressing => "the addressing headers".to_owned(),
            Part::Body => "the Body".to_owned(),
            Part::Header(h) => format!("the {} header", wsbind_proto::wire::header_name(*h)),
        })
        .collect();
    names.join(", ")
}

/// Body files often start with an XML declaration, which cannot appear inside a Body.
fn strip_xml_declaration(s: &str) -> &str {
    let t = s.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("<?xml") {
        if let Some(end) = t.find("?>") {
            return t[end + 2..].trim_start();
        }
    }
    t
}
