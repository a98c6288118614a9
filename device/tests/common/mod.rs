//! Test support: an isolated real adb server per test, on its own port and `$HOME`.
//! Dropping the guard runs `adb kill-server` for that port.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Command, Output};

use phonefleet_device::adb::AdbServer;

/// A real adb server started for one test.
pub struct TestServer {
    port: u16,
    home: tempfile::TempDir,
}

impl TestServer {
    /// Starts `adb -P PORT start-server` with `HOME` and `TMPDIR` in a fresh directory; returns once it listens.
    pub fn start() -> TestServer {
        let home = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let server = TestServer { port, home };
        let out = server.adb(&["start-server"]);
        assert!(
            out.status.success(),
            "adb start-server failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        server
    }

    /// A client for this server.
    pub fn client(&self) -> AdbServer {
        AdbServer::new(self.addr())
    }

    /// Address of this server.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Runs the adb CLI against this server.
    pub fn adb(&self, args: &[&str]) -> Output {
        Command::new("adb")
            .arg("-P")
            .arg(self.port.to_string())
            .args(args)
            .env("HOME", self.home.path())
            .env("TMPDIR", self.home.path())
            .env_remove("ANDROID_ADB_SERVER_PORT")
            .env_remove("ANDROID_SERIAL")
            .output()
            .expect("adb runs")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.adb(&["kill-server"]);
    }
}

/// A local TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}
