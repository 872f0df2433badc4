//! The WSDL importer: a service's WSDL 1.1 and the WS-Policy (1.2 and 1.5) and
//! WS-SecurityPolicy (1.1 and 1.2) attached to one of its ports, read into a commented
//! `binding.toml` that the compiler then checks — at the WSDL's own lines: `wsbind
//! import` and (soon) `#[wsbind::binding(wsdl = …)]`.
//!
//! Which crate owns what: this crate reads WSDL and policy and writes TOML; the compiler
//! (`wsbind-compiler`) owns the model, the rules and their catalogue (WSB0051–WSB0053
//! are this crate's); the runtime (`wsbind-proto`, `wsbind-http`) links none of it.
//!
//! What is read: `wsdl:import` (local files, 32 at most), the
//! `wsdl:service` ports, the port's `wsdl:binding` (SOAP 1.1 or 1.2 over HTTP), and the
//! policies attached to the port, the binding, its operations and their messages
//! (inline `wsp:Policy` and `wsp:PolicyReference`), normalised and multiplied out
//! (`policy.rs`). Each alternative is mapped (`map.rs`); the first that the model can
//! express is written; when none can, each alternative's refusals are reported.

#![forbid(unsafe_code)]

/// The proc-macro's `wsdl = …` (feature `macro`).
#[cfg(feature = "macro")]
pub mod attribute;
mod docs;
pub mod export;
mod map;
mod ns;
mod policy;
mod write;

use docs::Docs;
pub use docs::Reader;
use std::ops::Range;
use std::path::Path;
use wsbind_compiler::description::Role;
use wsbind_compiler::diag::{self, Diagnostic, SourceFile, Style};
use wsbind_compiler::loc::Loc;
use wsbind_compiler::rules::{self, Rule};
use wsbind_compiler::Target;
use wsbind_xml::dom::Element;

/// A diagnostic of the import and the document it points into (`None`: no place,
/// e.g. a root file that cannot be read).
#[derive(Debug, Clone)]
pub struct Found {
    /// Which of [`Imported::sources`] the diagnostic's byte range is in.
    pub source: Option<usize>,
    /// The rule, the message, the place (a byte range of that source) and the help.
    pub diagnostic: Diagnostic,
}

