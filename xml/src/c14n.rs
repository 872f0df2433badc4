//! Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`) of
//! a [`Document`] subtree or of the whole document, with an InclusiveNamespaces
//! PrefixList, with or without comments.
//!
//! The rules (W3C Exc-C14N §3 over C14N 1.0 §2): a namespace declaration is written
//! on an element only when the element or one of its attributes *visibly utilizes* the
//! prefix (or the prefix is in the PrefixList and in scope), and no output ancestor
//! already wrote the same binding; `xmlns=""` only to undo a default namespace an output
//! ancestor wrote; declarations sorted by prefix (default first), attributes by
//! (namespace URI, local name); `xml:*` attributes are not inherited; empty elements
//! get an end tag; CDATA becomes escaped text; text escapes `& < > CR`, attributes
//! `& < " TAB LF CR`; outside the document element, comments and PIs are separated by
//! line feeds.
//!
//! The traversal is iterative, so deep documents cannot overflow the stack.

use crate::dom::{name_order, same, Document, Element, Kind, Scope};

/// Where canonical bytes go: a buffer, or (implemented by the caller) a digest or MAC
/// computed on the fly.
pub trait Output {
    /// Takes the next canonical bytes.
    fn write(&mut self, bytes: &[u8]);

    /// Takes the next canonical text (what the escapers write: pieces of their input
    /// and ASCII).
    fn write_str(&mut self, s: &str) {
        self.write(s.as_bytes());
    }

    /// Whether the output costs per call (a digest, an HMAC), so that the many small
    /// pieces canonicalization writes are better handed on in large blocks.
    fn wants_blocks(&self) -> bool {
        true
    }
}

impl Output for Vec<u8> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn wants_blocks(&self) -> bool {
        false
    }
}

impl Output for String {
    /// Canonical output is UTF-8 text made of whole characters of the source.
    fn write(&mut self, bytes: &[u8]) {
        self.push_str(&String::from_utf8_lossy(bytes));
    }

    fn write_str(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Collects the many small pieces canonicalization writes and hands them on in large
/// blocks: a digest or HMAC costs per call, not only per byte.
struct Buffered<'o, O: Output + ?Sized> {
    /// On the stack: a canonicalization allocates nothing for it.
    buf: [u8; BLOCK],
    len: usize,
    /// Whether `out` wants blocks at all ([`Output::wants_blocks`]).
    blocks: bool,
    out: &'o mut O,
}

/// The size of the blocks a digest or HMAC is handed (sixteen SHA blocks).
const BLOCK: usize = 1024;

impl<O: Output + ?Sized> Output for Buffered<'_, O> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if !self.blocks {
            self.out.write(bytes);
            return;
        }
        if self.len + bytes.len() > BLOCK {
            self.out.write(&self.buf[..self.len]);
            self.len = 0;
        }
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            // (Larger than a block: handed on as it is.)
            None => self.out.write(bytes),
        }
    }

    fn write_str(&mut self, s: &str) {
        if self.blocks {
            self.write(s.as_bytes());
        } else {
            self.out.write_str(s);
        }
    }
}

impl<O: Output + ?Sized> Drop for Buffered<'_, O> {
    fn drop(&mut self) {
        if self.len > 0 {
            self.out.write(&self.buf[..self.len]);
        }
    }
}

/// The canonical form of the subtree rooted at `e` (the node-set a same-document
/// `#id` reference selects), with the InclusiveNamespaces `inclusive` prefixes
/// (`#default` names the default namespace).
pub fn exclusive<O: Output + ?Sized>(
    doc: &Document<'_>,
    e: Element,
    inclusive: &[&str],
    with_comments: bool,
    out: &mut O,
) {
    canonicalize(doc, inclusive, with_comments, true, out, |c| {
        c.subtree(Document::element_index(e))
    });
}

