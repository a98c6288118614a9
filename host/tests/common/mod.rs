//! Test support for tests of the real `phonefleet` binary: start it as a child process on a free
//! port (killed on drop), and poll its API with a deadline.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::{Child, Command};
use vphone::testing::{AdbServer, free_port};

/// Longest any wait of these tests may take.
pub const WAIT: Duration = Duration::from_secs(120);

/// The `phonefleet serve` binary running as a child process.
pub struct Host {
    pub child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Host {
    /// Starts `phonefleet serve` with its data in `data_dir`, its working directory `cwd`, and its
    /// output in `data_dir/host-<round>.log`.
    pub fn serve(
        data_dir: &Path,
        cwd: &Path,
        adb: &AdbServer,
        port: Option<u16>,
        round: u32,
    ) -> Host {
        Host::serve_with(data_dir, cwd, adb, port, round, &[])
    }

    /// [`Host::serve`] with more `serve` options.
    pub fn serve_with(
        data_dir: &Path,
        cwd: &Path,
        adb: &AdbServer,
        port: Option<u16>,
        round: u32,
        options: &[&str],
    ) -> Host {
        let port = port.unwrap_or_else(free_port);
        let log =
            std::fs::File::create(data_dir.join(format!("host-{round}.log"))).expect("log file");
        let err = log.try_clone().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_phonefleet"))
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--adb-server",
                &adb.addr().to_string(),
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .args(options)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .expect("the phonefleet binary starts");
        Host {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
            http: reqwest::Client::new(),
        }
    }

    pub fn port(&self) -> u16 {
        self.base
            .split(':')
            .nth(2)
            .and_then(|p| p.split('/').next()?.parse().ok())
            .expect("port in base URL")
    }

    pub async fn get(&self, path: &str) -> Option<Value> {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()
    }

    /// Polls `path` until `check` holds for its envelope, or panics after `WAIT`.
    pub async fn wait_for(&self, path: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(reply) = self.get(path).await.filter(|r| check(r)) {
                return reply;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends a request to the API (`path` under `/api/v1`) and returns its envelope, whatever its code.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .expect("the request is answered")
            .json()
            .await
            .expect("a JSON reply")
    }

    /// Creates tasks (`POST /task`) and returns their ids; panics when the host refuses.
    pub async fn create(&self, body: &Value) -> Vec<i64> {
        let created: Value = self
            .http
            .post(format!("{}/task", self.base))
            .json(body)
            .send()
            .await
            .expect("POST /task")
            .json()
            .await
            .expect("a JSON reply");
        created["data"]["task_ids"]
            .as_array()
            .unwrap_or_else(|| panic!("tasks not created: {created}"))
            .iter()
            .filter_map(Value::as_i64)
            .collect()
    }

    /// Waits until the host lists `n` phones online.
    pub async fn wait_online(&self, n: usize) {
        self.wait_for("/device", "phones online", |r| {
            r["data"]
                .as_array()
                .is_some_and(|d| d.iter().filter(|d| d["online"] == true).count() == n)
        })
        .await;
    }
}

/// How many times the host marked each task's start in the phone's own logcat.
pub async fn starts_on_phone(adb: &AdbServer, serial: &str) -> BTreeMap<i64, usize> {
    marks_on_phone(adb, serial, "start").await
}

/// How many times the host wrote `task ID MARK` (`start`, `end`) in the phone's own logcat, by task.
pub async fn marks_on_phone(adb: &AdbServer, serial: &str, mark: &str) -> BTreeMap<i64, usize> {
    let (logcat, _, _) = adb.shell(serial, "logcat -d -s phonefleet").await;
    let mut marks = BTreeMap::new();
    for line in logcat.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [.., "task", id, said] = words.as_slice()
            && *said == mark
            && let Ok(id) = id.parse()
        {
            *marks.entry(id).or_default() += 1;
        }
    }
    marks
}
