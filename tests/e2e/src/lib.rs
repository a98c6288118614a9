//! The end-to-end harness: a real adb server on a free port with an isolated HOME, virtual
//! phones connected to it, and the phonefleet host on a free port, spoken to over HTTP.

pub mod doc;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;
pub use vphone::testing::AdbServer;
use vphone::{PhoneConfig, VPhone};

/// How long any one wait of the harness may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(60);

/// Everything one end-to-end test needs, torn down on drop.
pub struct Fleet {
    pub adb: AdbServer,
    pub phones: Vec<VPhone>,
    pub host: phonefleet::Server,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    /// The API token the host was started with, sent on every harness request.
    pub token: Option<String>,
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
        config.adb_server = adb.addr();
        adjust(&mut config);
        let token = config.api_token.clone();
        let host = phonefleet::start(config).await?;
        let fleet = Fleet {
            adb,
            phones,
            host,
            http: reqwest::Client::new(),
            data_dir,
            token,
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

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.host.addr())
    }

    pub async fn get(&self, path: &str) -> Result<Value> {
        Ok(self.send(self.http.get(self.url(path))).await?.1)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        Ok(self
            .send(self.http.post(self.url(path)).json(body))
            .await?
            .1)
    }

    pub async fn delete(&self, path: &str, body: Option<&Value>) -> Result<Value> {
        let mut req = self.http.delete(self.url(path));
        if let Some(body) = body {
            req = req.json(body);
        }
        Ok(self.send(req).await?.1)
    }

    /// HTTP status and envelope of any request (with the host's token, if it has one).
    pub async fn send(&self, mut req: reqwest::RequestBuilder) -> Result<(u16, Value)> {
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let reply = req.send().await?;
        let status = reply.status().as_u16();
        Ok((status, reply.json().await?))
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

    /// Creates tasks and returns their ids; fails on any non-zero code.
    pub async fn create(&self, body: &Value) -> Result<Vec<i64>> {
        let reply = self.post("/task", body).await?;
        if reply["code"] != 0 {
            bail!("create refused: {reply}");
        }
        Ok(reply["data"]["task_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .collect())
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

    /// Polls `check` until it holds or `WAIT` passes.
    pub async fn wait_until(
        &self,
        what: &str,
        mut check: impl AsyncFnMut() -> Result<bool>,
    ) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if check().await? {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("timed out waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn data_path(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }
}
