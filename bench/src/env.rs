//! The benchmark's environment: a private adb server, virtual phones in a child process (so the
//! host's RSS is the host's own), and the phonefleet host in this process, spoken to over HTTP.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use phonefleet_e2e::{Api, wait_until};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub use vphone::testing::AdbServer;

/// The probe script, built by build.rs.
pub const PROBE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/probe.wasm"));

/// Virtual phones running in a child process (`phonefleet-bench __phones`), connected to one adb
/// server. The child exits when its stdin closes, and is killed on drop regardless.
pub struct Phones {
    _child: Child,
    pub serials: Vec<String>,
}

impl Phones {
    pub async fn start(adb: &AdbServer, count: usize) -> Result<Phones> {
        Phones::start_with(adb, count, false).await
    }

    /// `count` phones, with a real phone's latencies when `real` (`vphone::Latencies::REAL_PHONE`).
    pub async fn start_with(adb: &AdbServer, count: usize, real: bool) -> Result<Phones> {
        let exe = std::env::current_exe()?;
        let latencies = if real { "real" } else { "none" };
        let mut child = Command::new(exe)
            .args([
                "__phones",
                &count.to_string(),
                &adb.addr().to_string(),
                latencies,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting the phones process")?;
        let stdout = child.stdout.take().context("phones stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut serials = Vec::with_capacity(count);
        let deadline = Duration::from_secs(60 + count as u64 / 2);
        tokio::time::timeout(deadline, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(serial) = line.strip_prefix("serial ") {
                    serials.push(serial.to_string());
                } else if line == "ready" {
                    return Ok(());
                }
            }
            bail!("the phones process ended early")
        })
        .await
        .context("starting phones timed out")??;
        let phones = Phones {
            _child: child,
            serials,
        };
        wait_online(adb, &phones.serials).await?;
        Ok(phones)
    }
}

/// Waits until the adb server lists every serial as `device`.
async fn wait_online(adb: &AdbServer, serials: &[String]) -> Result<()> {
    let client = phonefleet_device::adb::AdbServer::new(adb.addr());
    let deadline = Instant::now() + Duration::from_secs(60 + serials.len() as u64 / 5);
    loop {
        let devices = client.devices().await?;
        let online = serials
            .iter()
            .filter(|s| devices.iter().any(|d| &d.serial == *s && d.is_online()))
            .count();
        if online == serials.len() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "only {online} of {} phones came online in adb",
                serials.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The child side: starts `count` phones, connects each to the adb server, prints their serials and
/// `ready`, then runs until stdin closes.
pub async fn serve_phones(count: usize, adb: std::net::SocketAddr, real: bool) -> Result<()> {
    use futures::StreamExt;
    let config = vphone::PhoneConfig {
        latencies: if real {
            vphone::Latencies::REAL_PHONE
        } else {
            vphone::Latencies::default()
        },
        ..vphone::PhoneConfig::default()
    };
    let mut phones = Vec::with_capacity(count);
    for _ in 0..count {
        phones.push(vphone::VPhone::start(config.clone()).await?);
    }
    let serials: Vec<String> = phones.iter().map(|p| p.serial()).collect();
    let connected: Vec<Result<String>> = futures::stream::iter(serials.clone())
        .map(|serial| async move {
            // Under many connects at once the adb server now and then drops one unanswered
            // ("early eof"); asking again connects it.
            let mut attempt = 0;
            loop {
                attempt += 1;
                match vphone::adb_connect(adb, &serial).await {
                    Ok(_) => return Ok(serial),
                    Err(e) if attempt < 5 => {
                        eprintln!("adb connect {serial}: {e}; again");
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                    }
                    Err(e) => return Err(e).with_context(|| format!("adb connect {serial}")),
                }
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for serial in connected {
        println!("serial {}", serial?);
    }
    println!("ready");
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(_)) = stdin.next_line().await {}
    drop(phones);
    Ok(())
}

/// The host, in this process, with the probe script in its plugin directory; its [`Api`] is
/// reached through it (`host.get(..)`, `host.http`, `host.base`).
pub struct Host {
    pub server: Option<phonefleet::Server>,
    api: Api,
    _dirs: Vec<tempfile::TempDir>,
}

impl std::ops::Deref for Host {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Host {
    /// Starts a host on a fresh data directory with `plugins` (file name, bytes) in its plugin
    /// directory beside the probe script.
    pub async fn start_with_plugins(adb: &AdbServer, plugins: &[(&str, &[u8])]) -> Result<Host> {
        Host::start_in(&[adb], None, plugins, |_| {}).await
    }

    /// Starts a host on a fresh data directory (or on `data_dir` when given).
    pub async fn start(adb: &AdbServer, data_dir: Option<&Path>) -> Result<Host> {
        Host::start_in(&[adb], data_dir, &[], |_| {}).await
    }

    /// Starts a host speaking to every server of `adbs`, on `data_dir` (else a fresh one), its
    /// config adjusted by `tune` (a database URL, a node name, a device limit).
    pub async fn start_tuned(
        adbs: &[&AdbServer],
        data_dir: Option<&Path>,
        tune: impl FnOnce(&mut phonefleet::Config),
    ) -> Result<Host> {
        Host::start_in(adbs, data_dir, &[], tune).await
    }

    async fn start_in(
        adbs: &[&AdbServer],
        data_dir: Option<&Path>,
        extra: &[(&str, &[u8])],
        tune: impl FnOnce(&mut phonefleet::Config),
    ) -> Result<Host> {
        let mut dirs = Vec::new();
        let data = match data_dir {
            Some(d) => d.to_path_buf(),
            None => {
                let d = tempfile::tempdir()?;
                let p = d.path().to_path_buf();
                dirs.push(d);
                p
            }
        };
        let plugins = tempfile::tempdir()?;
        std::fs::write(plugins.path().join("bench_probe.wasm"), PROBE_WASM)?;
        for (name, bytes) in extra {
            std::fs::write(plugins.path().join(name), bytes)?;
        }
        let mut config = phonefleet::Config::for_data_dir(data);
        config.adb_servers = adbs.iter().map(|a| a.addr()).collect();
        config.plugin_dir = Some(plugins.path().to_path_buf());
        tune(&mut config);
        dirs.push(plugins);
        let server = phonefleet::start(config).await?;
        let api = Api::new(server.addr(), None);
        let host = Host {
            server: Some(server),
            api,
            _dirs: dirs,
        };
        wait_until(
            "the probe script is loaded",
            Duration::from_secs(30),
            async || Ok(host.get("/script/bench-probe").await?["code"] == 0),
        )
        .await?;
        Ok(host)
    }

    /// Waits until the host lists every serial online.
    pub async fn wait_devices(&self, serials: &[String]) -> Result<()> {
        let limit = Duration::from_secs(60 + serials.len() as u64 / 5);
        wait_until("every phone online in the host", limit, async || {
            let devices = self.get("/device").await?;
            let online: std::collections::HashSet<&str> = devices["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["online"] == true)
                .filter_map(|d| d["serial"].as_str())
                .collect();
            Ok(serials.iter().all(|s| online.contains(s.as_str())))
        })
        .await
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server.shutdown()).await;
        }
    }
}

/// This process's CPU time (user + system) so far, from `/proc/self/stat` (the kernel's USER_HZ
/// ticks of 10 ms on Linux).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat(5); here 11 and 12 after the ')'.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// `clients` concurrent HTTP clients each sending `per_client` task requests of `body`, client k
/// to `hosts[k % len]`: how many tasks were created, and in how long.
pub async fn create_concurrently(
    hosts: &[&Api],
    body: &serde_json::Value,
    clients: usize,
    per_client: usize,
) -> Result<(usize, Duration)> {
    let started = Instant::now();
    let mut running = Vec::new();
    for k in 0..clients {
        let host = hosts[k % hosts.len()];
        let http = host.http.clone();
        let url = format!("{}/task", host.base);
        let body = body.clone();
        running.push(tokio::spawn(async move {
            let mut created = 0usize;
            for _ in 0..per_client {
                let reply: serde_json::Value =
                    http.post(&url).json(&body).send().await?.json().await?;
                if reply["code"] != 0 {
                    bail!("create refused: {reply}");
                }
                created += reply["data"]["created_count"].as_u64().unwrap_or(0) as usize;
            }
            Ok(created)
        }));
    }
    let mut created = 0;
    for c in running {
        created += c.await??;
    }
    Ok((created, started.elapsed()))
}

/// This process's resident set, in bytes (`VmRSS` of /proc/self/status).
pub fn rss_bytes() -> u64 {
    status_kib("VmRSS:") * 1024
}

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Wall-clock nanoseconds since the Unix epoch (the probe plugin reads the same clock).
pub fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Stops a private adb server, bounded: `adb kill-server` for at most 5 s, then the server process
/// itself (found by its exact `-L tcp:PORT` argument, so only the server this run started). The
/// harness's own drop then finds no server and returns at once. (With hundreds of phones attached,
/// `adb kill-server` was seen to hang for minutes.)
pub async fn stop_adb(adb: AdbServer) {
    let port = adb.port();
    let killed = tokio::time::timeout(Duration::from_secs(5), adb.adb(&["kill-server"])).await;
    if killed.is_err() {
        for pid in adb_server_pids(port) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
    tokio::task::spawn_blocking(move || drop(adb)).await.ok();
}

/// Pids of the adb server listening on `port` (`adb -L tcp:PORT fork-server ...`).
fn adb_server_pids(port: u16) -> Vec<u32> {
    let wanted = format!("tcp:{port}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            args.iter().any(|a| *a == b"fork-server") && args.contains(&wanted.as_bytes())
        })
        .collect()
}
