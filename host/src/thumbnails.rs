//! Live thumbnails of phone screens for the dashboard: one capture loop per phone shared by every
//! viewer, downscaled to a JPEG on the host, running only while someone looks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::phones::Phones;

/// Width of a thumbnail in pixels (the wall's tiles); the height keeps the screen's aspect ratio.
pub const WIDTH: u32 = 240;
/// Width of the large view (one phone's page, the group control leader).
pub const LARGE_WIDTH: u32 = 720;

/// Which view of the screen a viewer wants (`small` or `large` in a query).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// [`WIDTH`] pixels wide.
    Small,
    /// [`LARGE_WIDTH`] pixels wide, made only while someone looks at it.
    Large,
}
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
    /// The large view as a JPEG, [`LARGE_WIDTH`] pixels wide, when someone looked at it lately.
    pub large: Option<Vec<u8>>,
    /// Unique across the host's frames: an `ETag`.
    pub id: u64,
    /// The phone's screen size in pixels, as captured.
    pub screen: (u32, u32),
}

type Latest = Option<Result<Arc<Frame>, ThumbnailError>>;

/// One phone's capture loop: its latest frame and when a viewer last asked (for any view, and
/// for the large one).
struct Capture {
    latest: watch::Sender<Latest>,
    last_viewed: Mutex<Instant>,
    large_viewed: Mutex<Option<Instant>>,
    /// Makes the loop capture at once (a large view was asked for).
    wake: tokio::sync::Notify,
}

/// Every phone's thumbnail loop.
pub struct Thumbnails {
    phones: Arc<Phones>,
    refresh: Duration,
    loops: Mutex<HashMap<String, Arc<Capture>>>,
}

static NEXT_FRAME: AtomicU64 = AtomicU64::new(1);

impl Thumbnails {
    /// Thumbnails captured every `refresh` while viewed.
    pub fn new(phones: Arc<Phones>, refresh: Duration) -> Arc<Thumbnails> {
        Arc::new(Thumbnails {
            phones,
            refresh: refresh.max(Duration::from_millis(100)),
            loops: Mutex::new(HashMap::new()),
        })
    }