/// Runs `f` with a canonicalizer writing, buffered, to `out`.
fn canonicalize<O: Output + ?Sized>(
    doc: &Document<'_>,
    inclusive: &[&str],
    with_comments: bool,
    verbatim: bool,
    out: &mut O,
    f: impl FnOnce(&mut Canon<'_, '_, '_, Buffered<'_, O>>),
) {
    let mut buffered = Buffered {
        buf: [0; BLOCK],
        len: 0,
        blocks: out.wants_blocks(),
        out,
    };
    let mut c = Canon {
        doc,
        inclusive,
        with_comments,
        out: &mut buffered,
        // (Room for the declarations in scope in a SOAP message, so that they grow
        // once if at all; the rest is allocated when first used: a Timestamp or a
        // token writes few declarations and attributes, a copied subtree none.)
        scope: Scope::with_room(),
        rendered: Scope::default(),
        wanted: Vec::new(),
        decls: Vec::new(),
        attrs: Vec::new(),
        verbatim,
        fixes: Vec::new(),
    };
    f(&mut c);
}

/// The canonical form of the whole document.
pub fn exclusive_document<O: Output + ?Sized>(
    doc: &Document<'_>,
    inclusive: &[&str],
    with_comments: bool,
    out: &mut O,
) {
    canonicalize(doc, inclusive, with_comments, true, out, |c| {
        let root = Document::element_index(doc.root());
        let mut i = doc.first_child(0);
        let mut before = true;
        while i != Document::NONE {
            if i == root {
                c.subtree(i);
                before = false;
            } else {
                let visible = match doc.node(i).map(|n| &n.kind) {
                    Some(Kind::Comment(_)) => with_comments,
                    Some(Kind::Pi { .. }) => true,
                    _ => false,
                };
                if visible {
                    if !before {
                        c.out.write(b"\n");
                    }
                    c.leaf(i);
                    if before {
                        c.out.write(b"\n");
                    }
                }
            }
            i = doc.next_sibling(i);
        }
    });
}

struct Canon<'d, 'a, 'o, O: Output + ?Sized> {
    doc: &'d Document<'a>,
    inclusive: &'o [&'o str],
    with_comments: bool,
    out: &'o mut O,
    /// The namespace declarations in scope in the document (URIs as the document's
    /// interned indices: equal indices, equal URIs).
    scope: Scope<'d>,
    /// The namespace declarations written by output ancestors.
    rendered: Scope<'d>,
    /// Buffers of `start_tag`, reused from element to element.
    wanted: Vec<&'d str>,
    decls: Vec<(&'d str, u32)>,
    attrs: Vec<crate::dom::Attr<'d>>,
    /// Whether the content of the subtree's top element may be copied from the source
    /// ([`Canon::copy_rest`]); off only to test that the copy is what the walk
    /// writes.
    verbatim: bool,
    /// Buffer of `copy_rest`.
    fixes: Vec<(usize, usize, Fix)>,
}

/// A part of the source [`Canon::copy_rest`] does not copy, and what it writes instead.
#[derive(Clone, Copy)]
enum Fix {
    /// The element's start tag, in canonical form.
    StartTag(Element),
    /// The element's empty-element tag, as a start tag and an end tag.
    EmptyTag(Element),
    /// The element's end tag, without white space.
    EndTag(Element),
    /// The character data node, decoded and escaped.
    Text(u32),
}

/// Where the end tag of the element at `range` starts (the last `<` in it: no other
/// follows the end tag's).
fn end_tag_at(src: &str, range: std::ops::Range<usize>) -> Option<usize> {
    let start = range.start;
    memchr::memrchr(b'<', src.as_bytes().get(range)?)
        .map(|i| start + i)
        .filter(|&at| at > start)
}

