//! The end-to-end harness: a real adb server on a free port with an isolated HOME, virtual
//! phones connected to it, and the phonefleet host on a free port, spoken to over HTTP.

pub mod api;
pub mod browser;
pub mod doc;
pub mod fake_model;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
pub use api::{Api, wait_until};
use serde_json::Value;
pub use vphone::testing::{AdbServer, media_bytes};
use vphone::{PhoneConfig, VPhone};

/// Which database the hosts a test starts keep their rows in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in the host's data directory (the default).
    Sqlite,
    /// A fresh database on the test process's throwaway PostgreSQL cluster.
    Postgres,
}

tokio::task_local! {
    /// The backend of the test running in this task (see [`both_backends!`]).
    static BACKEND: Backend;
}

/// Runs `test` with every [`Fleet`] it starts keeping its rows in `backend`.
pub async fn on_backend<F: std::future::Future>(backend: Backend, test: F) -> F::Output {
    BACKEND.scope(backend, test).await
}

/// The database URL for a host started now: a fresh PostgreSQL database when the running test is
/// on [`Backend::Postgres`], else none (SQLite in the data directory).
pub async fn database_url() -> Option<String> {
    match BACKEND.try_with(|b| *b) {
        Ok(Backend::Postgres) => Some(phonefleet_pgtest::Cluster::shared().fresh_database().await),
        Ok(Backend::Sqlite) | Err(_) => None,
    }
}

/// Generates each end-to-end test twice, once per backend: `async fn name() { … }` becomes the
/// tests `name::sqlite` and `name::postgres`, whose [`Fleet`]s keep their rows in SQLite and in
/// PostgreSQL. One suite, parametrised; not a copy.
#[macro_export]
macro_rules! both_backends {
    ($($(#[doc = $doc:expr])* async fn $name:ident() $body:block)*) => {$(
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run() $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::on_backend($crate::Backend::Sqlite, run()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::on_backend($crate::Backend::Postgres, run()).await
            }
        }
    )*};
}

/// How long any one wait of the harness may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(60);

/// Everything one end-to-end test needs, torn down on drop. Its [`Api`] is reached through it
/// (`fleet.get(..)`, `fleet.http`).
pub struct Fleet {
    pub adb: AdbServer,
    pub phones: Vec<VPhone>,
    pub host: phonefleet::Server,
    pub data_dir: tempfile::TempDir,
    api: Api,
}

impl std::ops::Deref for Fleet {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Fleet {
    /// Starts an adb server, one phone per config (connected), and the host; waits until the host
    /// sees every phone online.
    pub async fn start(configs: Vec<PhoneConfig>) -> Result<Fleet> {
        Fleet::start_with(configs, |_| {}).await
    }

    /// Like `start`, with the host's config adjusted by `adjust` first.
    pub async fn start_with(
        configs: Vec<PhoneConfig>,
        adjust: impl FnOnce(&mut phonefleet::Config),
    ) -> Result<Fleet> {
        let adb = AdbServer::start().await;
        let mut phones = Vec::new();
        for config in configs {
            let phone = VPhone::start(config).await?;
            adb.connect(&phone).await;
            phones.push(phone);
        }
        let data_dir = tempfile::tempdir()?;
        let mut config = phonefleet::Config::for_data_dir(data_dir.path().to_path_buf());
        config.adb_servers = vec![adb.addr()];
        // Tests make their media in temporary directories: the host serves files from there.
        config.file_roots = vec![std::env::temp_dir()];
        config.database_url = database_url().await;
        adjust(&mut config);
        let token = config.api_token.clone();
        let host = phonefleet::start(config).await?;
        let api = Api::new(host.addr(), token);
        let fleet = Fleet {
            adb,
            phones,
            host,
            data_dir,
            api,
        };
        let serials = fleet.serials();
        fleet
            .wait_until("every phone online", async || {
                let devices = fleet.get("/device").await?;
                let online = devices["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|d| {
                        d["online"] == true && serials.iter().any(|s| d["serial"] == s.as_str())
                    });
                Ok(online.count() == serials.len())
            })
            .await?;
        Ok(fleet)
    }

    pub fn serials(&self) -> Vec<String> {
        self.phones.iter().map(VPhone::serial).collect()
    }

