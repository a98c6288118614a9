//! Live thumbnails of phone screens for the dashboard: one capture loop per phone shared by every
//! viewer, downscaled to a JPEG on the host, running only while someone looks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::phones::Phones;

/// Width of a thumbnail in pixels; the height keeps the screen's aspect ratio.
pub const WIDTH: u32 = 240;
/// JPEG quality of a thumbnail (1–100).
const QUALITY: u8 = 70;
/// The longest one screenshot may take before the loop reports the phone as not answering.
const CAPTURE_LIMIT: Duration = Duration::from_secs(15);
/// A loop stops after this many refresh periods without a viewer.
const IDLE_PERIODS: u32 = 3;

/// Why there is no thumbnail.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ThumbnailError {
    #[error("phone {0} is not connected (GET /api/v1/device lists the phones)")]
    NotConnected(String),
    #[error("the phone gave no screenshot: {0}")]
    Capture(String),
}

/// One downscaled screen.
#[derive(Debug)]
pub struct Frame {
    /// The thumbnail as a JPEG, [`WIDTH`] pixels wide.
    pub jpeg: Vec<u8>,
    /// Unique across the host's frames: an `ETag`.
    pub id: u64,
    /// The phone's screen size in pixels, as captured.
    pub screen: (u32, u32),
}

type Latest = Option<Result<Arc<Frame>, ThumbnailError>>;

/// One phone's capture loop: its latest frame and when a viewer last asked.
struct Capture {
    latest: watch::Sender<Latest>,
    last_viewed: Mutex<Instant>,
}

/// Every phone's thumbnail loop.
pub struct Thumbnails {
    phones: Arc<Phones>,
    refresh: Duration,
    loops: Mutex<HashMap<String, Arc<Capture>>>,
    /// Screenshots taken since the host started (what viewers cost the phones).
    captures: AtomicU64,
}

static NEXT_FRAME: AtomicU64 = AtomicU64::new(1);

impl Thumbnails {
    /// Thumbnails captured every `refresh` while viewed.
    pub fn new(phones: Arc<Phones>, refresh: Duration) -> Arc<Thumbnails> {
        Arc::new(Thumbnails {
            phones,
            refresh: refresh.max(Duration::from_millis(100)),
            loops: Mutex::new(HashMap::new()),
            captures: AtomicU64::new(0),
        })
    }

    /// The phone's latest thumbnail, waiting for the first capture when nobody looked lately; each
    /// call counts as a viewer looking, which keeps (or starts) the phone's one capture loop.
    ///
    /// # Errors
    /// [`ThumbnailError::NotConnected`] when adb does not list the phone; `Capture` when its
    /// screenshot failed or did not come within 15 s.
    pub async fn latest(self: &Arc<Self>, serial: &str) -> Result<Arc<Frame>, ThumbnailError> {
        if self.phones.device(serial).is_none() {
            return Err(ThumbnailError::NotConnected(serial.to_string()));
        }
        let mut rx = self.viewed(serial).latest.subscribe();
        let wait = tokio::time::timeout(CAPTURE_LIMIT, rx.wait_for(Option::is_some)).await;
        match wait {
            Ok(Ok(latest)) => latest
                .clone()
                .unwrap_or_else(|| Err(ThumbnailError::Capture("the capture loop ended".into()))),
            Ok(Err(_)) => Err(ThumbnailError::Capture("the capture loop ended".into())),
            Err(_) => Err(ThumbnailError::Capture(format!(
                "no screenshot within {CAPTURE_LIMIT:?}"
            ))),
        }
    }

    /// How often a viewed phone is captured.
    pub fn refresh(&self) -> Duration {
        self.refresh
    }

    /// How many screenshots the loops have taken.
    pub fn captures(&self) -> u64 {
        self.captures.load(Ordering::Relaxed)
    }