impl<'d, 'a, O: Output + ?Sized> Canon<'d, 'a, '_, O> {
    fn subtree(&mut self, top: u32) {
        // The declarations of the ancestors (outside the node-set) are in scope too,
        // outermost first. A SOAP message's few are kept on the stack.
        let mut near = [Document::NONE; 16];
        let mut far = Vec::new();
        let mut depth = 0;
        let mut up = self.doc.parent(Document::element_at(top));
        while let Some(a) = up {
            match near.get_mut(depth) {
                Some(slot) => *slot = Document::element_index(a),
                None => far.push(a),
            }
            depth += 1;
            up = self.doc.parent(a);
        }
        for a in far.iter().rev() {
            self.enter_scope(*a);
        }
        for a in near.iter().take(depth).rev() {
            self.enter_scope(Document::element_at(*a));
        }
        // The walk follows the tree's own links (first child, next sibling, parent):
        // no stack of its own.
        let mut i = top;
        'walk: loop {
            match self.doc.node(i).map(|n| &n.kind) {
                Some(Kind::Element(_)) => {
                    let e = Document::element_at(i);
                    self.enter_scope(e);
                    self.rendered.open();
                    self.start_tag(e);
                    if i == top && self.verbatim && self.copy_rest(e) {
                        self.rendered.close();
                        self.scope.close();
                        return;
                    }
                    let child = self.doc.first_child(i);
                    if child != Document::NONE {
                        i = child;
                        continue;
                    }
                    self.end_tag(e);
                }
                Some(_) => self.leaf(i),
                None => return,
            }
            // `i` is written: on to its next sibling, closing the elements it ends.
            while i != top {
                let next = self.doc.next_sibling(i);
                if next != Document::NONE {
                    i = next;
                    continue 'walk;
                }
                i = self.doc.parent_index(i);
                if i == Document::NONE {
                    // (Not below `top` after all: the parser links no tree so.)
                    return;
                }
                self.end_tag(Document::element_at(i));
            }
            return;
        }
    }

    /// Writes `e`'s end tag and leaves its scope.
    fn end_tag(&mut self, e: Element) {
        self.close_tag(e);
        self.rendered.close();
        self.scope.close();
    }

    /// Writes `e`'s end tag.
    fn close_tag(&mut self, e: Element) {
        match self.source_end_tag(e) {
            Some(tag) => self.out.write(tag.as_bytes()),
            None => {
                let qname = self.doc.qualified_name(e);
                self.out.write(b"</");
                self.out.write(qname.as_bytes());
                self.out.write(b">");
            }
        }
    }

    /// The source's end tag of `e` when it is `</qname>`, as canonical form writes it
    /// (no white space before its `>`; an empty-element tag never ends in `</…>`).
    fn source_end_tag(&self, e: Element) -> Option<&'d str> {
        let qname = self.doc.qualified_name(e);
        let end = self.doc.range(e).end;
        end.checked_sub(qname.len() + 3)
            .and_then(|at| self.doc.source().get(at..end))
            .filter(|tag| tag.starts_with("</"))
    }

    /// Opens `e` in the document scope, with its own declarations.
    fn enter_scope(&mut self, e: Element) {
        self.scope.open();
        for d in self.doc.decls_of(e) {
            self.scope.bind(d.prefix, d.uri);
        }
    }

    fn leaf(&mut self, i: u32) {
        match self.doc.node(i).map(|n| &n.kind) {
            Some(Kind::Text(t)) => {
                if t.canonical {
                    self.out.write(self.doc.raw_text(t).as_bytes());
                } else {
                    let out = &mut *self.out;
                    self.doc.decode(t, |piece| escape(out, piece, false));
                }
            }
            Some(Kind::Comment(c)) if self.with_comments => {
                self.out.write(b"<!--");
                let out = &mut *self.out;
                self.doc.decode(c, |piece| out.write(piece.as_bytes()));
                self.out.write(b"-->");
            }
            Some(Kind::Pi { target, data }) => {
                self.out.write(b"<?");
                self.out.write(self.doc.span(*target).as_bytes());
                if !data.is_empty() {
                    self.out.write(b" ");
                    let out = &mut *self.out;
                    self.doc.decode(data, |piece| out.write(piece.as_bytes()));
                }
                self.out.write(b"?>");
            }
            _ => {}
        }
    }

    fn qname(&mut self, prefix: &str, local: &str) {
        if !prefix.is_empty() {
            self.out.write(prefix.as_bytes());
            self.out.write(b":");
        }
        self.out.write(local.as_bytes());
    }

    /// Whether an element here that visibly utilizes `p` writes its declaration (the
    /// URI to declare), or an output ancestor wrote that binding already: a prefix is
    /// declared unless its binding in scope is the one last written; the default
    /// namespace is undeclared (`xmlns=""`) only to undo one an output ancestor wrote.
    fn needs_declaring(&self, p: &str) -> Option<u32> {
        let uri = self.scope.get(p).map_or(Document::NONE, |(_, u)| u);
        let written = self.rendered.get(p).map(|(_, u)| u);
        let emit = if p.is_empty() && uri == Document::NONE {
            written.is_some_and(|w| w != Document::NONE)
        } else {
            written != Some(uri)
        };
        emit.then_some(uri)
    }

    /// After the start tag of `top` (the top of the node-set): writes its content and
    /// end tag by copying the source, rewriting only what canonical form writes
    /// otherwise, when no namespace declaration below `top` is written or dropped;
    /// returns false, having written nothing, when one is (the walk writes them then).
    ///
    /// So it is when every element below `top` declares no namespace and uses only
    /// bindings `top` wrote (nor does the PrefixList ask for one `top` did not write):
    /// the scope and the bindings written are then those after `top`'s start tag all
    /// through, so each element's declarations are none and each part is written as
    /// the walk would write it there. What is rewritten: a start tag whose
    /// attributes are not written as canonical form writes them (one space before
    /// each, `name="value"`, in canonical order, `>` right after); an empty-element
    /// tag; an end tag with white space; character data the parse did not mark as its
    /// own canonical form. A comment or processing instruction is left to the walk.
    fn copy_rest(&mut self, top: Element) -> bool {
        let doc = self.doc;
        let first = Document::element_index(top) + 1;
        let end = doc.subtree_end(top);
        // (No content: the walk writes the end tag at once.)
        let Some(from) = doc.node_start(first).filter(|_| first < end) else {
            return false;
        };
        for p in self.inclusive {
            let p: &str = if *p == "#default" { "" } else { p };
            if p != "xml" && p != "xmlns" && self.needs_declaring(p).is_some() {
                return false;
            }
        }
        let mut fixes = std::mem::take(&mut self.fixes);
        fixes.clear();
        let ok = self.find_fixes(top, first, end, &mut fixes);
        if ok {
            let src = doc.source().as_bytes();
            // (Ranges of distinct nodes and tags: disjoint, in source order once sorted.)
            fixes.sort_unstable_by_key(|f| f.0);
            let mut at = from;
            for &(start, stop, fix) in &fixes {
                self.out.write(src.get(at..start).unwrap_or(&[]));
                match fix {
                    Fix::StartTag(e) => self.undeclaring_start_tag(e),
                    Fix::EmptyTag(e) => {
                        self.undeclaring_start_tag(e);
                        self.close_tag(e);
                    }
                    Fix::EndTag(e) => self.close_tag(e),
                    Fix::Text(i) => self.leaf(i),
                }
                at = stop;
            }
            self.out
                .write(src.get(at..doc.range(top).end).unwrap_or(&[]));
        }
        self.fixes = fixes;
        ok
    }

    /// The rewrites [`copy_rest`](Self::copy_rest) makes below `top` (nodes
    /// `first..end`), each with the source range it replaces; false when the walk must
    /// write the subtree instead.
    fn find_fixes(
        &self,
        top: Element,
        first: u32,
        end: u32,
        fixes: &mut Vec<(usize, usize, Fix)>,
    ) -> bool {
        let doc = self.doc;
        let src = doc.source();
        if self.source_end_tag(top).is_none() {
            match end_tag_at(src, doc.range(top)) {
                Some(at) => fixes.push((at, doc.range(top).end, Fix::EndTag(top))),
                None => return false,
            }
        }
        for i in first..end {
            let Some(node) = doc.node(i) else {
                return false;
            };
            match &node.kind {
                Kind::Element(d) => {
                    let e = Document::element_at(i);
                    let prefix = doc.prefix(e);
                    if !d.decls.is_empty()
                        || (prefix != "xml" && self.needs_declaring(prefix).is_some())
                    {
                        return false;
                    }
                    let Some(as_written) = self.start_tag_as_written(e) else {
                        return false;
                    };
                    let range = doc.range(e);
                    if src.as_bytes().get(range.end.saturating_sub(2)..range.end) == Some(b"/>") {
                        fixes.push((range.start, range.end, Fix::EmptyTag(e)));
                        continue;
                    }
                    if !as_written {
                        // The start tag ends where its content starts, or where the
                        // end tag does.
                        let tag_end = if doc.subtree_end(e) > i + 1 {
                            doc.node_start(i + 1)
                        } else {
                            end_tag_at(src, range.clone())
                        };
                        match tag_end {
                            Some(tag_end) => fixes.push((range.start, tag_end, Fix::StartTag(e))),
                            None => return false,
                        }
                    }
                    if self.source_end_tag(e).is_none() {
                        match end_tag_at(src, range.clone()) {
                            Some(at) => fixes.push((at, range.end, Fix::EndTag(e))),
                            None => return false,
                        }
                    }
                }
                Kind::Text(t) => {
                    if !t.canonical {
                        let (start, stop) = doc.text_range(t);
                        fixes.push((start, stop, Fix::Text(i)));
                    }
                }
                _ => return false,
            }
        }
        true
    }

    /// Whether the start tag of `e`, which declares no namespace, is its canonical form
    /// (one space before each attribute, `name="value"`, in canonical order, `>` right
    /// after); `None` when a prefix of its attributes needs declaring here.
    fn start_tag_as_written(&self, e: Element) -> Option<bool> {
        let doc = self.doc;
        let src = doc.source();
        let mut at = doc.range(e).start + 1 + doc.qualified_name(e).len();
        let mut previous: Option<crate::dom::Attr<'_>> = None;
        let mut as_written = true;
        for a in doc.attrs(e) {
            if !a.prefix.is_empty() && a.prefix != "xml" && self.needs_declaring(a.prefix).is_some()
            {
                return None;
            }
            if !as_written {
                continue;
            }
            let whole = written_canonically(src, &a);
            match whole {
                Some(whole)
                    if src.as_bytes().get(at) == Some(&b' ')
                        && a.offset == at + 1
                        && previous
                            .is_none_or(|p| attr_order(&p, &a) == std::cmp::Ordering::Less) =>
                {
                    at = a.offset + whole.len();
                    previous = Some(a);
                }
                _ => as_written = false,
            }
        }
        Some(as_written && src.as_bytes().get(at) == Some(&b'>'))
    }

    /// Writes `<` and the name of `e`, as its start tag writes them.
    fn open_tag(&mut self, e: Element) {
        let doc = self.doc;
        let at = doc.range(e).start;
        let qname = doc.qualified_name(e);
        match doc.source().get(at..at + 1 + qname.len()) {
            Some(open) => self.out.write(open.as_bytes()),
            None => {
                self.out.write(b"<");
                self.out.write(qname.as_bytes());
            }
        }
    }

    /// The start tag of an element that writes no namespace declaration (below the top
    /// of a copied subtree: see [`copy_rest`](Self::copy_rest)).
    fn undeclaring_start_tag(&mut self, e: Element) {
        self.open_tag(e);
        self.write_attrs(e);
    }

    fn start_tag(&mut self, e: Element) {
        let doc = self.doc;
        let prefix = doc.prefix(e);
        self.open_tag(e);

        // The prefixes this element needs declared: visibly utilized ones, then the
        // inclusive ones in scope.
        // The `xml` prefix is bound by definition and never declared.
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.clear();
        if prefix != "xml" {
            wanted.push(prefix);
        }
        for a in doc.attrs(e) {
            if !a.prefix.is_empty()
                && a.prefix != "xml"
                && !wanted.iter().any(|w| same(w, a.prefix))
            {
                wanted.push(a.prefix);
            }
        }
        for p in self.inclusive {
            let p: &str = if *p == "#default" { "" } else { p };
            if p == "xml" || p == "xmlns" {
                continue;
            }
            // Only prefixes in scope here (as the document spells them, so that they
            // can be remembered as rendered).
            if let Some((p, _)) = self.scope.get(p) {
                if !wanted.contains(&p) {
                    wanted.push(p);
                }
            }
        }
        let mut decls = std::mem::take(&mut self.decls);
        decls.clear();
        for &p in &wanted {
            if let Some(uri) = self.needs_declaring(p) {
                decls.push((p, uri));
            }
        }
        decls.sort_unstable_by(|a, b| name_order(a.0, b.0));
        for (p, uri) in &decls {
            if p.is_empty() {
                self.out.write(b" xmlns=\"");
            } else {
                self.out.write(b" xmlns:");
                self.out.write(p.as_bytes());
                self.out.write(b"=\"");
            }
            escape(self.out, doc.uri(*uri), true);
            self.out.write(b"\"");
        }
        for &(p, uri) in &decls {
            self.rendered.bind(p, uri);
        }
        self.wanted = wanted;
        self.decls = decls;
        self.write_attrs(e);
    }

    /// Writes the attributes of `e` in canonical order, and the start tag's `>`.
    fn write_attrs(&mut self, e: Element) {
        let doc = self.doc;
        let mut attrs = std::mem::take(&mut self.attrs);
        attrs.clear();
        attrs.extend(doc.attrs(e));
        attrs.sort_unstable_by(attr_order);
        let src = doc.source().as_bytes();
        for a in &attrs {
            match written_canonically(doc.source(), a) {
                // With the space before it, when the source has one there.
                Some(whole) => match a.offset.checked_sub(1).and_then(|at| {
                    src.get(at..a.offset + whole.len())
                        .filter(|spaced| spaced.first() == Some(&b' '))
                }) {
                    Some(spaced) => self.out.write(spaced),
                    None => {
                        self.out.write(b" ");
                        self.out.write(whole.as_bytes());
                    }
                },
                None => {
                    self.out.write(b" ");
                    self.qname(a.prefix, a.local);
                    self.out.write(b"=\"");
                    escape(self.out, a.value, true);
                    self.out.write(b"\"");
                }
            }
        }
        self.attrs = attrs;
        self.out.write(b">");
    }
}

