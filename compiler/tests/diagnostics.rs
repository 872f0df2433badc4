//! Issue 22: rendering diagnostics stays linear in the file's size. A file can make one
//! diagnostic per line (or per byte); at most `diag::MAX_SHOWN` are shown, each source
//! line cut to a width, and a last line counts the rest.

use wsbind_compiler::diag::{self, SourceFile, Style};

#[test]
fn many_diagnostics_are_capped_and_counted() {
    let mut text = String::from("[channel]\nbinding = \"http\"\n[security]\n");
    // Within the key bound (front::toml::MAX_KEYS), over the diagnostics kept.
    for i in 0..1_000 {
        text.push_str(&format!("unknown{i} = 1\n"));
    }
    let checked = wsbind_compiler::check_toml(&text, wsbind_compiler::Target::Runtime);
    // Kept up to MAX_COLLECTED (the suggestion search is not paid for the rest), every
    // one counted, the errors among them too.
    assert_eq!(checked.diagnostics.len(), diag::MAX_COLLECTED);
    let n = checked.diagnostics.len() + checked.omitted;
    assert!(n >= 1_000, "{n}");
    assert_eq!(checked.errors(), n);
    let out = diag::render_counted(
        &checked.diagnostics,
        checked.omitted,
        &SourceFile::new("b.toml", text),
        Style::Plain,
    );
    assert_eq!(out.matches("error[").count(), diag::MAX_SHOWN, "{out}");
    assert!(
        out.contains(&format!("and {} more diagnostics", n - diag::MAX_SHOWN)),
        "{out}"
    );
    // Before the cap: every diagnostic printed (10 MB for 16,000 of them).
    assert!(out.len() < 64 * 1024, "{} bytes", out.len());
}

#[test]
fn a_long_line_is_cut_around_what_it_points_at() {
    let text = format!(
        "[channel]\nbinding = \"http\"\n[security]\nx = \"{}\"\n",
        "a".repeat(100_000)
    );
    let checked = wsbind_compiler::check_toml(&text, wsbind_compiler::Target::Runtime);
    assert!(!checked.diagnostics.is_empty());
    let out = diag::render(
        &checked.diagnostics,
        &SourceFile::new("b.toml", text),
        Style::Plain,
    );
    assert!(
        out.len() < 4 * 1024,
        "{} bytes: the long line printed whole",
        out.len()
    );
}

/// Issue 19 item 9: a bad duration is explained in this format's words, never with the
/// duration parser's offsets ("invalid character at 2", "expected number at 0").
#[test]
fn a_bad_duration_says_what_is_wrong_in_words() {
    for (value, says) in [
        ("5x", "`x` is not a unit"),
        ("1h30", "a number without a unit"),
        ("ten hours", "a number is missing before `ten hours`"),
        ("5m!", "`!` is not part of a duration"),
        ("", "it is empty"),
    ] {
        let text = format!(
            "[channel]\nbinding = \"http\"\n[security]\nmax-allowed-clock-skew = \"{value}\"\n[[security.binding]]\nkind = \"ssl-transport\"\n"
        );
        let checked = wsbind_compiler::check_toml(&text, wsbind_compiler::Target::Model);
        let message = checked
            .diagnostics
            .iter()
            .find(|d| d.rule.id == "WSB0034")
            .map(|d| d.message.clone())
            .unwrap_or_else(|| panic!("{value}: no WSB0034"));
        assert!(message.contains(says), "{value}: {message}");
        assert!(!message.contains(" at "), "{value}: {message}");
    }
}
