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

/// Collects diagnostics; checking goes on after each one so a build shows them all —
/// up to [`MAX_COLLECTED`]; the rest are counted (errors apart, so a description is
/// never taken for valid because its errors were not kept).
#[derive(Debug)]
pub struct Ctxt {
    pub spelling: Spelling,
    /// Some list element could not be read and was left out: rules about something being
    /// absent would be guesses, so they are skipped.
    pub dropped: bool,
    diags: Vec<Diagnostic>,
    omitted: usize,
    omitted_errors: usize,
}

/// The most diagnostics kept for one description (twice what is shown): a file of
/// unknown keys can make one per line, and each costs a suggestion search. The rest
/// are counted, so checking stays linear and cheap in the file's size (clang stops at
/// 20 errors by default).
pub const MAX_COLLECTED: usize = 2 * MAX_SHOWN;

impl Ctxt {
    pub fn new(spelling: Spelling) -> Self {
        Ctxt {
            spelling,
            dropped: false,
            diags: Vec::new(),
            omitted: 0,
            omitted_errors: 0,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.is_full() {
            self.omit(d.is_error());
        } else {
            self.diags.push(d);
        }
    }

    /// Whether [`MAX_COLLECTED`] diagnostics are kept: a producer whose diagnostic is
    /// costly to build counts it with [`omit`](Self::omit) instead.
    pub fn is_full(&self) -> bool {
        self.diags.len() >= MAX_COLLECTED
    }

    /// Diagnostics kept so far.
    pub fn kept(&self) -> usize {
        self.diags.len()
    }

    /// Counts a diagnostic not kept.
    pub fn omit(&mut self, error: bool) {
        self.omitted += 1;
        self.omitted_errors += usize::from(error);
    }

    /// Diagnostics counted and not kept: all of them, and the errors among them.
    pub fn omitted(&self) -> (usize, usize) {
        (self.omitted, self.omitted_errors)
    }

    /// A key as the user spells it in this front-end, in backticks.
    pub fn key(&self, key: &str) -> String {
        format!("`{}`", self.spelling.key(key))
    }

    pub fn has_errors(&self) -> bool {
        self.omitted_errors > 0 || self.diags.iter().any(Diagnostic::is_error)
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
        // An offset inside a character counts as that character's start.
        let before = self
            .text
            .get(..floor_char(&self.text, offset))
            .unwrap_or("");
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
    render_counted(diags, 0, source, style)
}

/// As [`render`], for diagnostics of which `omitted` more were counted and not kept
/// ([`crate::Checked::omitted`]): the last line counts them too.
pub fn render_counted(
    diags: &[Diagnostic],
    omitted: usize,
    source: &SourceFile,
    style: Style,
) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    }
    .term_width(WIDTH);
    let mut out = String::new();
    let lines = LineStarts::of(&source.text);
    for d in diags.iter().take(MAX_SHOWN) {
        out.push_str(&renderer.render(&report(d, source, &lines)));
        out.push_str("\n\n");
    }
    let hidden = diags.len().saturating_sub(MAX_SHOWN) + omitted;
    if hidden > 0 {
        out.push_str(&more_line(hidden));
        out.push_str("\n\n");
    }
    out
}

/// Renders one diagnostic without its `error[ID]: message` header line, for embedding in
/// a `compile_error!` whose message already starts with it.
pub fn render_one(d: &Diagnostic, source: &SourceFile) -> String {
    Renderer::plain()
        .term_width(WIDTH)
        .render(&report(d, source, &LineStarts::of(&source.text)))
        .to_string()
}

/// Where each line of a text starts, found once per rendering so that each diagnostic
/// is rendered from its own lines alone, not the whole file (50 diagnostics on a 1 MiB
/// file were 50 passes over it).
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn of(text: &str) -> Self {
        LineStarts(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 0-based line holding `offset`, and where it starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self
            .0
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        (line, self.0[line])
    }
}