impl Found {
    fn nowhere(rule: &'static Rule, message: String) -> Self {
        Found {
            source: None,
            diagnostic: Diagnostic::new(rule, message, &Loc::Nowhere, "here"),
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.diagnostic = self.diagnostic.help(help);
        self
    }
}

/// A diagnostic at `range` of document `doc`.
pub(crate) fn error(
    rule: &'static Rule,
    doc: usize,
    range: Range<usize>,
    message: String,
    label: &str,
) -> Found {
    Found {
        source: Some(doc),
        diagnostic: Diagnostic::new(rule, message, &Loc::Text(range), label),
    }
}

/// What to import and how.
pub struct Options<'r> {
    /// The port to import (`wsdl:port/@name`); needed when the WSDL has several.
    pub port: Option<String>,
    /// Which rules the imported description must pass: the model's, or also what the
    /// runtime executes (as `wsbind check` does by default).
    pub target: Target,
    /// Which side the description is for (`[channel] role`). A property of one side
    /// (`wsbind-send-cancel` from `mssp:MustNotSendCancel` is the client's) is written
    /// for that side, and as a comment otherwise.
    pub role: Role,
    /// How documents are read (the file system: [`read_file`]).
    pub read: Reader<'r>,
    /// The WSDL's name in diagnostics (default: its path); the documents it imports
    /// are named relative to it.
    pub shown_as: Option<String>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("port", &self.port)
            .field("target", &self.target)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Reads a file from the file system (the default [`Reader`]).
pub fn read_file(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// One port of the WSDL.
#[derive(Debug, Clone)]
pub struct Port {
    /// `wsdl:port/@name`, what `--port` and `port = …` name.
    pub name: String,
    /// The `location` of its `soap:address` or `soap12:address`.
    pub address: Option<String>,
}

/// The result of an import.
#[derive(Debug)]
pub struct Imported {
    /// Every document read, in the order read (the WSDL first); [`Found::source`]
    /// indexes it.
    pub sources: Vec<SourceFile>,
    /// Errors and warnings, at most [`diag::MAX_COLLECTED`] (the rest are counted in
    /// `omitted`).
    pub found: Vec<Found>,
    /// Diagnostics past [`diag::MAX_COLLECTED`], counted and not kept.
    pub omitted: usize,
    /// The ports of the WSDL's services.
    pub ports: Vec<Port>,
    /// The port imported.
    pub port: Option<String>,
    /// The `binding.toml` text, when the import succeeded (no error).
    pub toml: Option<String>,
    /// The path of each document read (as `sources`).
    pub paths: Vec<std::path::PathBuf>,
}

impl Imported {
    /// Whether any diagnostic kept is an error (then [`toml`](Self::toml) is `None`).
    pub fn has_errors(&self) -> bool {
        self.found.iter().any(|f| f.diagnostic.is_error())
    }

    /// The diagnostics rendered rustc-style, each at its document's line and column.
    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        let none = SourceFile::new("(no file)", "");
        for f in self.found.iter().take(diag::MAX_SHOWN) {
            let source = f.source.and_then(|i| self.sources.get(i)).unwrap_or(&none);
            out.push_str(&diag::render(
                std::slice::from_ref(&f.diagnostic),
                source,
                style,
            ));
        }
        let hidden = self.found.len().saturating_sub(diag::MAX_SHOWN) + self.omitted;
        if hidden > 0 {
            out.push_str(&diag::more_line(hidden));
            out.push_str("\n\n");
        }
        out
    }
}

/// Imports the port `options.port` of the WSDL at `path`.
pub fn import(path: &Path, options: &Options<'_>) -> Imported {
    let mut found = Vec::new();
    let srcs = docs::load(path, options.shown_as.as_deref(), options.read, &mut found);
    let docs = Docs::parse(&srcs);
    let mut imported = Imported {
        sources: Vec::new(),
        found: Vec::new(),
        omitted: 0,
        ports: Vec::new(),
        port: None,
        toml: None,
        paths: Vec::new(),
    };
    if !found.iter().any(|f| f.diagnostic.is_error()) && !docs.docs.is_empty() {
        run(&docs, options, &mut found, &mut imported);
    }
    // Each diagnostic once (alternatives repeat one another's refusals), errors first
    // within a document's order of text.
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| {
        seen.insert((
            f.source,
            f.diagnostic.rule.id,
            f.diagnostic.message.clone(),
            f.diagnostic.primary.loc.range(),
        ))
    });
    if found.len() > diag::MAX_COLLECTED {
        imported.omitted = found.len() - diag::MAX_COLLECTED;
        found.truncate(diag::MAX_COLLECTED);
    }
    if found.iter().any(|f| f.diagnostic.is_error()) {
        imported.toml = None;
    }
    imported.found = found;
    imported.paths = srcs.iter().map(|s| s.path.clone()).collect();
    imported.sources = srcs.into_iter().map(|s| s.file).collect();
    imported
}

