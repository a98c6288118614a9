//! The TikTok-like app's model: signed-in accounts, follows, the screen stack, popups, and what
//! taps, keys, typed text and intents do to them. How each screen looks lives in `screens`.

mod compose;
mod compose_screens;
mod screens;
pub use screens::{HEIGHT, WIDTH};
pub mod users;
mod watch;
mod watch_screens;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use crate::config::{PhoneConfig, Popups};
use crate::fs::Fs;
use crate::media::MediaStore;
use crate::social::Playlist;
use crate::social::{self, Social};
use crate::ui::Node;
use compose::{ComposeScreen, Draft, PostRecord};
use users::normalize;
use watch::CommentDraft;

pub const PACKAGE: &str = "com.zhiliaoapp.musically";
pub const LAUNCHER: &str = "com.android.launcher3";
/// Taps `App::taps` remembers.
pub const TAPS_KEPT: usize = 200;
pub const SPLASH_ACTIVITY: &str = "com.ss.android.ugc.aweme.splash.SplashActivity";
pub const SHARE_ACTIVITY: &str = "com.ss.android.ugc.aweme.share.SystemShareActivity";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Feed,
    Profile(String),
    MissingAccount(String),
    Search(Search),
    OwnProfile,
    AccountSwitcher,
    UnfollowSheet(String),
    UnfollowDialog(String),
    /// Making a post: camera, gallery, editor, caption and their sheets.
    Compose(ComposeScreen),
    /// A video page: a linked video, or a search's results played one after another.
    Watch(Playlist),
    /// A linked video that is unknown or deleted.
    Unavailable,
    /// The comments sheet of a catalogue post.
    Comments(usize),
    /// The comment field's photo picker.
    CommentPhotos,
}

