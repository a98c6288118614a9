//! A script written in Python: plugins/python-hello built with componentize-py against wit/script.wit,
//! loaded from the host's plugin dir, validated by its own schema, and run on a virtual phone over REST.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::PhoneConfig;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Builds plugins/python-hello into `out` with componentize-py (`pip install componentize-py`).
fn componentize(out: &Path) {
    let app = Path::new(REPO).join("plugins/python-hello");
    let built = Command::new("componentize-py")
        .args([
            "-d",
            "../../wit",
            "-w",
            "script",
            "componentize",
            "app",
            "-o",
        ])
        .arg(out)
        .current_dir(&app)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("componentize-py runs (install it with `pip install componentize-py`): {e}")
        });
    assert!(
        built.status.success(),
        "componentize-py failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_python_script_follows_a_user_on_a_virtual_phone() -> anyhow::Result<()> {
    let plugins = tempfile::tempdir()?;
    let clock = Instant::now();
    componentize(&plugins.path().join("python-hello.wasm"));
    let built = clock.elapsed();
    let size = std::fs::metadata(plugins.path().join("python-hello.wasm"))?.len();

    let clock = Instant::now();
    let phone = PhoneConfig {
        model: "Pixel 7".into(),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start_with(vec![phone], |c| {
        c.plugin_dir = Some(plugins.path().to_path_buf())
    })
    .await?;
    let loaded = clock.elapsed();

    // The script's own schema guards its config.
    let serial = fleet.serials()[0].clone();
    let refused = fleet
        .post("/task", &json!({"serials": [serial], "script_name": "python-hello", "script_config": {"user": "no one"}}))
        .await?;
    assert_eq!(refused["code"], 40001, "{refused}");
    assert_eq!(
        refused["data"]["errors"][0]["path"], "/script_config/user",
        "{refused}"
    );

    let clock = Instant::now();
    let ids = fleet
        .create(&json!({"serials": [serial], "script_name": "python-hello", "script_config": {"user": "@NASA"}}))
        .await?;
    let task = fleet.wait_finished(&ids).await?.remove(0);
    let ran = clock.elapsed();
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(
        task["result"],
        json!({"model": "Pixel 7", "user": "@nasa", "outcome": "followed"})
    );

    let state = fleet.phones[0].state();
    let account = state["current_account"].as_str().unwrap_or_default();
    assert_eq!(state["following"][account], json!(["nasa"]), "{state}");
    assert_eq!(state["screen_user"], "nasa", "{state}");
    eprintln!(
        "python-hello: componentize-py {built:?} ({} MB), host start with the plugin {loaded:?}, task {ran:?}",
        size / 1_000_000
    );
    Ok(())
}
