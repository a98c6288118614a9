//! The runtime's promises about a run: it cannot outlive its cancel or its deadline, wherever it is
//! (guest busy loop, host sleep); what the guest writes reaches the task log; and every hostile
//! pattern of the misbehave plugin is contained — floods, huge results and errors, recursion,
//! memory growth, and a tight loop of phone calls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use phonefleet_device::adb::{AdbServer, Device};
use phonefleet_runtime::report::{self, LOG_BACKLOG, MAX_MESSAGE_BYTES, Reports};
use phonefleet_runtime::{
    Cancel, Limits, NoMaterials, Permits, Plugin, RunError, RunRequest, Runtime, TaskInfo,
};
use phonefleet_test_artifacts as artifacts;
use serde_json::{Value, json};

async fn misbehave(cache: &std::path::Path) -> (Arc<Runtime>, Arc<Plugin>) {
    let runtime = Arc::new(Runtime::new(cache.to_path_buf()).expect("engine"));
    let plugin = runtime
        .load(
            &artifacts::bytes(artifacts::MISBEHAVE),
            "misbehave test plugin",
        )
        .await
        .expect("loads");
    (runtime, Arc::new(plugin))
}

/// A device no adb server answers for: the plugins of these tests never touch their phone,
/// except `hammer`, which gets a real one.
fn nowhere() -> Device {
    AdbServer::new(SocketAddr::from(([127, 0, 0, 1], 9))).device("unused")
}

fn request(config: Value, limits: Limits, cancel: Cancel, device: Device) -> (RunRequest, Reports) {
    let (reporter, reports) = report::channel();
    let task = TaskInfo {
        id: 1,
        serial: device.serial().to_string(),
        username: None,
        package: "pkg".into(),
    };
    let run = RunRequest {
        task,
        app: "tiktok".into(),
        attempt: 1,
        config,
        device,
        permits: Permits::default(),
        materials: Arc::new(NoMaterials),
        limits,
        cancel,
        reporter,
        offline_grace: Duration::ZERO,
    };
    (run, reports)
}

fn mode(mode: &str) -> Value {
    json!({ "mode": mode })
}

/// Runs `config` to its end with default limits; returns the outcome and what was reported.
async fn run(config: Value) -> (Result<Value, RunError>, Reports) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let (run, reports) = request(config, Limits::default(), Cancel::new(), nowhere());
    let result = tokio::time::timeout(Duration::from_secs(60), plugin.run(run))
        .await
        .expect("the run ended");
    (result, reports)
}

fn drain(reports: &mut Reports) -> Vec<String> {
    let mut lines = Vec::new();
    while let Ok(line) = reports.logs.try_recv() {
        lines.push(line.message);
    }
    lines
}

