//! `wsbind`: check binding descriptions, explain rules, print the JSON Schema, and
//! protect or verify messages with a security context.
#![forbid(unsafe_code)]

/// `print!` and `println!` for standard output, which stop the program quietly when the
/// reader went away (`wsbind check … | head`): std's macros panic on a broken pipe, and
/// this crate forbids the unsafe code that restoring SIGPIPE would take.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(e)
        }
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(e)
        }
    }};
}

/// Standard output failed: a reader that closed the pipe ends the program as SIGPIPE
/// would (status 141, nothing said); anything else is reported.
fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        eprintln!("error: cannot write to standard output: {e}");
    }
    std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe {
        141
    } else {
        2
    })
}

mod args;
mod message;
mod negotiate;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;
use wsbind_compiler::diag::{self, SourceFile, Style};
use wsbind_compiler::rules;
use wsbind_compiler::Target;

#[derive(Parser, Debug)]
#[command(
    name = "wsbind",
    version,
    about = "WS-SecureConversation security bindings checked before they run"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check binding.toml files against every rule; exit 0 when all are valid, 1 when
    /// any has an error, 2 when a file cannot be read.
    Check {
        /// The description files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Colour: auto (when printing to a terminal), always, never.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
        /// Check only the WWSAPI model, not whether the wsbind runtime can execute the
        /// description (skips WSB0040).
        #[arg(long)]
        model_only: bool,
    },
    /// Print the long explanation of a rule (`wsbind explain WSB0012`), or list them all.
    Explain {
        /// A rule id, e.g. WSB0012 (omit to list every rule).
        id: Option<String>,
    },
    /// Print the JSON Schema of binding.toml.
    Schema,
    /// Start a binding.toml from one of WWSAPI's fourteen binding templates (each
    /// commented, saying whether the wsbind runtime executes it); without --template,
    /// list them.
    New {
        /// The template: its name here (`wsbind new` lists them) or WWSAPI's
        /// (`WS_HTTP_SSL_USERNAME_SECURITY_CONTEXT_BINDING_TEMPLATE`).
        #[arg(long)]
        template: Option<String>,
        /// Write it to this file (refused if the file exists) instead of standard
        /// output.
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// Import a service's WSDL: the WS-SecurityPolicy of one port read into a commented
    /// binding.toml (each value names the assertion it comes from), checked as `check`
    /// checks. Exit 0 when imported, 1 when the policy cannot be imported (the reasons,
    /// at the WSDL's lines), 2 when a file cannot be read or written.
    Import {
        /// The WSDL file (documents it imports are read beside it).
        wsdl: std::path::PathBuf,
        /// The port to import (`wsdl:port/@name`); needed when the WSDL has several.
        #[arg(long)]
        port: Option<String>,
        /// Write the binding to this file (refused if it exists) instead of standard
        /// output.
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
        /// List the WSDL's ports and stop.
        #[arg(long)]
        list_ports: bool,
        /// Which side the binding is for: client, server or both (a property of one
        /// side is written as a comment otherwise).
        #[arg(long, value_enum, default_value_t = ImportRole::Both)]
        role: ImportRole,
        /// Colour: auto (when printing to a terminal), always, never.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
        /// Check only the WWSAPI model, not whether the wsbind runtime can execute the
        /// imported description (skips WSB0040).
        #[arg(long)]
        model_only: bool,
    },
    /// Export a binding.toml as WS-SecurityPolicy in a WSDL skeleton, in the shape WCF
    /// writes (svcutil, wsdl2java and `wsbind import` read it). What no policy assertion
    /// carries is listed on standard error. Exit 0 exported, 1 not expressible, 2 a file
    /// cannot be read or written.
    Export {
        /// The description.
        file: std::path::PathBuf,
        /// The service's name (the port type, binding, port and policy are named after it).
        #[arg(long, default_value = "Service")]
        service: String,
        /// The port's address (default https://localhost/SERVICE, or http:// or net.tcp://).
        #[arg(long)]
        address: Option<String>,
        /// Print the wsp:Policy element alone (to paste into a WSDL of your own).
        #[arg(long)]
        policy_only: bool,
        /// Fill the policy into this WSDL of your own instead of a skeleton: the policy
        /// goes first in wsdl:definitions, a PolicyReference into each binding without
        /// one; the rest is kept as it is (serve it with `Server::with_wsdl`).
        #[arg(long, conflicts_with = "policy_only")]
        into: Option<std::path::PathBuf>,
        /// Write to this file (refused if it exists) instead of standard output.
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// Protect or verify a message with a security context (interoperability door).
    #[command(subcommand)]
    Message(message::MessageCommand),
    /// Negotiate a security context one WS-Trust message at a time (interoperability
    /// door).
    #[command(subcommand)]
    Negotiate(negotiate::NegotiateCommand),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ImportRole {
    Client,
    Server,
    Both,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            format,
            color,
            model_only,
        } => check(&files, format, color, model_only),
        Command::Explain { id } => explain(id.as_deref()),
        Command::Message(cmd) => message::run(cmd),
        Command::Negotiate(cmd) => negotiate::run(cmd),
        Command::New { template, output } => new(template.as_deref(), output.as_deref()),
        Command::Export {
            file,
            service,
            address,
            policy_only,
            into,
            output,
        } => export(
            &file,
            service,
            address,
            policy_only,
            into.as_deref(),
            output.as_deref(),
        ),
        Command::Import {
            wsdl,
            port,
            output,
            list_ports,
            role,
            color,
            model_only,
        } => import(
            &wsdl,
            port,
            output.as_deref(),
            list_ports,
            role,
            color,
            model_only,
        ),
        Command::Schema => {
            out!("{}", wsbind_compiler::schema::binding_schema());
            ExitCode::SUCCESS
        }
    }
}

