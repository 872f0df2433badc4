//! Diagnostics: what the compiler reports, collected while checking continues
//! (serde_derive's `Ctxt` idea, with rule ids and help lines), and rendered rustc-style.

use crate::loc::{Loc, Spelling};
use crate::rules::{Rule, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A labelled place in the input.
#[derive(Clone, Debug)]
pub struct Label {
    pub loc: Loc,
    pub text: String,
}

/// One violation of one rule.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub message: String,
    pub primary: Label,
    /// The other places of a conflict ("security-context binding here").
    pub related: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static Rule,
        message: impl Into<String>,
        loc: &Loc,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            message: message.into(),
            primary: Label {
                loc: loc.clone(),
                text: label.into(),
            },
            related: Vec::new(),
            help: None,
        }
    }

    /// Adds the other half of a conflict. Places that were never written (defaults) are
    /// skipped: there is nothing to point at.
    pub fn related(mut self, loc: &Loc, label: impl Into<String>) -> Self {
        if !matches!(loc, Loc::Nowhere) {
            self.related.push(Label {
                loc: loc.clone(),
                text: label.into(),
            });
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    pub fn is_error(&self) -> bool {
        self.rule.severity == Severity::Error
    }
}

/// Collects diagnostics; checking goes on after each one so a build shows them all.
#[derive(Debug)]
pub struct Ctxt {
    pub spelling: Spelling,
    /// Some list element could not be read and was left out: rules about something being
    /// absent would be guesses, so they are skipped.
    pub dropped: bool,
    diags: Vec<Diagnostic>,
}

impl Ctxt {
    pub fn new(spelling: Spelling) -> Self {
        Ctxt {
            spelling,
            dropped: false,
            diags: Vec::new(),
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A key as the user spells it in this front-end, in backticks.
    pub fn key(&self, key: &str) -> String {
        format!("`{}`", self.spelling.key(key))
    }

    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }
}

/// A TOML source: its name as shown to the user and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// Colour or plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

/// The most diagnostics shown for one description (the rest are counted): a file of
/// garbage can make one per byte, and each is shown with its source line. Rendering
/// costs at most this many passes over the text, so it stays linear in the file's size.
pub const MAX_SHOWN: usize = 50;

/// Source lines are cut to this many columns around what they point at (rustc's
/// default width), so a long line is not printed whole for every diagnostic on it.
const WIDTH: usize = 140;

/// The line that stands for the diagnostics past [`MAX_SHOWN`].
pub fn more_line(hidden: usize) -> String {
    format!("error: and {hidden} more diagnostics, not shown (fix the ones above and check again)")
}

/// Renders diagnostics on a TOML source the way rustc renders its own: header with the
/// id, `--> file:line:col`, the source lines with carets, secondary labels, `= help:`.
/// At most [`MAX_SHOWN`] of them; a last line counts the others.
pub fn render(diags: &[Diagnostic], source: &SourceFile, style: Style) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    }
    .term_width(WIDTH);
    let mut out = String::new();
    for d in diags.iter().take(MAX_SHOWN) {
        out.push_str(&renderer.render(&report(d, source)));
        out.push_str("\n\n");
    }
    if diags.len() > MAX_SHOWN {
        out.push_str(&more_line(diags.len() - MAX_SHOWN));
        out.push_str("\n\n");
    }
    out
}

/// Renders one diagnostic without its `error[ID]: message` header line, for embedding in
/// a `compile_error!` whose message already starts with it.
pub fn render_one(d: &Diagnostic, source: &SourceFile) -> String {
    Renderer::plain()
        .term_width(WIDTH)
        .render(&report(d, source))
        .to_string()
}

fn level(d: &Diagnostic) -> Level<'static> {
    match d.severity() {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

fn clamp(source: &SourceFile, loc: &Loc) -> std::ops::Range<usize> {
    let len = source.text.len();
    let r = loc.range().unwrap_or(0..0);
    let start = r.start.min(len);
    start..r.end.clamp(start, len)
}

fn report<'a>(d: &'a Diagnostic, source: &'a SourceFile) -> Vec<Group<'a>> {
    let mut snippet = Snippet::source(source.text.as_str())
        .path(source.name.as_str())
        .fold(true);
    snippet = snippet.annotation(
        AnnotationKind::Primary
            .span(clamp(source, &d.primary.loc))
            .label(d.primary.text.as_str()),
    );
    for r in &d.related {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(clamp(source, &r.loc))
                .label(r.text.as_str()),
        );
    }
    let mut group = level(d)
        .primary_title(d.message.as_str())
        .id(d.rule.id)
        .element(snippet);
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

/// Machine-readable form of a diagnostic (the CLI's `--format json`).
pub fn to_json(d: &Diagnostic, source: Option<&SourceFile>) -> serde_json::Value {
    let place = |l: &Label| {
        let mut v = serde_json::json!({ "label": l.text });
        if let (Some(src), Some(r)) = (source, l.loc.range()) {
            let (line, column) = src.line_col(r.start);
            let (end_line, end_column) = src.line_col(r.end);
            v["file"] = src.name.clone().into();
            v["start"] = r.start.into();
            v["end"] = r.end.into();
            v["line"] = line.into();
            v["column"] = column.into();
            v["end_line"] = end_line.into();
            v["end_column"] = end_column.into();
        }
        v
    };
    serde_json::json!({
        "id": d.rule.id,
        "severity": d.severity(),
        "message": d.message,
        "primary": place(&d.primary),
        "related": d.related.iter().map(place).collect::<Vec<_>>(),
        "help": d.help,
    })
}
