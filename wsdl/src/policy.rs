//! WS-Policy (1.2 as WCF writes it, and W3C 1.5) in normal form: a policy is a list of
//! alternatives, each a list of assertions; `wsp:All` multiplies alternatives out,
//! `wsp:ExactlyOne` unites them, `wsp:PolicyReference` is replaced by the policy it
//! names, and an assertion whose nested policy has several alternatives becomes one
//! assertion per alternative (WS-Policy 1.5 §4.3). Bounded: [`MAX_ALTERNATIVES`]
//! alternatives, [`MAX_REFERENCE_DEPTH`] nested references (a cycle is reported, not
//! followed), [`MAX_ASSERTIONS`] assertions made in all.

use crate::docs::Docs;
use crate::ns;
use crate::{error, Found};
use wsbind_compiler::rules;
use wsbind_xml::dom::Element;

/// Most alternatives a policy may normalise to.
pub(crate) const MAX_ALTERNATIVES: usize = 256;
/// Most policy references followed inside one another.
pub(crate) const MAX_REFERENCE_DEPTH: usize = 16;
/// Most assertions one import makes while normalising (references repeated many times
/// over multiply them).
pub(crate) const MAX_ASSERTIONS: usize = 100_000;

/// One assertion of an alternative.
#[derive(Debug, Clone)]
pub(crate) struct Assertion {
    /// The document and element it is written in.
    pub doc: usize,
    pub el: Element,
    /// `wsp:Optional="true"`: the service accepts messages with or without it.
    pub optional: bool,
    /// The one alternative of its nested `wsp:Policy`, when it has one.
    pub nested: Option<Vec<Assertion>>,
}

pub(crate) type Alternative = Vec<Assertion>;

/// The normaliser: what it found wrong goes to `found`; a policy that cannot be
/// normalised is `None`.
pub(crate) struct Normaliser<'a, 's> {
    docs: &'a Docs<'s>,
    found: &'a mut Vec<Found>,
    made: usize,
    references: Vec<(usize, Element)>,
}

impl<'a, 's> Normaliser<'a, 's> {
    pub fn new(docs: &'a Docs<'s>, found: &'a mut Vec<Found>) -> Self {
        Normaliser {
            docs,
            found,
            made: 0,
            references: Vec::new(),
        }
    }

