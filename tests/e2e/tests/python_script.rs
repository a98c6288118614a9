//! A script written in Python with `phonefleet_sdk`: the guide's "Python" section followed word
//! for word (copy the example and the SDK, build with componentize-py, `script try` it on a phone),
//! then the same component loaded from the host's plugin dir, validated by its own schema, and run
//! on a virtual phone over REST.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use phonefleet_e2e::doc::{self, Terminal};
use phonefleet_e2e::{AdbServer, Fleet};
use serde_json::json;
use tokio::time::timeout;
use vphone::{PhoneConfig, VPhone};

const GUIDE: &str = include_str!("../../../docs/writing-a-script.md");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// How long a step may take: building the component, `cargo run` of the host, or starting the
/// host (which compiles the component).
const SLOW_STEP: Duration = Duration::from_secs(300);

/// Runs the guide's block `guide:NAME` in `dir` to its end with the guide's variables; its output.
async fn run_block(
    name: &str,
    dir: &Path,
    vars: Vec<(&'static str, String)>,
    logs: &Path,
) -> String {
    let script = doc::block(GUIDE, &format!("guide:{name}"));
    let (dir, log) = (dir.to_path_buf(), logs.join(format!("{name}.log")));
    tokio::task::spawn_blocking(move || {
        Terminal::open(&script, &dir, &vars, &[], log).finish(SLOW_STEP)
    })
    .await
    .expect("the block's terminal")
}

fn repo() -> PathBuf {
    std::fs::canonicalize(REPO).expect("the repository")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_guide_builds_a_script_that_follows_a_user() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let logs = tempfile::tempdir()?;
    let adb = AdbServer::start().await;
    let phone = VPhone::start(PhoneConfig {
        model: "Pixel 7".into(),
        ..PhoneConfig::default()
    })
    .await?;
    adb.connect(&phone).await;
    let vars = vec![
        ("PHONEFLEET", repo().display().to_string()),
        ("ADB_PORT", adb.addr().port().to_string()),
        (
            "PHONE_PORT",
            phone
                .serial()
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_string(),
        ),
    ];

    run_block("py-copy", work.path(), vars.clone(), logs.path()).await;
    let hello = work.path().join("hello");
    let clock = Instant::now();
    run_block("py-build", &hello, vars.clone(), logs.path()).await;
    let built = clock.elapsed();
    let tried = run_block("py-try", &hello, vars, logs.path()).await;
    assert!(
        tried.contains(r#"result: {"model":"Pixel 7","outcome":"followed","user":"@nasa"}"#),
        "{tried}"
    );
    assert!(
        tried.contains("info phone 127.0.0.1:"),
        "its log is printed: {tried}"
    );
    let state = adb.phone_state(&phone.serial()).await;
    assert_eq!(phonefleet_e2e::following(&state), ["nasa"], "{state}");

    // The same component as a plugin of the server, run as a task.
    let plugins = tempfile::tempdir()?;
    std::fs::copy(
        hello.join("python-hello.wasm"),
        plugins.path().join("python-hello.wasm"),
    )?;
    let size = std::fs::metadata(plugins.path().join("python-hello.wasm"))?.len();
    let clock = Instant::now();
    let dir = plugins.path().to_path_buf();
    let fleet = timeout(
        SLOW_STEP,
        Fleet::start_with(
            vec![PhoneConfig {
                model: "Pixel 7".into(),
                ..PhoneConfig::default()
            }],
            |c| c.plugin_dir = Some(dir),
        ),
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
    eprintln!(
        "python-hello: componentize-py {built:?} ({} MB), host start with the plugin {loaded:?}, task {ran:?}",
        size / 1_000_000
    );
    Ok(())
}
