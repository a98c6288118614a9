//! TikTok know-how shared by scripts: the resource-id table, popups, app protections, account
//! switching, opening and reading profiles (`profile`, `follow`), posting (`compose`, `gallery`),
//! and watching and commenting (`watch`).
//! Matching prefers text and content-desc; resource-ids live only in [`Ids`], which a script may override.

use crate::{Error, Node, Result, device, host, ui};
use std::time::Duration;

pub use crate::profile::{Access, normalize_username, same_username};
pub use open::{open_profile, submit_search};
pub use phonefleet_rules::resource_id_matches as id_matches;

pub mod compose;
pub mod follow;
pub mod gallery;
mod open;
pub mod profile;
pub mod watch;

/// The obfuscated resource-ids of one TikTok build (short form, without `PKG:id/`). They change with every
/// build, so scripts use them only as one signal among text and content-desc. An empty id never matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// Bottom bar: its container.
    pub bottom_bar: &'static str,
    /// Bottom bar: Home tab.
    pub home_tab: &'static str,
    /// Bottom bar: Profile tab.
    pub profile_tab: &'static str,
    /// Feed: Search icon (content-desc "Search").
    pub search_icon: &'static str,
    /// Profile: display name.
    pub profile_name: &'static str,
    /// Profile: `@username`.
    pub profile_username: &'static str,
    /// Profile: stats values (the numbers).
    pub stat_value: &'static str,
    /// Profile: stats labels ("Following", "Followers", "Likes").
    pub stat_label: &'static str,
    /// Profile: the follow control ("Follow", "Follow back", "Following ", "Friends", "Requested").
    pub follow_button: &'static str,
    /// Search: the query field (EditText).
    pub search_field: &'static str,
    /// Search: the submit button ("Search").
    pub search_submit: &'static str,
    /// Search results, Users tab: the username of a row.
    pub search_user_name: &'static str,
    /// Search results, Users tab: a row's follow button.
    pub search_user_follow: &'static str,
}

impl Ids {
    /// TikTok 43.1.4 (Dec 2025), as dumped on real phones.
    pub const TIKTOK_43_1_4: Ids = Ids {
        bottom_bar: "mky",
        home_tab: "mkq",
        profile_tab: "mks",
        search_icon: "irz",
        profile_name: "qf8",
        profile_username: "qh5",
        stat_value: "qfw",
        stat_label: "qfv",
        follow_button: "eme",
        search_field: "giv",
        search_submit: "y61",
        search_user_name: "ye2",
        search_user_follow: "rdh",
    };
}

impl Default for Ids {
    fn default() -> Self {
        Ids::TIKTOK_43_1_4
    }
}

/// The resource-id table in use: [`Ids::TIKTOK_43_1_4`].
pub fn ids() -> Ids {
    Ids::default()
}

/// Texts (case-insensitive substrings) by which the app says it is rate limiting or restricting the
/// account, in the wordings TikTok has used ("You're following too fast", "You're tapping too fast",
/// "You're commenting too fast", "Try again later", "Too many requests", "This action is
/// temporarily blocked").
pub const RATE_LIMIT_TEXTS: &[&str] = &[
    "following too fast",
    "commenting too fast",
    "tapping too fast",
    "try again later",
    "too many requests",
    "too many attempts",
    "temporarily blocked",
    "action blocked",
];
/// Texts (case-insensitive substrings) by which the app shows a captcha: the slider, the puzzle
/// piece, the "select the same shape" and rotation puzzles.
pub const CAPTCHA_TEXTS: &[&str] = &[
    "drag the slider",
    "drag the puzzle",
    "verify to continue",
    "same shape",
    "complete the puzzle",
];
/// Longest text a notice or captcha line has: longer texts are people's (captions, bios,
/// comments), which may quote the same words.
const NOTICE_MAX_CHARS: usize = 120;
/// Texts of the buttons that dismiss the usual popups (case-insensitive, whole text).
pub const POPUP_BUTTON_TEXTS: &[&str] = &["Not now", "Skip", "Cancel", "Got it"];
/// Content-descs of the buttons that dismiss the usual popups (case-insensitive, whole content-desc).
pub const POPUP_BUTTON_DESCS: &[&str] = &["Close"];

fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    !haystack.is_empty() && haystack.to_lowercase().contains(needle_lower)
}

/// Whether `text` reads like one of the app's notices that says one of `phrases`.
fn notice_says(text: &str, phrases: &[&str]) -> bool {
    crate::notice::says(text, phrases, NOTICE_MAX_CHARS)
}

/// The app's own protections on screen, as the error a script must stop with: a rate limit
/// ("rate limited by the app: '\<text\>'") or a captcha ("captcha shown by the app: '\<text\>'").
pub fn protection(nodes: &[Node]) -> Option<Error> {
    for n in nodes {
        for field in [&n.text, &n.description] {
            if notice_says(field, CAPTCHA_TEXTS) {
                return Some(Error::Refused(format!(
                    "captcha shown by the app: '{}'",
                    field.trim()
                )));
            }
            if notice_says(field, RATE_LIMIT_TEXTS) {
                return Some(Error::Refused(format!(
                    "rate limited by the app: '{}'",
                    field.trim()
                )));
            }
        }
    }
    None
}

/// The first button on screen that dismisses a usual popup ("Not now", "Skip", "Cancel", "Got it", content-desc "Close").
pub fn popup_button(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| {
        let text = n.text.trim();
        let desc = n.description.trim();
        POPUP_BUTTON_TEXTS
            .iter()
            .any(|t| text.eq_ignore_ascii_case(t))
            || POPUP_BUTTON_DESCS
                .iter()
                .any(|d| desc.eq_ignore_ascii_case(d))
    })
}

/// Deals with what may interrupt a flow on the current screen `nodes`: fails on a rate limit or captcha,
/// taps one popup-dismissing button if there is one. Returns whether it tapped something (the screen
/// changed: look again before acting on it).
pub fn handle_interruptions(nodes: &[Node]) -> Result<bool> {
    if let Some(e) = protection(nodes) {
        crate::error!("{e}");
        return Err(e);
    }
    if let Some(button) = popup_button(nodes) {
        crate::info!("dismissing a popup with '{}'", button.label().trim());
        ui::tap_node(button)?;
        return Ok(true);
    }
    Ok(false)
}

/// One pass over the usual popups: dismisses those it finds ("Not now", "Skip", "Cancel", "Got it",
/// content-desc "Close"; at most 5 in a row) and fails on the app's protections (rate limit, captcha),
/// saying what the phone showed. Returns how many popups it dismissed.
pub fn clear_popups() -> Result<usize> {
    let mut dismissed = 0;
    while dismissed < 5 {
        // A screen that cannot be read now has no popup we could tap.
        let Ok(nodes) = ui::try_nodes()? else {
            break;
        };
        if !handle_interruptions(&nodes)? {
            break;
        }
        dismissed += 1;
    }
    Ok(dismissed)
}

/// The header username on the own profile (content-desc "Switch account"), which opens the account switcher.
pub fn own_profile_header(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| n.description.trim().eq_ignore_ascii_case("switch account"))
}

/// The account shown on the own profile: the header username, else a `@name` text (`qh5`).
pub fn own_profile_account(nodes: &[Node]) -> Option<String> {
    let header = own_profile_header(nodes)?;
    let name = normalize_username(&header.text);
    if !name.is_empty() {
        return Some(name);
    }
    let ids = ids();
    nodes
        .iter()
        .find(|n| {
            id_matches(&n.resource_id, ids.profile_username) || n.text.trim().starts_with('@')
        })
        .map(|n| normalize_username(&n.text))
        .filter(|n| !n.is_empty())
}

/// The bottom bar's Profile tab: content-desc "Profile", the Profile id, or the "Profile" label (lowest on screen).
pub fn profile_tab(nodes: &[Node]) -> Option<&Node> {
    let ids = ids();
    nodes
        .iter()
        .filter(|n| {
            n.description.trim().eq_ignore_ascii_case("profile")
                || id_matches(&n.resource_id, ids.profile_tab)
                || n.text.trim().eq_ignore_ascii_case("profile")
        })
        .max_by_key(|n| n.bounds.top)
}

/// The account switcher sheet's title ("Switch account" as text, not the header's content-desc).
pub fn switcher_title(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| n.text.trim().eq_ignore_ascii_case("switch account"))
}

