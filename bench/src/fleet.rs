//! Figure 11: a fleet of hosts on one PostgreSQL server (durable settings) — tasks accepted per
//! second through one node and through three against raw inserts on the same server, dispatch
//! latency of a task created on another node against one created on the phone's own node, and how
//! long the fleet takes to fail the runs of a node killed with SIGKILL.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result as AnyResult, bail};
use serde_json::json;
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::Figure;
use crate::Sizes;
use crate::env::{AdbServer, Host, Phones, create_concurrently};
use crate::figures::{blank, percentile, sorted};

/// One node of the benchmark's fleet, in this process.
struct Node {
    host: Host,
    phones: Phones,
    _adb: AdbServer,
    data: tempfile::TempDir,
}

/// Starts node `name` on `url` with `phones` idle phones of its own adb server; with `first` (a
/// node's data directory) it takes that node's secret.key and compiled scripts, as a new host of
/// a fleet does (docs/fleet.md).
async fn node(
    name: &str,
    url: &str,
    phones: usize,
    lease: u64,
    first: Option<&Path>,
) -> AnyResult<Node> {
    let adb = AdbServer::start().await;
    let started = Phones::start(&adb, phones).await?;
    let data = tempfile::tempdir()?;
    if let Some(first) = first {
        copy_dir(&first.join("compiled"), &data.path().join("compiled"))?;
        std::fs::copy(first.join("secret.key"), data.path().join("secret.key"))?;
    }
    let host = Host::start_tuned(&[&adb], Some(data.path()), |c| {
        c.database_url = Some(url.to_owned());
        c.node_name = Some(name.to_owned());
        c.node_lease_secs = lease;
    })
    .await?;
    host.wait_devices(&started.serials).await?;
    Ok(Node {
        host,
        phones: started,
        _adb: adb,
        data,
    })
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)?.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Milliseconds from a task's creation to its start on its phone's node, for `samples` tasks of
/// the probe script created one at a time through `via` for the phones of `on`.
async fn dispatch_ms(db: &PgPool, via: &Node, on: &Node, samples: usize) -> AnyResult<Vec<f64>> {
    let mut out = Vec::with_capacity(samples);
    for i in 0..samples {
        let serial = &on.phones.serials[i % on.phones.serials.len()];
        let ids = via
            .host
            .create(&json!({"serials": [serial], "script_name": "bench-probe", "script_config": {"n": 1}}))
            .await?;
        let id = *ids.first().context("no task created")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let row: Option<(i64, Option<i64>, i64)> =
                sqlx::query_as("SELECT created_at, started_at, status FROM tasks WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db)
                    .await?;
            match row {
                Some((created, Some(started), status)) if status >= 2 => {
                    out.push((started - created) as f64);
                    break;
                }
                _ if Instant::now() > deadline => bail!("task {id} did not run within 30 s"),
                // Polling the database: the task's own timestamps are what is measured.
                _ => tokio::time::sleep(Duration::from_millis(2)).await,
            }
        }
    }
    Ok(out)
}

/// Rows per second of the same task rows inserted straight into PostgreSQL, 100 per transaction,
/// on a database of the host's schema.
async fn raw_insert_rate(url: &str, serials: &[String], rows: usize) -> AnyResult<f64> {
    // Migrated as a host would, then written to directly.
    drop(phonefleet::store::Store::connect_ephemeral(url).await?);
    let pool = PgPool::connect(url).await?;
    let config = json!({"n": 1}).to_string();
    let now = phonefleet::clock::now_ms();
    let started = Instant::now();
    let mut inserted = 0usize;
    while inserted < rows {
        let mut tx = pool.begin().await?;
        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(
            "INSERT INTO tasks (serial, username, script_name, script_config, source, start_at, created_at) ",
        );
        q.push_values(serials, |mut row, serial| {
            row.push_bind(serial)
                .push_bind(None::<String>)
                .push_bind("bench-probe")
                .push_bind(&config)
                .push_bind("api")
                .push_bind(now + 300 * 86_400_000)
                .push_bind(now);
        });
        q.push(" RETURNING id");
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        inserted += ids.len();
    }
    let rate = inserted as f64 / started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(rate)
}