/// Canonical order of attributes: by namespace URI, then local name. The URIs are the
/// document's interned strings: the same string is the same URI, without comparing
/// bytes.
fn attr_order(a: &crate::dom::Attr<'_>, b: &crate::dom::Attr<'_>) -> std::cmp::Ordering {
    let by_ns = if std::ptr::eq(a.ns, b.ns) {
        std::cmp::Ordering::Equal
    } else {
        a.ns.cmp(b.ns)
    };
    by_ns.then_with(|| name_order(a.local, b.local))
}

/// Whether `bytes` hold one that canonical form escapes in text (`&`, `<`, `>`, carriage
/// return). One pass over bytes of flags, which the compiler vectorizes (a fold of
/// booleans here it did not).
fn text_escapes_any(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |seen, &b| {
        seen | u8::from(b == b'&')
            | u8::from(b == b'<')
            | u8::from(b == b'>')
            | u8::from(b == b'\r')
    }) != 0
}

/// The attribute `a` as the source `src` writes it, `name="value"`, when that is its
/// canonical form: no space around `=`, double quotes, and a value the parse kept as
/// written (a value with a reference, a tab, a line end or a carriage return was
/// normalized into a string of its own, so one read in place holds nothing canonical
/// form escapes: no `&`, `<` or white space but spaces, and no `"` between double
/// quotes).
fn written_canonically<'s>(src: &'s str, a: &crate::dom::Attr<'_>) -> Option<&'s str> {
    let qname_len = if a.prefix.is_empty() {
        a.local.len()
    } else {
        a.prefix.len() + 1 + a.local.len()
    };
    // Where the value lies in the source, if it lies there at all.
    let base = src.as_ptr() as usize;
    let value_at = (a.value.as_ptr() as usize).checked_sub(base)?;
    if value_at + a.value.len() > src.len() || value_at != a.offset + qname_len + 2 {
        return None;
    }
    let whole = src.get(a.offset..value_at + a.value.len() + 1)?;
    let b = whole.as_bytes();
    (b.get(qname_len) == Some(&b'=')
        && b.get(qname_len + 1) == Some(&b'"')
        && b.last() == Some(&b'"'))
    .then_some(whole)
}

