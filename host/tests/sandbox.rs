//! The runtime's promises about a run: it cannot outlive its cancel or its deadline, wherever it
//! is (guest busy loop, host sleep), and what the guest writes to stderr reaches the task log.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;
use phonefleet::runtime::bindings::TaskInfo;
use phonefleet::runtime::{
    Cancel, Grants, LibraryFile, Limits, MaterialStore, Plugin, RunError, RunEvent, RunRequest,
    Runtime,
};
use phonefleet_device::adb::AdbServer;
use serde_json::json;
use tokio::sync::mpsc;

const MISBEHAVE: &[u8] = include_bytes!(concat!(
    env!("OUT_DIR"),
    "/plugins/phonefleet_test_misbehave.wasm"
));

async fn misbehave(cache: &std::path::Path) -> (Arc<Runtime>, Arc<Plugin>) {
    let runtime = Arc::new(Runtime::new(cache.to_path_buf()).expect("engine"));
    let plugin = runtime
        .load(MISBEHAVE, "misbehave test plugin")
        .await
        .expect("loads");
    (runtime, Arc::new(plugin))
}

/// These plugins never ask for materials; any request is a test failure.
struct NoMaterials;

impl MaterialStore for NoMaterials {
    fn used(&self, _: Vec<String>) -> BoxFuture<'static, Result<Vec<String>, String>> {
        async { Err("no materials in sandbox tests".to_string()) }.boxed()
    }
    fn library(
        &self,
        _: Vec<String>,
        _: &'static str,
        _: u32,
    ) -> BoxFuture<'static, Result<Vec<LibraryFile>, String>> {
        async { Err("no materials in sandbox tests".to_string()) }.boxed()
    }
    fn mark_used(&self, _: Vec<String>, _: i64) -> BoxFuture<'static, Result<(), String>> {
        async { Err("no materials in sandbox tests".to_string()) }.boxed()
    }
}

fn request(
    mode: &str,
    limits: Limits,
    cancel: Cancel,
) -> (RunRequest, mpsc::UnboundedReceiver<RunEvent>) {
    let (events, rx) = mpsc::unbounded_channel();
    // The plugin never touches its phone, so no adb server needs to answer here.
    let device = AdbServer::new(SocketAddr::from(([127, 0, 0, 1], 9))).device("unused");
    let task = TaskInfo {
        id: 1,
        serial: "unused".into(),
        username: None,
        package: "pkg".into(),
    };
    let run = RunRequest {
        task,
        config: json!({ "mode": mode }),
        device,
        grants: Grants::default(),
        materials: Arc::new(NoMaterials),
        limits,
        cancel,
        events,
    };
    (run, rx)
}

/// Starts a run, cancels it once it is under way, and returns how long the cancel took.
async fn cancel_latency(mode: &str) -> (Result<serde_json::Value, RunError>, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let cancel = Cancel::new();
    let (run, mut events) = request(mode, Limits::default(), cancel.clone());
    let running = tokio::spawn(async move { plugin.run(run).await });
    // The plugin's first log line proves it is inside `run`.
    let first = tokio::time::timeout(Duration::from_secs(30), events.recv()).await;
    assert!(
        matches!(first, Ok(Some(RunEvent::Log { .. }))),
        "plugin never started: {first:?}"
    );
    let cancelled_at = Instant::now();
    cancel.cancel("stopped by user");
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("run ended")
        .expect("joined");
    (result, cancelled_at.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_busy_loop_is_interrupted_within_one_second_of_cancel() {
    let (result, took) = cancel_latency("spin").await;
    assert_eq!(result, Err(RunError::Cancelled("stopped by user".into())));
    assert!(took < Duration::from_secs(1), "cancel took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_host_sleep_is_interrupted_within_one_second_of_cancel() {
    let (result, took) = cancel_latency("sleep").await;
    assert_eq!(result, Err(RunError::Cancelled("stopped by user".into())));
    assert!(took < Duration::from_secs(1), "cancel took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_timeout_is_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let limits = Limits {
        timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (run, _events) = request("spin", limits, Cancel::new());
    let result = tokio::time::timeout(Duration::from_secs(10), plugin.run(run))
        .await
        .expect("run ended");
    assert_eq!(result, Err(RunError::TimedOut(Duration::from_millis(300))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_panic_fails_the_run_and_its_message_reaches_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let (run, mut events) = request("panic", Limits::default(), Cancel::new());
    let result = plugin.run(run).await;
    let Err(RunError::Trap(detail)) = result else {
        panic!("expected a trap, got {result:?}")
    };
    assert!(detail.contains("misbehave was told to panic"), "{detail}");
    assert!(
        detail.contains("wasm backtrace") && detail.contains("panic_fmt"),
        "a backtrace with function names: {detail}"
    );
    let mut logged = Vec::new();
    while let Ok(RunEvent::Log { message, .. }) = events.try_recv() {
        logged.push(message);
    }
    assert!(
        logged
            .iter()
            .any(|l| l.contains("misbehave was told to panic")),
        "{logged:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_outgrows_its_memory_limit_fails_saying_out_of_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let limits = Limits {
        memory_bytes: 16 << 20,
        ..Limits::default()
    };
    let (run, _events) = request("hog", limits, Cancel::new());
    let result = tokio::time::timeout(Duration::from_secs(30), plugin.run(run))
        .await
        .expect("run ended");
    assert_eq!(result, Err(RunError::OutOfMemory { limit_mib: 16 }));
    let message = result.unwrap_err().to_string();
    assert!(
        message.starts_with("out of memory") && message.contains("16 MiB"),
        "{message}"
    );
}

#[test]
fn a_timeout_says_so_in_words() {
    let message = RunError::TimedOut(Duration::from_secs(1800)).to_string();
    assert!(message.starts_with("timed out after 30 min"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_runtime_loads_the_plugin_from_the_compile_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(misbehave(dir.path()).await);
    let cached: Vec<_> = std::fs::read_dir(dir.path())
        .expect("cache dir")
        .flatten()
        .collect();
    assert_eq!(cached.len(), 1, "one compiled artifact");
    let written = cached[0]
        .metadata()
        .and_then(|m| m.modified())
        .expect("mtime");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    assert_eq!(plugin.name(), "misbehave");
    let again = cached[0]
        .metadata()
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(
        written, again,
        "the cached artifact was reused, not rewritten"
    );
}

const LEGACY: &[u8] = include_bytes!(concat!(
    env!("OUT_DIR"),
    "/plugins/phonefleet_test_legacy.wasm"
));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_an_older_world_still_loads_and_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(dir.path().to_path_buf()).expect("engine");
    let plugin = Arc::new(
        runtime
            .load(LEGACY, "legacy test plugin")
            .await
            .expect("an old plugin loads"),
    );
    assert_eq!(
        plugin.meta().world.as_deref(),
        Some("phonefleet:script@0.1.0")
    );
    let (mut run, _events) = request("wait", Limits::default(), Cancel::new());
    run.config = json!({});
    // No phone answers in this test: the old device import is linked and reports that.
    assert_eq!(
        plugin.run(run).await,
        Ok(json!({"ran": true, "device": "error"}))
    );
}