fn level(d: &Diagnostic) -> Level<'static> {
    match d.severity() {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// The location's bytes within the text, widened to whole characters: a reader may name
/// a byte inside one (the renderer slices the text at both ends).
fn clamp(source: &SourceFile, loc: &Loc) -> std::ops::Range<usize> {
    let text = source.text.as_str();
    let r = loc.range().unwrap_or(0..0);
    let start = floor_char(text, r.start);
    start..ceil_char(text, r.end.max(start))
}

/// The start of the character holding byte `at` (the text's end past it).
/// (`str::floor_char_boundary` is newer than the crate's minimum Rust.)
fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The end of the character holding byte `at`, or `at` at a boundary (the text's end
/// past it).
fn ceil_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

fn report<'a>(d: &'a Diagnostic, source: &'a SourceFile, lines: &LineStarts) -> Vec<Group<'a>> {
    // The lines the labels are on (and those between them, which `fold` hides), the
    // last one cut a little past what it points at: the renderer's work is this window,
    // never the whole file.
    let text = source.text.as_str();
    let spans: Vec<_> = std::iter::once(&d.primary.loc)
        .chain(d.related.iter().map(|r| &r.loc))
        .map(|loc| clamp(source, loc))
        .collect();
    let lo = spans.iter().map(|r| r.start).min().unwrap_or(0);
    let hi = spans.iter().map(|r| r.end).max().unwrap_or(0);
    let (first_line, start) = lines.line_of(lo);
    let limit = ceil_char(text, hi + 4 * WIDTH);
    let end = text[hi..limit].find('\n').map_or(limit, |i| hi + i);
    let shift = |r: &std::ops::Range<usize>| r.start - start..r.end - start;
    let mut snippet = Snippet::source(&text[start..end])
        .line_start(first_line + 1)
        .path(source.name.as_str())
        .fold(true);
    snippet = snippet.annotation(
        AnnotationKind::Primary
            .span(shift(&spans[0]))
            .label(d.primary.text.as_str()),
    );
    for (r, span) in d.related.iter().zip(&spans[1..]) {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(shift(span))
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

#[cfg(test)]
mod cap_tests {
    use super::*;
    use crate::rules::{self, Severity};

    /// Errors past the cap still count: a description is never valid because its
    /// errors came after [`MAX_COLLECTED`] warnings.
    #[test]
    fn an_error_past_the_cap_still_fails_the_check() {
        let warning = rules::ALL
            .iter()
            .find(|r| r.severity == Severity::Warning)
            .expect("a warning rule");
        let mut cx = Ctxt::new(Spelling::Toml);
        for _ in 0..MAX_COLLECTED {
            cx.push(Diagnostic::new(warning, "w", &Loc::Nowhere, "here"));
        }
        assert!(!cx.has_errors() && cx.is_full());
        cx.push(Diagnostic::new(&rules::WSB0039, "e", &Loc::Nowhere, "here"));
        assert!(cx.has_errors());
        assert_eq!(cx.omitted(), (1, 1));
        assert_eq!(cx.into_diagnostics().len(), MAX_COLLECTED);
    }

    /// A reader may name a byte inside a character (quick-xml did, for `--` in a
    /// comment after a two-byte one): the place is that character, and nothing panics.
    #[test]
    fn a_place_inside_a_character_is_that_character() {
        let source = SourceFile::new("x.wsdl", "<a>\n  \u{29e}\u{16d}x</a>\n");
        let inside = 7; // the second byte of U+029E, which starts at byte 6
        assert!(!source.text.is_char_boundary(inside));
        assert_eq!(source.line_col(inside), (2, 3));
        for range in [inside..inside, inside..inside + 2, 0..inside, inside..100] {
            let d = Diagnostic::new(&rules::WSB0039, "e", &Loc::Text(range), "here");
            let out = render(std::slice::from_ref(&d), &source, Style::Plain);
            assert!(
                out.contains("x.wsdl:2:3") || out.contains("x.wsdl:1:1"),
                "{out}"
            );
        }
    }
}
