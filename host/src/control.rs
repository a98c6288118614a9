//! Operators steering phones by hand from the dashboard: one action (tap, swipe, key, text, shell
//! command, wake, APK install, reboot) replayed on one phone or many, each through the same device
//! layer as scripts, taps scaled from the leader's screen to each phone's own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use phonefleet_device::adb::{AdbError, Device};
use serde::{Deserialize, Serialize};

use crate::phones::Phones;
use crate::tasks::{TaskError, Tasks};

/// How long a phone taken over stays out of the queue after the last action that took it over;
/// `release` gives it back sooner.
pub const TAKE_OVER_HOLD: Duration = Duration::from_secs(10 * 60);
/// The longest one action may take on one phone; an install (a push of a large APK over USB 2,
/// then `pm install`) gets [`INSTALL_LIMIT`].
const ACTION_LIMIT: Duration = Duration::from_secs(60);
const INSTALL_LIMIT: Duration = Duration::from_secs(10 * 60);
/// The most output of a shell command shown back, in bytes.
const OUTPUT_LIMIT: usize = 64 * 1024;

/// A key an operator presses, by the name on the dashboard's buttons or by Android key code.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    Back,
    Home,
    /// The overview of recent apps (`KEYCODE_APP_SWITCH`).
    Recents,
    Enter,
    /// Deletes the character before the cursor (`KEYCODE_DEL`).
    Delete,
    Power,
}

impl Key {
    /// Android's key code (developer.android.com/reference/android/view/KeyEvent).
    fn code(self) -> u32 {
        match self {
            Key::Back => 4,
            Key::Home => 3,
            Key::Recents => 187,
            Key::Enter => 66,
            Key::Delete => 67,
            Key::Power => 26,
        }
    }
}

/// What to do on every phone, coordinates in pixels of the `screen` the request names.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Tap {
        x: u32,
        y: u32,
    },
    Swipe {
        x1: u32,
        y1: u32,
        x2: u32,
        y2: u32,
        /// Milliseconds the finger moves; 300 when absent.
        duration_ms: Option<u32>,
    },
    Key {
        key: Key,
    },
    /// Any Unicode: plain ASCII through `input text`, the rest through ADBKeyboard.
    Text {
        text: String,
    },
    /// A shell command; its output is answered.
    Shell {
        command: String,
    },
    /// Turns the screen on (`KEYCODE_WAKEUP`).
    Wake,
    /// Installs an APK from a host file inside a `--file-root` (`pm install -r -g`).
    Install {
        path: String,
    },
    /// Restarts the phone (adb's `reboot:`): offline until it has booted.
    Reboot,
    /// Gives a taken-over phone back to the queue now.
    Release,
}

/// A screen size in pixels.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ScreenSize {
    pub width: u32,
    pub height: u32,
}

/// How one phone took an action.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub serial: String,
    pub ok: bool,
    /// Why it did not, when it did not.
    pub error: Option<String>,
    /// A shell command's output (stdout then stderr), cut at 64 KiB.
    pub output: Option<String>,
    /// Where a tap or swipe landed on this phone, after scaling: `[x, y]` or `[x1, y1, x2, y2]`.
    pub at: Option<Vec<u32>>,
    /// Milliseconds from the request to this phone's action done (microsecond precision).
    pub took_ms: f64,
}

