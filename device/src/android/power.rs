//! The screen's power and the keyguard: whether the phone is awake (`dumpsys power`), whether a
//! keyguard shows and whether it is secure (`dumpsys window`'s KeyguardServiceDelegate, or the
//! older `mShowingLockscreen`), waking it (KEYCODE_WAKEUP) and opening a keyguard that has no PIN.

use crate::adb::{AdbError, Device};

/// KEYCODE_WAKEUP: turns the screen on, and does nothing when it already is (unlike POWER).
const KEYCODE_WAKEUP: u32 = 224;
/// KEYCODE_MENU: opens a swipe keyguard on Android before 8 (no `wm dismiss-keyguard` there).
const KEYCODE_MENU: u32 = 82;

/// The keyguard as the phone reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Keyguard {
    /// None shows: the app is reachable.
    None,
    /// One shows that a swipe opens.
    Swipe,
    /// One shows that needs a PIN, pattern or password: only a person can open it.
    Secure,
}

/// What the screen is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScreenState {
    /// The screen is on (`mWakefulness=Awake`).
    pub awake: bool,
    /// The keyguard over the apps.
    pub keyguard: Keyguard,
}

impl Device {
    /// Whether the screen is on and which keyguard shows.
    pub async fn screen_state(&self) -> Result<ScreenState, AdbError> {
        let (power, window) =
            tokio::try_join!(self.run("dumpsys power"), self.run("dumpsys window policy"))?;
        Ok(ScreenState {
            awake: parse_awake(&power.stdout_text()),
            keyguard: parse_keyguard(&window.stdout_text()),
        })
    }

    /// Turns the screen on (KEYCODE_WAKEUP).
    pub async fn wake(&self) -> Result<(), AdbError> {
        self.key_event(KEYCODE_WAKEUP).await
    }

    /// Asks the system to open the keyguard: `wm dismiss-keyguard` (Android 8+), else MENU. A
    /// secure keyguard stays (it asks for the PIN instead).
    pub async fn dismiss_keyguard(&self) -> Result<(), AdbError> {
        let out = self.shell("wm dismiss-keyguard").await?;
        if out.exit_code != 0 {
            self.key_event(KEYCODE_MENU).await?;
        }
        Ok(())
    }
}

/// `mWakefulness=Awake` (or `Dreaming`: the screen is on) in `dumpsys power`; older phones print
/// `mScreenOn=true`.
fn parse_awake(power: &str) -> bool {
    power.lines().map(str::trim).any(|l| {
        matches!(
            l,
            "mWakefulness=Awake" | "mWakefulness=Dreaming" | "mScreenOn=true"
        )
    })
}

/// The keyguard in `dumpsys window policy`: `showing=` and `secure=` of the KeyguardServiceDelegate
/// (Android 7+), else `mShowingLockscreen=` / `mDreamingLockscreen=` (older).
fn parse_keyguard(window: &str) -> Keyguard {
    let flag = |key: &str| {
        window
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.starts_with("true"))
    };
    let showing = flag("showing=")
        .or_else(|| flag("mShowingLockscreen="))
        .or_else(|| flag("mDreamingLockscreen="))
        .unwrap_or(false);
    match (showing, flag("secure=").unwrap_or(false)) {
        (false, _) => Keyguard::None,
        (true, false) => Keyguard::Swipe,
        (true, true) => Keyguard::Secure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakefulness_is_read() {
        assert!(parse_awake("Power Manager State:\n  mWakefulness=Awake\n"));
        assert!(!parse_awake("  mWakefulness=Asleep\n"));
        assert!(parse_awake("  mScreenOn=true\n"));
    }

    #[test]
    fn the_keyguard_delegate_says_showing_and_secure() {
        let secure = "    KeyguardServiceDelegate\n      showing=true\n      showingAndNotOccluded=true\n      secure=true\n";
        assert_eq!(parse_keyguard(secure), Keyguard::Secure);
        let swipe = "    KeyguardServiceDelegate\n      showing=true\n      secure=false\n";
        assert_eq!(parse_keyguard(swipe), Keyguard::Swipe);
        let open = "    KeyguardServiceDelegate\n      showing=false\n      secure=true\n";
        assert_eq!(parse_keyguard(open), Keyguard::None);
        assert_eq!(
            parse_keyguard("  mShowingLockscreen=true mShowingDream=false\n"),
            Keyguard::Swipe
        );
    }
}
