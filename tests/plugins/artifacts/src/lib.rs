//! Paths of the test plugins, built for wasm32-wasip2 by this crate's build script: `MISBEHAVE`
//! (every hostile pattern, on request), `MISBEHAVE_V2` (the same as version 0.2.0, for hot
//! reload), `LEGACY` (built against an older world), `AUTHOR` (a third party's script written with
//! the SDK's public helpers only) and `TABLEGROW` (a hand-written component whose `run` grows a
//! table until refused).

include!(concat!(env!("OUT_DIR"), "/gen.rs"));

/// The bytes of a test plugin; panics (a test setup failure) when the file is missing.
pub fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("test plugin {path}: {e}"))
}

/// The misbehave plugin with its script name replaced by `name`, which must be as long as
/// "misbehave" (9 bytes) so the component stays valid: a third party's plugin with a bad name.
pub fn misbehave_named(name: &str) -> Vec<u8> {
    misbehave_with("misbehave", name)
}

/// The misbehave plugin with every `from` in its bytes replaced by `to` of the same length (a
/// script name, an import's version): a plugin as someone else might have built it.
pub fn misbehave_with(from: &str, to: &str) -> Vec<u8> {
    let (from, to) = (from.as_bytes(), to.as_bytes());
    assert_eq!(from.len(), to.len(), "{to:?} must be as long as {from:?}");
    let mut wasm = bytes(MISBEHAVE);
    let mut i = 0;
    while i + from.len() <= wasm.len() {
        if &wasm[i..i + from.len()] == from {
            wasm[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
    wasm
}
