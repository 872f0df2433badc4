//! Exclusive C14N against libxml2: the stored vectors (made by libxml2 through lxml
//! and xmllint) and a corpus of tricky documents canonicalized by the live
//! `xmllint --exc-c14n` peer.

mod common;

use common::{peer, vectors};
use std::path::{Path, PathBuf};
use wsbind_xml::c14n;
use wsbind_xml::dom::{Document, Limits};

fn canon_doc(src: &str, with_comments: bool) -> Vec<u8> {
    let doc = Document::parse(src, &Limits::default()).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let mut out = Vec::new();
    c14n::exclusive_document(&doc, &[], with_comments, &mut out);
    out
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_stored_vectors() {
    let dir = vectors("c14n");
    let files = inputs(&dir);
    assert_eq!(files.len(), 15);
    for input in files {
        let src = std::fs::read_to_string(&input).expect("input");
        for (ext, comments) in [("exc-c14n", false), ("exc-c14n-with-comments", true)] {
            let expected = std::fs::read(input.with_extension(ext)).expect("expected");
            let got = canon_doc(&src, comments);
            assert_eq!(show(&got), show(&expected), "{} ({ext})", input.display());
        }
    }
}

#[test]
fn the_body_subtree_vectors() {
    let src = std::fs::read_to_string(vectors("c14n/11-soap-body.xml")).expect("input");
    let doc = Document::parse(&src, &Limits::default()).expect("parse");
    let body = doc
        .descendants(doc.root())
        .find(|e| doc.local_name(*e) == "Body")
        .expect("a Body");
    for (file, prefixes) in [
        ("c14n/11-soap-body.body-subtree.exc-c14n", &[][..]),
        (
            "c14n/11-soap-body.body-subtree-prefixlist-soap.exc-c14n",
            &["soap", "unused"][..],
        ),
    ] {
        let expected = std::fs::read(vectors(file)).expect("expected");
        let mut got = Vec::new();
        c14n::exclusive(&doc, body, prefixes, false, &mut got);
        assert_eq!(show(&got), show(&expected), "{file}");
    }
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/c14n-corpus")
}

/// Our canonical form (comments kept) of every corpus document equals libxml2's.
#[test]
fn the_corpus_against_live_libxml2() {
    let files = inputs(&corpus());
    assert!(
        files.len() >= 15,
        "the corpus has {} documents",
        files.len()
    );
    for input in files {
        let src = std::fs::read_to_string(&input).expect("input");
        let out = std::process::Command::new(peer("libxml2/exc-c14n"))
            .arg(&input)
            .output()
            .expect("run the libxml2 peer");
        assert!(
            out.status.success(),
            "xmllint refused {}: {}",
            input.display(),
            show(&out.stderr)
        );
        let got = canon_doc(&src, true);
        assert_eq!(show(&got), show(&out.stdout), "{}", input.display());
    }
}

/// Canonicalizing a subtree equals canonicalizing the same subtree made into a
/// document of its own with its in-scope namespaces declared on it: checked for
/// every element of the corpus against libxml2, which canonicalizes whole documents.
#[test]
fn every_subtree_of_the_corpus_against_live_libxml2() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c14n-subtrees");
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut cases = Vec::new();
    for input in inputs(&corpus()) {
        let src = std::fs::read_to_string(&input).expect("input");
        let doc = Document::parse(&src, &Limits::default()).expect("parse");
        for (n, e) in doc.descendants(doc.root()).enumerate().take(40) {
            let mut ours = Vec::new();
            c14n::exclusive(&doc, e, &[], false, &mut ours);
            // A standalone document: the subtree's canonical form re-declares what it
            // uses, so libxml2 must give back the same bytes.
            let path = dir.join(format!(
                "{}-{n}.xml",
                input.file_stem().expect("stem").to_string_lossy()
            ));
            std::fs::write(&path, &ours).expect("write");
            cases.push((path, ours));
        }
    }
    for (path, ours) in cases {
        let out = std::process::Command::new(peer("libxml2/exc-c14n"))
            .arg(&path)
            .output()
            .expect("run the libxml2 peer");
        assert!(out.status.success(), "xmllint refused {}", path.display());
        assert_eq!(show(&out.stdout), show(&ours), "{}", path.display());
    }
}

/// libxml2 itself, driven through its C API from Python's `ctypes` (lxml is not
/// installed here): parses a file, then prints as JSON, in hex, the exclusive canonical
/// form of the whole document without comments and, for every element in document
/// order, of the node-set a same-document reference to it selects — the element, its
/// descendants, their attributes and namespace nodes, as the XPath of XML-DSig writes
/// it — without comments, with comments, and without comments with an
/// InclusiveNamespaces PrefixList of every prefix the document declares plus `#default`.
const LIBXML2_NODE_SETS: &str = r##"
import ctypes, json, re, sys
lib = ctypes.CDLL("libxml2.so.2")
lib.xmlReadFile.restype = ctypes.c_void_p
lib.xmlReadFile.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
lib.xmlXPathNewContext.restype = ctypes.c_void_p
lib.xmlXPathNewContext.argtypes = [ctypes.c_void_p]
lib.xmlXPathEvalExpression.restype = ctypes.c_void_p
lib.xmlXPathEvalExpression.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
lib.xmlXPathFreeObject.argtypes = [ctypes.c_void_p]
lib.xmlC14NDocDumpMemory.restype = ctypes.c_int
lib.xmlC14NDocDumpMemory.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
    ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]