fn check(files: &[std::path::PathBuf], format: Format, color: Color, model_only: bool) -> ExitCode {
    let target = if model_only {
        Target::Model
    } else {
        Target::Runtime
    };
    let style = match color {
        Color::Always => Style::Color,
        Color::Never => Style::Plain,
        Color::Auto
            if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            Style::Color
        }
        Color::Auto => Style::Plain,
    };
    let mut invalid = false;
    let mut unreadable = false;
    let mut json = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                unreadable = true;
                match format {
                    Format::Human => eprintln!("error: cannot read {name}: {e}"),
                    Format::Json => json.push(serde_json::json!({ "file": name, "valid": false, "error": format!("cannot read: {e}"), "diagnostics": [] })),
                }
                continue;
            }
        };
        let checked = wsbind_compiler::check_toml(&text, target);
        let src = SourceFile::new(name.clone(), text);
        let errors = checked.errors();
        let warnings = checked.warnings();
        invalid |= errors > 0;
        match format {
            Format::Human => {
                out!(
                    "{}",
                    diag::render_counted(&checked.diagnostics, checked.omitted, &src, style)
                );
                if errors > 0 {
                    outln!("{name}: {errors} error(s), {warnings} warning(s)");
                } else {
                    outln!("{name}: valid{}", if warnings > 0 { format!(" ({warnings} warning(s))") } else { String::new() });
                }
            }
            Format::Json => json.push(serde_json::json!({
                "file": name,
                "valid": errors == 0,
                "diagnostics": checked.diagnostics.iter().map(|d| diag::to_json(d, Some(&src))).collect::<Vec<_>>(),
                // Past `diag::MAX_COLLECTED`: counted, not listed.
                "omitted": checked.omitted,
            })),
        }
    }
    if format == Format::Json {
        let out = serde_json::json!({ "files": json, "valid": !invalid && !unreadable });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    }
    if unreadable {
        ExitCode::from(2)
    } else if invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn style(color: Color) -> Style {
    match color {
        Color::Always => Style::Color,
        Color::Never => Style::Plain,
        Color::Auto
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            Style::Color
        }
        Color::Auto => Style::Plain,
    }
}

