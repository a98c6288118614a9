//! The README's quick start, followed word for word: the three shell blocks marked
//! `<!-- quickstart:... -->` run as written (default ports), and the phone ends up following @nasa.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use phonefleet_e2e::doc::{self, Terminal};
use serde_json::Value;

const README: &str = include_str!("../../../README.md");
/// Generous: on a fresh clone `cargo run` may still be compiling.
const WAIT: Duration = Duration::from_secs(900);

fn block(name: &str) -> String {
    doc::block(README, &format!("quickstart:{name}"))
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run(script: &str) -> String {
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(repo())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes the `./data` the quick start's server creates in the checkout (it runs there, word for
/// word), when it was not there before — even when the test fails.
struct DataDirRemover(Option<std::path::PathBuf>);

impl DataDirRemover {
    fn new() -> DataDirRemover {
        let data = repo().join("data");
        DataDirRemover((!data.exists()).then_some(data))
    }
}

impl Drop for DataDirRemover {
    fn drop(&mut self) {
        if let Some(data) = &self.0 {
            // Best effort: a leftover is ignored by git (.gitignore) and reused by the next run.
            let _ = std::fs::remove_dir_all(data);
        }
    }
}

/// Kills the default-port adb server the quick start started, even when the test fails.
struct AdbKiller;

impl Drop for AdbKiller {
    fn drop(&mut self) {
        let _ = Command::new("adb").arg("kill-server").output();
    }
}

#[test]
fn the_readme_quick_start_follows_nasa_from_two_virtual_phones() {
    let logs = tempfile::tempdir().expect("logs");
    let _data = DataDirRemover::new();
    let _adb = AdbKiller;
    let mut phones = Terminal::open(
        &block("phones"),
        repo(),
        &[],
        &[],
        logs.path().join("phones.log"),
    );
    phones.wait_for_text(" connected", 2, WAIT);
    let mut server = Terminal::open(
        &block("server"),
        repo(),
        &[],
        &[],
        logs.path().join("server.log"),
    );
    server.wait_for_text("phonefleet listening", 1, WAIT);
    // The server sees the phones through adb's device tracking, a moment after it starts.
    let deadline = Instant::now() + WAIT;
    let reply: Value = loop {
        let reply: Value =
            serde_json::from_str(&run(&block("client"))).expect("the curl prints JSON");
        if reply["code"] == 0 || Instant::now() > deadline {
            break reply;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(reply["data"]["created_count"], 2, "{reply}");
    let deadline = Instant::now() + WAIT;
    loop {
        let stats: Value =
            serde_json::from_str(&run("curl -s http://127.0.0.1:50809/api/v1/task/stats"))
                .expect("JSON");
        if stats["data"]["pending"] == 0 && stats["data"]["running"] == 0 {
            assert_eq!(stats["data"]["failed"], 0, "{stats}\n{}", server.output());
            break;
        }
        assert!(Instant::now() < deadline, "tasks did not finish: {stats}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let state: Value =
        serde_json::from_str(&run("adb -s 127.0.0.1:25555 shell dumpsys vphone")).expect("JSON");
    let account = state["current_account"].as_str().unwrap_or_default();
    assert!(
        state["following"][account]
            .as_array()
            .is_some_and(|f| f.iter().any(|u| u == "nasa")),
        "{state}"
    );
}
