//! Hostile input against the XML layer: every refusal is the specific error, and its
//! offset points at the problem; truncations and mutations of a real SOAP message are
//! refused (or parsed) without a panic; the limits hold.

mod common;

use proptest::prelude::*;
use wsbind_xml::c14n;
use wsbind_xml::dom::{Document, Limits, XmlError};

fn parse(src: &str) -> Result<Document<'_>, XmlError> {
    Document::parse(src, &Limits::default())
}

fn refuse(src: &str) -> XmlError {
    match parse(src) {
        Ok(_) => panic!("accepted: {src:.200}"),
        Err(e) => e,
    }
}

/// The byte offset of the first `needle` in `src` (which must be there).
fn at(src: &str, needle: &str) -> usize {
    src.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the test input"))
}

/// Asserts the error's offset is `offset` and its message names it.
fn assert_offset(e: &XmlError, offset: usize) {
    assert_eq!(e.offset(), Some(offset), "{e:?}");
    assert!(
        e.to_string().contains(&format!("at byte {offset}:")),
        "the message says where: {e}"
    );
}

/// A real protected message (WSS4J, SOAP 1.1, SCT + derived key + HMAC signature).
fn soap_message() -> String {
    std::fs::read_to_string(common::vectors("wss4j-messages/01-ping-1.3-hmac-sha1.xml"))
        .expect("the stored WSS4J message")
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let mut src =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        src.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    src.push_str("]>\n<lolz>&lol9;</lolz>");
    let e = refuse(&src);
    let offset = at(&src, "<!DOCTYPE");
    assert_eq!(e, XmlError::Doctype { offset });
    assert_offset(&e, offset);
}

#[test]
fn external_entities_are_refused() {
    let src = "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><r>&xxe;</r>";
    assert_eq!(refuse(src), XmlError::Doctype { offset: 0 });
    let src = "<!DOCTYPE r SYSTEM \"http://evil.example/r.dtd\"><r/>";
    assert_eq!(refuse(src), XmlError::Doctype { offset: 0 });
    // Without a DTD the reference is simply unknown.
    let src = "<r>ok &xxe; </r>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::UnknownEntity {
            offset: 6,
            name: "xxe".into()
        }
    );
    assert_offset(&e, 6);
}

#[test]
fn undefined_entities_are_refused_in_text_and_attributes() {
    let src = "<r><a>x &amp; &foo;</a></r>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::UnknownEntity {
            offset: at(src, "&foo"),
            name: "foo".into()
        }
    );
    assert_offset(&e, at(src, "&foo"));
    let src = "<r><a x=\"é &lt; &nbsp;\"/></r>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::UnknownEntity {
            offset: at(src, "&nbsp"),
            name: "nbsp".into()
        }
    );
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let src = "<a>".repeat(100_000);
    let e = refuse(&src);
    // The 65th element is the first too deep.
    assert_eq!(
        e,
        XmlError::TooDeep {
            offset: 64 * 3,
            limit: 64
        }
    );
    assert_offset(&e, 192);
    let ok = format!("{}{}", "<a>".repeat(64), "</a>".repeat(64));
    assert!(parse(&ok).is_ok());
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let e = Document::parse("<a><b><c><d/></c></b></a>", &limits).expect_err("too deep");
    assert_eq!(
        e,
        XmlError::TooDeep {
            offset: 9,
            limit: 3
        }
    );
}

#[test]
fn too_many_attributes() {
    let attrs: String = (0..65).map(|i| format!(" a{i}=\"v\"")).collect();
    let src = format!("<r><e{attrs}/></r>");
    let e = refuse(&src);
    let offset = at(&src, "a64=");
    assert_eq!(e, XmlError::TooManyAttributes { offset, limit: 64 });
    assert_offset(&e, offset);
    // Namespace declarations count too.
    let decls: String = (0..65)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let src = format!("<r{decls}/>");
    assert!(matches!(
        refuse(&src),
        XmlError::TooManyAttributes { limit: 64, .. }
    ));
    let attrs: String = (0..64).map(|i| format!(" a{i}=\"v\"")).collect();
    assert!(parse(&format!("<r{attrs}/>")).is_ok());
}

