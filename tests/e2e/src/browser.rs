//! A real headless Chromium for the dashboard's tests: Debian's `chromedriver` on a free loopback
//! port in a process group of its own, one Chromium session driven over WebDriver (fantoccini).

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::api::wait_until;

/// Where Debian's packages put them (`apt-get install chromium chromium-driver`).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One Chromium, stopped with its driver when dropped.
pub struct Browser {
    pub client: Client,
    driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with an empty profile, no background traffic
    /// (the machine has no network beyond loopback) and a 1280×900 window.
    pub async fn start() -> Result<Browser> {
        let port = vphone::testing::free_port();
        let mut command = tokio::process::Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .process_group(0);
        let driver = command.spawn().with_context(|| {
            format!("cannot start {CHROMEDRIVER} (apt-get install -y chromium chromium-driver)")
        })?;
        let profile = tempfile::tempdir()?;
        let url = format!("http://127.0.0.1:{port}");
        let status = reqwest::Client::new();
        wait_until("chromedriver ready", Duration::from_secs(30), async || {
            let reply = status.get(format!("{url}/status")).send().await;
            Ok(reply.is_ok_and(|r| r.status().is_success()))
        })
        .await?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util_connector())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .context("cannot open a Chromium session through chromedriver")?;
        Ok(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Waits up to `WAIT` for an element and returns it.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let found = self
            .client
            .wait()
            .at_most(crate::WAIT)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => Ok(element),
            Err(e) => {
                let page = self.client.current_url().await.map(String::from);
                let text = self
                    .eval("return document.body.innerText.slice(0, 3000)")
                    .await
                    .unwrap_or_default();
                Err(e)
                    .with_context(|| format!("no element {css:?} on {page:?}, which shows {text}"))
            }
        }
    }

    /// Runs `script` in the page (as a function body: `return …`) and returns its value.
    pub async fn eval(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Saves the page as `DIR/name.png` when `PHONEFLEET_SCREENSHOTS=DIR` is set (how the README's
    /// pictures are taken: `PHONEFLEET_SCREENSHOTS=$PWD/docs/img cargo test -p phonefleet-e2e
    /// --test dashboard`); otherwise does nothing, so tests never write into the checkout.
    pub async fn keep_screenshot(&self, name: &str) -> Result<()> {
        let Some(dir) = std::env::var_os("PHONEFLEET_SCREENSHOTS") else {
            return Ok(());
        };
        let png = self.client.screenshot().await?;
        std::fs::create_dir_all(&dir)?;
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)?;
        Ok(())
    }

    /// Ends the session (Chromium quits), then the driver.
    pub async fn close(mut self) -> Result<()> {
        self.client.clone().close().await?;
        self.driver.kill().await?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium runs in the driver's process group: a test that failed before `close` leaves
        // no browser behind.
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn hyper_util_connector() -> hyper_util::client::legacy::connect::HttpConnector {
    hyper_util::client::legacy::connect::HttpConnector::new()
}