/// Why one phone did not take an action.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("not connected (GET /api/v1/device lists the phones)")]
    NotConnected,
    #[error("task {0} is running on it: take over (which stops the task) to control it")]
    Busy(i64),
    #[error("could not stop task {0} to take over: {1}")]
    TakeOver(i64, TaskError),
    #[error("its screen size is unknown ({0}); cannot scale the leader's coordinates")]
    ScreenUnknown(AdbError),
    #[error("{0}")]
    Device(#[from] AdbError),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// One operator action for several phones.
pub struct Request {
    pub serials: Vec<String>,
    pub action: Action,
    /// The screen the coordinates are on (the leader's); each phone's are scaled from it. Absent:
    /// the coordinates are every phone's own.
    pub screen: Option<ScreenSize>,
    /// Stop a task running on a phone and keep the queue off it for [`TAKE_OVER_HOLD`].
    pub take_over: bool,
}

/// Runs `request.action` on every phone at once; one outcome per phone, in the request's order.
pub async fn apply(phones: &Arc<Phones>, tasks: &Tasks, request: &Request) -> Vec<Outcome> {
    let started = Instant::now();
    let limit = match request.action {
        Action::Install { .. } => INSTALL_LIMIT,
        _ => ACTION_LIMIT,
    };
    let runs = request.serials.iter().map(|serial| async move {
        let result = tokio::time::timeout(limit, one(phones, tasks, serial, request))
            .await
            .unwrap_or(Err(Refusal::Timeout(limit)));
        let took_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        match result {
            Ok((output, at)) => Outcome {
                serial: serial.clone(),
                ok: true,
                error: None,
                output,
                at,
                took_ms,
            },
            Err(refusal) => Outcome {
                serial: serial.clone(),
                ok: false,
                error: Some(refusal.to_string()),
                output: None,
                at: None,
                took_ms,
            },
        }
    });
    futures::future::join_all(runs).await
}

type Done = (Option<String>, Option<Vec<u32>>);

async fn one(
    phones: &Arc<Phones>,
    tasks: &Tasks,
    serial: &str,
    request: &Request,
) -> Result<Done, Refusal> {
    // A hold is lifted whether or not the phone is connected now.
    if matches!(request.action, Action::Release) {
        tasks.release_phone(serial);
        return Ok((None, None));
    }
    let device = phones.device(serial).ok_or(Refusal::NotConnected)?;
    if let Some(task) = tasks.running_on(serial) {
        if !request.take_over {
            return Err(Refusal::Busy(task));
        }
        // Held first, so the queue cannot start the next task in the gap the stop leaves.
        tasks.hold_phone(serial, TAKE_OVER_HOLD);
        match tasks.stop(task).await {
            // It ended by itself meanwhile: the phone is free all the same.
            Ok(()) | Err(TaskError::BadState { .. }) => {}
            Err(e) => {
                tasks.release_phone(serial);
                return Err(Refusal::TakeOver(task, e));
            }
        }
    } else if request.take_over {
        tasks.hold_phone(serial, TAKE_OVER_HOLD);
    }
    let scale = match request.screen {
        Some(from) => Some(Scale::new(from, own_screen(phones, serial, &device).await?)),
        None => None,
    };
    let point = |x: u32, y: u32| scale.map_or((x, y), |s| s.point(x, y));
    match &request.action {
        Action::Tap { x, y } => {
            let (x, y) = point(*x, *y);
            device.tap(x, y).await?;
            Ok((None, Some(vec![x, y])))
        }
        Action::Swipe {
            x1,
            y1,
            x2,
            y2,
            duration_ms,
        } => {
            let (from, to) = (point(*x1, *y1), point(*x2, *y2));
            device.swipe(from, to, duration_ms.unwrap_or(300)).await?;
            Ok((None, Some(vec![from.0, from.1, to.0, to.1])))
        }
        Action::Key { key } => {
            device.key_event(key.code()).await?;
            Ok((None, None))
        }
        Action::Text { text } => {
            device.type_text(text).await?;
            Ok((None, None))
        }
        Action::Shell { command } => {
            let out = device.shell(command).await?;
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            if text.len() > OUTPUT_LIMIT {
                let cut = text.floor_char_boundary(OUTPUT_LIMIT);
                text.truncate(cut);
                text.push_str("\n[output cut at 64 KiB]");
            }
            if out.exit_code != 0 {
                text.push_str(&format!("\n[exit code {}]", out.exit_code));
            }
            Ok((Some(text), None))
        }
        Action::Wake => {
            device.wake().await?;
            Ok((None, None))
        }
        Action::Install { path } => {
            device.install_apk(std::path::Path::new(path)).await?;
            Ok((None, None))
        }
        Action::Reboot => {
            device.reboot().await?;
            Ok((None, None))
        }
        // Nothing on the phone: the hold was lifted above.
        Action::Release => Ok((None, None)),
    }
}

/// The phone's screen size: as learnt when it connected, else asked now (`wm size`).
async fn own_screen(phones: &Phones, serial: &str, device: &Device) -> Result<ScreenSize, Refusal> {
    if let Some((width, height)) = phones.readiness(serial).and_then(|r| r.screen) {
        return Ok(ScreenSize { width, height });
    }
    let (width, height) = device.screen_size().await.map_err(Refusal::ScreenUnknown)?;
    Ok(ScreenSize { width, height })
}

/// From the leader's pixels to a follower's: each axis in proportion.
#[derive(Clone, Copy, Debug)]
struct Scale {
    from: ScreenSize,
    to: ScreenSize,
}

impl Scale {
    /// From the leader's screen as captured (its current orientation) to a phone's natural size
    /// (`wm size`, always portrait on a phone): the follower is taken to be turned as the leader is.
    fn new(from: ScreenSize, to: ScreenSize) -> Scale {
        let landscape = |s: ScreenSize| s.width > s.height;
        let to = if landscape(from) == landscape(to) {
            to
        } else {
            ScreenSize {
                width: to.height,
                height: to.width,
            }
        };
        Scale { from, to }
    }

    fn point(self, x: u32, y: u32) -> (u32, u32) {
        let axis = |v: u32, from: u32, to: u32| -> u32 {
            if from == 0 {
                return v;
            }
            let scaled = (u64::from(v) * u64::from(to) + u64::from(from) / 2) / u64::from(from);
            u32::try_from(scaled)
                .unwrap_or(u32::MAX)
                .min(to.saturating_sub(1))
        };
        (
            axis(x, self.from.width, self.to.width),
            axis(y, self.from.height, self.to.height),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FHD: ScreenSize = ScreenSize {
        width: 1080,
        height: 2400,
    };
    const HD: ScreenSize = ScreenSize {
        width: 720,
        height: 1600,
    };

    #[test]
    fn a_tap_on_the_leader_lands_at_the_same_place_of_a_smaller_screen() {
        assert_eq!(Scale::new(FHD, HD).point(540, 1200), (360, 800));
        assert_eq!(Scale::new(FHD, HD).point(0, 0), (0, 0));
    }

    #[test]
    fn a_scaled_tap_stays_on_the_screen() {
        assert_eq!(Scale::new(HD, FHD).point(719, 1599), (1079, 2399));
        assert_eq!(Scale::new(HD, FHD).point(5000, 5000), (1079, 2399));
    }

    #[test]
    fn a_leader_turned_to_landscape_taps_followers_turned_alike() {
        let landscape = ScreenSize {
            width: 2400,
            height: 1080,
        };
        // The leader itself: its natural size is portrait, the tap stays where it was.
        assert_eq!(Scale::new(landscape, FHD).point(2000, 500), (2000, 500));
        assert_eq!(
            Scale::new(landscape, HD).point(2400 / 2, 1080 / 2),
            (800, 360)
        );
    }

    #[test]
    fn the_same_screen_is_not_scaled() {
        assert_eq!(Scale::new(FHD, FHD).point(123, 456), (123, 456));
    }
}