    /// The phone's loop, marked as just viewed; started when it was not running.
    fn viewed(self: &Arc<Self>, serial: &str) -> Arc<Capture> {
        let mut loops = self.loops.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(capture) = loops.get(serial) {
            *capture
                .last_viewed
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Instant::now();
            return capture.clone();
        }
        let capture = Arc::new(Capture {
            latest: watch::Sender::new(None),
            last_viewed: Mutex::new(Instant::now()),
        });
        loops.insert(serial.to_string(), capture.clone());
        tokio::spawn(self.clone().run(serial.to_string(), capture.clone()));
        capture
    }

    /// Captures the phone every `refresh` until nobody looked for [`IDLE_PERIODS`] periods or the
    /// phone is gone.
    async fn run(self: Arc<Self>, serial: String, capture: Arc<Capture>) {
        let mut ticks = tokio::time::interval(self.refresh);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if self.stop_if_idle(&serial, &capture) {
                return;
            }
            let Some(device) = self.phones.device(&serial) else {
                capture
                    .latest
                    .send_replace(Some(Err(ThumbnailError::NotConnected(serial.clone()))));
                self.remove(&serial, &capture);
                return;
            };
            self.captures.fetch_add(1, Ordering::Relaxed);
            let frame = match tokio::time::timeout(CAPTURE_LIMIT, device.screenshot()).await {
                Ok(Ok(png)) => tokio::task::spawn_blocking(move || downscale(&png))
                    .await
                    .unwrap_or_else(|e| Err(ThumbnailError::Capture(e.to_string()))),
                Ok(Err(e)) => Err(ThumbnailError::Capture(e.to_string())),
                Err(_) => Err(ThumbnailError::Capture(format!(
                    "no screenshot within {CAPTURE_LIMIT:?}"
                ))),
            };
            capture.latest.send_replace(Some(frame.map(Arc::new)));
        }
    }

    /// Ends the loop when nobody looked for a while; decided under the map's lock, so a viewer
    /// arriving now either keeps this loop or starts a new one.
    fn stop_if_idle(&self, serial: &str, capture: &Arc<Capture>) -> bool {
        let mut loops = self.loops.lock().unwrap_or_else(PoisonError::into_inner);
        let last = *capture
            .last_viewed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.elapsed() < self.refresh * IDLE_PERIODS {
            return false;
        }
        if loops.get(serial).is_some_and(|c| Arc::ptr_eq(c, capture)) {
            loops.remove(serial);
        }
        true
    }

    fn remove(&self, serial: &str, capture: &Arc<Capture>) {
        let mut loops = self.loops.lock().unwrap_or_else(PoisonError::into_inner);
        if loops.get(serial).is_some_and(|c| Arc::ptr_eq(c, capture)) {
            loops.remove(serial);
        }
    }

    /// How many phones are being captured now.
    pub fn running(&self) -> usize {
        self.loops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A screenshot (PNG, as `screencap -p` gives it) as a [`WIDTH`]-pixel-wide JPEG.
fn downscale(png: &[u8]) -> Result<Frame, ThumbnailError> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| ThumbnailError::Capture(format!("not a PNG: {e}")))?;
    let screen = (image.width(), image.height());
    let height = (u64::from(screen.1) * u64::from(WIDTH) / u64::from(screen.0.max(1))).max(1);
    let small = image
        .thumbnail_exact(WIDTH, u32::try_from(height).unwrap_or(u32::MAX))
        .into_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&small)
        .map_err(|e| ThumbnailError::Capture(format!("cannot encode the thumbnail: {e}")))?;
    Ok(Frame {
        jpeg,
        id: NEXT_FRAME.fetch_add(1, Ordering::Relaxed),
        screen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(width, height, image::Rgb([10, 200, 30]))
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_screenshot_becomes_a_jpeg_of_the_thumbnail_width_keeping_the_aspect_ratio() {
        let frame = downscale(&png(1080, 2400)).expect("downscale");
        assert_eq!(frame.screen, (1080, 2400));
        let small = image::load_from_memory(&frame.jpeg).expect("a JPEG");
        assert_eq!((small.width(), small.height()), (WIDTH, 533));
    }

    #[test]
    fn what_is_not_a_png_is_a_capture_error() {
        let error = downscale(b"not a png").expect_err("refused");
        assert!(error.to_string().contains("not a PNG"), "{error}");
    }
}