fn import(
    wsdl: &std::path::Path,
    port: Option<String>,
    output: Option<&std::path::Path>,
    list_ports: bool,
    role: ImportRole,
    color: Color,
    model_only: bool,
) -> ExitCode {
    use wsbind_compiler::description::Role;
    let target = if model_only {
        Target::Model
    } else {
        Target::Runtime
    };
    let imported = wsbind_wsdl::import(
        wsdl,
        &wsbind_wsdl::Options {
            port,
            target,
            role: match role {
                ImportRole::Client => Role::Client,
                ImportRole::Server => Role::Server,
                ImportRole::Both => Role::Both,
            },
            read: &wsbind_wsdl::read_file,
            shown_as: None,
        },
    );
    if list_ports {
        for p in &imported.ports {
            outln!(
                "{}\t{}",
                args::one_line(&p.name),
                args::one_line(p.address.as_deref().unwrap_or("-"))
            );
        }
        return if imported.sources.is_empty() {
            eprint!("{}", imported.render(style(color)));
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    eprint!("{}", imported.render(style(color)));
    let Some(toml) = &imported.toml else {
        let unreadable = imported.sources.is_empty();
        let errors = imported
            .found
            .iter()
            .filter(|f| f.diagnostic.is_error())
            .count();
        eprintln!(
            "error: {} not imported ({errors} error{}{})",
            wsdl.display(),
            if errors == 1 { "" } else { "s" },
            if imported.omitted > 0 {
                ", more not kept"
            } else {
                ""
            }
        );
        return ExitCode::from(if unreadable { 2 } else { 1 });
    };
    match output {
        None => out!("{toml}"),
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, toml.as_bytes()));
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!(
                "wrote {} (port `{}`)",
                path.display(),
                imported.port.as_deref().unwrap_or("")
            );
        }
    }
    ExitCode::SUCCESS
}

fn export(
    file: &std::path::Path,
    service: String,
    address: Option<String>,
    policy_only: bool,
    into: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
) -> ExitCode {
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let checked = wsbind_compiler::check_toml(&text, Target::Model);
    let (Some(model), Some(d)) = (checked.file.as_ref(), checked.description()) else {
        eprint!(
            "{}",
            diag::render_counted(
                &checked.diagnostics,
                checked.omitted,
                &SourceFile::new(name.clone(), text.clone()),
                Style::Plain
            )
        );
        eprintln!("error: {name} is not a valid description; `wsbind check --model-only` says why");
        return ExitCode::from(1);
    };
    let names = wsbind_wsdl::export::Names {
        service,
        address,
        namespace: None,
    };
    let exported = match wsbind_wsdl::export::export(model, &d, &names) {
        Ok(e) => e,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(1);
        }
    };
    for n in &exported.notes {
        eprintln!("note: not in the policy: {n}");
    }
    let text = if policy_only {
        format!("{}\n", exported.policy)
    } else if let Some(own) = into {
        let own_text = match std::fs::read_to_string(own) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", own.display());
                return ExitCode::from(2);
            }
        };
        match wsbind_wsdl::export::fill(&own_text, &exported) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", own.display());
                return ExitCode::from(1);
            }
        }
    } else {
        exported.wsdl
    };
    match output {
        None => out!("{text}"),
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

fn new(template: Option<&str>, output: Option<&std::path::Path>) -> ExitCode {
    use wsbind_compiler::templates;
    let Some(name) = template else {
        for t in templates::ALL {
            let runs = if t.runs {
                "runs in wsbind"
            } else {
                "model only"
            };
            outln!("{:<42} {:<15} {}", t.name, runs, t.wwsapi);
        }
        return ExitCode::SUCCESS;
    };
    let Some(t) = templates::find(name) else {
        eprintln!(
            "error: no template `{}`; `wsbind new` lists them",
            args::one_line(name)
        );
        return ExitCode::from(2);
    };
    match output {
        None => out!("{}", t.text),
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, t.text.as_bytes()));
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!(
                "wrote {} ({}{})",
                path.display(),
                t.wwsapi,
                if t.runs {
                    ""
                } else {
                    "; valid in WWSAPI's model, not run by the wsbind runtime"
                }
            );
        }
    }
    ExitCode::SUCCESS
}

fn explain(id: Option<&str>) -> ExitCode {
    match id {
        None => {
            for r in rules::ALL {
                let sev = if r.severity == rules::Severity::Warning {
                    " (warning)"
                } else {
                    ""
                };
                outln!("{}{sev}  {}", r.id, r.summary);
            }
            ExitCode::SUCCESS
        }
        Some(id) => match rules::find(id) {
            Some(r) => {
                let sev = if r.severity == rules::Severity::Warning {
                    "warning"
                } else {
                    "error"
                };
                outln!(
                    "{} ({sev}): {}\nsource: {}\n\n{}",
                    r.id,
                    r.summary,
                    r.source,
                    r.explanation
                );
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule {id:?}; `wsbind explain` lists them all");
                ExitCode::from(2)
            }
        },
    }
}
