//! The wsbind binding compiler: inputs (`file = …` resolved and read) → front-ends (TOML,
//! attributes) → model → validation → the typed description (`wsbind-description`) →
//! code generation. An ordinary library, used by the proc-macro, the CLI and the runtime
//! (`FromToml`, behind the runtime's `toml` feature).
#![forbid(unsafe_code)]

pub mod diag;
pub mod front;
pub mod inputs;
pub mod load;
pub mod loc;
pub mod model;
pub mod read;
pub mod resolve;
pub mod rules;
pub mod templates;
pub mod tree;
pub mod validate;
pub mod wcf;

use diag::{Ctxt, Diagnostic};
pub use load::{FromToml, LoadError};
use loc::Spelling;
use read::FromNode;
pub use validate::Target;
/// The typed description the compiler produces (the `wsbind-description` crate).
pub use wsbind_description as description;

/// The result of checking a description: the model when it could be read, and every
/// diagnostic (errors and warnings).
#[derive(Debug)]
pub struct Checked {
    pub file: Option<model::File>,
    /// At most [`diag::MAX_COLLECTED`], in the order of the text.
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics past [`diag::MAX_COLLECTED`], counted and not kept.
    pub omitted: usize,
    /// How many of those are errors.
    pub omitted_errors: usize,
}

impl Checked {
    /// Whether any diagnostic is an error (kept or counted).
    pub fn has_errors(&self) -> bool {
        self.omitted_errors > 0 || self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Errors, kept and counted.
    pub fn errors(&self) -> usize {
        self.omitted_errors + self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Warnings, kept and counted.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() + self.omitted - self.errors()
    }

    /// The typed description, when the description is valid.
    pub fn description(&self) -> Option<description::Description> {
        match &self.file {
            Some(f) if !self.has_errors() => Some(resolve::resolve(f)),
            _ => None,
        }
    }
}

/// Reads and validates a tree produced by a front-end.
pub fn check_tree(root: Option<tree::Node>, target: Target, mut cx: Ctxt) -> Checked {
    let file = root.and_then(|root| {
        let file = model::File::from_node(&root, &mut cx);
        if let Some(f) = &file {
            validate::validate(f, target, &mut cx);
        }
        file
    });
    let (omitted, omitted_errors) = cx.omitted();
    let mut diagnostics = cx.into_diagnostics();
    // In the order of the text (stable: one place's diagnostics keep the rules' order).
    diagnostics.sort_by_key(|d| d.primary.loc.order());
    if file.is_none() && diagnostics.is_empty() {
        // Cannot happen (reading fails only by reporting), but never claim success.
        diagnostics.push(Diagnostic::new(
            &rules::WSB0039,
            "the description could not be read",
            &loc::Loc::Nowhere,
            "here",
        ));
    }
    Checked {
        file,
        diagnostics,
        omitted,
        omitted_errors,
    }
}

/// Checks the text of a `binding.toml`.
pub fn check_toml(text: &str, target: Target) -> Checked {
    let mut cx = Ctxt::new(Spelling::Toml);
    let root = front::toml::parse(text, &mut cx);
    check_tree(root, target, cx)
}

#[cfg(feature = "tokens")]
pub mod codegen;

/// Checks the arguments of `#[wsbind::binding(...)]` (inline form).
#[cfg(feature = "tokens")]
pub fn check_attr(tokens: proc_macro2::TokenStream, target: Target) -> Checked {
    let mut cx = Ctxt::new(Spelling::Attribute);
    let root = front::attr::parse(tokens, &mut cx);
    check_tree(root, target, cx)
}
pub mod schema;