/// In the open account switcher, the row naming `username` (case-insensitive, '@' ignored).
pub fn switcher_row<'a>(nodes: &'a [Node], username: &str) -> Option<&'a Node> {
    switcher_nodes(nodes)
        .into_iter()
        .find(|n| same_username(&n.text, username))
}

/// The nodes of the open account switcher: after its title in document order (an overlay comes after the
/// screen under it) and below it on screen.
pub fn switcher_nodes(nodes: &[Node]) -> Vec<&Node> {
    let Some(at) = nodes
        .iter()
        .position(|n| n.text.trim().eq_ignore_ascii_case("switch account"))
    else {
        return Vec::new();
    };
    let title = &nodes[at];
    nodes[at + 1..]
        .iter()
        .filter(|n| n.bounds.top >= title.bounds.bottom)
        .filter(|n| !n.description.trim().eq_ignore_ascii_case("switch account"))
        .collect()
}

/// The accounts the open account switcher lists (its texts but "Add account"), normalised.
pub fn switcher_accounts(nodes: &[Node]) -> Vec<String> {
    let mut accounts: Vec<String> = Vec::new();
    for n in switcher_nodes(nodes) {
        let name = normalize_username(&n.text);
        if !name.is_empty()
            && name != "add account"
            && !name.contains(' ')
            && !accounts.contains(&name)
        {
            accounts.push(name);
        }
    }
    accounts
}

const NAV_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a tap toward a screen gets to take effect before the next one.
const TAP_SETTLE: Duration = Duration::from_millis(1500);

/// Whether the dump shows the app `package` at all (any node of that package).
pub fn app_in_front(nodes: &[Node], package: &str) -> bool {
    nodes.iter().any(|n| n.package == package)
}

/// How long to leave a screen without the bottom bar alone before pressing Back: briefly when it shows a
/// readable screen (a profile, the search), longer when it shows next to nothing (the app is still loading).
pub fn back_after(nodes: &[Node]) -> Duration {
    let labels = nodes
        .iter()
        .filter(|n| !n.label().trim().is_empty())
        .count();
    if labels >= 3 {
        Duration::from_millis(1500)
    } else {
        Duration::from_secs(6)
    }
}

/// What a [`reach`] step sees on the screen.
pub enum Reach<T> {
    /// The target screen: done, with this value.
    Done(T),
    /// A control that leads toward the target (a tab, a button): tap it (not more often than every 1.5 s).
    Tap(Node),
    /// Something is under way (a popup was dismissed, a screen is loading): look again.
    Wait,
    /// Not a screen on the way: the helper brings the app back to the front, or goes Back toward the feed.
    Elsewhere,
}

/// Brings the app `package` to a screen, from wherever it is: starts the app, then each look at the
/// screen asks `step` where it is — done, a control to tap toward the target, or somewhere else (then
/// the app is brought back to the front, or Back is pressed toward the feed). If the target is not
/// reached within `timeout`, the app is force-stopped and started once more. Fails saying `what`
/// could not be reached and what the screen showed; fails at once on the app's protections (the
/// step's own errors).
pub fn reach<T>(
    package: &str,
    what: &str,
    timeout: Duration,
    mut step: impl FnMut(&[Node]) -> Result<Reach<T>>,
) -> Result<T> {
    let mut last_error = None;
    for attempt in 0..2 {
        if attempt == 1 {
            crate::info!("{what} not reached; restarting {package}");
            device::stop_app(package)?;
        }
        device::start_app(package)?;
        let mut last_action = std::time::Instant::now();
        let mut tapped = false;
        // The feed's video never lets the screen go idle, so it cannot be dumped (field case 02).
        let reached = ui::until_readable(what, timeout, watch::pause_when_playing(), |nodes| {
            let idle = last_action.elapsed();
            match step(nodes)? {
                Reach::Done(value) => return Ok(Some(value)),
                Reach::Wait => last_action = std::time::Instant::now(),
                Reach::Tap(node) if !tapped || idle > TAP_SETTLE => {
                    ui::tap_node(&node)?;
                    tapped = true;
                    last_action = std::time::Instant::now();
                }
                Reach::Tap(_) => {}
                Reach::Elsewhere if !app_in_front(nodes, package) => {
                    // The launcher or another app (Back left the app, or it never started).
                    if idle > Duration::from_secs(1) {
                        device::start_app(package)?;
                        last_action = std::time::Instant::now();
                    }
                }
                Reach::Elsewhere if idle > back_after(nodes) => {
                    device::back()?;
                    last_action = std::time::Instant::now();
                }
                Reach::Elsewhere => {}
            }
            Ok(None)
        });
        match reached {
            Ok(value) => return Ok(value),
            Err(e @ (Error::Failed(_) | Error::Phone(_))) => last_error = Some(e),
            Err(other) => return Err(other),
        }
    }
    Err(last_error.unwrap_or_else(|| Error::failed(format!("{what} not reached"))))
}

