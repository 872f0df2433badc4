//! Where each piece of markup and character data starts and ends: the tokenizer under
//! [`crate::dom`].
//!
//! Written by hand, not taken from quick-xml (which the DOM was first built on),
//! because the DOM already does everything but this: it reads the names, attributes,
//! references and characters of every token itself, with its own checks, so all it
//! needs is the bounds. Through quick-xml those cost about as much as the DOM's own
//! work: its reader validates the UTF-8 of every event again (the DOM holds a `&str`)
//! and scans each start tag that the DOM then scans once more for its attributes
//! (issue 21: half of a request's parse). Here a token is found with `memchr`
//! searches (one per token, and two more per quoted value in a tag), on text already
//! known to be UTF-8.
//!
//! The scanner checks only what delimits: that each construct is closed, that a
//! comment holds no `--`, that `<!` opens a comment, a CDATA section or (refused by
//! the DOM) a document type declaration, and that `&` is followed by `;` before the
//! next markup. Everything inside a token is the DOM's to check.

use crate::dom::XmlError;
use memchr::{memchr, memchr2, memchr3, memmem};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// `<name …>`
    Start,
    /// `<name …/>`
    Empty,
    /// `</name …>`
    End,
    /// Character data up to the next `<` or `&`.
    Text,
    /// `&…;`
    Ref,
    /// `<![CDATA[…]]>`
    CData,
    /// `<!--…-->`
    Comment,
    /// `<?target …?>`
    Pi,
    /// `<?xml …?>`: the XML declaration (the DOM allows it only first).
    Decl,
    /// `<` of a start tag, from a [`Scanner::lazy`] scanner: the reader of the tag
    /// finds its end and [`resumes`](Scanner::resume) the scan there.
    Open,
    /// `<!DOCTYPE`: refused by the DOM, which is told where it starts.
    Doctype,
}

/// The tokens of a text, in order, each with its byte range.
pub(crate) struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    /// Whether a start tag is handed out as [`Token::Open`], its end left to the
    /// reader of its attributes (who finds it on the way: see [`Scanner::lazy`]).
    lazy_tags: bool,
}

fn malformed(offset: usize, reason: &str) -> XmlError {
    XmlError::Malformed {
        offset,
        reason: reason.into(),
    }
}

impl<'a> Scanner<'a> {
    /// Tokens of `src` from byte `pos` on.
    pub(crate) fn new(src: &'a str, pos: usize) -> Self {
        Scanner {
            src: src.as_bytes(),
            pos,
            lazy_tags: false,
        }
    }

    /// As [`new`](Self::new), handing out start tags as [`Token::Open`]: the DOM reads
    /// a start tag's attributes from its `<` on and finds its end as it goes, rather
    /// than this scanner searching for the end (quote-aware) and the DOM reading the
    /// same bytes again. A tag the DOM cannot read so it reads as
    /// [`start_tag`](Self::start_tag) delimits it (see `Parser::lazy` in the DOM).
    pub(crate) fn lazy(src: &'a str, pos: usize) -> Self {
        Scanner {
            lazy_tags: true,
            ..Self::new(src, pos)
        }
    }

    /// Goes on from `pos`: the end of the start tag a [`Token::Open`] began.
    pub(crate) fn resume(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Where `needle` next occurs at or after `from`, as an offset into the source.
    fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        let rest = self.src.get(from..)?;
        match needle {
            [b] => memchr(*b, rest),
            _ => memmem::find(rest, needle),
        }
        .map(|i| from + i)
    }

    /// Where the tag whose name starts at `from` ends: its first `>` outside quotes.
    /// (A quote has no place in an end tag, whose name the DOM then refuses; end tags
    /// are read alike all the same, as quick-xml read them.)
    fn tag_end(&self, from: usize) -> Option<usize> {
        let mut i = from;
        loop {
            let j = i + memchr3(b'>', b'"', b'\'', self.src.get(i..)?)?;
            if self.src[j] == b'>' {
                return Some(j);
            }
            i = self.find(j + 1, &self.src[j..=j])? + 1;
        }
    }

