//! docs/writing-a-script.md followed word for word: its marked blocks run in a temp dir on free ports,
//! and the `visit` script they create follows @nasa on a virtual phone through the REST API.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use phonefleet_e2e::doc::{self, Terminal};
use serde_json::{Value, json};

const GUIDE: &str = include_str!("../../../docs/writing-a-script.md");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Bound of each step: a cold build of the script's dependencies is the slowest.
const STEP: Duration = Duration::from_secs(600);
/// Bound of waiting for the task (and the server to see the phone).
const TASK: Duration = Duration::from_secs(120);

/// The fenced block right after `<!-- guide:NAME -->`.
fn block(name: &str) -> String {
    doc::block(GUIDE, &format!("guide:{name}"))
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

/// Opens a terminal in `dir` with the guide's variables. `own_target`: the block builds the reader's
/// crate, whose `.wasm` the guide expects under its own `target/`, so an inherited CARGO_TARGET_DIR is
/// dropped there; other blocks keep it, so `cargo run` reuses this test run's build of phonefleet.
fn open(script: &str, dir: &Path, vars: &Vars, own_target: bool, log: PathBuf) -> Terminal {
    let unset: &[&str] = if own_target {
        &["CARGO_TARGET_DIR"]
    } else {
        &[]
    };
    Terminal::open(script, dir, &vars.pairs(), unset, log)
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

/// One reader following the guide: the variables they set, their work dir and the terminals' logs.
struct Reader {
    vars: Vars,
    work: tempfile::TempDir,
    logs: tempfile::TempDir,
}

impl Reader {
    /// The crate the guide makes (`cd visit` in its `copy` block).
    fn visit(&self) -> PathBuf {
        self.work.path().join("visit")
    }

    /// Opens a terminal in `visit/` for a block that runs until stopped.
    fn open(&self, name: &str) -> Terminal {
        open(
            &block(name),
            &self.visit(),
            &self.vars,
            false,
            self.log(name),
        )
    }

    /// Runs a block that builds the reader's crate (in `dir`) to its end.
    fn build(&self, name: &str, dir: &Path) {
        open(&block(name), dir, &self.vars, true, self.log(name)).finish(STEP);
    }

    /// Runs a block in `visit/` to its end and returns its output.
    fn run(&self, name: &str) -> String {
        open(
            &block(name),
            &self.visit(),
            &self.vars,
            false,
            self.log(name),
        )
        .finish(STEP)
    }

    /// Runs a block printing JSON, again and again until `done` holds of its output or `TASK` passes.
    fn poll_json(&self, name: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TASK;
        loop {
            let output = self.run(name);
            let value: Value = serde_json::from_str(&output)
                .unwrap_or_else(|e| panic!("block {name} prints JSON ({e}): {output}"));
            if done(&value) || Instant::now() > deadline {
                return value;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log(&self, name: &str) -> PathBuf {
        self.logs
            .path()
            .join(format!("{}.log", name.replace(['/', ' '], "_")))
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
    let reader = Reader {
        vars,
        work: tempfile::tempdir().expect("work dir"),
        logs: tempfile::tempdir().expect("log dir"),
    };
    let visit = reader.visit();

    reader.build("copy", reader.work.path());
    assert!(
        visit
            .join("target/wasm32-wasip2/release/visit.wasm")
            .is_file(),
        "the template builds as copied"
    );
    std::fs::write(visit.join("src/lib.rs"), block("file src/lib.rs")).expect("write src/lib.rs");
    reader.build("build", &visit);
    assert!(visit.join("plugins/visit.wasm").is_file());
    let check = reader.run("check");
    assert!(
        check.contains("world:       phonefleet:script@0.1.0")
            && check.contains("name:        visit"),
        "script check describes the new script: {check}"
    );
    eprintln!("script built in {:?}", started.elapsed());

    let _adb = AdbServer(reader.vars.adb_port);
    let mut phones = reader.open("phones");
    phones.wait_for_text(" connected", 1, STEP);
    let mut server = reader.open("server");
    server.wait_for_text("phonefleet listening", 1, STEP);
    assert!(
        server.output().contains("loaded script visit 0.1.0"),
        "{}",
        server.output()
    );

    let script = reader.poll_json("script", |_| true);
    assert_eq!(script["data"]["name"], "visit", "{script}");

    // The server sees the phone through adb's device tracking, a moment after it starts.
    let created = reader.poll_json("task", |reply| reply["code"] == 0);
    assert_eq!(created["data"]["task_ids"], json!([1]), "{created}");
    let task = reader.poll_json("result", |task| {
        task["data"]["status"] == 2 || task["data"]["status"] == 3
    });
    assert_eq!(task["data"]["status"], 2, "{task}\n{}", server.output());
    assert_eq!(
        task["data"]["result"],
        json!({"user": "@nasa", "followed": true})
    );

    let task_log = reader.run("logs");
    assert!(
        task_log.contains("on @nasa's profile"),
        "the script's info! line is in the log: {task_log}"
    );

    let phone = reader.poll_json("phone", |_| true);
    assert_eq!(
        (&phone["screen"], &phone["screen_user"]),
        (&json!("profile"), &json!("nasa")),
        "{phone}"
    );
    let account = phone["current_account"].as_str().unwrap_or_default();
    assert_eq!(phone["following"][account], json!(["nasa"]), "{phone}");

    let invalid = reader.poll_json("invalid", |_| true);
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
    eprintln!("guide followed in {:?}", started.elapsed());
}