/// Brings the app to its own profile; returns the screen's nodes there.
fn open_own_profile(package: &str) -> Result<Vec<Node>> {
    reach(
        package,
        "could not reach the own profile (Profile tab, then the header username with content-desc 'Switch account')",
        NAV_TIMEOUT,
        |nodes| {
            if handle_interruptions(nodes)? {
                return Ok(Reach::Wait);
            }
            if own_profile_header(nodes).is_some() {
                return Ok(Reach::Done(nodes.to_vec()));
            }
            Ok(match profile_tab(nodes) {
                Some(tab) => Reach::Tap(tab.clone()),
                None => Reach::Elsewhere,
            })
        },
    )
}

/// Makes `username` the app's current account, through the own-profile account switcher:
/// Profile tab → header username → "Switch account" sheet → the account's row → `@username` on the own profile.
/// Fails with "account @x is not signed in on this phone" when the sheet does not list it: a task never runs
/// as another account. Does nothing for an empty name.
pub fn ensure_account(username: &str) -> Result<()> {
    let want = normalize_username(username);
    if want.is_empty() {
        return Ok(());
    }
    let package = host::package();
    let nodes = open_own_profile(&package)?;
    let current = own_profile_account(&nodes);
    if current.as_deref() == Some(want.as_str()) {
        crate::info!("@{want} is already the current account");
        return Ok(());
    }
    crate::info!(
        "switching account from @{} to @{want}",
        current.as_deref().unwrap_or("?")
    );
    let header = own_profile_header(&nodes).expect("open_own_profile returns the own profile");
    ui::tap_node(header)?;

    // Wait for the sheet, then give its rows a moment to appear.
    let mut sheet_seen: Option<std::time::Instant> = None;
    let row = ui::until(
        "the account switcher did not open after tapping the username on the own profile",
        Duration::from_secs(10),
        |nodes| {
            if let Some(e) = protection(nodes) {
                return Err(e);
            }
            if let Some(row) = switcher_row(nodes, &want) {
                return Ok(Some(row.clone()));
            }
            if switcher_title(nodes).is_some() {
                let seen = *sheet_seen.get_or_insert_with(std::time::Instant::now);
                if seen.elapsed() >= Duration::from_millis(1500) {
                    let listed: Vec<String> = switcher_accounts(nodes)
                        .iter()
                        .map(|a| format!("@{a}"))
                        .collect();
                    let listed = if listed.is_empty() {
                        "no account".to_string()
                    } else {
                        listed.join(", ")
                    };
                    let _ = device::back();
                    return Err(Error::failed(format!(
                        "account @{want} is not signed in on this phone (the account switcher lists {listed})"
                    )));
                }
            } else {
                handle_interruptions(nodes)?;
            }
            Ok(None)
        },
    )?;
    ui::tap_node(&row)?;

    let mut shown: Option<String> = None;
    let switched = ui::until(
        &format!("tapped @{want} in the account switcher but the own profile does not show it"),
        Duration::from_secs(15),
        |nodes| {
            if switcher_title(nodes).is_none() {
                handle_interruptions(nodes)?;
            }
            shown = own_profile_account(nodes);
            Ok((shown.as_deref() == Some(want.as_str())).then_some(()))
        },
    );
    match switched {
        Ok(()) => {
            crate::info!("switched to @{want}");
            Ok(())
        }
        Err(e) => Err(match &shown {
            Some(other) => Error::failed(format!(
                "tapped @{want} in the account switcher but the own profile shows @{other} after 15 s"
            )),
            None => e,
        }),
    }
}

