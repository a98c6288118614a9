//! How a virtual phone is set up: identity, signed-in accounts, which users exist, latency and fault knobs.
//! Plain data with defaults; the model in `state` and `app` is built from it.

use std::time::Duration;

pub use crate::android::{DumpFault, Keyboard, Lock, Screen, System};
pub use crate::social::SocialConfig;

/// Everything a test can choose about a phone before it starts.
#[derive(Debug, Clone)]
pub struct PhoneConfig {
    /// `ro.product.model`, also in the CNXN banner and `adb devices -l`.
    pub model: String,
    /// Signed-in TikTok accounts ('@' optional); the first is current.
    pub accounts: Vec<String>,
    /// Users the first TikTok account already follows ('@' optional).
    pub following: Vec<String>,
    /// Users whose profile shows "Couldn't find this account" ('@' optional).
    pub missing_users: Vec<String>,
    /// Users who follow every signed-in account: their follow button reads "Follow back".
    pub followers_of_me: Vec<String>,
    /// Added to every shell/exec command.
    pub command_delay: Duration,
    /// Added to every `uiautomator dump`.
    pub dump_delay: Duration,
    /// Popups that get in a script's way; all off by default.
    pub popups: Popups,
    /// How long a post's upload takes: the "NN%" progress shows for this long after Post.
    pub upload_duration: Duration,
    /// The Android system around the app: screen, version, power, keyguard, IME, faults.
    pub system: System,
    /// The Instagram app, when the phone has it installed.
    pub instagram: Option<InstagramConfig>,
    /// What the posts of both apps refuse: comments past an allowance, deleted posts, comments off.
    pub social: SocialConfig,
    /// How long the commands that are slow on a real phone take here (all zero by default).
    pub latencies: Latencies,
    /// How long a reboot (`adb reboot`) keeps the phone away before adbd listens again (a real
    /// phone takes 30–60 s; tests want less).
    pub boot_time: Duration,
}

/// The Instagram app of a phone: its accounts and the users it knows to be special.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstagramConfig {
    /// Signed-in Instagram accounts ('@' optional); the first is current (default `vphone_ig`).
    pub accounts: Vec<String>,
    /// A clone app's package (`com.instagram.androie`) instead of `com.instagram.android`: its
    /// resource-ids carry that prefix, and it does not open instagram.com links.
    pub clone_package: Option<String>,
    /// Users the first account already follows (a private one's request accepted earlier).
    pub following: Vec<String>,
    /// Private accounts: a follow is a request ("Requested"); unfollowing asks again.
    pub private_users: Vec<String>,
    /// Accounts whose follow asks "Review this account before following" first.
    pub review_users: Vec<String>,
    /// Follows allowed before every further one shows "Try Again Later".
    pub block_after: Option<usize>,
    /// Ask "Save your login info?" ("Save" / "Not now") the first time the app comes to the front.
    pub login_info_prompt: bool,
    /// Create first asks "Keep editing your draft?" ("Start new video" / "Keep editing"), as after an
    /// interrupted post.
    pub draft_kept: bool,
    /// Create first asks for the camera ("While using the app" / "Only this time" / "Don't allow"),
    /// then covers the gallery with the "Edits" app's promo (its close control is content-desc
    /// "Close"; its button would open Google Play).
    pub create_prompts: bool,
    /// Share publishes but the composer stays on screen, as when the app sits on a finished upload:
    /// a script that judges by the screen alone calls a published post a failure.
    pub share_stalls: bool,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        Self {
            model: "VPhone".to_string(),
            accounts: vec!["vphone_user".to_string()],
            following: Vec::new(),
            missing_users: Vec::new(),
            followers_of_me: Vec::new(),
            command_delay: Duration::ZERO,
            dump_delay: Duration::ZERO,
            popups: Popups::default(),
            upload_duration: Duration::from_secs(1),
            system: System::default(),
            instagram: None,
            social: SocialConfig::default(),
            boot_time: Duration::from_secs(2),
            latencies: Latencies::default(),
        }
    }
}

/// What the slow commands of a real phone cost, added to each: a real phone runs `input`, `am` and
/// `uiautomator` as Java programs (`app_process`) started per command, and a dump waits for the
/// screen to go idle, so a script's steps overlap with other phones' as on hardware.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latencies {
    /// `uiautomator dump`.
    pub dump: Duration,
    /// `input tap|swipe|keyevent|text`.
    pub input: Duration,
    /// `am start`.
    pub am_start: Duration,
}

impl Latencies {
    /// A mid-range phone, from public measurements: a full `uiautomator dump` takes 1–4 s
    /// (github.com/dtmilano/CulebraTester2-public/issues/17: "1-4 sec delay"; ~2.2 s per dump in the
    /// table of github.com/mobile-next/mobilecli/pull/286); `adb shell input tap` ~0.6 s end to end
    /// from the host (github.com/xiaocong/uiautomator/issues/132), "almost 1 second" on another
    /// phone, most of it starting the Java process (github.com/Genymobile/scrcpy/issues/231); `am`
    /// starts the same way before it resolves and starts the activity. Taken as 1.5 s, 0.3 s and
    /// 0.5 s on the phone itself (the host's side of a round trip comes on top).
    pub const REAL_PHONE: Latencies = Latencies {
        dump: Duration::from_millis(1500),
        input: Duration::from_millis(300),
        am_start: Duration::from_millis(500),
    };
}

/// Fault knobs: popups and refusals a careful script must notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Popups {
    /// Show "Turn on notifications?" ("Not now" / "Turn on") the first time the app comes to the front.
    pub notifications_prompt: bool,
    /// Successful follows allowed before every further follow shows
    /// "You're following too fast. Try again later." and does nothing.
    pub rate_limit_after: Option<usize>,
    /// Successful follows allowed before a follow attempt raises the captcha
    /// "Drag the slider to fit the puzzle"; only `am force-stop` clears it.
    pub captcha_after: Option<usize>,
    /// Ask "Publish video publicly?" ("Cancel" / "Publish now") after the first tap on Post.
    pub publish_prompt: bool,
    /// The rate-limit notice's wording (default "You're following too fast. Try again later.").
    pub rate_limit_text: Option<String>,
    /// The captcha's wording (default "Drag the slider to fit the puzzle").
    pub captcha_text: Option<String>,
    /// A silent refusal: after this many successful follows, a follow shows "Following" at once and
    /// turns back to "Follow" a second later, the notice only a toast no dump shows (case 16).
    pub follow_reverts_after: Option<usize>,
}