/// A node in a child process of its own (`phonefleet-bench __node …`), so it can be killed.
struct ChildNode {
    child: tokio::process::Child,
    _adb: AdbServer,
    phones: Phones,
    _data: tempfile::TempDir,
}

async fn child_node(name: &str, url: &str, lease: u64, first: &Path) -> AnyResult<ChildNode> {
    let adb = AdbServer::start().await;
    // A real phone's latencies: its follow task runs for seconds, long enough to be killed mid-run.
    let phones = Phones::start_with(&adb, 1, true).await?;
    let data = tempfile::tempdir()?;
    copy_dir(&first.join("compiled"), &data.path().join("compiled"))?;
    std::fs::copy(first.join("secret.key"), data.path().join("secret.key"))?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args([
            "__node",
            "--bind",
            "127.0.0.1:0",
            "--adb-server",
            &adb.addr().to_string(),
        ])
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "--database-url",
            url,
            "--node-name",
            name,
            "--node-lease-secs",
            &lease.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting a node process")?;
    let stdout = child.stdout.take().context("node stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await? {
            if line == "ready" {
                return Ok(());
            }
        }
        bail!("the node process ended early")
    })
    .await
    .context("the node process did not start")??;
    Ok(ChildNode {
        child,
        _adb: adb,
        phones,
        _data: data,
    })
}

/// Serves a host with `args` (`phonefleet serve`'s options) until standard input closes: the
/// benchmark's killable node. Prints `ready` once it listens.
pub async fn serve_node(args: Vec<String>) -> AnyResult<()> {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        config: phonefleet::Config,
    }
    let serve = Serve::try_parse_from(std::iter::once("node".to_string()).chain(args))?;
    let server = phonefleet::start(serve.config).await?;
    println!("ready");
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(_)) = stdin.next_line().await {}
    server.shutdown().await?;
    Ok(())
}

