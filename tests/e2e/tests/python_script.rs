//! A script written in Python: plugins/python-hello built with componentize-py against wit/script.wit,
//! loaded from the host's plugin dir, validated by its own schema, and run on a virtual phone over REST.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::process::Command;
use tokio::time::timeout;

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::PhoneConfig;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// How long building the component, or starting the host (which compiles it), may take.
const SLOW_STEP: Duration = Duration::from_secs(300);

/// Builds plugins/python-hello into `dir`/python-hello.wasm with componentize-py (`pip install
/// componentize-py`), from a copy of app.py so the build's `__pycache__` stays out of the source tree.
async fn componentize(dir: &Path) -> anyhow::Result<()> {
    let repo = Path::new(REPO);
    std::fs::copy(repo.join("plugins/python-hello/app.py"), dir.join("app.py"))?;
    let build = Command::new("componentize-py")
        .arg("-d")
        .arg(repo.join("wit"))
        .args([
            "-w",
            "script",
            "componentize",
            "app",
            "-o",
            "python-hello.wasm",
        ])
        .current_dir(dir)
        .kill_on_drop(true)
        .output();
    let built = timeout(SLOW_STEP, build)
        .await
        .context("componentize-py did not finish in time")?
        .context("componentize-py runs (install it with `pip install componentize-py`)")?;
    anyhow::ensure!(
        built.status.success(),
        "componentize-py failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::remove_file(dir.join("app.py"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_python_script_follows_a_user_on_a_virtual_phone() -> anyhow::Result<()> {
    let plugins = tempfile::tempdir()?;
    let clock = Instant::now();
    componentize(plugins.path()).await?;
    let built = clock.elapsed();
    let size = std::fs::metadata(plugins.path().join("python-hello.wasm"))?.len();

    let clock = Instant::now();
    let phone = PhoneConfig {
        model: "Pixel 7".into(),
        ..PhoneConfig::default()
    };
    let dir = plugins.path().to_path_buf();
    let fleet = timeout(
        SLOW_STEP,
        Fleet::start_with(vec![phone], |c| c.plugin_dir = Some(dir)),
    )
    .await
    .context("the host did not start with the plugin in time")??;
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
