//! What the `message` and `negotiate` commands share: option values, usage errors,
//! the clock, reading inputs, hex.

use clap::ValueEnum;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;
use wsbind_proto::parse_time;
use wsbind_proto::wire::{ScVersion, Soap};

/// `--version`: the WS-SecureConversation generation.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Version {
    #[value(name = "feb-2005")]
    Feb2005,
    #[value(name = "1.3")]
    V1_3,
}

impl From<Version> for ScVersion {
    fn from(v: Version) -> Self {
        match v {
            Version::Feb2005 => ScVersion::Feb2005,
            Version::V1_3 => ScVersion::V1_3,
        }
    }
}

/// `--soap`: the SOAP version.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SoapArg {
    #[value(name = "1.1")]
    V1_1,
    #[value(name = "1.2")]
    V1_2,
}

impl From<SoapArg> for Soap {
    fn from(s: SoapArg) -> Self {
        match s {
            SoapArg::V1_1 => Soap::V11,
            SoapArg::V1_2 => Soap::V12,
        }
    }
}

/// A usage problem: exit 2 with the message.
pub struct Usage(pub String);

/// Runs a command; a usage problem prints `error: …` and exits 2.
pub fn exit(result: Result<ExitCode, Usage>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// `--now`, or the system clock.
pub fn clock(now: Option<&str>) -> Result<SystemTime, Usage> {
    match now {
        None => Ok(SystemTime::now()),
        Some(s) => parse_time(s).map_err(|e| Usage(format!("--now: {e}"))),
    }
}

/// A file's bytes ("-": standard input).
pub fn read(path: &Path) -> Result<Vec<u8>, Usage> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| Usage(format!("cannot read standard input: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| Usage(format!("cannot read {}: {e}", path.display())))
    }
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes from hex digits; `what` names the option in the error.
pub fn unhex(what: &str, h: &str) -> Result<Vec<u8>, Usage> {
    let h = h.trim();
    if h.is_empty() || h.len() % 2 != 0 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Usage(format!(
            "{what} must be an even number of hex digits"
        )));
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|e| Usage(format!("{what}: {e}")))
}

/// A value from a message, on one line: control characters escaped (`\n` as the two
/// characters `\` and `n`), so that no input can print a line of its own — a forged
/// `key:` line before the real one, say. Not shortened: the value is the user's to
/// copy (an identifier is at most 1 KiB).
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}
