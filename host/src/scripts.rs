//! The scripts shipped inside the binary: `follow` and `post`, compiled for wasm32-wasip2 from
//! `plugins/` by the build script and embedded here.

use phonefleet_runtime::Builtin;

/// Every shipped script, loaded before the plugin directory.
pub const BUILTINS: &[Builtin] = &[
    (
        "follow",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_follow.wasm")),
    ),
    (
        "post",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_post.wasm")),
    ),
];
