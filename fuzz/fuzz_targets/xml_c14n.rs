//! The XML reader and exclusive C14N. Oracle: canonicalizing the canonical form again
//! changes nothing (`c14n(parse(c14n(x))) == c14n(x)`), with and without comments,
//! for the document and for every element's subtree; the canonical form of a parsed
//! document always parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsbind_proto::xml::c14n;
use wsbind_proto::xml::dom::{Document, Limits};

fn canonical(doc: &Document<'_>, with_comments: bool) -> String {
    let mut out = String::new();
    c14n::exclusive_document(doc, &[], with_comments, &mut out);
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let Ok(doc) = Document::parse(text, &limits) else {
        return;
    };
    for with_comments in [false, true] {
        let once = canonical(&doc, with_comments);
        let again = Document::parse(&once, &limits)
            .unwrap_or_else(|e| panic!("the canonical form does not parse: {e:?}\n{once}"));
        assert_eq!(canonical(&again, with_comments), once, "not a fixed point");
    }
    for e in doc.descendants(doc.root()).take(64) {
        let mut once = String::new();
        c14n::exclusive(&doc, e, &[], false, &mut once);
        let again = Document::parse(&once, &limits)
            .unwrap_or_else(|e| panic!("a subtree's canonical form does not parse: {e:?}\n{once}"));
        let mut twice = String::new();
        c14n::exclusive(&again, again.root(), &[], false, &mut twice);
        assert_eq!(twice, once, "a subtree is not a fixed point");
    }
});