/// Runs [`ensure_account`] for the task's account, if the task has one (account mode), and returns the task.
pub fn ensure_task_account() -> Result<crate::TaskInfo> {
    let task = host::task();
    if let Some(username) = task.username.as_deref() {
        ensure_account(username)?;
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bounds;

    pub(crate) fn node(text: &str, id: &str, desc: &str, top: i32) -> Node {
        Node {
            text: text.into(),
            resource_id: id.into(),
            class_name: "android.widget.TextView".into(),
            description: desc.into(),
            package: "com.zhiliaoapp.musically".into(),
            clickable: true,
            enabled: true,
            selected: false,
            checked: false,
            bounds: Bounds {
                left: 0,
                top,
                right: 1080,
                bottom: top + 100,
            },
        }
    }

    #[test]
    fn usernames_compare_loosely() {
        assert!(same_username("@NASA ", "nasa"));
        assert!(!same_username("@", ""));
        assert_eq!(normalize_username(" @Shop_EU"), "shop_eu");
    }

    #[test]
    fn protections_say_what_the_phone_showed() {
        let nodes = [node(
            "You're following too fast. Try again later.",
            "",
            "",
            100,
        )];
        assert_eq!(
            protection(&nodes).unwrap().to_string(),
            "rate limited by the app: 'You're following too fast. Try again later.'"
        );
        let nodes = [node("Drag the slider to fit the puzzle", "", "", 100)];
        assert_eq!(
            protection(&nodes).unwrap().to_string(),
            "captcha shown by the app: 'Drag the slider to fit the puzzle'"
        );
        assert!(protection(&[node("Follow", "", "", 1)]).is_none());
    }

    #[test]
    fn a_caption_quoting_the_words_is_no_protection() {
        let caption = "POV: the barista says try again later and you're already late for the \
                       9am standup, again, for the third time this week #mondays #coffee";
        assert!(protection(&[node(caption, "", "", 1)]).is_none());
        assert!(protection(&[node("He runs too fast 🏃", "", "", 1)]).is_none());
    }

    #[test]
    fn popup_buttons() {
        let nodes = [
            node("Turn on notifications?", "", "", 1),
            node("Not now", "", "", 2),
        ];
        assert_eq!(popup_button(&nodes).unwrap().text, "Not now");
        let nodes = [node("", "", "Close", 2)];
        assert!(popup_button(&nodes).is_some());
        assert!(popup_button(&[node("Follow", "", "", 1)]).is_none());
    }

    #[test]
    fn account_switcher_rows() {
        let nodes = [
            node("shop_eu", "", "Switch account", 100),
            node("@shop_eu", "com.zhiliaoapp.musically:id/qh5", "", 300),
            node("Switch account", "", "", 1500),
            node("shop_eu", "", "Current account", 1700),
            node("alt", "", "", 1800),
            node("Add account", "", "", 1900),
        ];
        assert_eq!(own_profile_account(&nodes).as_deref(), Some("shop_eu"));
        assert_eq!(switcher_row(&nodes, "@ALT").unwrap().bounds.top, 1800);
        assert!(switcher_row(&nodes, "other").is_none());
        assert_eq!(switcher_accounts(&nodes), ["shop_eu", "alt"]);
    }

    /// The Python SDK's lists of the app's notices, in `plugins/python-sdk/phonefleet_sdk/tiktok.py`.
    fn python_list(name: &str) -> Vec<String> {
        let python = include_str!("../../../python-sdk/phonefleet_sdk/tiktok.py");
        let start = python
            .find(&format!("{name} = ["))
            .unwrap_or_else(|| panic!("{name} in tiktok.py"));
        let body = &python[start..];
        let end = body.find(']').expect("the list ends");
        body[..end]
            .lines()
            .skip(1)
            .filter_map(|line| line.trim().strip_prefix('"')?.strip_suffix("\","))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn python_sdk_lists_match() {
        assert_eq!(python_list("RATE_LIMIT_TEXTS"), RATE_LIMIT_TEXTS);
        assert_eq!(python_list("CAPTCHA_TEXTS"), CAPTCHA_TEXTS);
    }
}