/// Appends `s` escaped for element content as canonical XML writes it (`&`, `<`, `>`
/// and carriage returns): the one escaper of text, for C14N and for every envelope
/// wsbind writes (whose headers are digested in this very form).
pub fn escape_text<O: Output + ?Sized>(s: &str, out: &mut O) {
    escape(out, s, false);
}

/// Appends `s` escaped for a double-quoted attribute value as canonical XML writes it
/// (`&`, `<`, `"`, tab, line feed and carriage return).
pub fn escape_attr<O: Output + ?Sized>(s: &str, out: &mut O) {
    escape(out, s, true);
}

/// Writes `s` escaped for text (`attr` false) or an attribute value.
fn escape<O: Output + ?Sized>(out: &mut O, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    // Most text has nothing to escape: one pass the compiler vectorizes says so, and
    // the text goes out whole.
    // (Text folds bytes of flags, which the compiler vectorizes; for attribute values
    // the fold of booleans measured faster.)
    let plain = if attr {
        !bytes.iter().fold(false, |seen, &b| {
            seen | matches!(b, b'&' | b'<' | b'"' | b'\t' | b'\n' | b'\r')
        })
    } else {
        !text_escapes_any(bytes)
    };
    if plain {
        out.write_str(s);
        return;
    }
    // (Every cut is next to an ASCII byte: the pieces are whole characters.)
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep = match (b, attr) {
            (b'&', _) => "&amp;",
            (b'<', _) => "&lt;",
            (b'>', false) => "&gt;",
            (b'"', true) => "&quot;",
            (b'\t', true) => "&#x9;",
            (b'\n', true) => "&#xA;",
            (b'\r', _) => "&#xD;",
            _ => continue,
        };
        out.write_str(s.get(from..i).unwrap_or(""));
        out.write_str(rep);
        from = i + 1;
    }
    out.write_str(s.get(from..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dom::Limits;

    /// The canonical form of `e` as the walk writes it, node by node.
    fn walked(doc: &Document<'_>, e: Element, inclusive: &[&str], comments: bool) -> Vec<u8> {
        let mut out = Vec::new();
        canonicalize(doc, inclusive, comments, false, &mut out, |c| {
            c.subtree(Document::element_index(e))
        });
        out
    }

    /// Every element of every text, as the top of a node-set, with and without
    /// comments and with a PrefixList: the copy is what the walk writes.
    #[test]
    fn a_copied_subtree_is_what_the_walk_writes() {
        let texts = [
            // The shape a SOAP body has: copied.
            r#"<s:E xmlns:s="urn:s" xmlns:u="urn:u"><s:B><m:O xmlns:m="urn:m"><m:L a="1" b="2">w &amp; c</m:L><m:L a="3">&lt;&gt;</m:L></m:O></s:B></s:E>"#,
            // A prefix from outside the top that the top does not use.
            r#"<s:E xmlns:s="urn:s" xmlns:u="urn:u"><m:O xmlns:m="urn:m"><u:T>t</u:T></m:O></s:E>"#,
            r#"<s:E xmlns:s="urn:s" xmlns:u="urn:u"><m:O xmlns:m="urn:m"><m:T u:a="1"/></m:O></s:E>"#,
            // Declarations below the top: redundant, new, undeclaring the default.
            r#"<E xmlns="urn:d"><O><T xmlns="urn:d">t</T><x:T xmlns:x="urn:x"/><T xmlns="">u</T></O></E>"#,
            r#"<E xmlns="urn:d"><O xmlns=""><T>t</T></O></E>"#,
            // Default namespaces in and out of the top.
            r#"<a:E xmlns:a="urn:a" xmlns="urn:d"><a:O><T>t</T></a:O></a:E>"#,
            r#"<E xmlns="urn:d"><O><T>t</T></O></E>"#,
            // Attributes: order, quotes, white space, references, prefixes, xml:*.
            r#"<r xmlns:p="urn:p"><O><T b="1" a="2"/></O></r>"#,
            r#"<r xmlns:p="urn:p" xmlns:q="urn:a"><O p:b="1" q:b="2"><T p:a="1" q:z="2"></T></O></r>"#,
            r#"<r xmlns:p="urn:p"><O p:x="1"><T p:b="1" b="2"></T></O></r>"#,
            r#"<r><O><T a='1'></T><T a="1" ></T><T  a="1"></T><T a = "1"></T></O></r>"#,
            r#"<r><O><T a="&#65;"></T><T a="x&amp;y"></T><T a="x	y"></T></O></r>"#,
            r#"<r><O xml:lang="en"><T xml:space="preserve">x</T></O></r>"#,
            // Character data: references, CDATA, carriage returns, `>`.
            "<r><O><T>a&#65;b</T></O></r>",
            "<r><O><T>a<![CDATA[<b>]]>c</T></O></r>",
            "<r><O><T>a\r\nb</T></O></r>",
            "<r><O><T>a>b</T></O></r>",
            "<r><O><T>&quot;&apos;</T></O></r>",
            // Empty elements, end tags with white space, comments, PIs.
            "<r><O><T/><T></T></O></r>",
            "<r><O><T></T ></O ></r>",
            "<r><O><!--c--><T>t</T></O></r>",
            "<r><O><T>t<!--c--></T></O></r>",
            "<r><O><?p d?><T>t</T></O></r>",
            "<r><O><T>t</T><?p  d ?></O></r>",
            // White space between elements.
            "<r>\n  <O>\n    <T>t</T>\n  </O>\n</r>",
        ];
        for text in texts {
            let doc = Document::parse(text, &Limits::default()).expect(text);
            for e in doc.descendants(doc.root()) {
                for (inclusive, comments) in [
                    (&[][..], false),
                    (&[][..], true),
                    (&["#default", "u", "p"][..], false),
                ] {
                    let mut copied = Vec::new();
                    exclusive(&doc, e, inclusive, comments, &mut copied);
                    assert_eq!(
                        String::from_utf8_lossy(&copied),
                        String::from_utf8_lossy(&walked(&doc, e, inclusive, comments)),
                        "{text} at {:?}, {inclusive:?}",
                        doc.range(e)
                    );
                }
            }
        }
    }

    /// The body shape is copied (the walk is the fallback, not the rule).
    #[test]
    fn a_canonical_body_is_copied() {
        let text = r#"<s:B xmlns:s="urn:s"><m:O xmlns:m="urn:m"><m:L a="1">w &amp; c</m:L><m:L a="2"></m:L></m:O></s:B>"#;
        let doc = Document::parse(text, &Limits::default()).expect("parse");
        let order = doc.children(doc.root()).next().expect("order");
        let mut fixes = None;
        canonicalize(&doc, &[], false, true, &mut Vec::new(), |c| {
            c.enter_scope(doc.root());
            c.enter_scope(order);
            c.rendered.open();
            c.start_tag(order);
            let (first, end) = (Document::element_index(order) + 1, doc.subtree_end(order));
            let mut f = Vec::new();
            fixes = c.find_fixes(order, first, end, &mut f).then_some(f.len());
        });
        assert_eq!(fixes, Some(0), "copied as it stands");
    }
}
