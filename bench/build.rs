//! Builds the probe script (`bench/probe`) for wasm32-wasip2, like `host/build.rs` does for the
//! shipped plugins, into a `plugins` directory beside this build's own target directory.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let root = manifest
        .parent()
        .expect("bench/ sits inside the workspace")
        .to_path_buf();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is TARGET/PROFILE/build/PKG-HASH/out: build the guest in TARGET/plugins-bench.
    let target_root = out
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(|t| t.to_path_buf())
        .unwrap_or_else(|| root.join("target"));
    let target_dir = target_root.join("plugins-bench");
    for watched in ["wit", "bench/probe"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&root)
        .args([
            "build",
            "--profile",
            "plugin",
            "--target",
            "wasm32-wasip2",
            "-p",
            "phonefleet-bench-probe",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key == "RUSTFLAGS"
            || key == "RUSTC_WRAPPER"
        {
            cmd.env_remove(&key);
        }
    }
    let status = cmd
        .status()
        .expect("cannot run cargo to build the probe plugin");
    assert!(
        status.success(),
        "building the probe plugin for wasm32-wasip2 failed"
    );
    let built = target_dir
        .join("wasm32-wasip2")
        .join("plugin")
        .join("phonefleet_bench_probe.wasm");
    std::fs::copy(&built, out.join("probe.wasm"))
        .unwrap_or_else(|e| panic!("cannot copy {}: {e}", built.display()));
}
