//! Builds the probe script (`bench/probe`) for wasm32-wasip2 into OUT_DIR, as the host's build
//! script does for the shipped scripts.

fn main() {
    let root = phonefleet_build_support::workspace_root(1);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let built = phonefleet_build_support::build_guests(
        &root,
        &["bench/probe"],
        &["phonefleet-bench-probe"],
        None,
        "plugins-bench",
    );
    phonefleet_build_support::copy(
        &built.join("phonefleet_bench_probe.wasm"),
        &out.join("probe.wasm"),
    );
}
