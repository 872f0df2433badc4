//! The imported description as a commented `binding.toml`: each value is preceded by the
//! assertion it comes from and where that is written, and each line's origin is kept, so
//! that a rule the description breaks is reported at the WSDL's own line and column.

use crate::docs::Docs;
use crate::map::{BindingDraft, From, SecDraft, Setting, Value};
use crate::{error, Found};
use std::fmt::Write;
use std::ops::Range;
use wsbind_compiler::description::Role;
use wsbind_compiler::rules;
use wsbind_compiler::validate::{side_of, Side};

/// The TOML text and, for each line that holds a value, where the value came from.
#[derive(Debug)]
pub(crate) struct Written {
    pub text: String,
    pub origins: Vec<(Range<usize>, From)>,
}

impl Written {
    /// Where the TOML byte `at` came from: the value on its line, or the nearest value
    /// above it (a table header belongs to the binding below it, so that is tried next).
    pub fn origin(&self, at: usize) -> Option<&From> {
        self.origins
            .iter()
            .find(|(r, _)| r.contains(&at))
            .or_else(|| self.origins.iter().find(|(r, _)| r.start >= at))
            .or_else(|| self.origins.iter().rev().find(|(r, _)| r.end <= at))
            .map(|(_, f)| f)
    }
}

pub(crate) struct Header<'a> {
    pub wsdl: &'a str,
    pub port: &'a str,
    pub address: Option<&'a str>,
    pub envelope: Option<Setting>,
    pub addressing: Option<Setting>,
    pub channel: From,
    pub channel_binding: &'static str,
    pub role: Role,
}

/// Keys of a binding in the order they are written.
const ORDER: &[&str] = &[
    "usage",
    "secure-conversation-version",
    "key-entropy-mode",
    "key-size",
    "wsbind-signature",
    "wsbind-signed-headers",
    "wsbind-send-cancel",
    "support-renew",
    "require-client-certificate",
    "wsbind-client-certificate",
    "scheme",
];

pub(crate) fn write(
    docs: &Docs<'_>,
    h: &Header<'_>,
    sec: &SecDraft,
    found: &mut Vec<Found>,
) -> Written {
    let mut w = Writer {
        docs,
        role: h.role,
        found,
        out: String::new(),
        origins: Vec::new(),
        last_comment: String::new(),
    };
    let _ = writeln!(
        w.out,
        "# Imported by `wsbind import` from {}, port `{}`{}.",
        one_line(h.wsdl),
        one_line(h.port),
        h.address
            .map(|a| format!(" ({})", one_line(a)))
            .unwrap_or_default()
    );
    w.out
        .push_str("# Each value names the WSDL element or policy assertion it comes from.\n\n");
    w.out.push_str("[channel]\n");
    w.last_comment.clear();
    w.value("binding", &Value::Str(h.channel_binding.into()), &h.channel);
    let role = Role::ALL
        .iter()
        .find(|(_, r)| *r == h.role)
        .map_or("both", |(n, _)| n);
    let _ = writeln!(w.out, "role = \"{role}\"");
    for s in h.envelope.iter().chain(&h.addressing) {
        w.setting(s);
    }
    if !sec.props.is_empty() || !sec.bindings.is_empty() {
        w.security(sec, "security");
    }
    Written {
        text: w.out,
        origins: w.origins,
    }
}

struct Writer<'a, 's> {
    docs: &'a Docs<'s>,
    role: Role,
    found: &'a mut Vec<Found>,
    out: String,
    origins: Vec<(Range<usize>, From)>,
    last_comment: String,
}

impl Writer<'_, '_> {
    /// The comment naming `from`, unless the line above already does.
    fn comment(&mut self, from: &From) {
        let at = self.docs.doc(from.doc).range(from.el).start;
        let line = format!(
            "# {} ({})\n",
            one_line(&from.path),
            self.docs.place(from.doc, at)
        );
        if self.last_comment != line {
            self.out.push_str(&line);
            self.last_comment = line;
        }
    }

