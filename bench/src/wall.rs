//! Figures 9 and 10, the dashboard's costs: the phones wall (host CPU and bytes per second for
//! every phone's thumbnail at the default refresh), and group control (a tap on the leader to the
//! followers' taps).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::env::{AdbServer, Host, Phones, cpu_time};
use crate::{Figure, Sizes};

/// Share of one core this process used while `work` ran, and what `work` returned.
async fn cpu_share<T>(work: impl Future<Output = Result<T>>) -> Result<(f64, T, Duration)> {
    let (cpu, wall) = (cpu_time(), Instant::now());
    let out = work.await?;
    let elapsed = wall.elapsed();
    Ok((
        (cpu_time() - cpu).as_secs_f64() / elapsed.as_secs_f64(),
        out,
        elapsed,
    ))
}

/// `viewers` wall pages, each asking for every phone's thumbnail once per `refresh` for
/// `window`, revalidating with the last `ETag` as the page does; returns the body bytes received.
async fn watch_wall(
    host: &Host,
    serials: &[String],
    viewers: usize,
    refresh: Duration,
    window: Duration,
) -> Result<u64> {
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + window;
    let mut pages = Vec::new();
    for _ in 0..viewers {
        for serial in serials {
            let http = host.http.clone();
            let url = format!("{}/device/{serial}/thumbnail", host.base);
            let bytes = bytes.clone();
            pages.push(tokio::spawn(async move {
                let mut etag: Option<String> = None;
                let mut ticks = tokio::time::interval(refresh);
                while Instant::now() < deadline {
                    ticks.tick().await;
                    let mut req = http.get(&url);
                    if let Some(tag) = &etag {
                        req = req.header("if-none-match", tag);
                    }
                    let reply = req.send().await?;
                    if let Some(tag) = reply.headers().get("etag") {
                        etag = Some(tag.to_str().unwrap_or_default().to_string());
                    }
                    let body = reply.bytes().await?;
                    bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                }
                anyhow::Ok(())
            }));
        }
    }
    for page in pages {
        page.await??;
    }
    Ok(bytes.load(Ordering::Relaxed))
}

