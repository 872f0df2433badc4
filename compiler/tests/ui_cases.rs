//! The compile-fail cases of `tests/ui/{toml,attr}` (run by trybuild from the root
//! package) are generated from the rule cases, so every rule is a compile error through
//! both front-ends. This test fails when the files are stale; regenerate them with
//! `WSBIND_BLESS=1 cargo test -p wsbind-compiler --test ui_cases`.

#[allow(dead_code)] // the rule tests read the other fields
mod common {
    pub mod cases;
    pub mod convert;
}

use common::cases::CASES;
use common::convert::to_attr;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn ui_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/ui")
}

fn generated() -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for case in CASES {
        let n = seen.entry(case.rule).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            case.rule.to_owned()
        } else {
            format!("{}-{n}", case.rule)
        };
        files.insert(
            PathBuf::from(format!("toml/{name}.toml")),
            case.toml.trim_start().to_owned(),
        );
        files.insert(
            PathBuf::from(format!("toml/{name}.rs")),
            format!(
                "// Generated from compiler/tests/common/cases.rs: {rule} through a binding.toml.\n\
                 // (The path is relative to trybuild's crate in target/tests/trybuild/wsbind.)\n\
                 #![deny(warnings)]\n\n\
                 #[wsbind::binding(file = \"../../../../tests/ui/toml/{name}.toml\")]\n\
                 struct Service;\n\nfn main() {{}}\n",
                rule = case.rule
            ),
        );
        files.insert(
            PathBuf::from(format!("attr/{name}.rs")),
            format!(
                "// Generated from compiler/tests/common/cases.rs: {rule} through the attribute.\n\
                 #![deny(warnings)]\n\n\
                 #[wsbind::binding({attr})]\n\
                 struct Service;\n\nfn main() {{}}\n",
                rule = case.rule,
                attr = to_attr(case.toml)
            ),
        );
    }
    files
}

#[test]
fn ui_cases_are_up_to_date() {
    let bless = std::env::var_os("WSBIND_BLESS").is_some();
    let mut stale = Vec::new();
    for (rel, text) in generated() {
        let path = ui_dir().join(&rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if bless {
                std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write");
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale ui cases (regenerate with WSBIND_BLESS=1): {stale:?}"
    );
}
