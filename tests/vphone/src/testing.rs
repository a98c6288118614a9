//! Test support shared by every crate's tests: a private real adb server per test
//! (`HOME=$tmp adb -P PORT start-server`), killed on drop even when the test fails.

use std::net::{SocketAddr, TcpListener};
use std::process::Output;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::process::Command;
use tokio::time::timeout;

use crate::{VPhone, adb_connect};

/// Longest any one adb CLI call may take.
const CLI_TIMEOUT: Duration = Duration::from_secs(20);

/// A free loopback TCP port (nothing listens on it right now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A real adb server of one test's own, on a free port with its own `$HOME`.
pub struct AdbServer {
    port: u16,
    home: TempDir,
    /// Whether this server is ours to kill: not when the port turned out to be someone else's.
    ours: bool,
}

impl AdbServer {
    /// Starts the server; panics with adb's message when `adb` is missing or fails. A port that
    /// something else took between [`free_port`] and the server's bind (tests in one binary start
    /// servers and phones in parallel; adb then reports a "protocol fault") is given up for
    /// another, up to three times.
    pub async fn start() -> AdbServer {
        let mut last = None;
        for _ in 0..3 {
            let mut server = AdbServer {
                port: free_port(),
                home: tempfile::tempdir().expect("a temp dir"),
                ours: true,
            };
            let out = server.adb(&["start-server"]).await;
            if out.status.success() {
                return server;
            }
            server.ours = false;
            let taken = String::from_utf8_lossy(&out.stderr).contains("protocol fault");
            last = Some(out);
            if !taken {
                break;
            }
        }
        panic!("adb start-server (is `adb` installed? apt-get install -y adb): {last:?}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("adb");
        cmd.arg("-P")
            .arg(self.port.to_string())
            .args(args)
            .env("HOME", self.home.path())
            .env("TMPDIR", self.home.path())
            .env_remove("ANDROID_ADB_SERVER_PORT")
            .env_remove("ANDROID_SERIAL")
            .kill_on_drop(true);
        cmd
    }

    /// Runs the adb CLI against this server.
    pub async fn adb(&self, args: &[&str]) -> Output {
        timeout(CLI_TIMEOUT, self.command(args).output())
            .await
            .unwrap_or_else(|_| panic!("adb {args:?} timed out"))
            .expect("adb runs")
    }

    /// `adb -s SERIAL shell CMD`: (stdout, stderr, exit code).
    pub async fn shell(&self, serial: &str, command: &str) -> (String, String, i32) {
        let out = self.adb(&["-s", serial, "shell", command]).await;
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    /// The phone's own state, read through adb: `dumpsys vphone`.
    pub async fn phone_state(&self, serial: &str) -> serde_json::Value {
        let (out, err, _) = self.shell(serial, "dumpsys vphone").await;
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("dumpsys vphone on {serial}: {e}: {out}{err}"))
    }

    /// The state of `serial` in `adb devices`, if listed.
    pub async fn device_state(&self, serial: &str) -> Option<String> {
        let out = self.adb(&["devices"]).await;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|line| {
                let mut fields = line.split_whitespace();
                (fields.next() == Some(serial)).then(|| fields.next().unwrap_or("").to_string())
            })
    }

    /// Connects the phone through the host protocol and waits until adb lists it as `device`.
    pub async fn connect(&self, phone: &VPhone) {
        self.connect_address(&phone.serial()).await;
    }

    /// Connects `HOST:PORT` (a phone's address under any name, e.g. `localhost:PORT`) and waits
    /// until adb lists it as `device`.
    pub async fn connect_address(&self, address: &str) {
        let message = timeout(CLI_TIMEOUT, adb_connect(self.addr(), address))
            .await
            .expect("adb connect in time")
            .expect("adb connect succeeds");
        assert!(message.contains(address), "{message}");
        let deadline = Instant::now() + CLI_TIMEOUT;
        while self.device_state(address).await.as_deref() != Some("device") {
            assert!(Instant::now() < deadline, "{address} never came online");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Kills the server (`adb kill-server`): every connection through it drops and it forgets the
    /// phones it had connected.
    pub async fn kill(&self) {
        let out = self.adb(&["kill-server"]).await;
        assert!(out.status.success(), "adb kill-server: {out:?}");
    }

    /// Starts the server again on the same port.
    pub async fn restart(&self) {
        let out = self.adb(&["start-server"]).await;
        assert!(out.status.success(), "adb start-server: {out:?}");
    }
}

/// Longest a drop waits for `adb kill-server` (with hundreds of phones attached it can hang).
const KILL_TIMEOUT: Duration = Duration::from_secs(5);

impl Drop for AdbServer {
    fn drop(&mut self) {
        if !self.ours {
            return;
        }
        // Best effort: the server may already be gone, or too busy to answer in time.
        let Ok(mut kill) = std::process::Command::new("adb")
            .arg("-P")
            .arg(self.port.to_string())
            .arg("kill-server")
            .env("HOME", self.home.path())
            .env("TMPDIR", self.home.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        else {
            return;
        };
        let deadline = Instant::now() + KILL_TIMEOUT;
        while matches!(kill.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = kill.kill();
        let _ = kill.wait();
    }
}

/// `len` bytes a media sniffer takes for what `name`'s extension says (an MP4 `ftyp` box for
/// videos, a JPEG or PNG signature for images), then `name`'s bytes repeated, so every file's
/// content (and hash) is its own.
pub fn media_bytes(name: &str, len: usize) -> Vec<u8> {
    let lower = name.to_ascii_lowercase();
    let header: &[u8] = if lower.ends_with(".png") {
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    } else {
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    };
    header
        .iter()
        .copied()
        .chain(name.bytes().cycle())
        .take(len.max(header.len()))
        .collect()
}
