//! The Android system around the app, as a fleet meets it: the screen's size and density, power and
//! the keyguard, the Android version (and with it shell protocol v2), a vendor ROM refusing injected
//! input, the ADBKeyboard IME's state, and uiautomator's own failures (field cases 01–03, 10, 12–14).

use std::collections::VecDeque;
use std::time::Duration;

/// The width the app lays itself out for; other screens scale it (all three sizes are 9:20).
pub const LAYOUT_WIDTH: i64 = 1080;

/// A screen: physical pixels and density.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    pub density: u32,
}

impl Screen {
    /// 720×1600 at 320 dpi (budget phones).
    pub const HD: Screen = Screen {
        width: 720,
        height: 1600,
        density: 320,
    };
    /// 1080×2400 at 420 dpi (the usual phone; the app's layout size).
    pub const FHD: Screen = Screen {
        width: 1080,
        height: 2400,
        density: 420,
    };
    /// 1440×3200 at 560 dpi (flagships).
    pub const QHD: Screen = Screen {
        width: 1440,
        height: 3200,
        density: 560,
    };

    /// A layout coordinate in physical pixels.
    pub fn physical(&self, v: i32) -> i32 {
        (i64::from(v) * i64::from(self.width) / LAYOUT_WIDTH) as i32
    }

    /// A physical coordinate (a tap) in layout coordinates.
    pub fn layout(&self, v: i32) -> i32 {
        (i64::from(v) * LAYOUT_WIDTH / i64::from(self.width.max(1))) as i32
    }

    /// Parses `WxH` or `WxH@DPI` (density defaults from the width).
    pub fn parse(text: &str) -> Option<Screen> {
        let (size, density) = match text.split_once('@') {
            Some((size, dpi)) => (size, Some(dpi.parse().ok()?)),
            None => (text, None),
        };
        let (w, h) = size.split_once('x')?;
        let (width, height): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
        Some(Screen {
            width,
            height,
            density: density.unwrap_or(width * 420 / 1080),
        })
    }
}

/// The keyguard the phone comes back to after sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lock {
    /// No keyguard: the phone wakes into the app.
    #[default]
    None,
    /// "Swipe up to unlock": a swipe up or `wm dismiss-keyguard` opens it.
    Swipe,
    /// A PIN: only a person can open it.
    Pin,
}

/// One failure of the next `uiautomator dump`, as real phones produce them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpFault {
    /// "ERROR: null root node returned by UiTestAutomationBridge." on stderr, exit 0, the old file
    /// left as it was (case 01).
    NullRoot,
    /// The screen never went idle: after the idle wait, "ERROR: could not get idle state." on
    /// stderr, exit 0, no file (case 02).
    IdleTimeout,
    /// Another UiAutomation client holds the phone: a Java exception, exit 1 (case 03).
    AlreadyRegistered,
}

impl DumpFault {
    /// Parses the `vphone` flag's words: `null-root`, `idle-timeout`, `already-registered`.
    pub fn parse(text: &str) -> Option<DumpFault> {
        match text {
            "null-root" => Some(DumpFault::NullRoot),
            "idle-timeout" => Some(DumpFault::IdleTimeout),
            "already-registered" => Some(DumpFault::AlreadyRegistered),
            _ => None,
        }
    }
}

/// ADBKeyboard's state on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keyboard {
    /// Not installed.
    Missing,
    /// Installed, not enabled: `ime set` refuses it until `ime enable` (case 12).
    Disabled,
    /// Installed and enabled.
    #[default]
    Enabled,
}

/// The system knobs a phone starts with.
#[derive(Debug, Clone)]
pub struct System {
    /// `ro.build.version.sdk`: 30 (Android 11) by default; below 24 there is no shell protocol v2.
    pub sdk: u32,
    pub screen: Screen,
    pub lock: Lock,
    /// The screen is off (and locked, if it has a lock) when the phone starts.
    pub asleep: bool,
    /// `input` refuses injected events (MIUI/HyperOS without "USB debugging (Security settings)").
    pub inject_refused: bool,
    pub keyboard: Keyboard,
    /// Whether TikTok is installed at all.
    pub tiktok_installed: bool,
    /// `ro.serialno`; by default `vphone<PORT>`.
    pub serialno: Option<String>,
    /// The feed's video plays and never lets the screen go idle: every dump of the unpaused feed
    /// fails after the idle wait (case 02). A tap on the video pauses it.
    pub never_idle_feed: bool,
    /// How long uiautomator waits for an idle screen before giving up (10 s on real phones).
    pub idle_wait: Duration,
    /// The first dump after every tap that hits something fails this way: the window is still
    /// changing (case 01: the dump right after a popup closes returns a null root).
    pub dump_fault_after_tap: Option<DumpFault>,
}

impl Default for System {
    fn default() -> Self {
        System {
            sdk: 30,
            screen: Screen::FHD,
            lock: Lock::None,
            asleep: false,
            inject_refused: false,
            keyboard: Keyboard::Enabled,
            tiktok_installed: true,
            serialno: None,
            never_idle_feed: false,
            idle_wait: Duration::from_secs(10),
            dump_fault_after_tap: None,
        }
    }
}

impl System {
    /// Whether adbd offers shell protocol v2 (Android 7, SDK 24, and later).
    pub fn shell_v2(&self) -> bool {
        self.sdk >= 24
    }