    /// Waits until a task has the given status and returns it.
    pub async fn wait_status(&self, id: i64, status: i64) -> Result<Value> {
        let mut task = Value::Null;
        self.wait_until(&format!("task {id} in status {status}"), async || {
            task = self.get(&format!("/task/{id}")).await?["data"].clone();
            Ok(task["status"] == status)
        })
        .await?;
        Ok(task)
    }

    /// Waits until every task has finished (completed or failed) and returns them.
    pub async fn wait_finished(&self, ids: &[i64]) -> Result<Vec<Value>> {
        let mut tasks = Vec::new();
        self.wait_until("all tasks finished", async || {
            tasks.clear();
            for id in ids {
                tasks.push(self.get(&format!("/task/{id}")).await?["data"].clone());
            }
            Ok(tasks.iter().all(|t| t["status"] == 2 || t["status"] == 3))
        })
        .await?;
        Ok(tasks)
    }

    /// Runs `script` with `config` for `targets` (the request's `serials` or `usernames` part) and
    /// returns its tasks once all finished.
    pub async fn run(&self, script: &str, targets: Value, config: Value) -> Result<Vec<Value>> {
        let mut body = serde_json::json!({"script_name": script, "script_config": config});
        if let (Some(body), Some(targets)) = (body.as_object_mut(), targets.as_object()) {
            body.extend(targets.clone());
        }
        let ids = self.create(&body).await?;
        self.wait_finished(&ids).await
    }

    /// Registers `username` in `app` on phone `serial`; fails unless the host accepted it.
    pub async fn register_account(&self, username: &str, serial: &str, app: &str) -> Result<()> {
        let reply = self
            .post(
                "/account",
                &serde_json::json!({"username": username, "serial": serial, "app": app}),
            )
            .await?;
        anyhow::ensure!(reply["code"] == 0, "account {username} refused: {reply}");
        Ok(())
    }

    /// Makes the device group `name` of `serials`; fails unless the host accepted it.
    pub async fn create_group(&self, name: &str, serials: &[String]) -> Result<()> {
        let reply = self
            .post(
                "/group",
                &serde_json::json!({"name": name, "serials": serials}),
            )
            .await?;
        anyhow::ensure!(reply["code"] == 0, "group {name} refused: {reply}");
        Ok(())
    }

    /// Polls `check` until it holds or `WAIT` passes.
    pub async fn wait_until(
        &self,
        what: &str,
        check: impl AsyncFnMut() -> Result<bool>,
    ) -> Result<()> {
        wait_until(what, WAIT, check).await
    }

    pub fn data_path(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }
}

/// A phone with both apps whose videos play until tapped (a playing screen never goes idle, as on
/// real phones), uiautomator's idle wait shortened to 2 s for tests.
pub fn playing_phone() -> PhoneConfig {
    PhoneConfig {
        system: vphone::System {
            never_idle_feed: true,
            idle_wait: Duration::from_secs(2),
            ..vphone::System::default()
        },
        instagram: Some(vphone::InstagramConfig::default()),
        ..PhoneConfig::default()
    }
}

/// (task id, start ms, end ms) of every task a phone's logcat shows (`logcat -d -v epoch -s
/// phonefleet`): the host marks each task's start and end there, and the phone stamps them.
pub fn task_spans(logcat: &str) -> Vec<(i64, i64, i64)> {
    let mut starts = BTreeMap::new();
    let mut spans = Vec::new();
    for line in logcat.lines() {
        let Some((stamp, rest)) = line.trim().split_once(' ') else {
            continue;
        };
        let Some(message) = rest.split_once("phonefleet: ").map(|(_, m)| m.trim()) else {
            continue;
        };
        let Ok(secs) = stamp.parse::<f64>() else {
            continue;
        };
        let ms = (secs * 1000.0).round() as i64;
        let words: Vec<&str> = message.split_whitespace().collect();
        if let ["task", id, what] = words.as_slice() {
            let Ok(id) = id.parse::<i64>() else { continue };
            match *what {
                "start" => {
                    starts.insert(id, ms);
                }
                "end" => {
                    if let Some(start) = starts.remove(&id) {
                        spans.push((id, start, ms));
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

/// The users the phone's current account follows (from `dumpsys vphone`), sorted.
pub fn following(state: &Value) -> Vec<String> {
    let account = state["current_account"].as_str().unwrap_or_default();
    let mut users: Vec<String> = state["following"][account]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect();
    users.sort();
    users
}