fn run(docs: &Docs<'_>, options: &Options<'_>, found: &mut Vec<Found>, imported: &mut Imported) {
    let ports = ports(docs);
    imported.ports = ports
        .iter()
        .map(|p| Port {
            name: p.name.clone(),
            address: p.address.clone(),
        })
        .collect();
    let listing = || {
        let names: Vec<&str> = ports.iter().take(40).map(|p| p.name.as_str()).collect();
        format!(
            "the ports: {}{}",
            names.join(", "),
            if ports.len() > 40 { ", …" } else { "" }
        )
    };
    let port = match &options.port {
        Some(name) => match ports.iter().find(|p| &p.name == name) {
            Some(p) => p,
            None => {
                let mut f =
                    Found::nowhere(&rules::WSB0051, format!("the WSDL has no port `{name}`"));
                if !ports.is_empty() {
                    f = f.help(listing());
                }
                found.push(f);
                return;
            }
        },
        None => match ports.as_slice() {
            [one] => one,
            [] => {
                found.push(Found::nowhere(
                    &rules::WSB0051,
                    "the WSDL has no `wsdl:service` with a port".into(),
                ));
                return;
            }
            many => {
                let first = &many[0];
                found.push(
                    error(
                        &rules::WSB0051,
                        first.doc,
                        docs.name_range(first.doc, first.el),
                        format!("the WSDL has {} ports: name the one to import", many.len()),
                        "the first port",
                    )
                    .help(format!(
                        "`--port NAME` (or `port = \"NAME\"`); {}",
                        listing()
                    )),
                );
                return;
            }
        },
    };
    imported.port = Some(port.name.clone());
    let Some(binding) = binding_of(docs, port, found) else {
        return;
    };
    let d = docs.doc(binding.0);
    // The SOAP binding: the envelope version and the transport.
    let soap = d.children(binding.1).find(|&c| {
        (d.namespace(c) == ns::SOAP11_BINDING || d.namespace(c) == ns::SOAP12_BINDING)
            && d.local_name(c) == "binding"
    });
    let Some(soap) = soap else {
        found.push(error(
            &rules::WSB0051,
            binding.0,
            docs.name_range(binding.0, binding.1),
            "the binding is not a SOAP binding (no `soap:binding` or `soap12:binding`)".into(),
            "this binding",
        ));
        return;
    };
    let transport = d.attr(soap, "", "transport").unwrap_or("");
    let tcp = transport == ns::SOAP_TCP;
    if transport != ns::SOAP_HTTP && !tcp {
        found.push(
            error(
                &rules::WSB0052,
                binding.0,
                docs.name_range(binding.0, soap),
                format!("the binding's transport is `{transport}`; WWSAPI's model has SOAP over HTTP and WCF's net.tcp"),
                "transport",
            )
            .help("ask for an HTTP endpoint of the service"),
        );
        return;
    }
    let soap_from = map::From {
        doc: binding.0,
        el: soap,
        path: policy::qname(d.prefix(soap), d.local_name(soap)),
    };
    let envelope = map::Setting {
        key: "envelope-version",
        value: map::Value::Str(
            if d.namespace(soap) == ns::SOAP12_BINDING {
                "soap-1.2"
            } else {
                "soap-1.1"
            }
            .into(),
        ),
        from: soap_from.clone(),
    };
    if let Some(a) = &port.address {
        let scheme = a.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        let expected: &[&str] = if tcp {
            &["net.tcp"]
        } else {
            &["http", "https"]
        };
        if scheme.is_some_and(|s| !expected.contains(&s.as_str())) {
            found.push(
                error(
                    &rules::WSB0052,
                    port.doc,
                    docs.name_range(port.doc, port.el),
                    format!("the port's address `{a}` does not fit its binding's transport"),
                    "this port",
                )
                .help("an http(s):// address for SOAP over HTTP, net.tcp:// for net.tcp"),
            );
            return;
        }
    }
    // The effective policy: the port's, the binding's, and each operation's and
    // message's, all required together.
    let mut n = policy::Normaliser::new(docs, found);
    // Policies attach to the port, the binding, its operations and messages, and
    // (WS-PolicyAttachment) to the port type, its operations and messages too.
    let mut places = vec![(port.doc, port.el), binding];
    if let Some((pdoc, pt)) = port_type_of(docs, binding) {
        let pd = docs.doc(pdoc);
        places.push((pdoc, pt));
        for op in pd.children(pt).filter(|&c| pd.is(c, ns::WSDL, "operation")) {
            places.push((pdoc, op));
            for m in pd.children(op) {
                if pd.is(m, ns::WSDL, "input")
                    || pd.is(m, ns::WSDL, "output")
                    || pd.is(m, ns::WSDL, "fault")
                {
                    places.push((pdoc, m));
                }
            }
        }
    }
    for op in d
        .children(binding.1)
        .filter(|&c| d.is(c, ns::WSDL, "operation"))
    {
        places.push((binding.0, op));
        for m in d.children(op) {
            if d.is(m, ns::WSDL, "input")
                || d.is(m, ns::WSDL, "output")
                || d.is(m, ns::WSDL, "fault")
            {
                places.push((binding.0, m));
            }
        }
    }
    let mut alts: Vec<policy::Alternative> = vec![Vec::new()];
    for (doc, el) in places {
        let Some(these) = n.attached(doc, el) else {
            return;
        };
        let mut next = Vec::new();
        for a in &alts {
            for b in &these {
                let mut x = a.clone();
                x.extend(b.iter().cloned());
                next.push(x);
            }
        }
        if next.len() > policy::MAX_ALTERNATIVES {
            found.push(error(
                &rules::WSB0051,
                doc,
                docs.name_range(doc, el),
                format!(
                    "the policies attached to the port have more than {} alternatives",
                    policy::MAX_ALTERNATIVES
                ),
                "multiplied out here",
            ));
            return;
        }
        alts = next;
    }
    if alts.is_empty() {
        found.push(error(
            &rules::WSB0051,
            binding.0,
            docs.name_range(binding.0, binding.1),
            "the binding's policy admits no alternative (an empty `wsp:ExactlyOne`)".into(),
            "this binding",
        ));
        return;
    }
    let mapped: Vec<map::Mapped> = alts
        .iter()
        .map(|a| map::alternative(docs, a, tcp))
        .collect();
    let Some(chosen) = mapped.iter().position(map::Mapped::fits) else {
        // Only the refusals: what a refused alternative would have left out matters no
        // more.
        for m in mapped {
            found.extend(m.found.into_iter().filter(|f| f.diagnostic.is_error()));
        }
        return;
    };
    let mut mapped = mapped;
    let chosen = mapped.swap_remove(chosen);
    found.extend(chosen.found);
    let header = write::Header {
        wsdl: &docs.short_name(0),
        port: &port.name,
        address: port.address.as_deref(),
        envelope: Some(envelope),
        // No addressing assertion: the service does not use WS-Addressing (WCF's
        // basicHttpBinding), and the transport says where a message goes — unless it
        // negotiates a security context, whose WS-Trust exchanges need WS-Addressing
        // (CXF's policies leave the assertion out then): the default, 1.0.
        addressing: chosen.addressing.or_else(|| {
            let context = chosen
                .security
                .bindings
                .iter()
                .any(|b| b.kind == "security-context");
            if context {
                return None;
            }
            Some(map::Setting {
                key: "addressing-version",
                value: map::Value::Str("transport".into()),
                from: map::From {
                    doc: soap_from.doc,
                    el: soap_from.el,
                    path: format!("{} (no WS-Addressing assertion)", soap_from.path),
                },
            })
        }),
        channel: soap_from,
        channel_binding: if tcp { "tcp" } else { "http" },
        role: options.role,
    };
    let written = write::write(docs, &header, &chosen.security, found);
    // The compiler's rules, reported at the WSDL's places.
    let checked = wsbind_compiler::check_toml(&written.text, options.target);
    for d in checked.diagnostics {
        let at = d.primary.loc.range().map_or(0, |r| r.start);
        let from = written.origin(at).cloned().unwrap_or(map::From {
            doc: port.doc,
            el: port.el,
            path: "wsdl:port".into(),
        });
        let range = docs.name_range(from.doc, from.el);
        let mut nd = Diagnostic::new(
            d.rule,
            format!("{} (imported from `{}`)", d.message, from.path),
            &Loc::Text(range),
            d.primary.text.clone(),
        );
        if let Some(h) = d.help {
            nd = nd.help(h);
        }
        found.push(Found {
            source: Some(from.doc),
            diagnostic: nd,
        });
    }
    imported.toml = Some(written.text);
}