/// A screenshot as a real phone's `screencap -p` gives one: 1080×2400, full colour, with detail
/// a PNG cannot squeeze away (a gradient with noise), ~4 MiB.
fn field_like_screenshot() -> Result<Vec<u8>> {
    let mut seed = 0x9e37_79b9u32;
    let image = image::RgbImage::from_fn(1080, 2400, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed & 0x1f) as u8;
        image::Rgb([
            (x / 5) as u8 ^ noise,
            (y / 10) as u8 ^ noise,
            ((x + y) / 14) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

pub async fn f9(sizes: Sizes, adb: &AdbServer) -> Result<Figure> {
    let count = sizes.f9_phones;
    let window = Duration::from_secs(sizes.f9_window_secs);
    let phones = Phones::start(adb, count).await?;
    let host = Host::start(adb, None).await?;
    host.wait_devices(&phones.serials).await?;
    let refresh =
        Duration::from_millis(phonefleet::Config::for_data_dir(".".into()).thumbnail_refresh_ms);
    let (idle, (), _) = cpu_share(async {
        tokio::time::sleep(window).await;
        Ok(())
    })
    .await?;
    // Warm: every loop started and a first frame taken.
    watch_wall(&host, &phones.serials, 1, refresh, refresh).await?;
    let (one, bytes, took) =
        cpu_share(watch_wall(&host, &phones.serials, 1, refresh, window)).await?;
    let (three, bytes3, took3) =
        cpu_share(watch_wall(&host, &phones.serials, 3, refresh, window)).await?;
    let rate = bytes as f64 / took.as_secs_f64();
    let rate3 = bytes3 as f64 / took3.as_secs_f64();
    // What a real phone's screenshot costs to decode and downscale.
    let png = field_like_screenshot()?;
    let frames = sizes.f9_decodes;
    let t = Instant::now();
    let mut jpeg = 0;
    for _ in 0..frames {
        jpeg = phonefleet::thumbnails::downscale(&png, false)
            .context("downscale")?
            .jpeg
            .len();
    }
    let per_frame = t.elapsed().as_secs_f64() / frames as f64;
    let real_share = count as f64 / refresh.as_secs_f64() * per_frame;
    host.stop().await;
    drop(phones);

    let mut f = Figure::new(0, "", "");
    f.measured = format!(
        "{:.1}% of a core, {:.1} KiB/s for {count} phones",
        (one - idle) * 100.0,
        rate / 1024.0
    );
    f.baseline = format!("idle host {:.1}% of a core", idle * 100.0);
    f.ratio = format!(
        "3 viewers: {:.1}% and {:.1} KiB/s",
        (three - idle) * 100.0,
        rate3 / 1024.0
    );
    f.pass = Some(three - idle < (one - idle) * 3.0 + 0.05);
    f.notes.push(format!(
        "{count} vphones (in a child process) on one host; for {:.0} s one wall page asks for every phone's thumbnail once per {} ms \
         (the default `--thumbnail-refresh-ms`), revalidating with its `ETag` as the page does. The host's CPU is this process's \
         (user + system, /proc/self/stat) over the window, the idle host's over the same time subtracted; it includes the page's \
         HTTP client. The vphones' screens do not change while watched, so after each phone's first frame the host only \
         fingerprints its screenshots (no decode) and the page gets 304s: the steady state of a wall of idle phones. Then three \
         pages at once: still one capture per phone and period (one loop per phone), so the host's cost barely moves.",
        window.as_secs_f64(),
        refresh.as_millis()
    ));
    f.notes.push(format!(
        "A vphone's screenshot is a tiny palette PNG. A real phone's (1080×2400, full colour; here a noisy gradient of {} KiB) \
         takes {:.1} ms to decode and downscale to a {} KiB thumbnail (mean of {frames}), so {count} real phones at this refresh \
         would cost about {:.0}% of a core more; the wall's bytes per phone stay ~{} KiB per frame.",
        png.len() / 1024,
        per_frame * 1000.0,
        jpeg / 1024,
        real_share * 100.0,
        jpeg / 1024
    ));
    Ok(f)
}

pub async fn f10(sizes: Sizes, adb: &AdbServer) -> Result<Figure> {
    let count = sizes.f10_phones;
    let phones = Phones::start(adb, count).await?;
    let host = Host::start(adb, None).await?;
    host.wait_devices(&phones.serials).await?;
    // Baseline: the same tap replayed on every phone one after another, through the device layer.
    let adb_client = phonefleet_device::adb::AdbServer::new(adb.addr());
    let devices: Vec<_> = phones
        .serials
        .iter()
        .map(|s| adb_client.device(s))
        .collect();
    let mut sequential = Vec::new();
    for _ in 0..sizes.f10_taps {
        let t = Instant::now();
        for device in &devices {
            device.tap(20, 20).await?;
        }
        sequential.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let body = json!({
        "serials": phones.serials,
        "action": {"kind": "tap", "x": 20, "y": 20},
        "screen": {"width": 1080, "height": 2400},
    });
    let mut last_follower = Vec::new();
    let mut round_trip = Vec::new();
    for _ in 0..sizes.f10_taps {
        let t = Instant::now();
        let reply = host.post("/control", &body).await?;
        round_trip.push(t.elapsed().as_secs_f64() * 1000.0);
        let outcomes = reply["data"].as_array().context("outcomes")?;
        if outcomes.iter().any(|o| o["ok"] != true) {
            bail!("a phone did not tap: {reply}");
        }
        let slowest = outcomes
            .iter()
            .skip(1)
            .filter_map(|o| o["took_ms"].as_f64())
            .fold(0.0, f64::max);
        last_follower.push(slowest);
    }
    host.stop().await;
    drop(phones);
    let (sequential, last, rtt) = (
        crate::figures::sorted(sequential),
        crate::figures::sorted(last_follower),
        crate::figures::sorted(round_trip),
    );
    let p = crate::figures::percentile;
    let mut f = Figure::new(0, "", "");
    f.measured = format!(
        "last follower p50 {:.1} ms, p99 {:.1} ms",
        p(&last, 50.0),
        p(&last, 99.0)
    );
    f.baseline = format!(
        "one phone after another: p50 {:.1} ms, p99 {:.1} ms",
        p(&sequential, 50.0),
        p(&sequential, 99.0)
    );
    f.ratio = format!("{:.1}x faster", p(&sequential, 50.0) / p(&last, 50.0));
    f.pass = Some(p(&last, 99.0) <= 50.0 && p(&last, 50.0) < p(&sequential, 50.0));
    f.notes.push(format!(
        "{} taps on a leader with {} followers (vphones), each `POST /api/v1/control` with the leader's screen size; \
         per tap the time from the request to the slowest follower's `input tap` done (the host's `took_ms`; the \
         followers are tapped at once, not one after another). Round trip seen by the page: p50 {:.1} ms, p99 {:.1} ms. \
         Baseline: the same tap on every phone one after another through `Device::tap` (a replay without concurrency).",
        sizes.f10_taps,
        count - 1,
        p(&rtt, 50.0),
        p(&rtt, 99.0)
    ));
    Ok(f)
}
