//! The inputs of a description, resolved and read in one place: what the macro's
//! arguments name (`file = "…"`, later `wsdl = "…"`), resolved against the crate's
//! `CARGO_MANIFEST_DIR`, read, checked, and returned with every file the build must
//! track, so that an edit rebuilds. The proc-macro crate only turns the result into
//! tokens.
//!
//! Paths are refused where they would make a build depend on the machine it runs on
//! (as sqlx-macros does): an absolute path, or no `CARGO_MANIFEST_DIR` to resolve a
//! relative one against (a build outside cargo). Both are WSB0042, at the literal.

use crate::diag::{Diagnostic, SourceFile};
use crate::loc::Loc;
use crate::rules::WSB0042;
use crate::Checked;
#[cfg(feature = "tokens")]
use crate::{check_toml, check_tree, diag::Ctxt, front, loc::Spelling, rules::WSB0041};
#[cfg(feature = "tokens")]
use crate::{tree::Value, Target};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A description read from its inputs, and where it came from.
#[derive(Debug)]
pub struct Input {
    /// The checked description.
    pub checked: Checked,
    /// Inline in the attribute, or read from a file.
    pub origin: Origin,
}

/// Where a description was written.
#[derive(Debug)]
pub enum Origin {
    /// In the attribute's own tokens: diagnostics point at them.
    Inline,
    /// In a file named by `file = "…"`: diagnostics point into its text, and the
    /// attribute's literal (`at`) carries them in the Rust source.
    File {
        /// The file's text, named as the user wrote it.
        source: SourceFile,
        /// The `"…"` literal.
        at: Loc,
        /// The resolved path.
        path: PathBuf,
    },
}

impl Input {
    /// Every file the description was read from: cargo must rebuild when one changes.
    pub fn tracked(&self) -> Vec<&Path> {
        match &self.origin {
            Origin::Inline => Vec::new(),
            Origin::File { path, .. } => vec![path.as_path()],
        }
    }
}

/// Resolves a path written in a description's attribute (`rel`, at `at`) against the
/// crate's manifest directory. Absolute paths and a missing manifest directory are
/// refused (WSB0042).
pub fn resolve_path(
    rel: &str,
    at: &Loc,
    manifest_dir: Option<&OsStr>,
) -> Result<PathBuf, Box<Diagnostic>> {
    let path = Path::new(rel);
    if rel.is_empty() {
        return Err(Box::new(
            Diagnostic::new(
                &WSB0042,
                "the description file's path is empty",
                at,
                "empty path",
            )
            .help("name the file relative to the crate's Cargo.toml, e.g. file = \"binding.toml\""),
        ));
    }
    if path.has_root() || path.is_absolute() {
        return Err(Box::new(
            Diagnostic::new(
                &WSB0042,
                format!("the description file `{rel}` is named by an absolute path"),
                at,
                "absolute path",
            )
            .help(
                "an absolute path only works on this machine: name the file relative to the \
             crate's Cargo.toml (CARGO_MANIFEST_DIR), e.g. file = \"binding.toml\"",
            ),
        ));
    }
    let Some(dir) = manifest_dir.filter(|d| !d.is_empty()) else {
        return Err(Box::new(Diagnostic::new(
            &WSB0042,
            format!("`{rel}` cannot be resolved: CARGO_MANIFEST_DIR is not set"),
            at,
            "relative to what?",
        )
        .help("build with cargo, which sets CARGO_MANIFEST_DIR to the directory of the crate's Cargo.toml")));
    };
    Ok(Path::new(dir).join(path))
}

/// Reads the arguments of `#[wsbind::binding(...)]`: an inline description, or
/// `file = "…"` resolved against the `CARGO_MANIFEST_DIR` of the build. `Err` holds
/// diagnostics located in the attribute's tokens.
#[cfg(feature = "tokens")]
pub fn read_attribute(args: proc_macro2::TokenStream) -> Result<Input, Vec<Diagnostic>> {
    read_attribute_in(args, std::env::var_os("CARGO_MANIFEST_DIR").as_deref())
}

