//! docs/writing-a-script.md followed word for word: its marked blocks run in a temp dir on free ports,
//! and the `visit` script they create follows @nasa on a virtual phone through the REST API.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const GUIDE: &str = include_str!("../../../docs/writing-a-script.md");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Bound of each step: a cold build of the script's dependencies is the slowest.
const STEP: Duration = Duration::from_secs(600);
/// Bound of waiting for the task (and the server to see the phone).
const TASK: Duration = Duration::from_secs(120);

/// The fenced block right after `<!-- guide:NAME -->`.
fn block(name: &str) -> String {
    let marker = format!("<!-- guide:{name} -->");
    let after = GUIDE
        .split_once(&marker)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("the guide lacks {marker}"));
    let body = after
        .split_once("```")
        .and_then(|(_, b)| b.split_once('\n'))
        .and_then(|(_, b)| b.split_once("```"));
    body.map(|(b, _)| b.to_string())
        .unwrap_or_else(|| panic!("no fenced block after {marker}"))
}

/// A free loopback port (released at once; nothing else here picks ports at random in that moment).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The guide's variables with this test's values. The guide's `env` block must set exactly these.
struct Vars {
    adb_port: u16,
    api_port: u16,
    phone_port: u16,
}

impl Vars {
    fn pairs(&self) -> [(&'static str, String); 4] {
        let repo = std::fs::canonicalize(REPO).expect("the repository");
        [
            ("PHONEFLEET", repo.display().to_string()),
            ("ADB_PORT", self.adb_port.to_string()),
            ("API_PORT", self.api_port.to_string()),
            ("PHONE_PORT", self.phone_port.to_string()),
        ]
    }
}

/// A terminal running one block in its own process group, killed (group and all) on drop.
struct Terminal {
    child: Child,
    log: PathBuf,
    script: String,
}

impl Terminal {
    /// Opens a terminal in `dir` with the guide's variables. `own_target`: the block builds the reader's
    /// crate, whose `.wasm` the guide expects under its own `target/`, so an inherited CARGO_TARGET_DIR is
    /// dropped there; other blocks keep it, so `cargo run` reuses this test run's build of phonefleet.
    fn open(script: &str, dir: &Path, vars: &Vars, own_target: bool, log: PathBuf) -> Terminal {
        let out = std::fs::File::create(&log).expect("log");
        let err = out.try_clone().expect("log");
        let mut command = Command::new("bash");
        command
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(dir)
            .envs(vars.pairs())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        if own_target {
            command.env_remove("CARGO_TARGET_DIR");
        }
        let child = command.spawn().expect("bash runs");
        Terminal {
            child,
            log,
            script: script.to_string(),
        }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the output contains `text`; fails if the block exits first or `STEP` passes.
    fn wait_for_text(&mut self, text: &str) {
        let deadline = Instant::now() + STEP;
        while !self.output().contains(text) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before printing {text:?}:\n{}",
                    self.script,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {STEP:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the block exits within `STEP`; its output, or a panic if it failed.
    fn finish(mut self) -> String {
        let deadline = Instant::now() + STEP;
        let status: ExitStatus = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{} still runs after {STEP:?}:\n{}",
                self.script,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(
            status.success(),
            "{} failed ({status}):\n{}",
            self.script,
            self.output()
        );
        self.output()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Stops the adb server the guide started on its port, even when the test fails (the guide says how).
struct AdbServer(u16);

impl Drop for AdbServer {
    fn drop(&mut self) {
        let _ = Command::new("adb")
            .args(["-P", &self.0.to_string(), "kill-server"])
            .output();
    }
}

#[test]
fn the_guide_makes_a_new_script_that_follows_nasa_on_a_virtual_phone() {
    let started = Instant::now();
    let vars = Vars {
        adb_port: free_port(),
        api_port: free_port(),
        phone_port: free_port(),
    };
    let env_block = block("env");
    let set: BTreeSet<&str> = env_block
        .split_whitespace()
        .filter_map(|w| w.split_once('=').map(|(name, _)| name))
        .collect();
    let ours: BTreeSet<&str> = vars.pairs().iter().map(|(name, _)| *name).collect();
    assert_eq!(
        set, ours,
        "the guide's variables are the ones this test sets"
    );

    let work = tempfile::tempdir().expect("work dir");
    let logs = tempfile::tempdir().expect("logs");
    let visit = work.path().join("visit");
    let step = |name: &str, dir: &Path, own_target: bool| {
        Terminal::open(
            &block(name),
            dir,
            &vars,
            own_target,
            logs.path().join(format!("{name}.log")),
        )
        .finish()
    };

    step("copy", work.path(), true);
    let template_built = visit.join("target/wasm32-wasip2/release/visit.wasm");
    assert!(
        template_built.is_file(),
        "the copied template builds into visit.wasm"
    );
    std::fs::write(visit.join("src/lib.rs"), block("file src/lib.rs")).expect("write src/lib.rs");
    step("build", &visit, true);
    assert!(visit.join("plugins/visit.wasm").is_file());
    eprintln!("script built in {:?}", started.elapsed());

    let _adb = AdbServer(vars.adb_port);
    let mut phones = Terminal::open(
        &block("phones"),
        &visit,
        &vars,
        false,
        logs.path().join("phones.log"),
    );
    phones.wait_for_text(" connected");
    let mut server = Terminal::open(
        &block("server"),
        &visit,
        &vars,
        false,
        logs.path().join("server.log"),
    );
    server.wait_for_text("phonefleet listening");
    assert!(
        server.output().contains("loaded script visit 0.1.0"),
        "{}",
        server.output()
    );

    let script: Value = serde_json::from_str(&step("script", &visit, false)).expect("JSON");
    assert_eq!(script["data"]["name"], "visit", "{script}");

    // The server sees the phone through adb's device tracking, a moment after it starts.
    let deadline = Instant::now() + TASK;
    let created: Value = loop {
        let reply: Value =
            serde_json::from_str(&step("task", &visit, false)).expect("the curl prints JSON");
        if reply["code"] == 0 || Instant::now() > deadline {
            break reply;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        created["data"]["task_ids"],
        serde_json::json!([1]),
        "{created}"
    );

    let task: Value = loop {
        let task: Value = serde_json::from_str(&step("result", &visit, false)).expect("JSON");
        if task["data"]["status"] == 2 || task["data"]["status"] == 3 {
            break task;
        }
        assert!(
            Instant::now() < deadline,
            "the task did not finish: {task}\n{}",
            server.output()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(task["data"]["status"], 2, "{task}\n{}", server.output());
    assert_eq!(
        task["data"]["result"],
        serde_json::json!({"user": "@nasa", "followed": true})
    );

    let phone: Value =
        serde_json::from_str(&step("phone", &visit, false)).expect("dumpsys vphone prints JSON");
    assert_eq!(
        (&phone["screen"], &phone["screen_user"]),
        (&"profile".into(), &"nasa".into()),
        "{phone}"
    );
    let account = phone["current_account"].as_str().unwrap_or_default();
    assert_eq!(
        phone["following"][account],
        serde_json::json!(["nasa"]),
        "{phone}"
    );

    let invalid: Value = serde_json::from_str(&step("invalid", &visit, false)).expect("JSON");
    assert_eq!(invalid["code"], 40001, "{invalid}");
    let paths: Vec<&str> = invalid["data"]["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["/script_config/stay_secs", "/script_config/user"],
        "{invalid}"
    );
    eprintln!("guide followed in {:?}\n{invalid}", started.elapsed());
}
