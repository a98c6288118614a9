//! The scripts shipped inside the binary (TikMatrix's API scripts), compiled for wasm32-wasip2
//! from `plugins/` by the build script and embedded here.

use phonefleet_runtime::Builtin;

/// Every shipped script, loaded before the plugin directory.
pub const BUILTINS: &[Builtin] = &[
    (
        "follow",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_follow.wasm")),
    ),
    (
        "unfollow",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_unfollow.wasm")),
    ),
    (
        "comment",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_comment.wasm")),
    ),
    (
        "account_warmup",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_account_warmup.wasm")),
    ),
    (
        "post",
        include_bytes!(concat!(env!("OUT_DIR"), "/phonefleet_post.wasm")),
    ),
];