/// [`read_attribute`] with the manifest directory given.
#[cfg(feature = "tokens")]
pub fn read_attribute_in(
    args: proc_macro2::TokenStream,
    manifest_dir: Option<&OsStr>,
) -> Result<Input, Vec<Diagnostic>> {
    let mut cx = Ctxt::new(Spelling::Attribute);
    let Some(root) = front::attr::parse(args, &mut cx) else {
        return Err(cx.into_diagnostics());
    };
    let inline = |root, cx| {
        Ok(Input {
            checked: check_tree(Some(root), Target::Runtime, cx),
            origin: Origin::Inline,
        })
    };
    let Value::Table(table) = &root.value else {
        return inline(root, cx);
    };
    let Some(file) = table.entries.iter().find(|e| e.key == "file") else {
        return inline(root, cx);
    };
    if let Some(other) = table.entries.iter().find(|e| e.key != "file") {
        return Err(vec![Diagnostic::new(
            &WSB0041,
            "`file = ...` cannot be combined with an inline description",
            &other.key_loc,
            "inline key",
        )
        .help("put the whole description in the file, or remove `file`")]);
    }
    let Value::Str(rel) = &file.node.value else {
        return Err(vec![Diagnostic::new(
            &WSB0041,
            "`file` must be a string: the path of the description, relative to Cargo.toml",
            &file.node.loc,
            "expected a string",
        )]);
    };
    let at = file.node.loc.clone();
    let path = resolve_path(rel, &at, manifest_dir).map_err(|d| vec![*d])?;
    let text = read_file(&path, &at).map_err(|d| vec![*d])?;
    Ok(Input {
        checked: check_toml(&text, Target::Runtime),
        origin: Origin::File {
            source: SourceFile::new(rel.clone(), text),
            at,
            path,
        },
    })
}

/// Reads a description file (WSB0042 when it cannot be read).
#[cfg(feature = "tokens")]
fn read_file(path: &Path, at: &Loc) -> Result<String, Box<Diagnostic>> {
    std::fs::read_to_string(path).map_err(|e| {
        Box::new(Diagnostic::new(
            &WSB0042,
            format!("cannot read the description file {}: {e}", path.display()),
            at,
            "this file",
        )
        .help(
            "the path is relative to the directory of the crate's Cargo.toml (CARGO_MANIFEST_DIR)",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(rel: &str, dir: Option<&str>) -> Box<Diagnostic> {
        resolve_path(rel, &Loc::Nowhere, dir.map(OsStr::new)).expect_err("refused")
    }

    #[test]
    fn relative_paths_resolve_against_the_manifest_dir() {
        let p = resolve_path(
            "cfg/binding.toml",
            &Loc::Nowhere,
            Some(OsStr::new("/crate")),
        )
        .expect("resolved");
        assert_eq!(p, Path::new("/crate/cfg/binding.toml"));
        let p = resolve_path(
            "../shared/binding.toml",
            &Loc::Nowhere,
            Some(OsStr::new("/ws/a")),
        )
        .expect("resolved");
        assert_eq!(p, Path::new("/ws/a/../shared/binding.toml"));
    }

    #[test]
    fn absolute_paths_are_refused() {
        let d = refused("/etc/binding.toml", Some("/crate"));
        assert_eq!(d.rule.id, "WSB0042");
        assert!(d.message.contains("absolute path"), "{}", d.message);
        assert!(d.help.as_deref().is_some_and(|h| h.contains("relative")));
    }

    #[test]
    fn a_missing_manifest_dir_is_refused() {
        for dir in [None, Some("")] {
            let d = refused("binding.toml", dir);
            assert_eq!(d.rule.id, "WSB0042");
            assert!(d.message.contains("CARGO_MANIFEST_DIR"), "{}", d.message);
        }
    }

    #[test]
    fn an_empty_path_is_refused() {
        assert_eq!(refused("", Some("/crate")).rule.id, "WSB0042");
    }

    #[cfg(feature = "tokens")]
    #[test]
    fn the_attribute_names_its_file_and_the_file_is_tracked() {
        let dir = std::env::temp_dir().join(format!("wsbind-inputs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("b.toml"), "[channel]\nbinding = \"http\"\n").expect("write");
        let args: proc_macro2::TokenStream = "file = \"b.toml\"".parse().expect("tokens");
        let input = read_attribute_in(args, Some(dir.as_os_str())).expect("read");
        assert_eq!(input.tracked(), [dir.join("b.toml").as_path()]);
        assert!(matches!(input.origin, Origin::File { .. }));

        let args: proc_macro2::TokenStream = "file = \"/abs/b.toml\"".parse().expect("tokens");
        let errors = read_attribute_in(args, Some(dir.as_os_str())).expect_err("absolute");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].rule.id, "WSB0042");
        assert!(errors[0].primary.loc.span().is_some(), "at the literal");

        let args: proc_macro2::TokenStream = "file = \"b.toml\"".parse().expect("tokens");
        let errors = read_attribute_in(args, None).expect_err("no manifest dir");
        assert_eq!(errors[0].rule.id, "WSB0042");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
