//! The protocol crate's modules import only from below (DESIGN.md: text and wire →
//! SOAP writing → WS-Trust and message security → server state → engine). A module
//! naming one of a higher layer — in code, not in its docs — fails here, with the line.

use std::path::{Path, PathBuf};

/// Each top-level module and its layer; a module may use its own layer's and lower
/// layers' modules.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("wire", 0),
    ("hash", 1),
    ("keys", 1),
    ("credentials", 1),
    ("envelope", 2),
    ("trust", 3),
    ("security", 3),
    ("cookie", 4),
    ("cancel", 4),
    ("store", 4),
    ("engine", 5),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_import_only_from_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs"))
            .expect("a name");
        let Some(own) = layer(top) else {
            continue; // lib.rs: the crate root re-exports every layer
        };
        let text = std::fs::read_to_string(file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(theirs) = layer(&name) {
                    if theirs > own {
                        upward.push(format!("{}:{}: {top} uses {name}", rel.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}
