//! Builds every test plugin for wasm32-wasip2 into OUT_DIR and writes `gen.rs` with a path
//! constant per plugin (wasmtime's `test-programs/artifacts` pattern): runtime crates never
//! build test code, and tests find plugins wherever the target directory is.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let root = phonefleet_build_support::workspace_root(3);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let built = phonefleet_build_support::build_guests(
        &root,
        &["tests/plugins/misbehave", "tests/plugins/legacy"],
        &["phonefleet-test-misbehave", "phonefleet-test-legacy"],
        None,
        "plugins-test",
    );
    // Version 0.2.0 of the misbehave plugin, for hot-reload tests.
    let v2 = phonefleet_build_support::build_guests(
        &root,
        &["tests/plugins/misbehave"],
        &["phonefleet-test-misbehave"],
        Some("v2"),
        "plugins-test-v2",
    );
    let artifacts = [
        (
            "MISBEHAVE",
            built.join("phonefleet_test_misbehave.wasm"),
            "misbehave.wasm",
        ),
        (
            "MISBEHAVE_V2",
            v2.join("phonefleet_test_misbehave.wasm"),
            "misbehave_v2.wasm",
        ),
        (
            "LEGACY",
            built.join("phonefleet_test_legacy.wasm"),
            "legacy.wasm",
        ),
    ];
    let mut generated = String::new();
    for (name, from, file) in artifacts {
        let to = out.join(file);
        phonefleet_build_support::copy(&from, &to);
        writeln!(
            generated,
            "/// `{file}`, built for wasm32-wasip2.\npub const {name}: &str = {:?};",
            to.display().to_string()
        )
        .expect("writing to a String");
    }
    std::fs::write(out.join("gen.rs"), generated).expect("cannot write gen.rs");
}
