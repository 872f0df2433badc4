//! Editing a `binding.toml` makes cargo rebuild the crate that uses it (the generated code
//! `include_bytes!`s the file, as sqlx's macros track their inputs): a valid description
//! builds, the same file made invalid fails with the rule's error, fixed again it builds.

use std::path::{Path, PathBuf};
use std::process::Command;

const VALID: &str = r#"
[channel]
binding = "http"
role = "client"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#;

const INVALID: &str = r#"
[channel]
binding = "named-pipe"
role = "client"
[[security.binding]]
kind = "ssl-transport"
"#;

fn build(dir: &Path, target: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn editing_the_toml_rebuilds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/tests/rebuild-crate");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rebuild-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nwsbind = {{ path = {:?} }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .expect("write manifest");
    // Same dependency versions as the workspace, so the build reuses its artifacts.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy lock");
    std::fs::write(
        dir.join("src/main.rs"),
        "#[wsbind::binding(file = \"binding.toml\")]\nstruct Service;\nfn main() { let _ = Service::DESCRIPTION; }\n",
    )
    .expect("write main");
    // trybuild's target dir already holds wsbind's dependencies.
    let target = root.join("target/tests/trybuild");

    std::fs::write(dir.join("binding.toml"), VALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "the valid description builds:\n{err}");

    std::fs::write(dir.join("binding.toml"), INVALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(
        !ok,
        "editing the TOML to an invalid description must fail the next build"
    );
    assert!(
        err.contains("[WSB0013]") && err.contains("binding.toml:3:11"),
        "the rule's error, at the TOML line:\n{err}"
    );

    std::fs::write(dir.join("binding.toml"), VALID).expect("write");
    let (ok, err) = build(&dir, &target);
    assert!(ok, "fixed again, it builds:\n{err}");
}
