//! A failed task says why in one word clients can branch on (`error_kind`), and its `error` puts
//! the cause on the first line: a panic's message, "stack overflow", the time limit, a stop.

use phonefleet::config::ScriptLimit;
use phonefleet_e2e::Fleet;
use phonefleet_test_artifacts::MISBEHAVE;
use serde_json::{Value, json};
use vphone::PhoneConfig;

struct Setup {
    fleet: Fleet,
    _plugins: tempfile::TempDir,
}

/// A fleet of one phone serving the misbehave plugin, whose runs may take at most 2 s.
async fn setup() -> Setup {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(MISBEHAVE, plugins.path().join("misbehave.wasm")).unwrap();
    let dir = plugins.path().to_path_buf();
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| {
        c.plugin_dir = Some(dir);
        c.script_limits = vec![ScriptLimit {
            script: "misbehave".into(),
            timeout_secs: Some(2),
            memory_mib: None,
        }];
    })
    .await
    .unwrap();
    Setup {
        fleet,
        _plugins: plugins,
    }
}

async fn create(s: &Setup, config: Value) -> i64 {
    let body =
        json!({"serials": s.fleet.serials(), "script_name": "misbehave", "script_config": config});
    s.fleet.create(&body).await.unwrap()[0]
}

async fn run(s: &Setup, config: Value) -> Value {
    let id = create(s, config).await;
    s.fleet.wait_finished(&[id]).await.unwrap().remove(0)
}

/// The first line of the task's error.
fn first_line(task: &Value) -> &str {
    task["error"]
        .as_str()
        .and_then(|e| e.lines().next())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_a_crash_whose_first_line_is_the_panic_message() {
    let s = setup().await;
    let task = run(&s, json!({"mode": "panic"})).await;
    assert_eq!(task["error_kind"], "crash", "{task}");
    let first = first_line(&task);
    assert!(
        first.contains("panicked at") && first.ends_with("misbehave was told to panic"),
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_overflow_is_a_crash_whose_first_line_says_so() {
    let s = setup().await;
    let task = run(&s, json!({"mode": "recurse"})).await;
    assert_eq!(task["error_kind"], "crash", "{task}");
    assert!(
        first_line(&task).starts_with("plugin crashed: stack overflow"),
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_time_limit_is_a_timeout() {
    let s = setup().await;
    let task = run(&s, json!({"mode": "spin"})).await;
    assert_eq!(task["error_kind"], "timeout", "{task}");
    assert!(first_line(&task).starts_with("timed out after"), "{task}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_that_gives_up_is_a_script_failure() {
    let s = setup().await;
    let task = run(&s, json!({"mode": "huge-error", "bytes": 10})).await;
    assert_eq!(task["error_kind"], "script", "{task}");
    assert_eq!(task["error"], "eeeeeeeeee", "{task}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_task_is_stopped_running_or_pending() {
    let s = setup().await;
    let running = create(&s, json!({"mode": "wait", "ms": 60_000})).await;
    let pending = create(&s, json!({"mode": "wait", "ms": 0})).await;
    s.fleet.wait_status(running, 1).await.unwrap();
    for id in [pending, running] {
        let reply = s
            .fleet
            .post(&format!("/task/{id}/stop"), &json!({}))
            .await
            .unwrap();
        assert_eq!(reply["code"], 0, "{reply}");
    }
    for task in s.fleet.wait_finished(&[running, pending]).await.unwrap() {
        assert_eq!(task["error_kind"], "stopped", "{task}");
        assert_eq!(task["error"], "stopped by user", "{task}");
    }
}
