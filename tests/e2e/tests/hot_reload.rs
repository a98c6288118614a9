//! Hot reload of the plugin directory: a new or changed `.wasm` is picked up without a restart,
//! running tasks finish on the version they started with, and a broken file leaves the old one.

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::PhoneConfig;

/// The misbehave test plugin as 0.1.0 and 0.2.0.
use phonefleet_test_artifacts::{MISBEHAVE as V1, MISBEHAVE_V2 as V2};

async fn fleet_with_plugin_dir() -> (Fleet, tempfile::TempDir) {
    let plugins = tempfile::tempdir().unwrap();
    let dir = plugins.path().to_path_buf();
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| c.plugin_dir = Some(dir))
        .await
        .unwrap();
    (fleet, plugins)
}

/// Writes a plugin file the way a deploy would: to a temporary name, then renamed into place.
fn install(plugins: &tempfile::TempDir, from: &str) {
    let tmp = plugins.path().join("misbehave.wasm.part");
    std::fs::copy(from, &tmp).unwrap_or_else(|e| panic!("{from}: {e}"));
    std::fs::rename(&tmp, plugins.path().join("misbehave.wasm")).unwrap();
}

async fn wait_version(fleet: &Fleet, version: &str) {
    fleet
        .wait_until(&format!("misbehave {version} loaded"), async || {
            Ok(fleet.get("/script/misbehave").await?["data"]["version"] == version)
        })
        .await
        .unwrap();
}

fn wait_task(fleet: &Fleet, ms: u64) -> Value {
    json!({"serials": fleet.serials(), "script_name": "misbehave", "script_config": {"mode": "wait", "ms": ms}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_plugin_file_is_loaded_without_a_restart() {
    let (fleet, plugins) = fleet_with_plugin_dir().await;
    assert_eq!(fleet.get("/script/misbehave").await.unwrap()["code"], 40401);
    install(&plugins, V1);
    wait_version(&fleet, "0.1.0").await;
    let ids = fleet.create(&wait_task(&fleet, 0)).await.unwrap();
    let done = fleet.wait_finished(&ids).await.unwrap();
    assert_eq!(done[0]["result"]["version"], "0.1.0", "{}", done[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_plugin_serves_new_tasks_while_running_ones_finish_on_their_version() {
    let (fleet, plugins) = fleet_with_plugin_dir().await;
    install(&plugins, V1);
    wait_version(&fleet, "0.1.0").await;
    let running = fleet.create(&wait_task(&fleet, 3000)).await.unwrap();
    fleet.wait_status(running[0], 1).await.unwrap();
    install(&plugins, V2);
    wait_version(&fleet, "0.2.0").await;
    let later = fleet.create(&wait_task(&fleet, 0)).await.unwrap();
    let first = fleet.wait_finished(&running).await.unwrap();
    let second = fleet.wait_finished(&later).await.unwrap();
    assert_eq!(first[0]["result"]["version"], "0.1.0", "{}", first[0]);
    assert_eq!(second[0]["result"]["version"], "0.2.0", "{}", second[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_plugin_file_is_reported_and_the_old_version_stays() {
    let (fleet, plugins) = fleet_with_plugin_dir().await;
    install(&plugins, V1);
    wait_version(&fleet, "0.1.0").await;
    let mut events = fleet.http.get(fleet.url("/events")).send().await.unwrap();
    std::fs::write(plugins.path().join("misbehave.wasm"), b"\0asm garbage").unwrap();
    let mut seen = String::new();
    while !seen.contains("script_rejected") {
        let chunk = tokio::time::timeout(phonefleet_e2e::WAIT, events.chunk())
            .await
            .expect("an event in time")
            .expect("the event stream reads")
            .expect("the event stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.contains("misbehave.wasm"),
        "the event names the file: {seen}"
    );
    assert_eq!(
        fleet.get("/script/misbehave").await.unwrap()["data"]["version"],
        "0.1.0"
    );
    let ids = fleet.create(&wait_task(&fleet, 0)).await.unwrap();
    assert_eq!(
        fleet.wait_finished(&ids).await.unwrap()[0]["status"],
        2,
        "the old version still runs tasks"
    );
}
