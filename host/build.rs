//! Builds the script plugins in `plugins/` (and the test plugins in `tests/plugins/`) for
//! wasm32-wasip2, so a plain `cargo build` embeds up-to-date components with no manual step.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (package, wasm file stem) of every plugin this build produces.
const PLUGINS: &[(&str, &str)] = &[
    ("phonefleet-follow", "phonefleet_follow"),
    ("phonefleet-post", "phonefleet_post"),
    ("phonefleet-test-misbehave", "phonefleet_test_misbehave"),
    ("phonefleet-test-legacy", "phonefleet_test_legacy"),
];

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let root = manifest
        .parent()
        .expect("host/ sits inside the workspace")
        .to_path_buf();
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("plugins");
    for watched in ["wit", "plugins", "tests/plugins", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    std::fs::create_dir_all(&out).expect("cannot create OUT_DIR/plugins");

    let built = build(
        &root,
        &root.join("target").join("plugins"),
        PLUGINS.iter().map(|p| p.0),
        None,
    );
    for (_, stem) in PLUGINS {
        copy(
            &built.join(format!("{stem}.wasm")),
            &out.join(format!("{stem}.wasm")),
        );
    }
    // Version 0.2.0 of the misbehave test plugin, for hot-reload tests.
    let v2 = build(
        &root,
        &root.join("target").join("plugins-v2"),
        ["phonefleet-test-misbehave"].into_iter(),
        Some("v2"),
    );
    copy(
        &v2.join("phonefleet_test_misbehave.wasm"),
        &out.join("phonefleet_test_misbehave_v2.wasm"),
    );
}

/// Builds `packages` for wasm32-wasip2 with the `plugin` profile into `target_dir`; returns the
/// directory holding the `.wasm` files.
fn build<'a>(
    root: &Path,
    target_dir: &Path,
    packages: impl Iterator<Item = &'a str>,
    features: Option<&str>,
) -> PathBuf {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .args([
            "build",
            "--profile",
            "plugin",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
        ])
        .arg(target_dir);
    for package in packages {
        cmd.args(["-p", package]);
    }
    if let Some(features) = features {
        cmd.args(["--features", features]);
    }
    // The outer build's settings (flags, target, profile overrides) must not leak into the guest build.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key == "RUSTFLAGS"
            || key == "RUSTC_WRAPPER"
        {
            cmd.env_remove(&key);
        }
    }
    let status = cmd.status().expect("cannot run cargo to build the plugins");
    if !status.success() {
        panic!(
            "building the plugins for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)"
        );
    }
    target_dir.join("wasm32-wasip2").join("plugin")
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        panic!("cannot copy {} to {}: {e}", from.display(), to.display());
    }
}