#[test]
fn too_many_nodes() {
    let src = format!("<r>{}</r>", "<e/>".repeat(300_000));
    assert_eq!(refuse(&src), XmlError::TooManyNodes { limit: 200_000 });
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    // Texts and comments are nodes too.
    let src = format!("<r>{}</r>", "t<!--c-->".repeat(10));
    assert_eq!(
        Document::parse(&src, &limits).expect_err("too many"),
        XmlError::TooManyNodes { limit: 10 }
    );
}

#[test]
fn oversize_input_is_refused_before_parsing() {
    let src = format!("<r>{}</r>", "x".repeat(4 << 20));
    assert_eq!(
        refuse(&src),
        XmlError::TooLarge {
            size: src.len(),
            limit: 4 << 20
        }
    );
    // Even when it is not XML at all: the size is the first check.
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        Document::parse("<<<<<<<<<<<", &limits).expect_err("too large"),
        XmlError::TooLarge {
            size: 11,
            limit: 10
        }
    );
    assert_eq!(
        Document::parse_bytes(&[0xff; 11], &limits).expect_err("too large"),
        XmlError::TooLarge {
            size: 11,
            limit: 10
        }
    );
}

fn malformed_at(src: &str, offset: usize) {
    let e = refuse(src);
    assert!(matches!(e, XmlError::Malformed { .. }), "{src}: {e:?}");
    assert_offset(&e, offset);
}

#[test]
fn unbalanced_and_mismatched_tags() {
    let src = "<r><a></b></r>";
    malformed_at(src, at(src, "</b>"));
    let src = "<r><a><b></a></b></r>";
    malformed_at(src, at(src, "</a>"));
    let src = "<p:r xmlns:p=\"u\" xmlns:q=\"u\"></q:r>";
    malformed_at(src, at(src, "</q:r>"));
    // Unclosed: the end of the input is the place.
    let src = "<r><a></a>";
    malformed_at(src, src.len());
    let src = "<r></r></r>";
    malformed_at(src, 7);
}

#[test]
fn two_roots_and_text_after_the_root() {
    let src = "<r/>\n<s/>";
    malformed_at(src, at(src, "<s/>"));
    let src = "<r/>\n  junk";
    malformed_at(src, at(src, "junk"));
    let src = "<r/>&amp;";
    malformed_at(src, 4);
    let src = "<r/><![CDATA[x]]>";
    malformed_at(src, 4);
    let src = "text<r/>";
    malformed_at(src, 0);
    malformed_at("", 0);
    malformed_at("   <!-- only a comment -->  ", 28);
}

#[test]
fn undeclared_prefixes() {
    let src = "<r><p:a/></r>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::UndeclaredPrefix {
            offset: 4,
            prefix: "p".into()
        }
    );
    assert_offset(&e, 4);
    let src = "<r xmlns:p=\"urn:p\"><a q:x=\"1\"/></r>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::UndeclaredPrefix {
            offset: at(src, "q:x"),
            prefix: "q".into()
        }
    );
    // A declaration goes out of scope with its element.
    let src = "<r><a xmlns:p=\"urn:p\"/><p:b/></r>";
    assert_eq!(
        refuse(src),
        XmlError::UndeclaredPrefix {
            offset: at(src, "p:b"),
            prefix: "p".into()
        }
    );
}

#[test]
fn bad_namespace_declarations() {
    // A declaration whose value is wrong: the place is the value.
    for (src, needle) in [
        ("<r xmlns:p=\"\"/>", "xmlns:p"),
        ("<r xmlns:xml=\"urn:not-xml\"/>", "xmlns:xml"),
        (
            "<r xmlns:x=\"http://www.w3.org/XML/1998/namespace\"/>",
            "xmlns:x",
        ),
        ("<r xmlns=\"http://www.w3.org/2000/xmlns/\"/>", "xmlns="),
    ] {
        let e = refuse(src);
        assert!(matches!(e, XmlError::Namespace { .. }), "{src}: {e:?}");
        let start = at(src, needle);
        let value = start + src[start..].find('"').expect("a quoted value") + 1;
        assert_offset(&e, value);
    }
    // A declaration whose name is wrong: the place is the name.
    let e = refuse("<r xmlns:xmlns=\"urn:x\"/>");
    assert!(matches!(e, XmlError::Namespace { offset: 3, .. }), "{e:?}");
    let e = refuse("<r xmlns:=\"urn:x\"/>");
    assert!(matches!(e, XmlError::Malformed { offset: 3, .. }), "{e:?}");
}