    /// The alternatives of the policies attached to an element: its `wsp:Policy` and
    /// `wsp:PolicyReference` children, all required together.
    pub fn attached(&mut self, doc: usize, el: Element) -> Option<Vec<Alternative>> {
        let d = self.docs.doc(doc);
        let mut alts = vec![Vec::new()];
        // `wsp:PolicyURIs="#a #b"` (WS-PolicyAttachment): each named policy, required
        // together with the element's child policies.
        let uris = d
            .attrs(el)
            .find(|a| ns::is_wsp(a.ns) && a.local == "PolicyURIs")
            .map(|a| {
                a.value
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for uri in uris {
            let these = self.referred(doc, el, &uri)?;
            alts = self.cross(alts, these, doc, el)?;
        }
        for c in d.children(el) {
            if ns::is_wsp(d.namespace(c)) && matches!(d.local_name(c), "Policy" | "PolicyReference")
            {
                let these = self.term(doc, c)?;
                alts = self.cross(alts, these, doc, c)?;
            }
        }
        Some(alts)
    }

    /// `wsp:Policy` and `wsp:All`: every child at once.
    fn all(&mut self, doc: usize, el: Element) -> Option<Vec<Alternative>> {
        let d = self.docs.doc(doc);
        let mut alts = vec![Vec::new()];
        for c in d.children(el) {
            let these = self.term(doc, c)?;
            alts = self.cross(alts, these, doc, c)?;
        }
        Some(alts)
    }

    fn term(&mut self, doc: usize, el: Element) -> Option<Vec<Alternative>> {
        let d = self.docs.doc(doc);
        if ns::is_wsp(d.namespace(el)) {
            return match d.local_name(el) {
                "Policy" | "All" => self.all(doc, el),
                "ExactlyOne" => {
                    let mut alts = Vec::new();
                    for c in d.children(el) {
                        alts.extend(self.term(doc, c)?);
                        if alts.len() > MAX_ALTERNATIVES {
                            self.too_many(doc, el);
                            return None;
                        }
                    }
                    Some(alts)
                }
                "PolicyReference" => self.reference(doc, el),
                other => {
                    self.found.push(error(
                        &rules::WSB0051,
                        doc,
                        self.docs.name_range(doc, el),
                        format!(
                            "`{}` is not an operator of a policy expression",
                            qname(d.prefix(el), other)
                        ),
                        "in a policy here",
                    ));
                    None
                }
            };
        }
        self.made += 1;
        if self.made > MAX_ASSERTIONS {
            if self.made == MAX_ASSERTIONS + 1 {
                self.found.push(error(
                    &rules::WSB0051,
                    doc,
                    self.docs.name_range(doc, el),
                    format!("the policies expand to more than {MAX_ASSERTIONS} assertions"),
                    "still expanding here",
                ));
            }
            return None;
        }
        let optional = d.attrs(el).any(|a| {
            ns::is_wsp(a.ns) && a.local == "Optional" && matches!(a.value.trim(), "true" | "1")
        });
        let nested_policy = d
            .children(el)
            .find(|&c| ns::is_wsp(d.namespace(c)) && d.local_name(c) == "Policy");
        let nested: Vec<Option<Alternative>> = match nested_policy {
            None => vec![None],
            Some(p) => self.all(doc, p)?.into_iter().map(Some).collect(),
        };
        Some(
            nested
                .into_iter()
                .map(|nested| {
                    vec![Assertion {
                        doc,
                        el,
                        optional,
                        nested,
                    }]
                })
                .collect(),
        )
    }

    fn reference(&mut self, doc: usize, el: Element) -> Option<Vec<Alternative>> {
        let d = self.docs.doc(doc);
        let uri = d.attr(el, "", "URI").unwrap_or("").trim();
        self.referred(doc, el, uri)
    }

    /// The policy `uri` names, normalised; `el` is where it is named (for errors).
    fn referred(&mut self, doc: usize, el: Element, uri: &str) -> Option<Vec<Alternative>> {
        let Some((tdoc, target)) = self.find(doc, uri) else {
            let mut e = error(
                &rules::WSB0051,
                doc,
                self.docs.name_range(doc, el),
                if let Some(id) = uri.strip_prefix('#') {
                    format!("no policy has the id `{id}`")
                } else {
                    format!("the policy `{uri}` is not in the documents read: only local references are followed")
                },
                "referred to here",
            );
            if !uri.starts_with('#') {
                e = e.help("ask for the WSDL with its policies inline (WCF's `?singleWsdl`)");
            }
            self.found.push(e);
            return None;
        };
        if self.references.contains(&(tdoc, target)) {
            self.found.push(error(
                &rules::WSB0051,
                doc,
                self.docs.name_range(doc, el),
                format!("the policy reference `{uri}` refers to itself (a reference cycle)"),
                "cycle closed here",
            ));
            return None;
        }
        if self.references.len() >= MAX_REFERENCE_DEPTH {
            self.found.push(error(
                &rules::WSB0051,
                doc,
                self.docs.name_range(doc, el),
                format!("policy references nest deeper than {MAX_REFERENCE_DEPTH}"),
                "here",
            ));
            return None;
        }
        self.references.push((tdoc, target));
        let alts = self.all(tdoc, target);
        self.references.pop();
        alts
    }

    /// The policy `uri` names: `#id` (its `wsu:Id` or `xml:id`), in the document that
    /// refers first, then the others; or a `Name` written in full.
    fn find(&self, from: usize, uri: &str) -> Option<(usize, Element)> {
        let docs = std::iter::once(from).chain((0..self.docs.docs.len()).filter(|&i| i != from));
        for i in docs {
            let Some(d) = self.docs.docs[i].as_ref() else {
                continue;
            };
            for e in d.descendants(d.root()) {
                if !(ns::is_wsp(d.namespace(e)) && d.local_name(e) == "Policy") {
                    continue;
                }
                let hit = match uri.strip_prefix('#') {
                    Some(id) => d.attrs(e).any(|a| {
                        a.local == "Id"
                            && (a.ns == ns::WSU || a.ns == wsbind_xml::dom::XML_NS)
                            && a.value == id
                            || a.local == "id" && a.ns == wsbind_xml::dom::XML_NS && a.value == id
                    }),
                    None => !uri.is_empty() && d.attr(e, "", "Name") == Some(uri),
                };
                if hit {
                    return Some((i, e));
                }
            }
        }
        None
    }

    fn cross(
        &mut self,
        left: Vec<Alternative>,
        right: Vec<Alternative>,
        doc: usize,
        at: Element,
    ) -> Option<Vec<Alternative>> {
        let size: usize = left.iter().map(Vec::len).sum::<usize>() * right.len()
            + right.iter().map(Vec::len).sum::<usize>() * left.len();
        if left.len().saturating_mul(right.len()) > MAX_ALTERNATIVES || size > 10 * MAX_ASSERTIONS {
            self.too_many(doc, at);
            return None;
        }
        let mut out = Vec::with_capacity(left.len() * right.len());
        for l in &left {
            for r in &right {
                let mut a = l.clone();
                a.extend(r.iter().cloned());
                out.push(a);
            }
        }
        Some(out)
    }

    fn too_many(&mut self, doc: usize, at: Element) {
        self.found.push(error(
            &rules::WSB0051,
            doc,
            self.docs.name_range(doc, at),
            format!("the policy has more than {MAX_ALTERNATIVES} alternatives"),
            "multiplied out here",
        ));
    }
}

/// `prefix:local`, or `local` without a prefix.
pub(crate) fn qname(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}