    /// The phone's latest thumbnail, waiting for the first capture when nobody looked lately; each
    /// call counts as a viewer looking, which keeps (or starts) the phone's one capture loop.
    ///
    /// # Errors
    /// [`ThumbnailError::NotConnected`] when adb does not list the phone; `Capture` when its
    /// screenshot failed or did not come within 15 s.
    pub async fn latest(
        self: &Arc<Self>,
        serial: &str,
        size: Size,
    ) -> Result<Arc<Frame>, ThumbnailError> {
        if self.phones.device(serial).is_none() {
            return Err(ThumbnailError::NotConnected(serial.to_string()));
        }
        let mut rx = self.viewed(serial, size).latest.subscribe();
        let ready = |latest: &Latest| match latest {
            Some(Ok(frame)) => size == Size::Small || frame.large.is_some(),
            Some(Err(_)) => true,
            None => false,
        };
        let wait = tokio::time::timeout(CAPTURE_LIMIT, rx.wait_for(ready)).await;
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

    /// The phone's loop, marked as just viewed in `size`; started when it was not running.
    fn viewed(self: &Arc<Self>, serial: &str, size: Size) -> Arc<Capture> {
        let mut loops = self.loops.lock().unwrap_or_else(PoisonError::into_inner);
        let capture = match loops.get(serial) {
            Some(capture) => {
                *capture
                    .last_viewed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Instant::now();
                capture.clone()
            }
            None => {
                let capture = Arc::new(Capture {
                    latest: watch::Sender::new(None),
                    last_viewed: Mutex::new(Instant::now()),
                    large_viewed: Mutex::new(None),
                    wake: tokio::sync::Notify::new(),
                });
                loops.insert(serial.to_string(), capture.clone());
                tokio::spawn(self.clone().run(serial.to_string(), capture.clone()));
                capture
            }
        };
        if size == Size::Large {
            *capture
                .large_viewed
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            // A loop that has only small frames makes the next one at once.
            if capture
                .latest
                .borrow()
                .as_ref()
                .is_some_and(|f| f.as_ref().is_ok_and(|f| f.large.is_none()))
            {
                capture.wake.notify_one();
            }
        }
        capture
    }

    /// Captures the phone every `refresh` until nobody looked for [`IDLE_PERIODS`] periods or the
    /// phone is gone.
    async fn run(self: Arc<Self>, serial: String, capture: Arc<Capture>) {
        let mut ticks = tokio::time::interval(self.refresh);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The last screenshot turned into a frame, and whether it had the large view.
        let mut last: Option<(u64, bool)> = None;
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = capture.wake.notified() => {}
            }
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
            let large = capture
                .large_viewed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some_and(|at| at.elapsed() < self.refresh * IDLE_PERIODS);
            let frame = match tokio::time::timeout(CAPTURE_LIMIT, device.screenshot()).await {
                Ok(Ok(png)) => {
                    // An unchanged screen (most of a wall, most of the time) is not decoded
                    // again, and keeps its frame id, so viewers get 304.
                    let seen = (fingerprint(&png), large);
                    if last == Some(seen) {
                        continue;
                    }
                    last = Some(seen);
                    tokio::task::spawn_blocking(move || downscale(&png, large))
                        .await
                        .unwrap_or_else(|e| Err(ThumbnailError::Capture(e.to_string())))
                }
                Ok(Err(e)) => Err(ThumbnailError::Capture(e.to_string())),
                Err(_) => Err(ThumbnailError::Capture(format!(
                    "no screenshot within {CAPTURE_LIMIT:?}"
                ))),
            };
            if frame.is_err() {
                last = None;
            }
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
}

/// A hash of a screenshot's bytes, to tell an unchanged screen.
fn fingerprint(png: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hasher::write(&mut hasher, png);
    std::hash::Hasher::finish(&hasher)
}

/// A screenshot (PNG, as `screencap -p` gives it) as a [`WIDTH`]-pixel-wide JPEG, and a
/// [`LARGE_WIDTH`] one when `large`. Errors: [`ThumbnailError::Capture`] for bytes that are not a PNG.
pub fn downscale(png: &[u8], large: bool) -> Result<Frame, ThumbnailError> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| ThumbnailError::Capture(format!("not a PNG: {e}")))?;
    let screen = (image.width(), image.height());
    Ok(Frame {
        jpeg: jpeg_of(&image, WIDTH)?,
        large: large.then(|| jpeg_of(&image, LARGE_WIDTH)).transpose()?,
        id: NEXT_FRAME.fetch_add(1, Ordering::Relaxed),
        screen,
    })
}

/// `image` scaled to `width` pixels (never up), keeping its aspect ratio, as a JPEG.
fn jpeg_of(image: &image::DynamicImage, width: u32) -> Result<Vec<u8>, ThumbnailError> {
    let width = width.min(image.width()).max(1);
    let height =
        (u64::from(image.height()) * u64::from(width) / u64::from(image.width().max(1))).max(1);
    let small = image
        .thumbnail_exact(width, u32::try_from(height).unwrap_or(u32::MAX))
        .into_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&small)
        .map_err(|e| ThumbnailError::Capture(format!("cannot encode the thumbnail: {e}")))?;
    Ok(jpeg)
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
        let frame = downscale(&png(1080, 2400), false).expect("downscale");
        assert_eq!(frame.screen, (1080, 2400));
        let small = image::load_from_memory(&frame.jpeg).expect("a JPEG");
        assert_eq!((small.width(), small.height()), (WIDTH, 533));
        assert!(frame.large.is_none(), "no large view unless asked for");
    }

    #[test]
    fn the_large_view_is_made_only_when_asked_for() {
        let frame = downscale(&png(1080, 2400), true).expect("downscale");
        let large =
            image::load_from_memory(frame.large.as_deref().expect("a large view")).expect("a JPEG");
        assert_eq!((large.width(), large.height()), (LARGE_WIDTH, 1600));
    }

    #[test]
    fn what_is_not_a_png_is_a_capture_error() {
        let error = downscale(b"not a png", false).expect_err("refused");
        assert!(error.to_string().contains("not a PNG"), "{error}");
    }
}