def nodeset(obj):
    # struct _xmlXPathObject { xmlXPathObjectType type; xmlNodeSetPtr nodesetval; ... }
    return ctypes.cast(obj + ctypes.sizeof(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p))[0]

def c14n(doc, nodes, prefixes, comments):
    arr = None
    if prefixes is not None:
        arr = (ctypes.c_char_p * (len(prefixes) + 1))(*[p.encode() for p in prefixes], None)
    out = ctypes.c_void_p()
    n = lib.xmlC14NDocDumpMemory(doc, nodes, 1, arr, comments, ctypes.byref(out))
    if n < 0:
        raise SystemExit("libxml2 could not canonicalize")
    return ctypes.string_at(out, n).hex()

path = sys.argv[1]
text = open(path, encoding="utf-8").read()
prefixes = sorted(set(re.findall(r'xmlns:([^\s=]+)\s*=', text))) + ["#default"]
doc = lib.xmlReadFile(path.encode(), None, 2048)  # XML_PARSE_NONET
if not doc:
    raise SystemExit("libxml2 refused the document")
ctx = lib.xmlXPathNewContext(doc)
obj = lib.xmlXPathEvalExpression(b"//*", ctx)
count = ctypes.cast(nodeset(obj), ctypes.POINTER(ctypes.c_int))[0]
res = {"prefixes": prefixes, "document": c14n(doc, None, None, 0), "elements": []}
for i in range(count):
    sel = ("(//. | //@* | //namespace::*)[ancestor-or-self::*[count(preceding::*) + count(ancestor::*) = %d]]" % i).encode()
    o = lib.xmlXPathEvalExpression(sel, ctx)
    ns = nodeset(o)
    res["elements"].append([c14n(doc, ns, None, 0), c14n(doc, ns, None, 1), c14n(doc, ns, prefixes, 0)])
print(json.dumps(res))
"##;

/// Runs [`LIBXML2_NODE_SETS`] on `path`.
fn libxml2_node_sets(path: &Path) -> serde_json::Value {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(LIBXML2_NODE_SETS)
        .arg(path)
        .output()
        .expect("python3 (with libxml2.so.2) runs the libxml2 peer");
    assert!(
        out.status.success(),
        "libxml2 refused {}: {}",
        path.display(),
        show(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the peer prints JSON")
}

fn hex_field(v: &serde_json::Value) -> Vec<u8> {
    common::unhex(v.as_str().expect("a hex string"))
}

/// Every element of every corpus document, canonicalized as a signature reference
/// would select it (with and without comments, with and without a PrefixList), and the
/// whole document without comments: byte for byte what libxml2's
/// `xmlC14NDocDumpMemory` gives for the same node-set.
#[test]
fn every_element_of_the_corpus_against_libxml2_node_sets() {
    let mut compared = 0;
    for input in inputs(&corpus()) {
        let src = std::fs::read_to_string(&input).expect("input");
        let doc = Document::parse(&src, &Limits::default()).expect("parse");
        let peer = libxml2_node_sets(&input);
        let name = input.display();
        assert_eq!(
            show(&canon_doc(&src, false)),
            show(&hex_field(&peer["document"])),
            "{name}: the document without comments"
        );
        let prefixes: Vec<String> = peer["prefixes"]
            .as_array()
            .expect("prefixes")
            .iter()
            .map(|p| p.as_str().expect("a prefix").to_owned())
            .collect();
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let elements = peer["elements"].as_array().expect("elements");
        assert_eq!(
            elements.len(),
            doc.descendants(doc.root()).count(),
            "{name}"
        );
        for (n, (e, theirs)) in doc.descendants(doc.root()).zip(elements).enumerate() {
            for (k, (inclusive, comments)) in
                [(&[][..], false), (&[][..], true), (&prefixes[..], false)]
                    .into_iter()
                    .enumerate()
            {
                let mut ours = Vec::new();
                c14n::exclusive(&doc, e, inclusive, comments, &mut ours);
                assert_eq!(
                    show(&ours),
                    show(&hex_field(&theirs[k])),
                    "{name}: element {n} <{}>, comments {comments}, prefix list {inclusive:?}",
                    doc.local_name(e)
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 300, "only {compared} canonical forms compared");
}

/// C14N 1.0 §2.3 processes a namespace node like an attribute, so `&`, `<` and `"` in a
/// namespace URI are escaped. libxml2 (and so xmllint and xmlsec1) writes them raw, which
/// is not even well-formed; Apache Santuario follows the specification, and so do we.
/// Such URIs do not occur in WS-* messages; the difference is reported, not copied.
#[test]
fn namespace_uris_are_escaped() {
    let src = r#"<p:a xmlns:p="urn:x?a=1&amp;b=&lt;2&gt;&quot;"/>"#;
    let got = canon_doc(src, false);
    assert_eq!(
        show(&got),
        r#"<p:a xmlns:p="urn:x?a=1&amp;b=&lt;2>&quot;"></p:a>"#
    );
}
