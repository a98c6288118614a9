//! Builds the script plugins in `plugins/` (and the test plugins in `tests/plugins/`) for
//! wasm32-wasip2, so a plain `cargo build` embeds up-to-date components with no manual step.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (package, wasm file stem) of every plugin this build produces.
const PLUGINS: &[(&str, &str)] = &[
    ("phonefleet-follow", "phonefleet_follow"),
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
    let target_dir = root.join("target").join("plugins");
    for watched in ["wit", "plugins", "tests/plugins", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args([
            "build",
            "--profile",
            "plugin",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
        ])
        .arg(&target_dir);
    for (package, _) in PLUGINS {
        cmd.args(["-p", package]);
    }
    clean_env(&mut cmd);
    run(cmd);
    std::fs::create_dir_all(&out).expect("cannot create OUT_DIR/plugins");
    for (_, stem) in PLUGINS {
        let built = target_dir
            .join("wasm32-wasip2")
            .join("plugin")
            .join(format!("{stem}.wasm"));
        copy(&built, &out.join(format!("{stem}.wasm")));
    }

    // Version 0.2.0 of the misbehave test plugin, for hot-reload tests.
    let v2_dir = root.join("target").join("plugins-v2");
    let mut v2 = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    v2.current_dir(&root)
        .args([
            "build",
            "--profile",
            "plugin",
            "--target",
            "wasm32-wasip2",
            "-p",
            "phonefleet-test-misbehave",
        ])
        .args(["--features", "v2", "--target-dir"])
        .arg(&v2_dir);
    clean_env(&mut v2);
    run(v2);
    let built = v2_dir
        .join("wasm32-wasip2")
        .join("plugin")
        .join("phonefleet_test_misbehave.wasm");
    copy(&built, &out.join("phonefleet_test_misbehave_v2.wasm"));
}

/// The outer build's settings (flags, target, profile overrides) must not leak into the guest build.
fn clean_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key == "RUSTFLAGS"
            || key == "RUSTC_WRAPPER"
        {
            cmd.env_remove(&key);
        }
    }
}

fn run(mut cmd: Command) {
    let status = cmd.status().expect("cannot run cargo to build the plugins");
    if !status.success() {
        panic!(
            "building the plugins for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)"
        );
    }
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        panic!("cannot copy {} to {}: {e}", from.display(), to.display());
    }
}
