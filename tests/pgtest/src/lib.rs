//! A throwaway PostgreSQL server for tests: one cluster per test process, made with Debian's
//! `postgresql` binaries (`initdb`, `postgres`) on a free loopback port, and a fresh database per test.
//!
//! The cluster runs as the `postgres` user when the tests run as root (PostgreSQL refuses root), in a
//! temporary directory. A small shell guards it: its standard input is a pipe only this process
//! holds, so when this process ends for any reason (a finished run, a panic, `kill -9`) the guard
//! reads end-of-file, stops the server (`SIGQUIT`, PostgreSQL's immediate shutdown) and removes the
//! directory. Nothing outlives the test process.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// How long a cluster may take to start.
const START_DEADLINE: Duration = Duration::from_secs(60);
/// The role every database belongs to (the cluster trusts loopback logins).
const ROLE: &str = "phonefleet";

/// A running PostgreSQL server owned by this test process.
pub struct Cluster {
    port: u16,
    /// The guard shell; dropping its stdin (at process exit) stops the server.
    _guard: Child,
}

impl Cluster {
    /// The process's cluster, started on first use.
    ///
    /// Panics, naming what to install, when PostgreSQL's server binaries are not there.
    pub fn shared() -> &'static Cluster {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        CLUSTER.get_or_init(|| Cluster::start(FAST).unwrap_or_else(|e| panic!("{e}")))
    }

    /// A cluster of its own with PostgreSQL's default, durable settings (every commit flushed),
    /// for benchmarks whose numbers should hold for a real server; stopped when dropped.
    ///
    /// Errors: what stood in the way of starting it (no PostgreSQL installed, initdb failing).
    pub fn durable() -> Result<Cluster, String> {
        Cluster::start("")
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database of its own for one test and returns its URL.
    pub async fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .expect("connect to the test cluster");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        self.url(&name)
    }

    fn start(settings: &str) -> Result<Cluster, String> {
        let bin = server_bin_dir()?;
        let owner = unprivileged_owner()?;
        let dir = tempfile::Builder::new()
            .prefix("phonefleet-pg-")
            .tempdir()
            .map_err(|e| format!("a temporary directory for PostgreSQL: {e}"))?
            .keep();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let data = dir.join("data");
        let initdb = as_owner(Command::new(bin.join("initdb")), owner)
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                ROLE,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("running initdb: {e}"))?;
        if !initdb.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr)
            ));
        }
        let port = free_port();
        let guard = as_owner(Command::new("sh"), owner)
            .arg("-c")
            .arg(GUARD)
            .arg("pg-guard")
            .arg(bin.join("postgres"))
            .arg(&data)
            .arg(port.to_string())
            .arg(&dir)
            .arg(settings)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting postgres: {e}"))?;
        let cluster = Cluster {
            port,
            _guard: guard,
        };
        cluster.wait_ready(&bin, &dir)?;
        Ok(cluster)
    }

    /// Waits until the server accepts connections (`pg_isready`), within [`START_DEADLINE`].
    fn wait_ready(&self, bin: &Path, dir: &Path) -> Result<(), String> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-U", ROLE, "-p"])
                .arg(self.port.to_string())
                .status()
                .map_err(|e| format!("running pg_isready: {e}"))?;
            if ready.success() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!(
                    "PostgreSQL did not start within {START_DEADLINE:?}:\n{log}"
                ));
            }
            // pg_isready answers at once; this paces the polling, it orders nothing.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Settings of the tests' shared cluster: durability traded for speed, as a test's database dies
/// with the test.
const FAST: &str = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";

/// The guard: runs the server in the background, waits for end-of-file on its standard input,
/// then stops the server and removes its directory. Arguments: postgres binary, data dir, port,
/// dir, extra settings (split into words).
const GUARD: &str = r#"
"$1" -D "$2" -p "$3" -h 127.0.0.1 -k "$4" -c max_connections=400 $5 \
    </dev/null >"$4/server.log" 2>&1 &
pid=$!
cat >/dev/null
kill -QUIT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$4"
"#;

/// The directory of the newest installed PostgreSQL's server binaries (Debian keeps them in
/// `/usr/lib/postgresql/<major>/bin`).
fn server_bin_dir() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major: u32 = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .max();
    newest.map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres): \
         apt-get install postgresql"
            .to_owned()
    })
}

/// The user and group the cluster runs as when this process is root: Debian's `postgres` user.
/// None when this process is not root (the cluster runs as this user).
fn unprivileged_owner() -> Result<Option<(u32, u32)>, String> {
    if !is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&"postgres"))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .map(Some)
        .ok_or_else(|| {
            "tests run as root need the `postgres` user that Debian's postgresql package makes"
                .to_owned()
        })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?;
            line.split_whitespace().nth(2).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

fn as_owner(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
        // Keep root's HOME and working directory (a checkout under /root, say), which the
        // `postgres` user may not enter, out of the server's way.
        command.env("HOME", "/tmp").current_dir("/tmp");
    }
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
