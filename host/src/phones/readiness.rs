//! Whether a phone can run a task now, checked before each one: the screen awake (woken if not),
//! no keyguard in the way (a swipe one opened; a PIN one fails the task at once), the task's app
//! installed (else the task fails at once, naming the package); and what the phone is — Android
//! version, screen, ADBKeyboard — learnt once per connection. Field cases 10, 12, 14.

use phonefleet_device::adb::{AdbError, Device};
use phonefleet_device::android::{AndroidVersion, Keyboard, Keyguard};

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
    /// The last task's app, and whether it is installed.
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
    /// The phone is gone (or its adb server is): the task goes back to the queue.
    #[error("device offline: {0}")]
    Offline(String),
    /// The phone is there but cannot run this task; the text says why and what to do.
    #[error("{0}")]
    Refused(String),
}

impl From<AdbError> for NotReady {
    fn from(e: AdbError) -> NotReady {
        match e {
            AdbError::Offline { .. } | AdbError::ServerUnavailable { .. } => {
                NotReady::Offline(e.to_string())
            }
            other => NotReady::Refused(format!("the phone could not be checked: {other}")),
        }
    }
}

/// What a phone is, learnt once per connection (it does not change while connected).
pub(super) async fn describe(device: &Device, readiness: &mut Readiness) -> Result<(), AdbError> {
    let (android, screen, density, keyboard) = tokio::try_join!(
        device.android_version(),
        device.screen_size(),
        device.density(),
        device.keyboard()
    )?;
    readiness.android = Some(android);
    readiness.screen = Some(screen);
    readiness.density = Some(density);
    readiness.keyboard = Some(keyboard);
    Ok(())
}

/// Makes the phone ready for a task of `package`: wakes it, opens a keyguard that has no PIN,
/// checks the app is installed. Records what it saw in `readiness`.
pub(super) async fn prepare(
    device: &Device,
    package: &str,
    readiness: &mut Readiness,
) -> Result<(), NotReady> {
    readiness.checked_at = Some(crate::clock::rfc3339(crate::clock::now_ms()));
    readiness.app = Some(package.to_owned());
    let (state, installed) = tokio::try_join!(device.screen_state(), device.is_installed(package))?;
    readiness.app_installed = Some(installed);
    let mut state = state;
    if !state.awake {
        device.wake().await?;
        state = device.screen_state().await?;
    }
    if state.keyguard == Keyguard::Swipe {
        device.dismiss_keyguard().await?;
        state = device.screen_state().await?;
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
    } else if !installed {
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
