//! Builds the shipped scripts in `plugins/` for wasm32-wasip2, so a plain `cargo build` embeds
//! up-to-date components with no manual step. Test plugins are built by `tests/plugins/artifacts`.

/// (package, wasm file stem) of every script shipped in the binary.
const SCRIPTS: &[(&str, &str)] = &[
    ("phonefleet-follow", "phonefleet_follow"),
    ("phonefleet-unfollow", "phonefleet_unfollow"),
    ("phonefleet-comment", "phonefleet_comment"),
    ("phonefleet-account-warmup", "phonefleet_account_warmup"),
    ("phonefleet-post", "phonefleet_post"),
];

fn main() {
    let root = phonefleet_build_support::workspace_root(1);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let packages: Vec<&str> = SCRIPTS.iter().map(|s| s.0).collect();
    let built =
        phonefleet_build_support::build_guests(&root, &["plugins"], &packages, None, "plugins");
    for (_, stem) in SCRIPTS {
        phonefleet_build_support::copy(
            &built.join(format!("{stem}.wasm")),
            &out.join(format!("{stem}.wasm")),
        );
    }
}
