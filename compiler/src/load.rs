//! Loading a typed description from TOML at run time, with the compiler's rules: what
//! `Description::from_toml_*` is (an extension trait, since the description crate
//! cannot depend on the compiler that produces it). The runtime offers it behind its
//! `toml` feature; a service built from the macro does not link it.

use crate::diag::{self, Diagnostic, SourceFile};
use crate::{check_toml, Target};
use wsbind_description::Description;

/// Loads a [`Description`] from TOML, applying exactly the rules the compiler applies
/// (`Target::Runtime`: every rule, WSB0040 included).
pub trait FromToml: Sized {
    /// Loads a description from TOML text; errors name the source `binding.toml`.
    fn from_toml_str(text: &str) -> Result<Self, LoadError> {
        Self::from_named_toml_str("binding.toml", text)
    }

    /// Like [`from_toml_str`](Self::from_toml_str), naming the source `name` in errors.
    fn from_named_toml_str(name: &str, text: &str) -> Result<Self, LoadError>;

    /// Loads a description from a TOML file.
    fn from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Self, LoadError>;
}

impl FromToml for Description {
    fn from_named_toml_str(name: &str, text: &str) -> Result<Self, LoadError> {
        let checked = check_toml(text, Target::Runtime);
        checked.description().ok_or_else(|| LoadError::Invalid {
            source: SourceFile::new(name, text),
            omitted: checked.omitted_errors,
            diagnostics: checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        })
    }

    fn from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Self, LoadError> {
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
    /// The description breaks rules; every error is listed, up to
    /// [`diag::MAX_COLLECTED`] (the rest counted in `omitted`).
    Invalid {
        source: SourceFile,
        diagnostics: Vec<Diagnostic>,
        omitted: usize,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "cannot read {path}: {error}"),
            LoadError::Invalid {
                source,
                diagnostics,
                omitted,
            } => f.write_str(
                diag::render_counted(diagnostics, *omitted, source, diag::Style::Plain).trim_end(),
            ),
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
