//! Reading a WSDL and the documents it imports (`wsdl:import`), bounded: local files
//! only, each document once (imports may form cycles, as CXF's split of WCF's interop
//! WSDL does), at most [`MAX_DOCUMENTS`], each under the XML layer's limits.

use crate::{error, Found};
use std::path::{Component, Path, PathBuf};
use wsbind_compiler::diag::SourceFile;
use wsbind_compiler::rules;
use wsbind_xml::dom::{Document, Element, Limits};

/// Most documents one import reads.
pub(crate) const MAX_DOCUMENTS: usize = 32;

/// A document read: its name as shown and its path (imports resolve against it).
#[derive(Debug)]
pub(crate) struct Src {
    pub file: SourceFile,
    pub path: PathBuf,
}

/// How the importer reads a file: the file system, or (tests, fuzzing) a map.
pub type Reader<'r> = &'r dyn Fn(&Path) -> std::io::Result<String>;

/// The XML limits for WSDL documents: the DOM's defaults (4 MiB, depth 64, 200,000
/// nodes); WCF's deepest policies nest about 20 elements.
pub(crate) fn limits() -> Limits {
    Limits::default()
}

/// Reads `root` and, breadth first, every document it imports. Problems are reported
/// where they are (the import element, the malformed byte) and the rest goes on.
pub(crate) fn load(
    root: &Path,
    shown: Option<&str>,
    read: Reader<'_>,
    found: &mut Vec<Found>,
) -> Vec<Src> {
    let mut srcs: Vec<Src> = Vec::new();
    let root = normal(root);
    let shown = shown.map_or_else(|| root.display().to_string(), str::to_owned);
    match read(&root) {
        Ok(text) => srcs.push(Src {
            file: SourceFile::new(shown, text),
            path: root,
        }),
        Err(e) => {
            found.push(Found::nowhere(
                &rules::WSB0051,
                format!("cannot read {}: {e}", root.display()),
            ));
            return srcs;
        }
    }
    let mut next = 0;
    while next < srcs.len() {
        let i = next;
        next += 1;
        let imports = match Document::parse(&srcs[i].file.text, &limits()) {
            Ok(doc) => imports_of(&doc),
            Err(e) => {
                let at = e.offset().unwrap_or(0);
                found.push(error(
                    &rules::WSB0051,
                    i,
                    at..at,
                    format!("{} is not well-formed XML: {e}", srcs[i].file.name),
                    "here",
                ));
                continue;
            }
        };
        for (location, at) in imports {
            if location.contains("://") {
                found.push(
                    error(
                        &rules::WSB0054,
                        i,
                        at,
                        format!("the import of `{location}` is not followed: only local files are read; going on without it"),
                        "imported here",
                    )
                    .help("save the document beside the WSDL and name it by a relative path"),
                );
                continue;
            }
            let base = srcs[i].path.parent().unwrap_or(Path::new(""));
            let path = normal(&base.join(&location));
            if srcs.iter().any(|s| s.path == path) {
                continue;
            }
            if srcs.len() >= MAX_DOCUMENTS {
                found.push(error(
                    &rules::WSB0051,
                    i,
                    at,
                    format!("more than {MAX_DOCUMENTS} documents are imported; `{location}` is not read"),
                    "imported here",
                ));
                continue;
            }
            // Shown relative to how the importing document is shown.
            let shown = normal(
                &Path::new(&srcs[i].file.name)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(&location),
            );
            match read(&path) {
                Ok(text) => srcs.push(Src {
                    file: SourceFile::new(shown.display().to_string(), text),
                    path,
                }),
                Err(e) => found.push(error(
                    &rules::WSB0054,
                    i,
                    at,
                    format!(
                        "cannot read the imported document {}: {e}; going on without it",
                        path.display()
                    ),
                    "imported here",
                )),
            }
        }
    }
    srcs
}

/// The `location`s of a document's `wsdl:import`s, with the attribute's place.
fn imports_of(doc: &Document<'_>) -> Vec<(String, std::ops::Range<usize>)> {
    let root = doc.root();
    if !doc.is(root, crate::ns::WSDL, "definitions") {
        return Vec::new();
    }
    doc.children(root)
        .filter(|&c| doc.is(c, crate::ns::WSDL, "import"))
        .filter_map(|c| {
            let a = doc
                .attrs(c)
                .find(|a| a.ns.is_empty() && a.local == "location")?;
            Some((a.value.to_owned(), a.offset..a.offset + a.local.len()))
        })
        .collect()
}

/// `path` with `.` and `a/..` removed (without touching the file system: the same
/// document reached two ways is read once).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // `a/..` goes; a leading `..` (or `/..`) stays what it is.
                match out.components().next_back() {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The documents, parsed.
#[derive(Debug)]
pub(crate) struct Docs<'s> {
    pub srcs: &'s [Src],
    pub docs: Vec<Option<Document<'s>>>,
}

impl<'s> Docs<'s> {
    pub fn parse(srcs: &'s [Src]) -> Self {
        let docs = srcs
            .iter()
            .map(|s| Document::parse(&s.file.text, &limits()).ok())
            .collect();
        Docs { srcs, docs }
    }

    /// Every parsed document with its index.
    pub fn each(&self) -> impl Iterator<Item = (usize, &Document<'s>)> {
        self.docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (i, d)))
    }

    pub fn doc(&self, i: usize) -> &Document<'s> {
        self.docs[i]
            .as_ref()
            .expect("only parsed documents are handed out")
    }

    /// The file name of document `i` without its directories, for comments.
    pub fn short_name(&self, i: usize) -> String {
        let p = &self.srcs[i].path;
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// `name:line:col` of byte `at` in document `i`.
    pub fn place(&self, i: usize, at: usize) -> String {
        let (l, c) = self.srcs[i].file.line_col(at);
        format!("{}:{l}:{c}", self.short_name(i))
    }

    /// The element's start tag name, for ranges pointed at.
    pub fn name_range(&self, i: usize, e: Element) -> std::ops::Range<usize> {
        let d = self.doc(i);
        let start = d.range(e).start;
        let name_len =
            d.prefix(e).len() + d.local_name(e).len() + usize::from(!d.prefix(e).is_empty());
        (start + 1).min(d.range(e).end)..(start + 1 + name_len).min(d.range(e).end)
    }
}