/// A `wsdl:port` of a service.
struct PortAt {
    doc: usize,
    el: Element,
    name: String,
    address: Option<String>,
}

fn ports(docs: &Docs<'_>) -> Vec<PortAt> {
    let mut out = Vec::new();
    for (i, d) in docs.each() {
        let root = d.root();
        if !d.is(root, ns::WSDL, "definitions") {
            continue;
        }
        for s in d.children(root).filter(|&c| d.is(c, ns::WSDL, "service")) {
            for p in d.children(s).filter(|&c| d.is(c, ns::WSDL, "port")) {
                let address = d
                    .children(p)
                    .find(|&c| d.local_name(c) == "address")
                    .and_then(|a| d.attr(a, "", "location"))
                    .map(str::to_owned);
                out.push(PortAt {
                    doc: i,
                    el: p,
                    name: d.attr(p, "", "name").unwrap_or("").to_owned(),
                    address,
                });
            }
        }
    }
    out
}

/// The `wsdl:binding` a port names (a QName resolved in the port's scope, looked up
/// among the documents' bindings by their target namespace).
fn binding_of(docs: &Docs<'_>, port: &PortAt, found: &mut Vec<Found>) -> Option<(usize, Element)> {
    let d = docs.doc(port.doc);
    let qn = d.attr(port.el, "", "binding").unwrap_or("").trim();
    let (prefix, local) = qn.split_once(':').unwrap_or(("", qn));
    let namespace = d.lookup_namespace(port.el, prefix).unwrap_or("").to_owned();
    if let Some(found) = definition(docs, "binding", &namespace, local) {
        return Some(found);
    }
    found.push(error(
        &rules::WSB0051,
        port.doc,
        docs.name_range(port.doc, port.el),
        format!("the port's binding `{qn}` ({{{namespace}}}{local}) is not in the documents read"),
        "this port",
    ));
    None
}