    /// `ro.build.version.release` for the SDK level.
    pub fn release(&self) -> &'static str {
        match self.sdk {
            ..=21 => "5.0",
            22 => "5.1",
            23 => "6.0",
            24 => "7.0",
            25 => "7.1",
            26 => "8.0",
            27 => "8.1",
            28 => "9",
            29 => "10",
            30 => "11",
            31 => "12",
            32 => "12L",
            33 => "13",
            34 => "14",
            _ => "15",
        }
    }
}

/// The system's state while the phone runs.
#[derive(Debug, Clone)]
pub struct SystemState {
    pub config: System,
    pub awake: bool,
    /// The keyguard was opened since the screen last went off.
    pub unlocked: bool,
    /// A PIN lock asked for the PIN (the bouncer shows "Enter PIN").
    pub pin_asked: bool,
    /// Failures the next dumps will have, in order.
    pub dump_faults: VecDeque<DumpFault>,
    /// Files the next successful dumps write instead of the screen, verbatim (a dump captured
    /// on a real phone, replayed).
    pub replayed_dumps: VecDeque<String>,
}

impl SystemState {
    pub fn new(config: System) -> SystemState {
        SystemState {
            awake: !config.asleep,
            unlocked: config.lock == Lock::None,
            pin_asked: false,
            dump_faults: VecDeque::new(),
            replayed_dumps: VecDeque::new(),
            config,
        }
    }

    /// Whether the keyguard covers the app.
    pub fn keyguard_showing(&self) -> bool {
        self.config.lock != Lock::None && !self.unlocked
    }

    /// Whether what is on screen is the app (awake and unlocked).
    pub fn app_visible(&self) -> bool {
        self.awake && !self.keyguard_showing()
    }

    pub fn wake(&mut self) {
        self.awake = true;
    }

    /// Screen off: the keyguard (if any) comes back.
    pub fn sleep(&mut self) {
        self.awake = false;
        self.unlocked = self.config.lock == Lock::None;
        self.pin_asked = false;
    }

    /// `wm dismiss-keyguard`, a swipe up or MENU on the keyguard: opens a swipe lock, asks for a PIN.
    pub fn dismiss_keyguard(&mut self) {
        if !self.awake {
            return;
        }
        match self.config.lock {
            Lock::None => {}
            Lock::Swipe => self.unlocked = true,
            Lock::Pin => self.pin_asked = true,
        }
    }
}

/// The keyguard as `uiautomator dump` shows it (SystemUI's nodes; field case 14), in layout
/// coordinates.
pub fn keyguard_xml(pin_asked: bool) -> &'static str {
    if pin_asked { PIN_XML } else { KEYGUARD_XML }
}

const KEYGUARD_XML: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">\
<node index=\"0\" text=\"\" resource-id=\"\" class=\"android.widget.FrameLayout\" package=\"com.android.systemui\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[0,0][1080,2400]\">\
<node index=\"0\" text=\"10:42\" resource-id=\"com.android.systemui:id/lockscreen_clock_view\" class=\"android.widget.TextClock\" package=\"com.android.systemui\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[240,360][840,560]\" />\
<node index=\"1\" text=\"Swipe up to unlock\" resource-id=\"com.android.systemui:id/keyguard_indication_text\" class=\"android.widget.TextView\" package=\"com.android.systemui\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[0,2180][1080,2240]\" />\
</node></hierarchy>";

const PIN_XML: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">\
<node index=\"0\" text=\"\" resource-id=\"\" class=\"android.widget.FrameLayout\" package=\"com.android.systemui\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[0,0][1080,2400]\">\
<node index=\"0\" text=\"Enter PIN\" resource-id=\"com.android.systemui:id/keyguard_message_area\" class=\"android.widget.TextView\" package=\"com.android.systemui\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[0,700][1080,780]\" />\
<node index=\"1\" text=\"\" resource-id=\"com.android.systemui:id/pinEntry\" class=\"android.widget.EditText\" package=\"com.android.systemui\" content-desc=\"PIN area\" checkable=\"false\" checked=\"false\" clickable=\"true\" enabled=\"true\" focusable=\"true\" focused=\"true\" scrollable=\"false\" long-clickable=\"false\" password=\"true\" selected=\"false\" bounds=\"[240,820][840,940]\" />\
</node></hierarchy>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_scale_the_layout_both_ways() {
        assert_eq!(Screen::HD.physical(540), 360);
        assert_eq!(Screen::QHD.physical(540), 720);
        assert_eq!(Screen::QHD.layout(720), 540);
        assert_eq!(
            Screen::parse("720x1600"),
            Some(Screen {
                width: 720,
                height: 1600,
                density: 280
            })
        );
        assert_eq!(Screen::parse("1440x3200@560"), Some(Screen::QHD));
    }

    #[test]
    fn a_swipe_lock_opens_and_a_pin_lock_asks() {
        let mut s = SystemState::new(System {
            lock: Lock::Swipe,
            asleep: true,
            ..System::default()
        });
        assert!(!s.awake && s.keyguard_showing());
        s.dismiss_keyguard();
        assert!(
            s.keyguard_showing(),
            "nothing opens while the screen is off"
        );
        s.wake();
        s.dismiss_keyguard();
        assert!(s.app_visible());
        let mut p = SystemState::new(System {
            lock: Lock::Pin,
            ..System::default()
        });
        p.dismiss_keyguard();
        assert!(p.keyguard_showing() && p.pin_asked);
    }
}