/// Starts a run, cancels it once it is under way, and returns how long the cancel took.
async fn cancel_latency(mode_name: &str) -> (Result<Value, RunError>, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let cancel = Cancel::new();
    let (run, mut reports) = request(
        mode(mode_name),
        Limits::default(),
        cancel.clone(),
        nowhere(),
    );
    let running = tokio::spawn(async move { plugin.run(run).await });
    // The plugin's first log line proves it is inside `run`.
    let first = tokio::time::timeout(Duration::from_secs(30), reports.logs.recv()).await;
    assert!(
        matches!(first, Ok(Some(_))),
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
    let (run, _reports) = request(mode("spin"), limits, Cancel::new(), nowhere());
    let result = tokio::time::timeout(Duration::from_secs(10), plugin.run(run))
        .await
        .expect("run ended");
    assert_eq!(result, Err(RunError::TimedOut(Duration::from_millis(300))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_panic_fails_the_run_and_its_message_reaches_the_log() {
    let (result, mut reports) = run(mode("panic")).await;
    let Err(RunError::Trap(detail)) = result else {
        panic!("expected a trap, got {result:?}")
    };
    let first = detail.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("panicked at") && first.ends_with("misbehave was told to panic"),
        "the cause comes first: {detail}"
    );
    assert!(
        detail.contains("in run"),
        "the script's own frames are named: {detail}"
    );
    let logged = drain(&mut reports);
    assert!(
        logged
            .iter()
            .any(|l| l.contains("wasm backtrace") && l.contains("panic_fmt")),
        "the whole backtrace, with function names, is in the log: {logged:?}"
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
    let (run, _reports) = request(mode("hog"), limits, Cancel::new(), nowhere());
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

/// Every file below `dir` with its modification time.
fn files_with_mtimes(dir: &std::path::Path) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                found.push((path, modified));
            }
        }
    }
    found.sort();
    found
}

/// The compiled artifacts in a cache directory (not wasmtime's usage statistics beside them).
fn compiled(dir: &std::path::Path) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    files_with_mtimes(dir)
        .into_iter()
        .filter(|(p, _)| p.extension().is_none() && p.parent().is_some_and(|d| d != dir))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_runtime_loads_the_plugin_from_the_compile_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(misbehave(dir.path()).await);
    let cached = compiled(dir.path());
    assert!(!cached.is_empty(), "the compiled plugin was cached");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    assert_eq!(plugin.name(), "misbehave");
    assert_eq!(
        compiled(dir.path()),
        cached,
        "the cached artifact was reused, not rewritten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_built_against_an_older_world_still_loads_and_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(dir.path().to_path_buf()).expect("engine");
    let plugin = Arc::new(
        runtime
            .load(&artifacts::bytes(artifacts::LEGACY), "legacy test plugin")
            .await
            .expect("an old plugin loads"),
    );
    assert_eq!(
        plugin.meta().world.as_deref(),
        Some("phonefleet:script@0.1.0")
    );
    let (run, _reports) = request(json!({}), Limits::default(), Cancel::new(), nowhere());
    // No phone answers in this test: the old device import is linked and reports that.
    assert_eq!(
        plugin.run(run).await,
        Ok(json!({"ran": true, "device": "error"}))
    );
}

// ---- Hostile patterns ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_flood_nobody_reads_holds_at_most_the_backlog_and_counts_the_rest() {
    let (result, mut reports) = run(json!({"mode": "log-flood", "ms": 1500})).await;
    let rounds = result.expect("the flood ends by itself")["rounds"]
        .as_u64()
        .expect("rounds");
    let held = drain(&mut reports).len();
    assert!(held <= LOG_BACKLOG, "{held} lines held");
    assert!(
        rounds > LOG_BACKLOG as u64,
        "the flood outran the backlog ({rounds} rounds)"
    );
    // The first line ("misbehave … running") and the held flood lines; the rest were counted.
    assert_eq!(held as u64 + reports.dropped(), rounds + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_log_line_is_cut_to_the_message_cap() {
    let (result, mut reports) = run(json!({"mode": "log-flood", "ms": 1, "bytes": 1 << 20})).await;
    assert!(result.is_ok(), "{result:?}");
    let lines = drain(&mut reports);
    let longest = lines.iter().map(String::len).max().unwrap_or(0);
    assert!(
        longest <= MAX_MESSAGE_BYTES + 64,
        "a line of {longest} bytes"
    );
    assert!(
        lines.iter().any(|l| l.ends_with("bytes cut)")),
        "the cut is said"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_progress_flood_leaves_only_the_latest_value() {
    let (result, reports) = run(json!({"mode": "progress-flood", "ms": 500, "bytes": 8})).await;
    let rounds = result.expect("ends")["rounds"].as_u64().expect("rounds");
    assert!(rounds > 100, "{rounds} rounds");
    let latest = reports.progress.borrow().clone().expect("a progress value");
    assert_eq!(u64::from(latest.percent), (rounds - 1) % 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stdout_flood_is_captured_up_to_its_cap_and_reported_within_the_backlog() {
    let (result, mut reports) = run(json!({"mode": "stdout-flood", "ms": 500, "bytes": 100})).await;
    assert!(
        result.is_ok(),
        "printing past the cap does not crash the script: {result:?}"
    );
    let lines = drain(&mut reports);
    assert!(lines.len() <= LOG_BACKLOG, "{} lines", lines.len());
    let bytes: usize = lines.iter().map(String::len).sum();
    assert!(bytes <= 256 << 10, "{bytes} bytes of stdout reported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_result_fails_the_run_saying_its_size() {
    let (result, _) = run(json!({"mode": "huge-result", "bytes": 8 << 20})).await;
    let Err(RunError::Failed(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("8192 KiB") && message.contains("at most 1024 KiB"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_error_is_cut_to_the_error_cap() {
    let (result, _) = run(json!({"mode": "huge-error", "bytes": 1 << 20})).await;
    let Err(RunError::Failed(message)) = result else {
        panic!("{result:?}")
    };
    assert!(message.len() < 4200, "{} bytes", message.len());
    assert!(message.ends_with("bytes cut)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_recursion_fails_the_run_with_stack_overflow_first() {
    let (result, _) = run(mode("recurse")).await;
    let Err(RunError::Trap(detail)) = result else {
        panic!("{result:?}")
    };
    assert!(detail.starts_with("stack overflow"), "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_grow_stops_at_the_memory_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let limits = Limits {
        memory_bytes: 16 << 20,
        ..Limits::default()
    };
    let (run, _reports) = request(mode("grow"), limits, Cancel::new(), nowhere());
    let result = plugin.run(run).await.expect("a refused grow is not a trap");
    let pages = result["pages"].as_u64().expect("pages");
    assert!(pages > 0, "some growth was allowed");
    // The guest started with some memory; what it grew by fits in the limit.
    assert!(pages * 65536 <= 16 << 20, "{pages} pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tight_loop_of_phone_calls_is_paced() {
    let adb = vphone::testing::AdbServer::start().await;
    let phone = vphone::VPhone::start(vphone::PhoneConfig::default())
        .await
        .expect("a phone");
    adb.connect(&phone).await;
    let device = phonefleet_device::adb::AdbServer::new(adb.addr()).device(&phone.serial());
    let before = phone.state()["commands"].as_u64().expect("a command count");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_runtime, plugin) = misbehave(dir.path()).await;
    let (run, _reports) = request(
        json!({"mode": "hammer", "ms": 2000}),
        Limits::default(),
        Cancel::new(),
        device,
    );
    let result = plugin.run(run).await.expect("the hammer ends");
    let (shells, dumps) = (
        result["shells"].as_u64().unwrap(),
        result["dumps"].as_u64().unwrap(),
    );
    // 2 s at 20 calls/s plus a burst of 20 (dumps: 4/s plus 4), and the last call may finish late.
    assert!(
        shells + dumps <= 2 * 20 + 20 + 2,
        "{shells} shells, {dumps} dumps"
    );
    assert!(dumps <= 2 * 4 + 4 + 1, "{dumps} dumps");
    let commands = phone.state()["commands"].as_u64().unwrap() - before;
    assert!(
        commands <= 2 * (shells + dumps) + 2,
        "the phone ran {commands} commands"
    );
    phone.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_growth_stops_at_the_table_limit_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(dir.path().to_path_buf()).expect("engine");
    let plugin = Arc::new(
        runtime
            .load(
                &artifacts::bytes(artifacts::TABLEGROW),
                "tablegrow test plugin",
            )
            .await
            .expect("the hand-written component loads"),
    );
    let (run, _reports) = request(json!({}), Limits::default(), Cancel::new(), nowhere());
    let result = tokio::time::timeout(Duration::from_secs(30), plugin.run(run))
        .await
        .expect("the run ended");
    let Err(RunError::Trap(detail)) = result else {
        panic!("{result:?}")
    };
    assert!(
        detail.starts_with("a table grew past its limit of 100000 elements"),
        "{detail}"
    );
}
