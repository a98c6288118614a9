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
        &[
            "tests/plugins/misbehave",
            "tests/plugins/legacy",
            "tests/plugins/author",
            // The author plugin is built on the SDK.
            "plugins/sdk",
        ],
        &[
            "phonefleet-test-misbehave",
            "phonefleet-test-legacy",
            "phonefleet-test-author",
        ],
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
    let tablegrow = out.join("tablegrow.wasm");
    std::fs::write(&tablegrow, hand_written_component(&root)).expect("cannot write tablegrow.wasm");
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
        (
            "AUTHOR",
            built.join("phonefleet_test_author.wasm"),
            "author.wasm",
        ),
        ("TABLEGROW", tablegrow.clone(), "tablegrow.wasm"),
    ];
    let mut generated = String::new();
    for (name, from, file) in artifacts {
        let to = out.join(file);
        if from != to {
            phonefleet_build_support::copy(&from, &to);
        }
        writeln!(
            generated,
            "/// `{file}`, a component for wasm32-wasip2.\npub const {name}: &str = {:?};",
            to.display().to_string()
        )
        .expect("writing to a String");
    }
    std::fs::write(out.join("gen.rs"), generated).expect("cannot write gen.rs");
}

/// `tests/plugins/tablegrow/tablegrow.wat`, a core module, made a component of the `script` world.
fn hand_written_component(root: &std::path::Path) -> Vec<u8> {
    let source = root.join("tests/plugins/tablegrow/tablegrow.wat");
    println!("cargo:rerun-if-changed={}", source.display());
    let mut module = wat::parse_file(&source).expect("tablegrow.wat parses");
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_dir(root.join("wit"))
        .expect("the WIT package parses");
    let world = resolve
        .select_world(&[package], Some("script"))
        .expect("the script world");
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("metadata embeds");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("the module is a script's core")
        .validate(true)
        .encode()
        .expect("the component encodes")
}
