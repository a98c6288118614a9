//! For build scripts only: compiles workspace guest crates (scripts, test plugins) for
//! wasm32-wasip2, so a plain `cargo build` or `cargo test` has every component it embeds or loads.
//!
//! One function, used by the host's build script (the shipped scripts), the test artifacts crate
//! (the test plugins) and the benchmarks (their probe script), so guest builds are set up once.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `packages` of the workspace at `root` for wasm32-wasip2 with the `plugin` profile (and
/// `features`, if any) into `TARGET/<subdir>`, where TARGET is the outer build's own target
/// directory; returns the directory holding the `.wasm` files.
///
/// Also tells cargo to rerun the calling build script when `wit/`, `rules/`, the lock file or one
/// of the `sources` (paths below `root`) change. Panics with the fix (install the target) when the
/// build fails: a build script has no other way to report.
pub fn build_guests(
    root: &Path,
    sources: &[&str],
    packages: &[&str],
    features: Option<&str>,
    subdir: &str,
) -> PathBuf {
    for watched in ["wit", "rules", "Cargo.lock"].iter().chain(sources) {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let target_dir = target_root(root).join(subdir);
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .args(["build", "--profile", "plugin", "--target", "wasm32-wasip2"])
        .arg("--target-dir")
        .arg(&target_dir);
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
    assert!(
        status.success(),
        "building {packages:?} for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)"
    );
    target_dir.join("wasm32-wasip2").join("plugin")
}

/// The outer build's target directory: OUT_DIR is TARGET/[TRIPLE/]PROFILE/build/PKG-HASH/out.
fn target_root(root: &Path) -> PathBuf {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    out.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("target"))
}

/// Copies a built component, panicking with both paths if it cannot.
pub fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        panic!("cannot copy {} to {}: {e}", from.display(), to.display());
    }
}

/// The workspace root, from the calling crate's manifest directory and its depth below the root.
pub fn workspace_root(depth: usize) -> PathBuf {
    let mut dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    for _ in 0..depth {
        dir.pop();
    }
    dir
}
