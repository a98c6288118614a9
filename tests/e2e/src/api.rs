//! A client of a running host's REST API, shared by the end-to-end tests and the benchmarks:
//! requests with the host's token, envelopes back, task creation, and polling with a deadline.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;

/// The API of one host.
pub struct Api {
    pub http: reqwest::Client,
    /// `http://ADDR/api/v1`.
    pub base: String,
    /// The API token the host was started with, sent on every request.
    pub token: Option<String>,
}

impl Api {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Api {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap_or_default();
        Api {
            http,
            base: format!("http://{addr}/api/v1"),
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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
}

/// Polls `check` until it holds, or fails once `limit` has passed.
pub async fn wait_until(
    what: &str,
    limit: Duration,
    mut check: impl AsyncFnMut() -> Result<bool>,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
