//! The README's quick start, followed word for word: the three shell blocks marked
//! `<!-- quickstart:... -->` run as written (default ports), and the phone ends up following @nasa.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const README: &str = include_str!("../../../README.md");
/// Generous: on a fresh clone `cargo run` may still be compiling.
const WAIT: Duration = Duration::from_secs(900);

/// The fenced bash block right after `<!-- quickstart:NAME -->`.
fn block(name: &str) -> String {
    let marker = format!("<!-- quickstart:{name} -->");
    let after = README
        .split_once(&marker)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("README lacks {marker}"));
    let body = after
        .split_once("```bash\n")
        .and_then(|(_, b)| b.split_once("```"))
        .map(|(b, _)| b);
    body.unwrap_or_else(|| panic!("no bash block after {marker}"))
        .to_string()
}

/// A shell running one block in its own process group, killed (group and all) on drop.
struct Terminal {
    child: Child,
    log: std::path::PathBuf,
}

impl Terminal {
    fn open(script: &str, log: std::path::PathBuf) -> Terminal {
        let out = std::fs::File::create(&log).expect("log");
        let err = out.try_clone().expect("log");
        let child = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .expect("bash runs");
        Terminal { child, log }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_for_text(&mut self, text: &str, times: usize) {
        let deadline = Instant::now() + WAIT;
        while self.output().matches(text).count() < times {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "exited ({status}) before printing {text:?}:\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {WAIT:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let group = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{group}")])
            .status();
        let _ = self.child.wait();
    }
}

fn run(script: &str) -> String {
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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
    let _adb = AdbKiller;
    let mut phones = Terminal::open(&block("phones"), logs.path().join("phones.log"));
    phones.wait_for_text(" connected", 2);
    let mut server = Terminal::open(&block("server"), logs.path().join("server.log"));
    server.wait_for_text("phonefleet listening", 1);
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
