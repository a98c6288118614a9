//! The whole phone behind one lock: filesystem, packages, IME, logcat, media store and the app,
//! plus lock-free counters, and the state JSON that `dumpsys vphone` and `VPhone::state` report.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use crate::android::{Keyboard, SystemState};
use crate::app::{App, Key, PACKAGE};
use crate::config::PhoneConfig;
use crate::fs::Fs;
use crate::instagram::{self, Instagram};
use crate::logcat::Logcat;

pub const LATIN_IME: &str = "com.android.inputmethod.latin/.LatinIME";
pub const ADB_KEYBOARD_IME: &str = "com.android.adbkeyboard/.AdbIME";

const PACKAGES: [&str; 6] = [
    "com.android.adbkeyboard",
    "com.android.chrome",
    "com.android.inputmethod.latin",
    "com.android.launcher3",
    "com.android.settings",
    "com.zhiliaoapp.musically",
];

/// The phone's model, mutated by shell commands under the `Shared` lock.
pub struct Phone {
    pub serial_port: u16,
    pub model: String,
    pub fs: Fs,
    pub packages: Vec<String>,
    pub imes: Vec<String>,
    pub ime: String,
    pub logcat: Logcat,
    pub app: App,
    /// The Instagram app (installed when the config asks for it).
    pub instagram: Instagram,
    /// The Android system around the app.
    pub sys: SystemState,
    /// The argv of every simple command the shell ran (after expansion), newest last, at most
    /// [`RAN_KEPT`]: how tests see that a phone ran nothing but what it was asked to.
    pub ran: VecDeque<Vec<String>>,
    /// Reboots since the phone started.
    pub boots: u32,
}

/// Commands `Phone::ran` remembers.
pub const RAN_KEPT: usize = 2000;

impl Phone {
    pub fn new(config: &PhoneConfig, serial_port: u16) -> Self {
        Self {
            serial_port,
            model: config.model.clone(),
            fs: Fs::default(),
            packages: PACKAGES
                .iter()
                .filter(|p| config.system.tiktok_installed || **p != PACKAGE)
                .filter(|p| {
                    config.system.keyboard != Keyboard::Missing || **p != "com.android.adbkeyboard"
                })
                .map(|p| p.to_string())
                .chain(config.instagram.as_ref().map(|ig| {
                    ig.clone_package
                        .clone()
                        .unwrap_or_else(|| instagram::PACKAGE.to_string())
                }))
                .collect(),
            imes: match config.system.keyboard {
                Keyboard::Enabled => vec![LATIN_IME.to_string(), ADB_KEYBOARD_IME.to_string()],
                Keyboard::Disabled | Keyboard::Missing => vec![LATIN_IME.to_string()],
            },
            ime: LATIN_IME.to_string(),
            logcat: Logcat::default(),
            app: App::new(config),
            instagram: Instagram::new(
                &config.instagram.clone().unwrap_or_default(),
                &config.missing_users,
                &config.social,
            ),
            sys: SystemState::new(config.system.clone()),
            ran: VecDeque::new(),
            boots: 0,
        }
    }

    /// The failure the next dump has, if any: a queued one, else a never-idle feed that plays.
    pub fn next_dump_fault(&mut self) -> Option<crate::android::DumpFault> {
        if let Some(fault) = self.sys.dump_faults.pop_front() {
            return Some(fault);
        }
        let feed_playing = self.sys.config.never_idle_feed
            && self.sys.app_visible()
            && !self.instagram_in_front()
            && self.app.playing();
        feed_playing.then_some(crate::android::DumpFault::IdleTimeout)
    }

    /// What the screen shows, in words: `asleep`, `keyguard`, or the app's screen (and popup),
    /// e.g. `profile @nasa` or `feed; popup notifications`.
    pub fn screen_description(&self) -> String {
        if !self.sys.awake {
            return "asleep".to_owned();
        }
        if self.sys.keyguard_showing() {
            return "keyguard".to_owned();
        }
        if self.instagram.is_foreground() {
            let mut text = format!("instagram {}", self.instagram.screen_name());
            if let Some(user) = self.instagram.screen_user() {
                text.push_str(&format!(" @{user}"));
            }
            return text;
        }
        let mut text = self.app.screen_name().to_owned();
        if let Some(user) = self.app.screen_user() {
            text.push_str(&format!(" @{user}"));
        }
        if let Some(popup) = self.app.popup_name() {
            text.push_str(&format!("; popup {popup}"));
        }
        text
    }

    // ----- the app in front: TikTok's model, else Instagram's -----

    /// Whether Instagram is the app in front.
    pub fn instagram_in_front(&self) -> bool {
        self.instagram.is_foreground()
    }

    /// The front screen as `uiautomator dump` writes it.
    pub fn dump_xml(&self) -> String {
        let screen = self.sys.config.screen;
        if self.instagram_in_front() {
            self.instagram.dump_xml(screen)
        } else {
            self.app.dump_xml(screen)
        }
    }