/// Seconds from a SIGKILL of a node running a task to that task failed as "interrupted: host … lost".
async fn failure_detection(db: &PgPool, url: &str, via: &Node, lease: u64) -> AnyResult<f64> {
    let mut lost = child_node("node-lost", url, lease, via.data.path()).await?;
    let serial = lost.phones.serials.first().context("no phone")?.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    // The other nodes learn its phone from the device table.
    loop {
        let known: Option<String> =
            sqlx::query_scalar("SELECT node FROM devices WHERE serial = $1")
                .bind(&serial)
                .fetch_optional(db)
                .await?;
        if known.as_deref() == Some("node-lost") {
            break;
        }
        if Instant::now() > deadline {
            bail!("the node's phone never reached the device table");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ids = via
        .host
        .create(&json!({"serials": [serial], "script_name": "follow", "script_config": {"target_users": ["@nasa"]}}))
        .await?;
    let id = *ids.first().context("no task")?;
    loop {
        let status: i64 = sqlx::query_scalar("SELECT status FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
        if status == 1 {
            break;
        }
        if status > 1 || Instant::now() > deadline {
            bail!("the task on the node to kill did not run (status {status})");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    lost.child.start_kill()?;
    let killed = Instant::now();
    lost.child.wait().await?;
    loop {
        let error: Option<String> =
            sqlx::query_scalar("SELECT error FROM tasks WHERE id = $1 AND status = 3")
                .bind(id)
                .fetch_optional(db)
                .await?
                .flatten();
        if error.as_deref() == Some("interrupted: host node-lost lost") {
            return Ok(killed.elapsed().as_secs_f64());
        }
        if killed.elapsed() > Duration::from_secs(lease * 3 + 30) {
            bail!("the killed node's task was not failed: {error:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn f11(sizes: Sizes) -> AnyResult<Figure> {
    let cluster = phonefleet_pgtest::Cluster::durable().map_err(anyhow::Error::msg)?;
    let url = cluster.fresh_database().await;
    let lease = sizes.f11_lease_secs;
    let first = node("node-1", &url, sizes.f11_serials, lease, None).await?;
    let second = node("node-2", &url, 2, lease, Some(first.data.path())).await?;
    let third = node("node-3", &url, 2, lease, Some(first.data.path())).await?;
    // Every node knows node 1's phones (the device table) before it is asked to create tasks for them.
    for n in [&second, &third] {
        n.host.wait_devices(&first.phones.serials).await?;
    }
    let db = PgPool::connect(&url).await?;
    let body = json!({
        "serials": first.phones.serials,
        "script_name": "bench-probe",
        "script_config": {"n": 1},
        "start_time": crate::figures::never(),
    });
    for n in [&first, &second, &third] {
        n.host.create(&body).await?; // warm up connections and statement caches
    }
    let per_client = sizes.f11_requests.div_ceil(sizes.f11_clients);
    let rate = |(created, took): (usize, Duration)| (created, created as f64 / took.as_secs_f64());
    let (one_created, one_rate) =
        rate(create_concurrently(&[&first.host], &body, sizes.f11_clients, per_client).await?);
    let everywhere = [&*first.host, &*second.host, &*third.host];
    let (three_created, three_rate) =
        rate(create_concurrently(&everywhere, &body, sizes.f11_clients, per_client).await?);
    let raw_url = cluster.fresh_database().await;
    let raw_rate = raw_insert_rate(&raw_url, &first.phones.serials, one_created).await?;

    let cross = sorted(dispatch_ms(&db, &first, &second, sizes.f11_samples).await?);
    let same = sorted(dispatch_ms(&db, &second, &second, sizes.f11_samples).await?);
    let detected = failure_detection(&db, &url, &first, lease).await?;

    for n in [first, second, third] {
        n.host.stop().await;
    }
    db.close().await;

    let (cross_p50, cross_p99) = (percentile(&cross, 50.0), percentile(&cross, 99.0));
    let (same_p50, same_p99) = (percentile(&same, 50.0), percentile(&same, 99.0));
    let mut f = blank();
    f.measured = format!(
        "{one_rate:.0} tasks/s through 1 node, {three_rate:.0} through 3; cross-node dispatch p99 {cross_p99:.0} ms; \
         a dead node's runs failed after {detected:.1} s"
    );
    f.baseline = format!("{raw_rate:.0} raw rows/s; same-node dispatch p99 {same_p99:.0} ms");
    f.ratio = format!(
        "{:.2}x / {:.2}x of raw; {:.1}x",
        one_rate / raw_rate,
        three_rate / raw_rate,
        cross_p99 / same_p99.max(1.0)
    );
    f.pass = Some(detected <= (lease + 5) as f64);
    f.notes.push(format!(
        "One PostgreSQL server (Debian's) on this machine with its default, durable settings (every commit flushed), three \
         nodes in this process, each with its own adb server and idle vphones. Accepting: {} requests of {} serials \
         (node 1's phones) from {} concurrent clients, start_time 300 days ahead; through node 1 alone {one_created} \
         tasks at {one_rate:.0}/s, then spread over the three nodes {three_created} at {three_rate:.0}/s (nodes 2 and 3 \
         find node 1's phones in the device table). Raw: the same rows straight into PostgreSQL, one 100-row \
         INSERT … RETURNING per transaction, sequential, at {raw_rate:.0}/s. The nodes share one server, so a third \
         node adds HTTP and validation capacity, not database capacity.",
        sizes.f11_requests,
        sizes.f11_serials,
        sizes.f11_clients,
    ));
    f.notes.push(format!(
        "Dispatch: the probe script created through node 1 for a phone of node 2, one task at a time, {} samples: \
         from the task's created_at to its started_at (both stamped by the nodes, one clock) p50 {cross_p50:.0} ms, \
         p99 {cross_p99:.0} ms; the creating node's commit reaches node 2 by LISTEN/NOTIFY, no polling tick. \
         Baseline, created through node 2 itself: p50 {same_p50:.0} ms, p99 {same_p99:.0} ms.",
        cross.len()
    ));
    f.notes.push(format!(
        "Node failure: a fourth node in a process of its own ran a follow task on a real-latency vphone and was \
         killed with SIGKILL; {detected:.1} s later the task was failed \"interrupted: host node-lost lost\" by a \
         survivor. Lease {lease} s, renewed every {:.1} s, survivors looking every {:.1} s: detection falls between \
         2/3 and 4/3 of the lease, plus a look.",
        lease as f64 / 3.0,
        lease as f64 / 3.0
    ));
    Ok(f)
}