/// The top-level WSDL definition `kind` (`binding`, `portType`) named `{namespace}local`
/// in the documents read.
fn definition(
    docs: &Docs<'_>,
    kind: &str,
    namespace: &str,
    local: &str,
) -> Option<(usize, Element)> {
    docs.each().find_map(|(i, d)| {
        let root = d.root();
        if !d.is(root, ns::WSDL, "definitions")
            || d.attr(root, "", "targetNamespace").unwrap_or("") != namespace
        {
            return None;
        }
        d.children(root)
            .find(|&c| d.is(c, ns::WSDL, kind) && d.attr(c, "", "name") == Some(local))
            .map(|c| (i, c))
    })
}

/// The port type a binding names (`type`), when it is among the documents read (the
/// logical part of a WSDL is often in a document of its own, which may be missing).
fn port_type_of(docs: &Docs<'_>, binding: (usize, Element)) -> Option<(usize, Element)> {
    let d = docs.doc(binding.0);
    let qn = d.attr(binding.1, "", "type")?.trim();
    let (prefix, local) = qn.split_once(':').unwrap_or(("", qn));
    let namespace = d.lookup_namespace(binding.1, prefix)?;
    definition(docs, "portType", namespace, local)
}

/// Imports from a text held in memory (tests, fuzzing): `wsdl:import`s are resolved
/// by `read`.
pub fn import_text(
    name: &str,
    text: &str,
    port: Option<&str>,
    target: Target,
    role: Role,
) -> Imported {
    let owned = text.to_owned();
    let name_owned = std::path::PathBuf::from(name);
    let read = move |p: &Path| -> std::io::Result<String> {
        if p == name_owned {
            Ok(owned.clone())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not in memory",
            ))
        }
    };
    import(
        Path::new(name),
        &Options {
            port: port.map(str::to_owned),
            target,
            role,
            read: &read,
            shown_as: None,
        },
    )
}
