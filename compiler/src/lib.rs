//! The wsbind binding compiler: front-ends (TOML, attributes) → model → validation →
//! code generation. An ordinary library, used by the proc-macro, the CLI and the runtime
//! (`Description::from_toml_str`).
#![forbid(unsafe_code)]

pub mod description;
pub mod diag;
pub mod front;
pub mod loc;
pub mod model;
pub mod read;
pub mod resolve;
pub mod rules;
pub mod tree;
pub mod validate;

use diag::{Ctxt, Diagnostic, SourceFile};
use loc::Spelling;
use read::FromNode;
pub use validate::Target;

/// The result of checking a description: the model when it could be read, and every
/// diagnostic (errors and warnings).
#[derive(Debug)]
pub struct Checked {
    pub file: Option<model::File>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
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
    let mut diagnostics = cx.into_diagnostics();
    if file.is_none() && diagnostics.is_empty() {
        // Cannot happen (reading fails only by reporting), but never claim success.
        diagnostics.push(Diagnostic::new(
            &rules::WSB0039,
            "the description could not be read",
            &loc::Loc::Nowhere,
            "here",
        ));
    }
    Checked { file, diagnostics }
}

/// Checks the text of a `binding.toml`.
pub fn check_toml(text: &str, target: Target) -> Checked {
    let mut cx = Ctxt::new(Spelling::Toml);
    let root = front::toml::parse(text, &mut cx);
    check_tree(root, target, cx)
}

impl description::Description {
    /// Loads a description from TOML text, applying the same rules as the compiler.
    /// `name` is how the source is called in error messages.
    pub fn from_toml_str(text: &str) -> Result<Self, LoadError> {
        Self::from_named_toml_str("binding.toml", text)
    }

    /// Like [`from_toml_str`](Self::from_toml_str), naming the source in errors.
    pub fn from_named_toml_str(name: &str, text: &str) -> Result<Self, LoadError> {
        let checked = check_toml(text, Target::Runtime);
        checked.description().ok_or_else(|| LoadError::Invalid {
            source: SourceFile::new(name, text),
            diagnostics: checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        })
    }

    /// Loads a description from a TOML file, applying the same rules as the compiler.
    pub fn from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
            path: path.display().to_string(),
            error: e.to_string(),
        })?;
        Self::from_named_toml_str(&path.display().to_string(), &text)
    }
}

/// Why a description could not be loaded at run time.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io { path: String, error: String },
    /// The description breaks rules; every error is listed.
    Invalid {
        source: SourceFile,
        diagnostics: Vec<Diagnostic>,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "cannot read {path}: {error}"),
            LoadError::Invalid {
                source,
                diagnostics,
            } => f.write_str(diag::render(diagnostics, source, diag::Style::Plain).trim_end()),
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// The diagnostics, for an invalid description.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Invalid { diagnostics, .. } => diagnostics,
            LoadError::Io { .. } => &[],
        }
    }
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