    /// A table header standing for `from` (a rule about the table points there).
    fn header(&mut self, header: &str, from: &From) {
        self.last_comment.clear();
        let start = self.out.len() + 1;
        let _ = writeln!(self.out, "\n{header}");
        self.origins.push((start..self.out.len(), from.clone()));
    }

    fn value(&mut self, key: &str, value: &Value, from: &From) {
        self.comment(from);
        let start = self.out.len();
        let _ = writeln!(self.out, "{key} = {}", toml_value(value));
        self.origins.push((start..self.out.len(), from.clone()));
    }

    /// A property of one side, in a description for another (or both): written as a
    /// comment, and said.
    fn one_side(&mut self, s: &Setting, side: &str) {
        self.comment(&s.from);
        let value = toml_value(&s.value);
        let _ = writeln!(
            self.out,
            "# For role = \"{side}\" only (a {side}-only property):\n# {} = {value}",
            s.key
        );
        let role = Role::ALL
            .iter()
            .find(|(_, r)| *r == self.role)
            .map_or("both", |(n, _)| n);
        let assertion = s.from.path.rsplit('/').next().unwrap_or("");
        self.found.push(error(
            &rules::WSB0053,
            s.from.doc,
            self.docs.name_range(s.from.doc, s.from.el),
            format!(
                "`{assertion}` is imported as `{} = {value}` for role = \"{side}\" only, and written as a comment: the description is for role = \"{role}\" (at `{}`)",
                s.key, s.from.path
            ),
            "for one side only",
        ));
    }

    fn setting(&mut self, s: &Setting) {
        self.value(s.key, &s.value, &s.from);
    }

    fn security(&mut self, sec: &SecDraft, table: &str) {
        if !sec.props.is_empty() {
            self.last_comment.clear();
            let _ = writeln!(self.out, "\n[{table}]");
            let mut seen: Vec<&str> = Vec::new();
            for p in &sec.props {
                // The first of a repeated assertion counts (one per alternative is
                // normal; a second one is the same policy said twice).
                if !seen.contains(&p.key) {
                    seen.push(p.key);
                    self.setting(p);
                }
            }
        }
        for b in &sec.bindings {
            self.binding(b, table);
        }
    }

    fn binding(&mut self, b: &BindingDraft, table: &str) {
        self.header(&format!("[[{table}.binding]]"), &b.from);
        self.value("kind", &Value::Str(b.kind.into()), &b.from);
        let mut settings: Vec<&Setting> = Vec::new();
        for s in &b.settings {
            if let Some(prev) = settings.iter_mut().find(|p| p.key == s.key) {
                *prev = s;
            } else {
                settings.push(s);
            }
        }
        settings.sort_by_key(|s| {
            ORDER
                .iter()
                .position(|k| *k == s.key)
                .unwrap_or(ORDER.len())
        });
        for s in settings {
            let name = match side_of(b.kind, s.key) {
                Some(Side::Client) if self.role != Role::Client => "client",
                Some(Side::Server) if self.role != Role::Server => "server",
                _ => {
                    self.setting(s);
                    continue;
                }
            };
            self.one_side(s, name);
        }
        if let Some((from, boot)) = &b.bootstrap {
            let inner = format!("{table}.binding.bootstrap");
            self.header(&format!("[{inner}]"), from);
            let mut seen: Vec<&str> = Vec::new();
            for p in &boot.props {
                if !seen.contains(&p.key) {
                    seen.push(p.key);
                    self.setting(p);
                }
            }
            for bb in &boot.bindings {
                self.binding(bb, &inner);
            }
        }
    }
}

fn toml_value(v: &Value) -> String {
    match v {
        Value::Str(s) => quote(s),
        Value::Bool(b) => b.to_string(),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a comment: one line, control characters removed, at most 200 characters.
fn one_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}
