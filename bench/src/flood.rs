//! Figure 8: one plugin floods the host — log lines of 1 KiB, progress and stdout, as fast as it can
//! for 60 s — while a well-behaved follow task runs again and again on another phone. Measured in
//! one run: the host's RSS growth and bytes written to disk during the flood, the log rows the
//! flood left, and the well-behaved task's duration against the same task before the flood.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::env::{AdbServer, Host, Phones, rss_bytes};
use crate::{Figure, Sizes};

/// Bytes this process has caused to be written to storage (`write_bytes` of /proc/self/io).
fn written_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("write_bytes:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one follow task on `serial` to its end; returns how long it took from request to result.
async fn follow_once(host: &Host, serial: &str, n: usize) -> Result<Duration> {
    let started = Instant::now();
    let body = json!({"serials": [serial], "script_name": "follow",
                      "script_config": {"target_users": [format!("@user{n}")]}});
    let ids = host.create(&body).await?;
    let id = *ids.first().context("no task id")?;
    let mut task = Value::Null;
    phonefleet_e2e::wait_until(
        "the follow task to finish",
        Duration::from_secs(120),
        async || {
            task = host.get(&format!("/task/{id}")).await?["data"].clone();
            Ok(task["status"] == 2 || task["status"] == 3)
        },
    )
    .await?;
    anyhow::ensure!(task["status"] == 2, "the well-behaved task failed: {task}");
    Ok(started.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub async fn f8(sizes: Sizes, adb: &AdbServer) -> Result<Figure> {
    let phones = Phones::start(adb, 2).await?;
    let misbehave = std::fs::read(phonefleet_test_artifacts::MISBEHAVE)?;
    let host = Host::start_with_plugins(adb, &[("misbehave.wasm", &misbehave)]).await?;
    host.wait_devices(&phones.serials).await?;
    let (flooded, quiet) = (&phones.serials[0], &phones.serials[1]);

    // Baseline: the well-behaved task alone (the first run warms the phone up and is not counted).
    follow_once(&host, quiet, 0).await?;
    let mut alone = Vec::new();
    for n in 1..=sizes.f8_tasks {
        alone.push(follow_once(&host, quiet, n).await?);
    }

    let rss_before = rss_bytes();
    let written_before = written_bytes();
    let flood = json!({"serials": [flooded], "script_name": "misbehave",
                       "script_config": {"mode": "flood", "ms": sizes.f8_flood_ms, "bytes": 1024}});
    let flood_id = *host
        .create(&flood)
        .await?
        .first()
        .context("no flood task")?;
    let flood_started = Instant::now();
    let mut beside = Vec::new();
    let mut rss_peak = rss_before;
    let mut n = sizes.f8_tasks;
    while flood_started.elapsed() < Duration::from_millis(sizes.f8_flood_ms) {
        n += 1;
        beside.push(follow_once(&host, quiet, n).await?);
        rss_peak = rss_peak.max(rss_bytes());
    }
    let mut flood_task = Value::Null;
    phonefleet_e2e::wait_until("the flood to end", Duration::from_secs(120), async || {
        rss_peak = rss_peak.max(rss_bytes());
        flood_task = host.get(&format!("/task/{flood_id}")).await?["data"].clone();
        Ok(flood_task["status"] == 2 || flood_task["status"] == 3)
    })
    .await?;
    let flood_secs = flood_started.elapsed().as_secs_f64();
    let written = written_bytes().saturating_sub(written_before);
    let rss_after = rss_bytes();
    let logs = host
        .get(&format!("/task/{flood_id}/logs?page_size=1"))
        .await?;
    let kept = logs["data"]["total"].as_i64().unwrap_or(-1);
    let rounds = flood_task["result"]["rounds"].as_u64().unwrap_or(0);
    host.stop().await;
    drop(phones);

    let (alone_p50, beside_p50) = (median(alone.clone()), median(beside.clone()));
    let slowdown = beside_p50.as_secs_f64() / alone_p50.as_secs_f64().max(1e-9);
    let growth_mib = rss_peak.saturating_sub(rss_before) as f64 / f64::from(1 << 20);
    let mut f = Figure::new(8, "", "");
    f.measured = format!(
        "RSS +{growth_mib:.1} MiB, {:.1} MiB written, {kept} log rows kept; task beside it {:.0} ms",
        written as f64 / f64::from(1 << 20),
        beside_p50.as_secs_f64() * 1e3
    );
    f.baseline = format!(
        "the same task alone: {:.0} ms",
        alone_p50.as_secs_f64() * 1e3
    );
    f.ratio = format!("{slowdown:.2}x");
    f.pass = Some(
        growth_mib < 64.0
            && kept <= phonefleet::tasks::MOST_ROWS_PER_RUN as i64
            && slowdown <= 1.5
            && flood_task["status"] == 2,
    );
    f.notes.push(format!(
        "The misbehave plugin's `flood` mode for {flood_secs:.0} s on one phone: {rounds} rounds, each a 1 KiB \
         log line, a progress report and a 1 KiB line to stdout ({:.0} MiB offered in log lines alone). The host \
         kept {kept} log rows for it (its first 500 and last 500 lines, a note counting the rest, a note \
         saying how many lines its report channel dropped, and its closing line).",
        rounds as f64 / 1024.0
    ));
    f.notes.push(format!(
        "Host RSS (this process) {:.1} MiB before the flood, {:.1} MiB at its peak (sampled after each task \
         beside it), {:.1} MiB after. Bytes written: /proc/self/io write_bytes of the host process over the \
         flood (SQLite database and WAL, everything).",
        rss_before as f64 / f64::from(1 << 20),
        rss_peak as f64 / f64::from(1 << 20),
        rss_after as f64 / f64::from(1 << 20)
    ));
    f.notes.push(format!(
        "Beside it: a follow task on the other phone, run {} times during the flood (median {:.0} ms) against {} \
         times before it (median {:.0} ms), each timed from the request to the result.",
        beside.len(),
        beside_p50.as_secs_f64() * 1e3,
        alone.len(),
        alone_p50.as_secs_f64() * 1e3
    ));
    Ok(f)
}
