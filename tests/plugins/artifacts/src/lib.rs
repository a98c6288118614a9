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
    const NAME: &[u8] = b"misbehave";
    assert_eq!(name.len(), NAME.len(), "{name:?} must be 9 bytes long");
    let mut wasm = bytes(MISBEHAVE);
    let mut i = 0;
    while i + NAME.len() <= wasm.len() {
        if &wasm[i..i + NAME.len()] == NAME {
            wasm[i..i + NAME.len()].copy_from_slice(name.as_bytes());
            i += NAME.len();
        } else {
            i += 1;
        }
    }
    wasm
}