#[test]
fn duplicate_attributes() {
    let src = "<r a=\"1\" b=\"2\" a=\"3\"/>";
    let e = refuse(src);
    let second = src.rfind("a=").expect("a second a");
    assert_eq!(
        e,
        XmlError::DuplicateAttribute {
            offset: second,
            name: "a".into()
        }
    );
    assert_offset(&e, second);
    // The same expanded name through two prefixes.
    let src = "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"/>";
    let e = refuse(src);
    assert_eq!(
        e,
        XmlError::DuplicateAttribute {
            offset: at(src, "q:a"),
            name: "{urn:x}a".into()
        }
    );
    // The same prefix twice.
    let src = "<r xmlns:p=\"urn:x\" xmlns:p=\"urn:y\"/>";
    assert!(matches!(
        refuse(src),
        XmlError::DuplicateAttribute { offset: 19, .. }
    ));
    // Same local name, different namespaces: fine.
    assert!(parse("<r xmlns:p=\"urn:x\" xmlns:q=\"urn:y\" p:a=\"1\" q:a=\"2\" a=\"3\"/>").is_ok());
}

#[test]
fn bad_character_references() {
    for r in [
        "&#0;",
        "&#x0;",
        "&#xD800;",
        "&#xDFFF;",
        "&#xFFFE;",
        "&#xFFFF;",
        "&#x110000;",
        "&#1;",
        "&#x1F;",
        "&#99999999999;",
        "&#x;",
        "&#;",
        "&#xZZ;",
        "&#-1;",
    ] {
        for src in [format!("<r>ok {r}</r>"), format!("<r a='ok {r}'/>")] {
            let e = refuse(&src);
            let offset = at(&src, r);
            assert_eq!(
                e,
                XmlError::BadCharRef {
                    offset,
                    reference: r.to_owned()
                },
                "{src}"
            );
            assert_offset(&e, offset);
        }
    }
    // And the valid edges are accepted.
    let d = parse("<r a='&#x9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;'/>")
        .expect("valid references");
    assert_eq!(
        d.attr(d.root(), "", "a").map(|v| v.chars().count()),
        Some(9)
    );
}

#[test]
fn literal_control_characters_are_refused() {
    for (src, offset) in [
        ("<r>a\u{0}</r>", 4),
        ("<r a='\u{1b}'/>", 6),
        ("<r><!--\u{7}--></r>", 7),
        ("<r><![CDATA[\u{8}]]></r>", 12),
        ("<r>\u{FFFF}</r>", 3),
    ] {
        malformed_at(src, offset);
    }
}

#[test]
fn encodings_other_than_utf8_are_refused() {
    for enc in ["ISO-8859-1", "UTF-16", "windows-1252", "UTF8", "US-ASCII"] {
        let src = format!("<?xml version=\"1.0\" encoding=\"{enc}\"?><r/>");
        let e = refuse(&src);
        assert_eq!(
            e,
            XmlError::Declaration {
                offset: 30,
                what: format!("encoding {enc}")
            }
        );
        assert_offset(&e, 30);
    }
    let e = refuse("<?xml version='1.1'?><r/>");
    assert_eq!(
        e,
        XmlError::Declaration {
            offset: 15,
            what: "version 1.1".into()
        }
    );
    // Bytes that are not UTF-8 at all, say Latin-1.
    let bytes = b"<?xml version=\"1.0\"?><r>caf\xe9</r>";
    assert_eq!(
        Document::parse_bytes(bytes, &Limits::default()).expect_err("latin-1"),
        XmlError::NotUtf8 { offset: 27 }
    );
    // UTF-16 with its byte order mark.
    let utf16: Vec<u8> = "\u{FEFF}<r/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(matches!(
        Document::parse_bytes(&utf16, &Limits::default()),
        Err(XmlError::NotUtf8 { offset: 0 })
    ));
}

