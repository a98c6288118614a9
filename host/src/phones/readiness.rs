//! Whether a phone can run a task now, checked before each one: the screen awake (woken if not),
//! no keyguard in the way (a swipe one opened; a PIN one fails the task at once), ADBKeyboard
//! enabled if installed, the task's app installed (else the task fails at once, naming the
//! package); and what the phone is — Android version, screen, ADBKeyboard — learnt once per
//! connection. Field cases 10, 12, 14.

use std::collections::HashSet;
use std::time::Duration;

use phonefleet_device::adb::{AdbError, Device};
use phonefleet_device::android::{AndroidVersion, Keyboard, Keyguard, ScreenState};

/// What the host knows of a phone's fitness for tasks, as `GET /api/v1/device` shows it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// When it was last checked (RFC 3339).
    pub checked_at: Option<String>,
    /// The screen was on (after waking it).
    pub awake: Option<bool>,
    /// The keyguard after the check: `none`, `swipe` (could not be opened) or `secure`.
    #[schema(value_type = Option<String>)]
    pub keyguard: Option<Keyguard>,
    /// The last task's app when it was checked, and whether it is installed.
    pub app: Option<String>,
    pub app_installed: Option<bool>,
    /// Android version, e.g. {"release": "11", "sdk": 30}.
    #[schema(value_type = Option<Object>)]
    pub android: Option<AndroidVersion>,
    /// Screen size in pixels, [width, height], and density in dpi.
    pub screen: Option<(u32, u32)>,
    pub density: Option<u32>,
    /// ADBKeyboard (for text that is not plain ASCII): `enabled`, `disabled` (enabled when a run
    /// needs it) or `missing`.
    #[schema(value_type = Option<String>)]
    pub keyboard: Option<Keyboard>,
    /// Why the phone cannot run tasks now, when it cannot.
    pub problem: Option<String>,
}

/// Why a task cannot start on a phone.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The phone is gone (or its adb server is, or it does not answer): the task goes back to
    /// the queue. The text starts with "device offline".
    #[error("{0}")]
    Offline(String),
    /// The phone is there but cannot run this task; the text says why and what to do.
    #[error("{0}")]
    Refused(String),
}

impl From<AdbError> for NotReady {
    /// A phone that is gone, or silent (a network phone that dropped off the network times out
    /// rather than going offline), is not a reason to fail a task: it goes back to the queue.
    fn from(e: AdbError) -> NotReady {
        match e {
            AdbError::Offline { .. } | AdbError::Lost { .. } => NotReady::Offline(e.to_string()),
            AdbError::ServerUnavailable { .. } | AdbError::Timeout { .. } => {
                NotReady::Offline(format!("device offline: {e}"))
            }
            other => NotReady::Refused(format!("the phone could not be checked: {other}")),
        }
    }
}

/// How long the screen may take to turn on, or the keyguard to open, after being asked: both
/// animate on real phones.
const SETTLE: Duration = Duration::from_secs(3);
/// How often the screen is looked at meanwhile.
const SETTLE_POLL: Duration = Duration::from_millis(200);

/// What a phone is (Android version, screen, ADBKeyboard), learnt once per connection: for
/// display and for scripts that ask, so a part the phone will not tell is left unknown.
pub(super) async fn describe(device: &Device, readiness: &mut Readiness) {
    let (android, screen, density, keyboard) = tokio::join!(
        device.android_version(),
        device.screen_size(),
        device.density(),
        device.keyboard()
    );
    readiness.android = android.ok();
    readiness.screen = screen.ok();
    readiness.density = density.ok();
    readiness.keyboard = keyboard.ok();
}

/// Makes the phone ready for a task: wakes it, opens a keyguard that has no PIN, enables a
/// disabled ADBKeyboard, and checks that `app` (when given) is installed — unless it is in
/// `installed`, the apps found on this connection before, where it is added once found.
/// Records what it saw in `readiness`.
pub(super) async fn prepare(
    device: &Device,
    app: Option<&str>,
    installed: &mut HashSet<String>,
    readiness: &mut Readiness,
) -> Result<(), NotReady> {
    readiness.checked_at = Some(crate::clock::rfc3339(crate::clock::now_ms()));
    readiness.app = app.map(str::to_owned);
    let app_check = async {
        match app {
            Some(package) if installed.contains(package) => Ok(Some(true)),
            Some(package) => device.is_installed(package).await.map(Some),
            None => Ok(None),
        }
    };
    let (app_installed, mut state) = tokio::try_join!(app_check, device.screen_state())?;
    if let (Some(package), Some(true)) = (app, app_installed) {
        installed.insert(package.to_owned());
    }
    readiness.app_installed = app_installed;
    if !state.awake {
        device.wake().await?;
        state = settle(device, |s| s.awake).await?;
    }
    if state.keyguard == Keyguard::Swipe {
        device.dismiss_keyguard().await?;
        state = settle(device, |s| s.keyguard != Keyguard::Swipe).await?;
    }
    if readiness.keyboard == Some(Keyboard::Disabled) {
        device.enable_adb_keyboard().await?;
        readiness.keyboard = Some(device.keyboard().await?);
    }
    readiness.awake = Some(state.awake);
    readiness.keyguard = Some(state.keyguard);
    let problem = if state.keyguard == Keyguard::Secure {
        Some(
            "the phone is locked with a PIN, pattern or password: unlock it, or remove the screen lock \
             (Settings → Security → Screen lock → None), to run tasks on it"
                .to_owned(),
        )
    } else if state.keyguard == Keyguard::Swipe {
        Some(
            "the phone's lock screen did not open (wm dismiss-keyguard); unlock it by hand"
                .to_owned(),
        )
    } else if !state.awake {
        Some("the phone's screen did not turn on (KEYCODE_WAKEUP)".to_owned())
    } else if let (Some(package), Some(false)) = (app, app_installed) {
        Some(format!(
            "{package} is not installed on this phone: install the app (or register the account with the \
             package of the build that is installed)"
        ))
    } else {
        None
    };
    readiness.problem = problem.clone();
    match problem {
        Some(why) => Err(NotReady::Refused(why)),
        None => Ok(()),
    }
}

/// The screen's state once `done` holds for it, or after [`SETTLE`] as it is then.
async fn settle(
    device: &Device,
    done: impl Fn(&ScreenState) -> bool,
) -> Result<ScreenState, AdbError> {
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        let state = device.screen_state().await?;
        if done(&state) || tokio::time::Instant::now() >= deadline {
            return Ok(state);
        }
        tokio::time::sleep(SETTLE_POLL).await;
    }
}