impl Screen {
    /// Overlays are drawn over the screen below them instead of replacing it.
    fn is_overlay(&self) -> bool {
        match self {
            Screen::AccountSwitcher
            | Screen::UnfollowSheet(_)
            | Screen::UnfollowDialog(_)
            | Screen::Comments(_) => true,
            Screen::Compose(screen) => screen.is_overlay(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Search {
    query: String,
    submitted: bool,
    tab: SearchTab,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum SearchTab {
    #[default]
    Top,
    Users,
    Videos,
    Sounds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Popup {
    Notifications,
    Captcha,
}

/// What tapping a node does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Consumes the tap (a control this model does not act on).
    Nothing,
    Back,
    Launch,
    OpenFeed,
    OpenSearch,
    OpenOwnProfile,
    OpenProfile(String),
    /// The profile's follow control: follow, or open the unfollow sheet when already following.
    ProfileFollow(String),
    /// Search rows, suggestions and the feed button: follow, or unfollow at once.
    ToggleFollow(String),
    /// "Unfollow" in the sheet: asks again for friends, else unfollows.
    Unfollow(String),
    ConfirmUnfollow(String),
    SubmitSearch,
    ClearSearch,
    ShowSearchTab(SearchTab),
    OpenSwitcher,
    SwitchAccount(usize),
    DismissPopup,
    /// A control of the post-making screens.
    Compose(compose::Tap),
    /// A control of the watching screens.
    Watch(watch::Tap),
}

/// What the current account and a user are to each other, as follow buttons show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Stranger,
    FollowsMe,
    Following,
    Friends,
}

/// Keys the app reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Home,
    Back,
    Enter,
    Delete,
    /// KEYCODE_POWER, KEYCODE_WAKEUP, KEYCODE_SLEEP, KEYCODE_MENU: the system's, not the app's.
    Power,
    Wake,
    Sleep,
    Menu,
}

/// Where a VIEW intent's URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Profile(String),
    /// A video, `/@user/video/ID`, by its id.
    Video(String),
    /// A short link, `https://vm.tiktok.com/CODE/`, by its code.
    ShortVideo(String),
    /// A sound page, `/music/NAME[-ID]`.
    Sound(String),
    Feed,
}

impl Link {
    /// `https://www.tiktok.com/@user` (also `us.`, `m.`, bare host), `/@user/video/ID`,
    /// `https://vm.tiktok.com/CODE/` (also `vt.`), or `snssdk1233://feed`, `tiktok://feed`.
    pub fn parse(url: &str) -> Option<Link> {
        if matches!(url, "snssdk1233://feed" | "tiktok://feed") {
            return Some(Link::Feed);
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/')?;
        if matches!(host, "vm.tiktok.com" | "vt.tiktok.com") {
            let code = path.split(['/', '?', '#']).next().unwrap_or_default();
            return (!code.is_empty()).then(|| Link::ShortVideo(code.to_string()));
        }
        if !matches!(
            host,
            "www.tiktok.com" | "tiktok.com" | "us.tiktok.com" | "m.tiktok.com"
        ) {
            return None;
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if let Some(sound) = path.strip_prefix("music/") {
            return sound_name(sound).map(Link::Sound);
        }
        let mut parts = path.strip_prefix('@')?.split('/');
        let user = parts.next().unwrap_or_default();
        if let (Some("video"), Some(id)) = (parts.next(), parts.next()) {
            return Some(Link::Video(id.to_string()));
        }
        (!user.is_empty()).then(|| Link::Profile(normalize(user)))
    }
}

/// A sound's name from a `/music/` path segment: percent-decoded, without a trailing `-1234567` id.
fn sound_name(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (b'+', _) => {
                decoded.push(b' ');
                i += 1;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    let name = String::from_utf8(decoded).ok()?;
    let name = match name.rsplit_once('-') {
        Some((head, id))
            if !head.is_empty() && id.len() >= 6 && id.bytes().all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => name.as_str(),
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[derive(Debug, Clone)]
pub struct App {
    accounts: Vec<String>,
    current: usize,
    following: BTreeMap<String, Vec<String>>,
    followers_of_me: BTreeSet<String>,
    missing: BTreeSet<String>,
    popups: Popups,
    foreground: bool,
    stack: Vec<Screen>,
    popup: Option<Popup>,
    toast: Option<String>,
    taps: VecDeque<String>,
    follows_done: usize,
    /// Follows the app shows but the server refused: (account, user, when the button turns back).
    reverting: Vec<(String, String, std::time::Instant)>,
    prompted: bool,
    feed_index: usize,
    media: MediaStore,
    draft: Option<Draft>,
    posts: Vec<PostRecord>,
    upload_duration: Duration,
    publish_prompted: bool,
    /// Likes, Favorites and comments of the signed-in accounts.
    social: Social,
    /// The comment being written, kept while its sheet is closed.
    comment: Option<CommentDraft>,
    /// The video on screen was paused by a tap on it; a new video plays again.
    paused: bool,
}

impl App {
    pub fn new(config: &PhoneConfig) -> Self {
        let accounts = users::signed_in(&config.accounts, "vphone_user");
        let mut following: BTreeMap<String, Vec<String>> =
            accounts.iter().map(|a| (a.clone(), Vec::new())).collect();
        if let Some(first) = following.get_mut(&accounts[0]) {
            *first = config.following.iter().map(|u| normalize(u)).collect();
        }
        Self {
            following,
            accounts,
            current: 0,
            followers_of_me: config
                .followers_of_me
                .iter()
                .map(|u| normalize(u))
                .collect(),
            missing: config.missing_users.iter().map(|u| normalize(u)).collect(),
            popups: config.popups.clone(),
            foreground: false,
            stack: Vec::new(),
            popup: None,
            toast: None,
            taps: VecDeque::new(),
            follows_done: 0,
            reverting: Vec::new(),
            prompted: false,
            feed_index: 0,
            media: MediaStore::default(),
            draft: None,
            posts: Vec::new(),
            upload_duration: config.upload_duration,
            publish_prompted: false,
            social: Social::new(&config.social),
            comment: None,
            paused: false,
        }
    }

    pub fn set_missing(&mut self, user: &str, missing: bool) {
        let user = normalize(user);
        if missing {
            self.missing.insert(user);
        } else {
            self.missing.remove(&user);
        }
    }

    pub fn set_popups(&mut self, popups: Popups) {
        self.popups = popups;
    }

    // ----- what the state JSON reports -----

    pub fn accounts(&self) -> &[String] {
        &self.accounts
    }

    pub fn current_account(&self) -> &str {
        &self.accounts[self.current]
    }

    pub fn following(&self) -> &BTreeMap<String, Vec<String>> {
        &self.following
    }

    pub fn foreground_package(&self) -> &'static str {
        if self.foreground { PACKAGE } else { LAUNCHER }
    }

    pub fn screen_name(&self) -> &'static str {
        match self.top() {
            None => "launcher",
            Some(Screen::Feed) => "feed",
            Some(Screen::Profile(_)) => "profile",
            Some(Screen::MissingAccount(_)) => "missing_account",
            Some(Screen::Search(_)) => "search",
            Some(Screen::OwnProfile) => "own_profile",
            Some(Screen::AccountSwitcher) => "account_switcher",
            Some(Screen::UnfollowSheet(_)) => "unfollow_sheet",
            Some(Screen::UnfollowDialog(_)) => "unfollow_dialog",
            Some(Screen::Compose(screen)) => screen.name(),
            Some(Screen::Watch(_)) => "video",
            Some(Screen::Unavailable) => "unavailable",
            Some(Screen::Comments(_)) => "comments",
            Some(Screen::CommentPhotos) => "comment_photos",
        }
    }

    /// What the accounts liked, bookmarked and commented (see [`Social::to_json`]).
    pub fn social_json(&self) -> serde_json::Value {
        self.social.to_json()
    }

    pub fn screen_user(&self) -> Option<&str> {
        match self.top()? {
            Screen::Profile(user)
            | Screen::MissingAccount(user)
            | Screen::UnfollowSheet(user)
            | Screen::UnfollowDialog(user) => Some(user),
            _ => None,
        }
    }

    pub fn popup_name(&self) -> Option<&'static str> {
        match self.popup? {
            Popup::Notifications => Some("notifications"),
            Popup::Captcha => Some("captcha"),
        }
    }

    pub fn toast(&self) -> Option<&str> {
        self.toast.as_deref()
    }

    // ----- the screen -----

    /// The current screen as `uiautomator dump` writes it on `screen`.
    pub fn dump_xml(&self, screen: crate::android::Screen) -> String {
        screens::render(self).to_xml(self.foreground_package(), screen)
    }

    fn render(&self) -> Node<Action> {
        screens::render(self)
    }

    /// The visible screen, or none when the launcher is in front.
    fn top(&self) -> Option<&Screen> {
        if self.foreground {
            self.stack.last()
        } else {
            None
        }
    }

    fn relation(&self, user: &str) -> Relation {
        let following = self.is_following(user);
        let follows_me = self.followers_of_me.contains(user);
        match (following, follows_me) {
            (true, true) => Relation::Friends,
            (true, false) => Relation::Following,
            (false, true) => Relation::FollowsMe,
            (false, false) => Relation::Stranger,
        }
    }

    fn is_following(&self, user: &str) -> bool {
        let account = self.current_account();
        let shown_for_now = self
            .reverting
            .iter()
            .any(|(a, u, until)| a == account && u == user && std::time::Instant::now() < *until);
        shown_for_now
            || self
                .following
                .get(account)
                .is_some_and(|users| users.iter().any(|u| u == user))
    }

    /// The captcha's own wording, when not the classic slider's.
    pub fn captcha_text(&self) -> Option<&str> {
        self.popups.captcha_text.as_deref()
    }

    fn exists(&self, user: &str) -> bool {
        !self.missing.contains(user)
    }

    // ----- input -----

    /// A tap at (x, y) in layout coordinates; `fs` is read when the tap publishes a post (its files
    /// are hashed then). False when it hit nothing the app reacts to.
    pub fn tap(&mut self, x: i32, y: i32, fs: &Fs) -> bool {
        self.toast = None;
        let tree = self.render();
        let hit = tree
            .hit(x, y)
            .and_then(|node| Some((node.action()?.clone(), node.label())));
        if self.taps.len() == TAPS_KEPT {
            self.taps.pop_front();
        }
        match hit {
            Some((action, label)) => {
                self.taps.push_back(label);
                self.apply(action, x, fs);
                true
            }
            None => {
                self.taps.push_back(String::new());
                if matches!(self.top(), Some(Screen::Feed | Screen::Watch(_))) {
                    // A tap on the video itself pauses it, and another plays it again.
                    self.paused = !self.paused;
                }
                false
            }
        }
    }

    /// What each tap hit, oldest first (at most [`TAPS_KEPT`]; an empty label when it hit nothing
    /// the app reacts to).
    pub fn taps(&self) -> &VecDeque<String> {
        &self.taps
    }

    /// An upward swipe on the feed or a video page shows the next video, a downward one the previous.
    pub fn swipe(&mut self, from_y: i32, to_y: i32) {
        self.toast = None;
        let (up, down) = (from_y - to_y > 200, to_y - from_y > 200);
        if self.popup.is_some() || !(up || down) {
            return;
        }
        self.paused = false;
        if !self.foreground {
            return;
        }
        match self.stack.last_mut() {
            Some(Screen::Feed) if up => self.feed_index += 1,
            Some(Screen::Feed) => self.feed_index = self.feed_index.saturating_sub(1),
            Some(Screen::Watch(playlist)) => playlist.swipe(up),
            _ => {}
        }
    }

    pub fn key(&mut self, key: Key) {
        self.toast = None;
        match key {
            Key::Home => self.foreground = false,
            Key::Back => self.back(),
            Key::Enter => {
                if self.popup.is_none() && matches!(self.top(), Some(Screen::Search(_))) {
                    self.submit_search();
                }
            }
            Key::Power | Key::Wake | Key::Sleep | Key::Menu => {}
            Key::Delete if self.delete_comment_char() => {}
            Key::Delete => {
                if let Some(search) = self.focused_search() {
                    search.query.pop();
                    search.submitted = false;
                } else if self.popup.is_none() && self.foreground {
                    self.delete_compose();
                }
            }
        }
    }

    /// Types into the focused field (the search box, the caption, the sound search); returns false
    /// when no field has focus.
    pub fn type_text(&mut self, text: &str) -> bool {
        if let Some(search) = self.focused_search() {
            search.query.push_str(text);
            search.submitted = false;
            return true;
        }
        self.type_comment(text)
            || (self.foreground && self.popup.is_none() && self.type_compose(text))
    }

    fn focused_search(&mut self) -> Option<&mut Search> {
        if !self.foreground || self.popup.is_some() {
            return None;
        }
        match self.stack.last_mut() {
            Some(Screen::Search(search)) => Some(search),
            _ => None,
        }
    }

    // ----- intents -----

    /// The launcher intent: brings the app to the front, on the feed if it was not running.
    pub fn launch(&mut self) {
        self.foreground = true;
        if self.stack.is_empty() {
            self.stack.push(Screen::Feed);
        }
        self.maybe_prompt();
    }

    /// A VIEW intent; `clear_task` (FLAG_ACTIVITY_CLEAR_TASK) starts a fresh task with only this screen.
    pub fn open_link(&mut self, link: Link, clear_task: bool) {
        self.toast = None;
        let screen = match link {
            Link::Feed => Screen::Feed,
            Link::Profile(user) => self.profile_screen(user),
            Link::Sound(name) => App::sound_page(name),
            Link::Video(id) | Link::ShortVideo(id) => self.video_screen(social::find(&id)),
        };
        self.paused = false;
        if clear_task || self.stack.is_empty() {
            self.stack = vec![screen];
        } else {
            self.stack.push(screen);
        }
        self.foreground = true;
        self.maybe_prompt();
    }

    /// Another app came to the front: this one keeps its screens behind it.
    pub fn move_behind(&mut self) {
        self.foreground = false;
    }

    pub fn force_stop(&mut self) {
        self.stack.clear();
        self.foreground = false;
        self.popup = None;
        self.toast = None;
    }

    fn maybe_prompt(&mut self) {
        if self.popups.notifications_prompt && !self.prompted && self.popup.is_none() {
            self.prompted = true;
            self.popup = Some(Popup::Notifications);
        }
    }

    fn profile_screen(&self, user: String) -> Screen {
        if self.exists(&user) {
            Screen::Profile(user)
        } else {
            Screen::MissingAccount(user)
        }
    }

    // ----- what taps do -----

    fn apply(&mut self, action: Action, x: i32, fs: &Fs) {
        match action {
            Action::Nothing => {}
            Action::Back => self.back(),
            Action::Launch => self.launch(),
            Action::OpenFeed => {
                while self.stack.last().is_some_and(|s| s != &Screen::Feed) {
                    self.stack.pop();
                }
                if self.stack.is_empty() {
                    self.stack.push(Screen::Feed);
                }
            }
            Action::OpenSearch => self.stack.push(Screen::Search(Search::default())),
            Action::OpenOwnProfile => {
                if self.stack.last() != Some(&Screen::OwnProfile) {
                    self.stack.push(Screen::OwnProfile);
                }
            }
            Action::OpenProfile(user) => {
                let screen = self.profile_screen(user);
                self.stack.push(screen);
            }
            Action::ProfileFollow(user) => {
                if self.is_following(&user) {
                    self.stack.push(Screen::UnfollowSheet(user));
                } else {
                    self.follow(&user);
                }
            }
            Action::ToggleFollow(user) => {
                if self.is_following(&user) {
                    self.unfollow(&user);
                } else {
                    self.follow(&user);
                }
            }
            Action::Unfollow(user) => {
                self.stack.pop();
                if self.relation(&user) == Relation::Friends {
                    self.stack.push(Screen::UnfollowDialog(user));
                } else {
                    self.unfollow(&user);
                }
            }
            Action::ConfirmUnfollow(user) => {
                self.stack.pop();
                self.unfollow(&user);
            }
            Action::SubmitSearch => self.submit_search(),
            Action::ClearSearch => {
                if let Some(search) = self.focused_search() {
                    *search = Search::default();
                }
            }
            Action::ShowSearchTab(tab) => {
                if let Some(search) = self.focused_search() {
                    search.tab = tab;
                }
            }
            Action::OpenSwitcher => self.stack.push(Screen::AccountSwitcher),
            Action::SwitchAccount(index) => {
                if index < self.accounts.len() {
                    self.current = index;
                }
                self.stack.pop();
            }
            Action::DismissPopup => self.popup = None,
            Action::Compose(tap) => self.compose(tap, x, fs),
            Action::Watch(tap) => self.watch(tap),
        }
    }

    fn back(&mut self) {
        match self.popup {
            Some(Popup::Notifications) => self.popup = None,
            Some(Popup::Captcha) => {}
            None => {
                if self.foreground && !self.back_compose() {
                    self.stack.pop();
                    self.foreground = !self.stack.is_empty();
                }
            }
        }
    }

    fn submit_search(&mut self) {
        if let Some(search) = self.focused_search()
            && !search.query.trim().is_empty()
        {
            search.submitted = true;
            search.tab = SearchTab::Top;
        }
    }

    fn follow(&mut self, user: &str) {
        let done = self.follows_done;
        let reached = |limit: Option<usize>| limit.is_some_and(|n| done >= n);
        if reached(self.popups.captcha_after) {
            self.popup = Some(Popup::Captcha);
            return;
        }
        if reached(self.popups.rate_limit_after) {
            self.toast = Some(
                self.popups
                    .rate_limit_text
                    .clone()
                    .unwrap_or_else(|| "You're following too fast. Try again later.".to_string()),
            );
            return;
        }
        if reached(self.popups.follow_reverts_after) {
            // The button reads "Following" at once; the server's refusal turns it back a second
            // later, its notice a system toast that no dump shows (field case 16).
            let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
            let account = self.current_account().to_string();
            self.reverting.push((account, user.to_string(), until));
            return;
        }
        let account = self.current_account().to_string();
        let users = self.following.entry(account).or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_string());
            self.follows_done += 1;
        }
    }

    fn unfollow(&mut self, user: &str) {
        let account = self.current_account().to_string();
        if let Some(users) = self.following.get_mut(&account) {
            users.retain(|u| u != user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_links_are_recognised() {
        assert_eq!(
            Link::parse("https://www.tiktok.com/@NASA?lang=en"),
            Some(Link::Profile("nasa".to_string()))
        );
        assert_eq!(
            Link::parse("https://us.tiktok.com/@bbc/video/7301?is_from_webapp=1"),
            Some(Link::Video("7301".to_string()))
        );
        assert_eq!(
            Link::parse("https://vm.tiktok.com/ZMh01k/"),
            Some(Link::ShortVideo("ZMh01k".to_string()))
        );
        assert_eq!(Link::parse("tiktok://feed"), Some(Link::Feed));
        assert_eq!(Link::parse("https://example.com/@nasa"), None);
        assert_eq!(Link::parse("https://www.tiktok.com/@"), None);
        assert_eq!(
            Link::parse("https://www.tiktok.com/music/Summer%20vibes-7234567890123"),
            Some(Link::Sound("Summer vibes".to_string()))
        );
        assert_eq!(
            Link::parse("https://www.tiktok.com/music/%E5%A4%8F-mix"),
            Some(Link::Sound("夏-mix".to_string()))
        );
        assert_eq!(Link::parse("https://www.tiktok.com/music/"), None);
    }
}