#[test]
fn misplaced_declarations_and_processing_instructions() {
    malformed_at("\n<?xml version='1.0'?><r/>", 1);
    malformed_at("<r><?xml version='1.0'?></r>", 3);
    malformed_at("<r><?XmL data?></r>", 3);
    let src = "<?xml version='1.0' encoding='UTF-8' standalone='perhaps'?><r/>";
    malformed_at(src, at(src, "perhaps"));
}

#[test]
fn truncation_at_every_byte_of_a_soap_message() {
    let src = soap_message();
    let doc = parse(&src).expect("the whole message parses");
    let root_end = doc.range(doc.root()).end;
    for cut in 0..src.len() {
        let Some(prefix) = src.get(..cut) else {
            continue; // not a character boundary: not a `str`
        };
        match parse(prefix) {
            Ok(_) => assert!(cut >= root_end, "a truncation at {cut} was accepted"),
            Err(e) => {
                assert!(cut < root_end, "a truncation at {cut} after the root: {e}");
                let offset = e.offset().expect("truncation errors say where");
                assert!(offset <= cut, "cut at {cut}, error at {offset}: {e}");
            }
        }
    }
}

#[test]
fn many_declarations_in_scope_are_handled() {
    // A document made to make namespace lookups slow: many declarations in scope and
    // many prefixed attributes under them, within the default limits.
    let mut src = String::from("<r xmlns:z=\"urn:z\">");
    for d in 0..62 {
        src.push_str(&format!("<e{d}"));
        for i in 0..63 {
            src.push_str(&format!(" xmlns:p{i}=\"urn:{d}:{i}\""));
        }
        src.push('>');
    }
    let leaf: String = (0..64).map(|i| format!(" z:a{i}=\"\"")).collect();
    let leaf = format!("<z:l{leaf}/>");
    while src.len() + leaf.len() < (4 << 20) - 2000 {
        src.push_str(&leaf);
    }
    for d in (0..62).rev() {
        src.push_str(&format!("</e{d}>"));
    }
    src.push_str("</r>");
    // Within the limits, so it is parsed and canonicalized (how fast is the business of
    // a benchmark, not of this test; with a scan per lookup this took seconds).
    let doc = parse(&src).expect("within the limits");
    let mut out = Vec::new();
    c14n::exclusive_document(&doc, &["z", "p1", "#default"], false, &mut out);
    assert!(out.starts_with(b"<r xmlns:z=\"urn:z\"><e0 xmlns:p1=\"urn:0:1\">"));
    assert!(out.ends_with(b"</e0></r>"));
}

fn mutate(src: &[u8], edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
    let mut bytes = src.to_vec();
    for (pos, op, byte) in edits {
        if bytes.is_empty() {
            bytes.push(*byte);
            continue;
        }
        let i = pos.index(bytes.len());
        match op % 4 {
            0 => bytes[i] = *byte,
            1 => bytes.insert(i, *byte),
            2 => {
                bytes.remove(i);
            }
            _ => {
                // Markup characters are the interesting ones.
                let b = b"<>&;:=\"'/![]?-#x"[usize::from(*byte) % 16];
                bytes[i] = b;
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random edits of a real protected message are refused with an error that says
    /// where, or parsed and canonicalized — never a panic.
    #[test]
    fn mutations_of_a_soap_message_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<u8>()), 1..6)
    ) {
        let src = soap_message();
        let bytes = mutate(src.as_bytes(), &edits);
        match Document::parse_bytes(&bytes, &Limits::default()) {
            Ok(doc) => {
                let mut out = Vec::new();
                c14n::exclusive_document(&doc, &[], true, &mut out);
                for e in doc.descendants(doc.root()) {
                    out.clear();
                    c14n::exclusive(&doc, e, &["#default", "wsse", "soap"], false, &mut out);
                    let _ = doc.text(e);
                    let _ = doc.attrs(e).count();
                    prop_assert!(doc.range(e).end <= bytes.len());
                }
            }
            Err(e) => {
                if let Some(offset) = e.offset() {
                    prop_assert!(offset <= bytes.len(), "{e}");
                }
            }
        }
    }
}