    /// The start tag at `start` (`<` and a name's first byte) as this scanner delimits
    /// it: [`Token::Start`] or [`Token::Empty`], and where it ends.
    pub(crate) fn start_tag(&self, start: usize) -> Result<(Token, usize), XmlError> {
        let end = self
            .tag_end(start + 1)
            .ok_or_else(|| malformed(start, "a start tag is not closed"))?;
        // (`src[start]` is `<`, so `end - 1` is inside the tag.)
        let empty = self.src.get(end - 1) == Some(&b'/');
        let token = if empty { Token::Empty } else { Token::Start };
        Ok((token, end + 1))
    }

    /// The next token and its range (`start..end`); `None` at the end of the text.
    /// After an error the scanner is at the end.
    #[inline]
    pub(crate) fn next_token(&mut self) -> Option<Result<(Token, usize, usize), XmlError>> {
        let start = self.pos;
        let first = *self.src.get(start)?;
        let found = self.token(start, first);
        self.pos = match &found {
            Ok((_, end)) => *end,
            Err(_) => self.src.len(),
        };
        Some(found.map(|(token, end)| (token, start, end)))
    }

    #[inline]
    fn token(&self, start: usize, first: u8) -> Result<(Token, usize), XmlError> {
        let src = self.src;
        let after = |what: &str| malformed(start, &format!("{what} is not closed"));
        match first {
            b'&' => {
                // The reference ends at `;`, which must come before any markup.
                let rest = src.get(start + 1..).unwrap_or(&[]);
                match memchr2(b';', b'<', rest).map(|i| start + 1 + i) {
                    Some(end) if src[end] == b';' => Ok((Token::Ref, end + 1)),
                    _ => Err(malformed(start, "`&` starts no reference (`;` is missing)")),
                }
            }
            b'<' => match src.get(start + 1) {
                Some(b'/') => {
                    let end = self.tag_end(start + 2).ok_or_else(|| after("an end tag"))?;
                    Ok((Token::End, end + 1))
                }
                Some(b'?') => {
                    let end = self
                        .find(start + 2, b"?>")
                        .ok_or_else(|| after("a processing instruction"))?;
                    // `<?xml` followed by white space (or nothing) is the declaration.
                    let decl = src[start + 2..end].starts_with(b"xml")
                        && src
                            .get(start + 5)
                            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'?'));
                    Ok((if decl { Token::Decl } else { Token::Pi }, end + 2))
                }
                Some(b'!') => {
                    let rest = &src[start..];
                    if rest.starts_with(b"<!--") {
                        let end = self
                            .find(start + 4, b"-->")
                            .ok_or_else(|| after("a comment"))?;
                        if let Some(dashes) = memmem::find(&src[start + 4..end], b"--") {
                            return Err(malformed(
                                start + 4 + dashes,
                                "`--` is not allowed in a comment",
                            ));
                        }
                        Ok((Token::Comment, end + 3))
                    } else if rest.starts_with(b"<![CDATA[") {
                        let end = self
                            .find(start + 9, b"]]>")
                            .ok_or_else(|| after("a CDATA section"))?;
                        Ok((Token::CData, end + 3))
                    } else if rest
                        .get(..9)
                        .is_some_and(|r| r.eq_ignore_ascii_case(b"<!DOCTYPE"))
                    {
                        Ok((Token::Doctype, src.len()))
                    } else {
                        Err(malformed(
                            start,
                            "`<!` opens no comment, CDATA section or declaration",
                        ))
                    }
                }
                _ if self.lazy_tags => Ok((Token::Open, start + 1)),
                _ => self.start_tag(start),
            },
            // Character data, up to the next markup or reference.
            _ => Ok((
                Token::Text,
                memchr2(b'<', b'&', &src[start..]).map_or(src.len(), |i| start + i),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Result<Vec<(Token, &str)>, XmlError> {
        let mut s = Scanner::new(src, 0);
        let mut out = Vec::new();
        while let Some(t) = s.next_token() {
            let (token, start, end) = t?;
            out.push((token, &src[start..end]));
        }
        Ok(out)
    }

    #[test]
    fn every_kind_of_token_and_its_bounds() {
        use Token::*;
        let src =
            r#"<?xml version="1.0"?><!--c--><a x='>"' y=">'"><b/>t&amp;u<![CDATA[<]]><?p d?></a >"#;
        assert_eq!(
            tokens(src).expect("tokens"),
            [
                (Decl, r#"<?xml version="1.0"?>"#),
                (Comment, "<!--c-->"),
                (Start, r#"<a x='>"' y=">'">"#),
                (Empty, "<b/>"),
                (Text, "t"),
                (Ref, "&amp;"),
                (Text, "u"),
                (CData, "<![CDATA[<]]>"),
                (Pi, "<?p d?>"),
                (End, "</a >"),
            ]
        );
        assert_eq!(tokens("<?xml-stylesheet x?>").expect("pi")[0].0, Pi);
        assert_eq!(tokens("<!doctype a>").expect("doctype")[0].0, Doctype);
    }

    #[test]
    fn what_is_not_closed_is_refused_where_it_starts() {
        for (src, at) in [
            ("<a", 0),
            ("<a x='>", 0),
            ("x</a", 1),
            ("<?p", 0),
            ("<!-- x", 0),
            ("<!-->", 0),
            ("<![CDATA[ x]]", 0),
            ("a &amp b<c/>", 2),
            ("&", 0),
            ("<!ELEMENT a>", 0),
            ("<!-- a -- b -->", 7),
        ] {
            match tokens(src) {
                Err(e) => assert_eq!(e.offset(), Some(at), "{src}: {e}"),
                Ok(t) => panic!("{src}: {t:?}"),
            }
        }
    }
}

/// The scanner against quick-xml's tokenizer, which the DOM used before it (configured
/// as the DOM configured it): where quick-xml reads a text, the scanner finds the same
/// tokens at the same places; where quick-xml refuses one, the DOM refuses it too.
#[cfg(test)]
mod oracle {
    use super::*;
    use crate::dom::{Document, Limits};
    use proptest::prelude::*;
    use quick_xml::events::Event;

    type Tokens = Vec<(Token, usize, usize)>;

    /// quick-xml's tokens, up to its error if any.
    fn quick_xml(src: &str) -> (Tokens, bool) {
        let mut reader = quick_xml::Reader::from_str(src);
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.check_end_names = false;
        cfg.check_comments = true;
        cfg.expand_empty_elements = false;
        cfg.allow_dangling_amp = false;
        cfg.allow_unmatched_ends = true;
        let mut out = Vec::new();
        loop {
            let start = reader.buffer_position() as usize;
            let token = match reader.read_event() {
                Err(_) => return (out, false),
                Ok(Event::Eof) => return (out, true),
                Ok(Event::Start(_)) => Token::Start,
                Ok(Event::Empty(_)) => Token::Empty,
                Ok(Event::End(_)) => Token::End,
                Ok(Event::Text(_)) => Token::Text,
                Ok(Event::GeneralRef(_)) => Token::Ref,
                Ok(Event::CData(_)) => Token::CData,
                Ok(Event::Comment(_)) => Token::Comment,
                Ok(Event::PI(_)) => Token::Pi,
                Ok(Event::Decl(_)) => Token::Decl,
                // The DOM refuses a document type declaration where it starts: the
                // scanner does not read past it.
                Ok(Event::DocType(_)) => {
                    out.push((Token::Doctype, start, src.len()));
                    return (out, true);
                }
            };
            out.push((token, start, reader.buffer_position() as usize));
        }
    }

    fn ours(src: &str) -> (Tokens, bool) {
        let mut s = Scanner::new(src, 0);
        let mut out = Vec::new();
        while let Some(t) = s.next_token() {
            match t {
                Ok(t) => out.push(t),
                Err(_) => return (out, false),
            }
        }
        (out, true)
    }

    fn agree(src: &str) -> Result<(), String> {
        let (theirs, read) = quick_xml(src);
        let (mine, scanned) = ours(src);
        if read {
            if !scanned || mine != theirs {
                return Err(format!("quick-xml: {theirs:?}\nscanner: {mine:?}\n{src}"));
            }
        } else if Document::parse(src, &Limits::default()).is_ok() {
            return Err(format!("quick-xml refused, the DOM accepted:\n{src}"));
        }
        // The one-pass reading of start tags keeps and refuses what the token-by-token
        // reading keeps and refuses.
        let (lazy, by_token, _) = crate::dom::both_readings(src);
        if lazy != by_token {
            return Err(format!(
                "one pass: {lazy:?}\ntoken by token: {by_token:?}\n{src}"
            ));
        }
        Ok(())
    }

    /// Every document of the C14N corpus and the stored messages.
    #[test]
    fn the_stored_documents() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../../shared/vectors");
        let mut dirs = vec![root.join("tests/c14n-corpus")];
        for d in [
            "c14n",
            "wss4j-messages",
            "real-world/ms-lwssp",
            "real-world/corewcf-tmc",
        ] {
            dirs.push(shared.join(d));
        }
        let (mut n, mut read_in_one_pass) = (0, 0);
        for dir in dirs {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
                let path = entry.expect("entry").path();
                let Ok(src) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let src = src.trim_start_matches('\u{feff}');
                if let Err(e) = agree(src) {
                    panic!("{}: {e}", path.display());
                }
                // Messages are read in one pass (the scanner's reading is for what a
                // peer should not send).
                let (lazy, _, rereads) = crate::dom::both_readings(src);
                if !dir.ends_with("c14n-corpus") && !dir.ends_with("c14n") && lazy.is_ok() {
                    assert_eq!(rereads, 0, "{}: tags read again", path.display());
                    read_in_one_pass += 1;
                }
                n += 1;
            }
        }
        assert!(n > 50, "{n} documents");
        assert!(read_in_one_pass > 20, "{read_in_one_pass} messages");
    }

    /// Pieces of markup, spliced anywhere into a message.
    const PIECES: &[&str] = &[
        "<",
        ">",
        "/>",
        "</",
        "<!--",
        "-->",
        "--",
        "-",
        "<![CDATA[",
        "]]>",
        "<?",
        "?>",
        "<?xml ",
        "<!",
        "<!DOCTYPE a>",
        "&",
        ";",
        "&amp;",
        "&#x41;",
        "'",
        "\"",
        "=",
        " ",
        "\t",
        "\n",
        "a",
        "é",
        "<a>",
        "</a>",
        "<b x='1'/>",
    ];

    fn message() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/vectors/wss4j-messages/01-ping-1.3-hmac-sha1.xml"
        );
        std::fs::read_to_string(path).expect("the stored WSS4J message")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn spliced_markup(
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0..3usize),
                1..5,
            )
        ) {
            let mut src = message();
            for (at, piece, cut) in edits {
                let mut i = at.index(src.len() + 1);
                while !src.is_char_boundary(i) {
                    i -= 1;
                }
                let end = (i + cut).min(src.len());
                let end = (end..=src.len()).find(|e| src.is_char_boundary(*e)).unwrap_or(src.len());
                src.replace_range(i..end, PIECES[piece.index(PIECES.len())]);
            }
            if let Err(e) = agree(&src) {
                prop_assert!(false, "{}", e);
            }
        }

        #[test]
        fn short_texts_of_markup(
            pieces in prop::collection::vec(any::<prop::sample::Index>(), 0..12)
        ) {
            let src: String = pieces.iter().map(|p| PIECES[p.index(PIECES.len())]).collect();
            if let Err(e) = agree(&src) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
