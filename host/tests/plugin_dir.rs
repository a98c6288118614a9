//! The real binary's plugin directory: a reload leaves the host as idle as it was before (the
//! watcher once reacted to its own reads and re-hashed the file forever), and `GET /script` says
//! where each script comes from.

mod common;

use std::time::Duration;

use common::Host;
use vphone::testing::AdbServer;

/// How long the host's CPU time is watched for, before and after a reload.
const WINDOW: Duration = Duration::from_secs(2);

/// CPU time (user + system) the process has used, in clock ticks (`/proc/PID/stat` fields 14 and 15).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The command name in parentheses may hold spaces; the fields after it are plain.
    let after_name = stat.rsplit_once(')').expect("a stat line").1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name come state (field 3) and on: utime is field 14, stime field 15.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// CPU ticks the process uses over [`WINDOW`].
async fn ticks_over_window(pid: u32) -> u64 {
    let start = cpu_ticks(pid);
    tokio::time::sleep(WINDOW).await; // a measuring window, not a wait for something to happen
    cpu_ticks(pid) - start
}

async fn host_with_plugin_dir() -> (Host, AdbServer, tempfile::TempDir, tempfile::TempDir) {
    let adb = AdbServer::start().await;
    let data = tempfile::tempdir().expect("data dir");
    let plugins = tempfile::tempdir().expect("plugin dir");
    let dir = plugins.path().display().to_string();
    let host = Host::serve_with(
        data.path(),
        data.path(),
        &adb,
        None,
        1,
        &["--plugin-dir", &dir],
    );
    host.wait_for("/script", "the host to serve", |r| r["code"] == 0)
        .await;
    (host, adb, data, plugins)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_is_as_idle_after_a_plugin_reload_as_before() {
    let (host, _adb, _data, plugins) = host_with_plugin_dir().await;
    let pid = host.child.id().expect("the host runs");
    let before = ticks_over_window(pid).await;
    std::fs::copy(
        phonefleet_test_artifacts::MISBEHAVE,
        plugins.path().join("misbehave.wasm"),
    )
    .expect("copy the plugin");
    host.wait_for("/script/misbehave", "the plugin to load", |r| {
        r["code"] == 0
    })
    .await;
    let after = ticks_over_window(pid).await;
    // A host re-reading the file in a loop burns a whole core: ~100 ticks a second.
    assert!(
        after <= before + 20,
        "the host used {after} ticks of CPU in {WINDOW:?} after the reload, {before} before"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_script_says_its_origin_and_version() {
    let (host, _adb, _data, plugins) = host_with_plugin_dir().await;
    let file = plugins.path().join("misbehave.wasm");
    std::fs::copy(phonefleet_test_artifacts::MISBEHAVE, &file).expect("copy the plugin");
    let reply = host
        .wait_for("/script/misbehave", "the plugin to load", |r| {
            r["code"] == 0
        })
        .await;
    assert_eq!(
        reply["data"]["origin"],
        file.display().to_string(),
        "{reply}"
    );
    assert_eq!(reply["data"]["version"], "0.1.0", "{reply}");
    let follow = host.get("/script/follow").await.expect("a reply");
    assert_eq!(follow["data"]["origin"], "built-in", "{follow}");
}
