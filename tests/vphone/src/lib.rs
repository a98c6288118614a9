//! vphone: a virtual Android phone that speaks the real ADB device protocol (hand-rolled, no adb crate)
//! to a real adb server, with a shell, a filesystem, logcat and a TikTok-like app to automate.

mod android;
mod app;
mod commands;
mod config;
mod fs;
mod host;
mod instagram;
mod logcat;
mod media;
mod png;
mod protocol;
mod shell;
mod social;
mod state;
pub mod testing;
mod transport;
mod ui;

use std::io;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use app::users::stats as profile_stats;
pub use config::{
    DumpFault, InstagramConfig, Keyboard, Latencies, Lock, PhoneConfig, Popups, Screen,
    SocialConfig, System,
};
pub use host::adb_connect;
pub use social::{Post, catalogue};
use state::Shared;

/// What a shell command printed and its exit status (as `shell,v2` reports them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: u8,
}

/// A running virtual phone. Dropping it (or `shutdown`) closes its listener and every connection.
pub struct VPhone {
    port: u16,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl VPhone {
    /// Starts a phone on a free port of 127.0.0.1.
    pub async fn start(config: PhoneConfig) -> io::Result<VPhone> {
        Self::start_on(0, config).await
    }

    /// Starts a phone on 127.0.0.1:`port` (0 picks a free one).
    pub async fn start_on(port: u16, config: PhoneConfig) -> io::Result<VPhone> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::new(&config, port));
        let server = tokio::spawn(transport::server::serve(listener, Arc::clone(&shared)));
        Ok(VPhone {
            port,
            shared,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The serial adb gives the phone after `adb connect`: `127.0.0.1:PORT`.
    pub fn serial(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The same JSON as `dumpsys vphone`.
    pub fn state(&self) -> serde_json::Value {
        self.shared.state()
    }

    /// Runs a command line in-process, exactly as a `shell,v2:` stream would.
    pub async fn run(&self, command: &str) -> CommandOutput {
        let output = commands::run(&self.shared, command).await;
        CommandOutput {
            stdout: output.stream(commands::Fd::Out),
            stderr: output.stream(commands::Fd::Err),
            exit_code: output.code,
        }
    }

    /// Marks a user as nonexistent ("Couldn't find this account"), or existing again.
    pub fn set_missing(&self, user: &str, missing: bool) {
        self.shared.lock().app.set_missing(user, missing);
    }

    /// Replaces the fault knobs.
    pub fn set_popups(&self, popups: Popups) {
        self.shared.lock().app.set_popups(popups);
    }

    /// Queues failures for the next `uiautomator dump`s, in order.
    pub fn push_dump_faults(&self, faults: &[DumpFault]) {
        self.shared
            .lock()
            .sys
            .dump_faults
            .extend(faults.iter().copied());
    }

    /// The next successful `uiautomator dump` writes `xml` verbatim instead of the screen.
    pub fn replay_dump(&self, xml: &str) {
        self.shared
            .lock()
            .sys
            .replayed_dumps
            .push_back(xml.to_owned());
    }

    /// Turns the screen off (the keyguard, if any, comes back) or on.
    pub fn set_awake(&self, awake: bool) {
        let mut phone = self.shared.lock();
        if awake {
            phone.sys.wake();
        } else {
            phone.sys.sleep();
        }
    }

    /// The phone's process dies (a network or cloud phone gone): the listener and every connection
    /// close; the phone's state is kept for [`VPhone::come_back`].
    pub async fn go_offline(&mut self) {
        self.server.abort();
        // The task was aborted; its result carries nothing.
        let _ = (&mut self.server).await;
    }

    /// The phone is back on the same port with the state it had, ready for the adb server to
    /// connect again.
    pub async fn come_back(&mut self) -> io::Result<()> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        self.server = tokio::spawn(transport::server::serve(listener, Arc::clone(&self.shared)));
        Ok(())
    }

    /// Stops serving and waits until the listener and all connections are closed.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // The task was aborted; its result carries nothing.
        let _ = (&mut self.server).await;
    }
}

impl Drop for VPhone {
    fn drop(&mut self) {
        self.server.abort();
    }
}
