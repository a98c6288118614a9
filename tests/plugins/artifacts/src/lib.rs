//! Paths of the test plugins, built for wasm32-wasip2 by this crate's build script: `MISBEHAVE`
//! (every hostile pattern, on request), `MISBEHAVE_V2` (the same as version 0.2.0, for hot
//! reload), `LEGACY` (built against an older world) and `TABLEGROW` (a hand-written component
//! whose `run` grows a table until refused).

include!(concat!(env!("OUT_DIR"), "/gen.rs"));

/// The bytes of a test plugin; panics (a test setup failure) when the file is missing.
pub fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("test plugin {path}: {e}"))
}
