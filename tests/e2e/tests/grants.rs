//! A plugin may push only the host files its task's config grants (`x-host-path` fields):
//! `/etc/passwd`, a `..` escape and a symlink out of the granted directory are all denied,
//! and the task fails saying so.

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::PhoneConfig;

use phonefleet_test_artifacts::MISBEHAVE;

struct Setup {
    fleet: Fleet,
    media: tempfile::TempDir,
    _plugins: tempfile::TempDir,
}

async fn setup() -> Setup {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(MISBEHAVE, plugins.path().join("misbehave.wasm")).unwrap();
    let dir = plugins.path().to_path_buf();
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| c.plugin_dir = Some(dir))
        .await
        .unwrap();
    let media = tempfile::tempdir().unwrap();
    std::fs::write(media.path().join("clip.mp4"), b"granted bytes").unwrap();
    Setup {
        fleet,
        media,
        _plugins: plugins,
    }
}

async fn push(s: &Setup, path: &str) -> serde_json::Value {
    let ids = s
        .fleet
        .create(
            &json!({"serials": s.fleet.serials(), "script_name": "misbehave",
                         "script_config": {"mode": "push", "media": s.media.path(), "path": path}}),
        )
        .await
        .unwrap();
    s.fleet.wait_finished(&ids).await.unwrap().remove(0)
}

/// The task failed, saying the path was not granted.
fn assert_denied(task: &serde_json::Value) {
    assert_eq!(task["status"], 3, "{task}");
    let error = task["error"].as_str().unwrap_or_default();
    assert!(error.contains("not granted"), "{task}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_inside_the_granted_directory_is_pushed() {
    let s = setup().await;
    let task = push(&s, &s.media.path().join("clip.mp4").display().to_string()).await;
    assert_eq!(task["status"], 2, "{task}");
    let (bytes, _, _) = s
        .fleet
        .adb
        .shell(&s.fleet.serials()[0], "cat /sdcard/Download/pushed")
        .await;
    assert_eq!(bytes, "granted bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushing_etc_passwd_is_denied_and_the_task_says_so() {
    let s = setup().await;
    let task = push(&s, "/etc/passwd").await;
    assert_denied(&task);
    let (_, _, code) = s
        .fleet
        .adb
        .shell(&s.fleet.serials()[0], "cat /sdcard/Download/pushed")
        .await;
    assert_ne!(code, 0, "nothing reached the phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dot_dot_escape_from_the_granted_directory_is_denied() {
    let s = setup().await;
    let outside = s.media.path().parent().unwrap().join("outside.mp4");
    std::fs::write(&outside, b"secret").unwrap();
    let escape = format!(
        "{}/../{}",
        s.media.path().display(),
        outside.file_name().unwrap().to_string_lossy()
    );
    let task = push(&s, &escape).await;
    std::fs::remove_file(&outside).unwrap();
    assert_denied(&task);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_out_of_the_granted_directory_is_denied() {
    let s = setup().await;
    std::os::unix::fs::symlink("/etc/hostname", s.media.path().join("link.mp4")).unwrap();
    let task = push(&s, &s.media.path().join("link.mp4").display().to_string()).await;
    assert_denied(&task);
    let logs = s
        .fleet
        .get(&format!("/task/{}/logs", task["id"]))
        .await
        .unwrap();
    assert!(
        logs.to_string().contains("denied push"),
        "the attempt is logged: {logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_naming_a_missing_host_directory_is_refused_naming_it() {
    let s = setup().await;
    let reply = s
        .fleet
        .post("/task", &json!({"serials": s.fleet.serials(), "script_name": "misbehave",
                                "script_config": {"mode": "push", "media": "/no/such/media", "path": "x"}}))
        .await
        .unwrap();
    assert_eq!(reply["code"], 40001);
    assert_eq!(
        reply["data"]["errors"][0]["path"], "/script_config/media",
        "{reply}"
    );
    assert!(reply.to_string().contains("/no/such/media"), "{reply}");
}
