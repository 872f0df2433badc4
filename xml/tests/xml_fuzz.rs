//! Property tests of the XML layer: generated documents (nested namespaces, prefixes,
//! attributes, escapes, comments, CDATA) parse, their canonical form is a fixed point of
//! parse + canonicalize, and any mutation of the bytes is refused or parsed — never a
//! panic.

use proptest::prelude::*;
use wsbind_xml::c14n;
use wsbind_xml::dom::{Document, Limits};

#[derive(Debug, Clone)]
enum Node {
    Element {
        prefix: Option<usize>,
        local: String,
        decls: Vec<(Option<usize>, usize)>,
        attrs: Vec<(Option<usize>, String, String)>,
        children: Vec<Node>,
    },
    Text(String),
    Comment(String),
    CData(String),
}

const PREFIXES: [&str; 3] = ["p", "q", "soap"];
// No `&` or `<` in these URIs: libxml2 writes namespace URIs unescaped, unlike the
// C14N specification (see `namespace_uris_are_escaped` in tests/c14n.rs).
const URIS: [&str; 3] = ["urn:a", "urn:b", "http://example.com/c?x=1;y=2"];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", " ", "&", "<", ">", "\"", "'", "\t", "\n", "\r", "é", "𝄞", "]]", "x",
        ]),
        0..8,
    )
    .prop_map(|v| v.concat())
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        text().prop_map(Node::Text),
        "[a-z ]{0,6}".prop_map(Node::Comment),
        "[a-z<>& ]{0,6}".prop_map(Node::CData),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        (
            prop::option::of(0..3usize),
            "[a-z][a-z0-9]{0,4}",
            prop::collection::vec((prop::option::of(0..3usize), 0..3usize), 0..3),
            prop::collection::vec((prop::option::of(0..3usize), "[a-z]{1,3}", text()), 0..3),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(prefix, local, decls, attrs, children)| Node::Element {
                prefix,
                local,
                decls,
                attrs,
                children,
            })
    })
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if !attr => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes a node, declaring every prefix it uses on itself (so it is well-formed).
fn write(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => out.push_str(&escape(t, false)),
        Node::Comment(c) => out.push_str(&format!("<!--{c}-->")),
        Node::CData(c) => out.push_str(&format!("<![CDATA[{c}]]>")),
        Node::Element {
            prefix,
            local,
            decls,
            attrs,
            children,
        } => {
            let qname = match prefix {
                Some(p) => format!("{}:{local}", PREFIXES[*p]),
                None => local.clone(),
            };
            out.push('<');
            out.push_str(&qname);
            let mut declared: Vec<Option<usize>> = Vec::new();
            let mut declare = |p: Option<usize>, uri: usize, out: &mut String| {
                if declared.contains(&p) {
                    return;
                }
                declared.push(p);
                match p {
                    Some(p) => out.push_str(&format!(
                        " xmlns:{}=\"{}\"",
                        PREFIXES[p],
                        escape(URIS[uri], true)
                    )),
                    None => out.push_str(&format!(" xmlns=\"{}\"", escape(URIS[uri], true))),
                }
            };
            for (p, uri) in decls {
                declare(*p, *uri, out);
            }
            if let Some(p) = prefix {
                declare(Some(*p), *p, out);
            }
            let mut seen = Vec::new();
            for (p, name, value) in attrs {
                if let Some(p) = p {
                    declare(Some(*p), *p, out);
                }
                // Attributes with the same name and a prefix bound to the same URI would
                // be duplicates: keep the first.
                let key = (p.map(|p| PREFIXES[p]), name.clone());
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let an = match p {
                    Some(p) => format!("{}:{name}", PREFIXES[*p]),
                    None => name.clone(),
                };
                out.push_str(&format!(" {an}=\"{}\"", escape(value, true)));
            }
            out.push('>');
            for c in children {
                write(c, out);
            }
            out.push_str(&format!("</{qname}>"));
        }
    }
}

fn canon(src: &str) -> Result<String, String> {
    let doc = Document::parse(src, &Limits::default()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    c14n::exclusive_document(&doc, &[], true, &mut out);
    String::from_utf8(out).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn canonical_form_is_a_fixed_point(root in node()) {
        let root = match root {
            e @ Node::Element { .. } => e,
            other => Node::Element { prefix: None, local: "r".into(), decls: vec![], attrs: vec![], children: vec![other] },
        };
        let mut src = String::new();
        write(&root, &mut src);
        // Duplicate expanded names (two prefixes on one URI) are legitimately refused;
        // nothing else may be.
        let once = match canon(&src) {
            Ok(c) => c,
            Err(e) if e.contains("appears twice") => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{src}"))),
        };
        let twice = canon(&once).map_err(|e| TestCaseError::fail(format!("{e}\n{once}")))?;
        prop_assert_eq!(&once, &twice);
    }

    #[test]
    fn mutations_never_panic(root in node(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut src = String::new();
        write(&root, &mut src);
        let mut bytes = src.into_bytes();
        if !bytes.is_empty() {
            let i = pos.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            if let Ok(doc) = Document::parse(s, &Limits::default()) {
                let mut out = Vec::new();
                c14n::exclusive_document(&doc, &["#default", "p"], true, &mut out);
                for e in doc.descendants(doc.root()) {
                    c14n::exclusive(&doc, e, &[], false, &mut out);
                }
            }
        }
    }
}

/// Generated documents, canonicalized by us and by libxml2 (`xmllint --exc-c14n`, the
/// peer in `../shared/peers/libxml2`): byte for byte equal. Deterministic: a fixed seed.
#[test]
fn generated_documents_against_live_libxml2() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c14n-generated");
    std::fs::create_dir_all(&dir).expect("tmp");
    let peer = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/peers/libxml2/exc-c14n");
    let mut compared = 0;
    for i in 0..200 {
        let root = node().new_tree(&mut runner).expect("a document").current();
        let root = match root {
            e @ Node::Element { .. } => e,
            other => Node::Element {
                prefix: None,
                local: "r".into(),
                decls: vec![],
                attrs: vec![],
                children: vec![other],
            },
        };
        let mut src = String::new();
        write(&root, &mut src);
        let Ok(ours) = canon(&src) else { continue };
        let path = dir.join(format!("doc-{i}.xml"));
        std::fs::write(&path, &src).expect("write");
        let out = std::process::Command::new(&peer)
            .arg(&path)
            .output()
            .expect("run the libxml2 peer");
        assert!(out.status.success(), "xmllint refused {}", path.display());
        assert_eq!(
            ours,
            String::from_utf8_lossy(&out.stdout),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared >= 150, "only {compared} documents compared");
}