    /// The focused window's `PACKAGE/ACTIVITY`.
    pub fn focus(&self) -> String {
        if self.instagram_in_front() {
            format!("{}/{}", self.instagram.package(), instagram::MAIN_ACTIVITY)
        } else if self.app.foreground_package() == PACKAGE {
            format!("{PACKAGE}/com.ss.android.ugc.aweme.main.MainActivity")
        } else {
            "com.android.launcher3/com.android.launcher3.uioverrides.QuickstepLauncher".to_string()
        }
    }

    /// A tap in layout coordinates on the front app; false when it hit nothing it reacts to.
    pub fn tap(&mut self, x: i32, y: i32) -> bool {
        if self.instagram_in_front() {
            self.instagram.tap(x, y, &self.fs)
        } else {
            self.app.tap(x, y, &self.fs)
        }
    }

    /// A key for the front app.
    pub fn key(&mut self, key: Key) {
        if self.instagram_in_front() {
            self.instagram.key(match key {
                Key::Back => instagram::Key::Back,
                Key::Home => instagram::Key::Home,
                Key::Delete => instagram::Key::Delete,
                _ => instagram::Key::Other,
            });
        } else {
            self.app.key(key);
        }
    }

    /// Text typed into the front app's focused field.
    pub fn type_text(&mut self, text: &str) {
        if self.instagram_in_front() {
            self.instagram.type_text(text);
        } else {
            self.app.type_text(text);
        }
    }

    /// Brings Instagram to the front (TikTok goes behind it).
    pub fn bring_instagram(&mut self) {
        self.app.move_behind();
    }

    /// Brings TikTok to the front (Instagram goes behind it).
    pub fn bring_tiktok(&mut self) {
        self.instagram.move_behind();
    }

    /// The phone after a reboot: the screen as the config starts it, the keyguard locked again,
    /// no app in front.
    pub fn boot(&mut self) {
        self.sys = SystemState::new(self.sys.config.clone());
        self.app.key(Key::Home);
        self.instagram.key(instagram::Key::Home);
        self.boots += 1;
    }

    /// Remembers a command the shell is about to run.
    pub fn record(&mut self, argv: &[String]) {
        if self.ran.len() == RAN_KEPT {
            self.ran.pop_front();
        }
        self.ran.push_back(argv.to_vec());
    }

    pub fn state(&self, counters: &Counters) -> Value {
        let app = &self.app;
        json!({
            "serial_port": self.serial_port,
            "model": self.model,
            "current_account": app.current_account(),
            "accounts": app.accounts(),
            "following": app.following(),
            "instagram": self.instagram.state(),
            "foreground": app.foreground_package(),
            "screen": app.screen_name(),
            "screen_user": app.screen_user(),
            "popup": app.popup_name(),
            "toast": app.toast(),
            "taps": app.taps(),
            "ime": self.ime,
            "awake": self.sys.awake,
            "keyguard": self.sys.keyguard_showing(),
            "files": self.fs.file_count(),
            "media": app.media().items().iter().map(|item| item.path.as_str()).collect::<Vec<_>>(),
            "posts": app.posts_json(),
            "social": app.social_json(),
            "catalogue": crate::social::catalogue_json(),
            "uploading": app.upload_percent(),
            "commands": counters.commands.load(Ordering::Relaxed),
            "ran": self.ran,
            "boots": self.boots,
            "max_concurrent_streams": counters.max_running.load(Ordering::Relaxed),
        })
    }
}

/// Counts shell/exec commands and how many ran at once.
#[derive(Default)]
pub struct Counters {
    commands: AtomicU64,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

/// Marks one command as running until dropped.
pub struct Running<'a>(&'a Counters);

impl Counters {
    pub fn start(&self) -> Running<'_> {
        self.commands.fetch_add(1, Ordering::Relaxed);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        Running(self)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What every connection and stream of one phone shares.
pub struct Shared {
    phone: Mutex<Phone>,
    pub counters: Counters,
    pub command_delay: Duration,
    pub dump_delay: Duration,
    /// What the slow commands cost (a real phone's, when asked for).
    pub latencies: crate::config::Latencies,
    /// Rings when something asked adbd to reboot the phone.
    pub reboot: tokio::sync::Notify,
    pub boot_time: Duration,
}

impl Shared {
    pub fn new(config: &PhoneConfig, port: u16) -> Self {
        Self {
            phone: Mutex::new(Phone::new(config, port)),
            counters: Counters::default(),
            command_delay: config.command_delay,
            dump_delay: config.dump_delay,
            latencies: config.latencies,
            reboot: tokio::sync::Notify::new(),
            boot_time: config.boot_time,
        }
    }

    /// The phone, even if a command panicked while holding it (the model stays usable).
    pub fn lock(&self) -> MutexGuard<'_, Phone> {
        self.phone
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn model(&self) -> String {
        self.lock().model.clone()
    }

    /// Whether adbd offers shell protocol v2 (Android 7 and later).
    pub fn shell_v2(&self) -> bool {
        self.lock().sys.config.shell_v2()
    }

    pub fn state(&self) -> Value {
        self.lock().state(&self.counters)
    }
}
