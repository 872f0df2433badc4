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
    canonicalize(doc, inclusive, with_comments, out, |c| {
        c.subtree(Document::element_index(e))
    });
}

/// Runs `f` with a canonicalizer writing, buffered, to `out`.
fn canonicalize<O: Output + ?Sized>(
    doc: &Document<'_>,
    inclusive: &[&str],
    with_comments: bool,
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
        // (Room for what a SOAP message's elements need, so that these grow once if
        // at all.)
        scope: Scope::with_room(),
        rendered: Scope::with_room(),
        wanted: Vec::with_capacity(4),
        decls: Vec::with_capacity(4),
        attrs: Vec::with_capacity(8),
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
    canonicalize(doc, inclusive, with_comments, out, |c| {
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
        let qname = self.doc.qualified_name(e);
        // The source's end tag when it is `</qname>` (no white space before its `>`;
        // an empty-element tag never ends in `</…>`).
        let end = self.doc.range(e).end;
        match end
            .checked_sub(qname.len() + 3)
            .and_then(|at| self.doc.source().get(at..end))
            .filter(|tag| tag.starts_with("</"))
        {
            Some(tag) => self.out.write(tag.as_bytes()),
            None => {
                self.out.write(b"</");
                self.out.write(qname.as_bytes());
                self.out.write(b">");
            }
        }
        self.rendered.close();
        self.scope.close();
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
                let raw = self.doc.raw_text(t);
                if is_canonical_text(raw) {
                    self.out.write(raw.as_bytes());
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

    fn start_tag(&mut self, e: Element) {
        let doc = self.doc;
        let prefix = doc.prefix(e);
        // `<` and the name, as the start tag writes them.
        let at = doc.range(e).start;
        let qname = doc.qualified_name(e);
        match doc.source().get(at..at + 1 + qname.len()) {
            Some(open) => self.out.write(open.as_bytes()),
            None => {
                self.out.write(b"<");
                self.out.write(qname.as_bytes());
            }
        }

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
            let uri = self.scope.get(p).map_or(Document::NONE, |(_, u)| u);
            let written = self.rendered.get(p).map(|(_, u)| u);
            let emit = if p.is_empty() && uri == Document::NONE {
                written.is_some_and(|w| w != Document::NONE)
            } else {
                written != Some(uri)
            };
            if emit {
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

        let mut attrs = std::mem::take(&mut self.attrs);
        attrs.clear();
        attrs.extend(doc.attrs(e));
        // By namespace URI, then local name. The URIs are the document's interned
        // strings: the same string is the same URI, without comparing bytes.
        attrs.sort_unstable_by(|a, b| {
            let by_ns = if std::ptr::eq(a.ns, b.ns) {
                std::cmp::Ordering::Equal
            } else {
                a.ns.cmp(b.ns)
            };
            by_ns.then_with(|| name_order(a.local, b.local))
        });
        for a in &attrs {
            self.out.write(b" ");
            match written_canonically(doc.source(), a) {
                Some(whole) => self.out.write(whole.as_bytes()),
                None => {
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

/// Whether character data as the source writes it (`raw`: text and references, maybe
/// CDATA sections) is its own canonical form: no `>`, carriage return or CDATA section
/// (`<` starts one), and every reference `&amp;`, `&lt;` or `&gt;` — which canonical
/// form writes back as they are.
fn is_canonical_text(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    // Most text has none of the bytes text escapes: then it is canonical as it stands.
    if !text_escapes_any(bytes) {
        return true;
    }
    let mut i = 0;
    while let Some(p) = bytes.get(i..).and_then(|rest| {
        rest.iter()
            .position(|b| matches!(b, b'&' | b'<' | b'>' | b'\r'))
    }) {
        let rest = bytes.get(i + p..).unwrap_or(&[]);
        let reference = [&b"&amp;"[..], b"&lt;", b"&gt;"]
            .into_iter()
            .find(|r| rest.starts_with(r));
        match reference {
            Some(r) => i += p + r.len(),
            None => return false,
        }
    }
    true
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
        out.write(bytes);
        return;
    }
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep: &[u8] = match (b, attr) {
            (b'&', _) => b"&amp;",
            (b'<', _) => b"&lt;",
            (b'>', false) => b"&gt;",
            (b'"', true) => b"&quot;",
            (b'\t', true) => b"&#x9;",
            (b'\n', true) => b"&#xA;",
            (b'\r', _) => b"&#xD;",
            _ => continue,
        };
        out.write(&bytes[from..i]);
        out.write(rep);
        from = i + 1;
    }
    out.write(&bytes[from..]);
}
