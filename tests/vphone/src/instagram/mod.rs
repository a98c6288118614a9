//! The Instagram-like app's model, after `../shared/reference/instagram-ui.md`: signed-in accounts,
//! follows and follow requests, private and missing users, the screen stack, and what taps, keys,
//! typed text and profile links do to them. How each screen looks lives in `screens`.

mod post_screens;
mod posts;
mod screens;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::app::users::{normalize, signed_in};
use crate::config::InstagramConfig;
use crate::fs::Fs;
use crate::social::Playlist;
use crate::social::{Social, SocialConfig};
use crate::ui::Node;
use posts::{CommentDraft, PostLink};

pub const PACKAGE: &str = "com.instagram.android";
pub const MAIN_ACTIVITY: &str = "com.instagram.mainactivity.MainActivity";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Feed,
    Profile(String),
    /// "Sorry, this page isn't available."
    Missing(String),
    Search(Search),
    /// Tapping "Following": the sheet whose last row unfollows.
    FollowSheet(String),
    /// A private account's "Unfollow @user?" dialog.
    UnfollowDialog(String),
    /// "Review this account before following".
    Review(String),
    /// The current account's own profile.
    OwnProfile,
    /// The own profile's account list (the title's chevron).
    AccountSwitcher,
    /// A shared file's preview, before "Next".
    ShareEditor,
    /// The caption and "Share".
    Composer,
    /// The story editor of `ADD_TO_STORY`.
    StoryEditor,
    /// One of the own posts (newest first), with its caption.
    OwnPost(usize),
    /// Create: the mode strip over the gallery (newest first), then Next.
    Create(Create),
    /// The editor after the gallery ("Edit video" for a Reel), then Next to the composer.
    Editor,
    /// A post page: a linked post, or a hashtag's posts from the tapped tile.
    Post(Playlist),
    /// A post link whose post is unknown or deleted.
    PostMissing,
    /// A catalogue post's comments and the field.
    Comments(usize),
    /// A hashtag's posts.
    Tag(String),
}

/// What "Create" is making, and the gallery's selection in tap order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Create {
    mode: Mode,
    multi: bool,
    /// Indexes into the gallery (oldest first), in the order they were tapped.
    selected: Vec<usize>,
}

/// What Create may put over the gallery, once each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CreatePrompt {
    /// "Keep editing your draft?"
    Draft,
    /// Android's camera permission dialog.
    Camera,
    /// The "Edits" app's promo sheet.
    EditsPromo,
}

/// The mode strip's POST / STORY / REEL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Post,
    Story,
    Reel,
}

impl Screen {
    fn is_overlay(&self) -> bool {
        matches!(
            self,
            Screen::FollowSheet(_)
                | Screen::UnfollowDialog(_)
                | Screen::Review(_)
                | Screen::AccountSwitcher
        )
    }
}

/// "Search and explore": first the explore grid with a search box; a tap on the box enters search
/// mode with the EditText focused; typing lists matching users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Search {
    editing: bool,
    query: String,
}

/// What tapping a node does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Nothing,
    Back,
    OpenFeed,
    OpenSearch,
    EditSearch,
    OpenProfile(String),
    /// The profile's own follow button: follow, request, cancel the request, or open the sheet.
    ProfileFollow(String),
    /// A "Suggested for you" row's button: follows at once.
    FollowSuggested(String),
    Unfollow(String),
    ConfirmUnfollow(String),
    ConfirmFollow(String),
    /// Closes an overlay or an alert.
    Dismiss,
    OpenOwnProfile,
    OpenSwitcher,
    SwitchAccount(usize),
    /// The share editor's "Next".
    Next,
    FocusCaption,
    /// The composer's "Share".
    Share,
    /// The story editor's "Your story".
    ShareStory,
    OpenOwnPost(usize),
    OpenCreate,
    /// Answers the prompt over Create (a permission, the promo's close).
    ClosePrompt,
    /// The promo's install button: opens Google Play, the app goes behind it.
    InstallEdits,
    CreateMode(Mode),
    ToggleMulti,
    /// A gallery tile, by its index in the gallery (oldest first).
    PickTile(usize),
    /// The gallery's Next.
    CreateNext,
    /// A control of the post screens.
    Posts(posts::Tap),
}

/// What a share intent or the story intent hands the app: files in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    /// Where it is on the phone.
    pub path: String,
    /// The content URI it was shared as.
    pub uri: String,
    /// Whether it is an image (else a video).
    pub image: bool,
}

/// What is being made: the shared files, the caption typed so far, whether the caption has focus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Draft {
    files: Vec<SharedFile>,
    caption: String,
    caption_focused: bool,
    story: bool,
}

/// A post or story as the app published it, with the sha256 of each file's bytes at Share.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    account: String,
    kind: &'static str,
    caption: String,
    files: Vec<(String, String)>,
}

impl Published {
    fn to_json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|(path, sha256)| json!({"path": path, "sha256": sha256}))
            .collect();
        json!({"account": self.account, "kind": self.kind, "caption": self.caption, "files": files})
    }
}

/// Keys the app reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Back,
    Home,
    Delete,
    Other,
}

#[derive(Debug, Clone)]
pub struct Instagram {
    /// `com.instagram.android`, or a clone's package.
    package: String,
    accounts: Vec<String>,
    current: usize,
    following: BTreeMap<String, Vec<String>>,
    requested: BTreeMap<String, Vec<String>>,
    private: BTreeSet<String>,
    review: BTreeSet<String>,
    missing: BTreeSet<String>,
    /// Follows allowed before every further one shows "Try Again Later".
    block_after: Option<usize>,
    follows_done: usize,
    foreground: bool,
    stack: Vec<Screen>,
    /// "Try Again Later" over the screen.
    blocked: bool,
    /// "Save your login info?" over the screen; asked once.
    login_prompt: bool,
    /// Share leaves the composer on screen (see `InstagramConfig::share_stalls`).
    share_stalls: bool,
    /// Create's prompts still to come: the camera permission, then the Edits promo.
    create_prompts: Vec<CreatePrompt>,
    login_prompt_due: bool,
    draft: Option<Draft>,
    /// The media store's files, oldest first, as the gallery lists them (newest first).
    gallery: Vec<SharedFile>,
    /// Reels, photos and carousels, oldest first.
    posts: Vec<Published>,
    stories: Vec<Published>,
    /// Likes, saves and comments of the signed-in accounts.
    social: Social,
    /// The comment being typed, kept while its screen is closed.
    comment: Option<CommentDraft>,
    /// How far the home feed was scrolled, in posts.
    feed_index: usize,
}

impl Instagram {
    pub fn new(config: &InstagramConfig, missing: &[String], social: &SocialConfig) -> Self {
        let set = |users: &[String]| users.iter().map(|u| normalize(u)).collect();
        let accounts = signed_in(&config.accounts, "vphone_ig");
        let mut following: BTreeMap<String, Vec<String>> =
            accounts.iter().map(|a| (a.clone(), Vec::new())).collect();
        following.insert(
            accounts[0].clone(),
            config.following.iter().map(|u| normalize(u)).collect(),
        );
        Self {
            package: config
                .clone_package
                .clone()
                .unwrap_or_else(|| PACKAGE.to_string()),
            following,
            requested: accounts.iter().map(|a| (a.clone(), Vec::new())).collect(),
            accounts,
            current: 0,
            private: set(&config.private_users),
            review: set(&config.review_users),
            missing: set(missing),
            block_after: config.block_after,
            follows_done: 0,
            foreground: false,
            stack: Vec::new(),
            blocked: false,
            login_prompt: false,
            share_stalls: config.share_stalls,
            create_prompts: [
                (config.draft_kept, CreatePrompt::Draft),
                (config.create_prompts, CreatePrompt::Camera),
                (config.create_prompts, CreatePrompt::EditsPromo),
            ]
            .into_iter()
            .filter_map(|(on, prompt)| on.then_some(prompt))
            .collect(),
            login_prompt_due: config.login_info_prompt,
            draft: None,
            gallery: Vec::new(),
            posts: Vec::new(),
            stories: Vec::new(),
            social: Social::new(social),
            comment: None,
            feed_index: 0,
        }
    }

    // ----- what the state JSON reports -----

    pub fn is_foreground(&self) -> bool {
        self.foreground
    }

    /// The app's package: Instagram's, or its clone's.
    pub fn package(&self) -> &str {
        &self.package
    }

    fn is_clone(&self) -> bool {
        self.package != PACKAGE
    }

    pub fn current_account(&self) -> &str {
        &self.accounts[self.current]
    }

    pub fn state(&self) -> serde_json::Value {
        serde_json::json!({
            "accounts": self.accounts,
            "current_account": self.current_account(),
            "following": self.following,
            "requested": self.requested,
            "screen": self.screen_name(),
            "screen_user": self.screen_user(),
            "popup": if self.blocked {
                Some("try_again_later")
            } else {
                self.login_prompt.then_some("save_login_info")
            },
            "posts": self.posts.iter().map(Published::to_json).collect::<Vec<_>>(),
            "stories": self.stories.iter().map(Published::to_json).collect::<Vec<_>>(),
            "social": self.social.to_json(),
        })
    }

    pub fn screen_name(&self) -> &'static str {
        match self.top() {
            None => "none",
            Some(Screen::Feed) => "feed",
            Some(Screen::Profile(_)) => "profile",
            Some(Screen::Missing(_)) => "missing",
            Some(Screen::Search(_)) => "search",
            Some(Screen::FollowSheet(_)) => "follow_sheet",
            Some(Screen::UnfollowDialog(_)) => "unfollow_dialog",
            Some(Screen::Review(_)) => "review",
            Some(Screen::OwnProfile) => "own_profile",
            Some(Screen::AccountSwitcher) => "account_switcher",
            Some(Screen::ShareEditor) => "share_editor",
            Some(Screen::Composer) => "composer",
            Some(Screen::StoryEditor) => "story_editor",
            Some(Screen::OwnPost(_)) => "own_post",
            Some(Screen::Create(_)) => "create",
            Some(Screen::Editor) => "editor",
            Some(Screen::Post(_)) => "post",
            Some(Screen::PostMissing) => "post_missing",
            Some(Screen::Comments(_)) => "comments",
            Some(Screen::Tag(_)) => "tag",
        }
    }

    pub fn screen_user(&self) -> Option<&str> {
        match self.top()? {
            Screen::Profile(user)
            | Screen::Missing(user)
            | Screen::FollowSheet(user)
            | Screen::UnfollowDialog(user)
            | Screen::Review(user) => Some(user),
            Screen::OwnProfile => Some(self.current_account()),
            _ => None,
        }
    }

    // ----- the screen -----

    /// The current screen as `uiautomator dump` writes it.
    pub fn dump_xml(&self, screen: crate::android::Screen) -> String {
        let xml = screens::render(self).to_xml(&self.package, screen);
        if self.is_clone() {
            // A clone re-prefixes every resource-id with its own package.
            xml.replace(&format!("{PACKAGE}:id/"), &format!("{}:id/", self.package))
        } else {
            xml
        }
    }

    fn top(&self) -> Option<&Screen> {
        if self.foreground {
            self.stack.last()
        } else {
            None
        }
    }

    fn is_following(&self, user: &str) -> bool {
        self.listed(&self.following, user)
    }

    fn is_requested(&self, user: &str) -> bool {
        self.listed(&self.requested, user)
    }

    fn listed(&self, lists: &BTreeMap<String, Vec<String>>, user: &str) -> bool {
        lists
            .get(self.current_account())
            .is_some_and(|users| users.iter().any(|u| u == user))
    }

    // ----- intents -----

    /// The launcher intent: to the front, on the feed if it was not running.
    pub fn launch(&mut self) {
        self.foreground = true;
        if self.stack.is_empty() {
            self.stack.push(Screen::Feed);
        }
        self.maybe_prompt();
    }

    /// The first time the app comes to the front it may ask to save the login.
    fn maybe_prompt(&mut self) {
        if self.login_prompt_due {
            self.login_prompt_due = false;
            self.login_prompt = true;
        }
    }

    /// Another app came to the front.
    pub fn move_behind(&mut self) {
        self.foreground = false;
    }

    pub fn force_stop(&mut self) {
        self.stack.clear();
        self.foreground = false;
        self.blocked = false;
    }

    /// A VIEW intent for `https://www.instagram.com/USER/` (also `instagram.com`, `/_u/USER`), a
    /// post (`/p/CODE/`, `/reel/CODE/`) or a hashtag (`/explore/tags/TAG/`); false when the URL is
    /// none of them, or the app is a clone (clones do not handle instagram.com links).
    pub fn open_link(&mut self, url: &str) -> bool {
        if self.is_clone() {
            return false;
        }
        let screen = match (profile_link(url), PostLink::parse(url)) {
            (Some(user), _) => self.profile_screen(user),
            (None, Some(link)) => self.post_link_screen(link),
            (None, None) => return false,
        };
        self.stack.push(screen);
        self.foreground = true;
        self.maybe_prompt();
        true
    }

    /// `SEND` / `SEND_MULTIPLE` to the ShareHandlerActivity: one video is a Reel, one image a
    /// photo post, several images a carousel in the given order (a video among several is
    /// refused, as the app's share sheet does). False when nothing can be shared.
    pub fn share(&mut self, files: Vec<SharedFile>) -> bool {
        let several_with_video = files.len() > 1 && files.iter().any(|f| !f.image);
        if files.is_empty() || several_with_video {
            return false;
        }
        self.start_draft(Draft {
            files,
            ..Draft::default()
        });
        self.stack.push(Screen::ShareEditor);
        true
    }

    /// The media store changed: the gallery lists these files (oldest first).
    pub fn set_gallery(&mut self, files: Vec<SharedFile>) {
        self.gallery = files;
    }

    /// `com.instagram.share.ADD_TO_STORY` with one file: the story editor with it placed.
    pub fn add_to_story(&mut self, file: SharedFile) {
        self.start_draft(Draft {
            files: vec![file],
            story: true,
            ..Draft::default()
        });
        self.stack.push(Screen::StoryEditor);
    }

    /// The gallery's Next: the picked files in tap order become the draft; a story goes to the
    /// story editor, a post or Reel to the editor.
    fn create_next(&mut self) {
        let Some(Screen::Create(create)) = self.stack.last().cloned() else {
            return;
        };
        let files: Vec<SharedFile> = create
            .selected
            .iter()
            .filter_map(|i| self.gallery.get(*i).cloned())
            .collect();
        if files.is_empty() {
            return;
        }
        let story = create.mode == Mode::Story;
        self.draft = Some(Draft {
            files,
            story,
            ..Draft::default()
        });
        self.stack.pop();
        self.stack.push(if story {
            Screen::StoryEditor
        } else {
            Screen::Editor
        });
    }

    fn start_draft(&mut self, draft: Draft) {
        self.draft = Some(draft);
        self.foreground = true;
        self.maybe_prompt();
        self.stack.retain(|s| {
            !matches!(
                s,
                Screen::ShareEditor | Screen::Composer | Screen::StoryEditor
            )
        });
        if self.stack.is_empty() {
            self.stack.push(Screen::Feed);
        }
    }

    /// Publishes the draft: the files' bytes hashed now, then back to the feed.
    fn publish(&mut self, fs: &Fs) {
        let Some(draft) = self.draft.take() else {
            return;
        };
        let files = draft
            .files
            .iter()
            .map(|f| {
                let sha256 = fs
                    .read(&f.path)
                    .map(|data| {
                        Sha256::digest(data)
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                (f.path.clone(), sha256)
            })
            .collect();
        let kind = match (draft.story, draft.files.as_slice()) {
            (true, _) => "story",
            (false, [one]) if !one.image => "reel",
            (false, [_]) => "photo",
            (false, _) => "carousel",
        };
        let published = Published {
            account: self.current_account().to_string(),
            kind,
            caption: draft.caption,
            files,
        };
        if draft.story {
            self.stories.push(published);
        } else {
            self.posts.push(published);
        }
        if self.share_stalls {
            // Published, yet the composer stays (with a fresh draft behind it) until the app restarts.
            self.draft = Some(Draft::default());
            return;
        }
        self.stack = vec![Screen::Feed];
    }

    /// The own posts, newest first: (kind, caption).
    fn own_posts(&self) -> Vec<&Published> {
        let me = self.current_account();
        self.posts
            .iter()
            .rev()
            .filter(|p| p.account == me)
            .collect()
    }

    fn profile_screen(&self, user: String) -> Screen {
        if self.missing.contains(&user) {
            Screen::Missing(user)
        } else {
            Screen::Profile(user)
        }
    }

    // ----- input -----

    /// A tap at (x, y) in layout coordinates; `fs` is read when the tap publishes (its files are
    /// hashed then). False when it hit nothing the app reacts to.
    pub fn tap(&mut self, x: i32, y: i32, fs: &Fs) -> bool {
        let tree = screens::render(self);
        let Some(action) = tree.hit(x, y).and_then(Node::action).cloned() else {
            return false;
        };
        match action {
            Action::Share | Action::ShareStory => self.publish(fs),
            action => self.apply(action),
        }
        true
    }

    pub fn key(&mut self, key: Key) {
        match key {
            Key::Home => self.foreground = false,
            Key::Back => self.back(),
            Key::Delete => {
                if let Some(draft) = self.focused_comment() {
                    draft.text.pop();
                } else if let Some(search) = self.editing_search() {
                    search.query.pop();
                } else if let Some(draft) = self.focused_caption() {
                    draft.caption.pop();
                }
            }
            Key::Other => {}
        }
    }

    /// Types into the focused field (the search box, the caption); false when none has focus.
    pub fn type_text(&mut self, text: &str) -> bool {
        if let Some(draft) = self.focused_comment() {
            draft.text.push_str(text);
            return true;
        }
        if let Some(search) = self.editing_search() {
            search.query.push_str(text);
            return true;
        }
        match self.focused_caption() {
            Some(draft) => {
                draft.caption.push_str(text);
                true
            }
            None => false,
        }
    }

    fn focused_caption(&mut self) -> Option<&mut Draft> {
        if !self.foreground
            || self.blocked
            || self.login_prompt
            || self.stack.last() != Some(&Screen::Composer)
        {
            return None;
        }
        self.draft.as_mut().filter(|d| d.caption_focused)
    }

    fn editing_search(&mut self) -> Option<&mut Search> {
        if !self.foreground || self.blocked || self.login_prompt {
            return None;
        }
        match self.stack.last_mut() {
            Some(Screen::Search(search)) if search.editing => Some(search),
            _ => None,
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Nothing => {}
            Action::Back => self.back(),
            Action::OpenFeed => self.stack = vec![Screen::Feed],
            Action::OpenSearch => self.stack.push(Screen::Search(Search::default())),
            Action::EditSearch => {
                if let Some(Screen::Search(search)) = self.stack.last_mut() {
                    search.editing = true;
                }
            }
            Action::OpenProfile(user) => {
                let screen = self.profile_screen(user);
                self.stack.push(screen);
            }
            Action::ProfileFollow(user) => {
                if self.is_following(&user) {
                    self.stack.push(Screen::FollowSheet(user));
                } else if self.is_requested(&user) {
                    self.remove(Lists::Requested, &user);
                } else if self.review.contains(&user) {
                    self.stack.push(Screen::Review(user));
                } else {
                    self.follow(&user);
                }
            }
            Action::FollowSuggested(user) => self.follow(&user),
            Action::ConfirmFollow(user) => {
                self.stack.pop();
                self.follow(&user);
            }
            Action::Unfollow(user) => {
                self.stack.pop();
                if self.private.contains(&user) {
                    self.stack.push(Screen::UnfollowDialog(user));
                } else {
                    self.remove(Lists::Following, &user);
                }
            }
            Action::ConfirmUnfollow(user) => {
                self.stack.pop();
                self.remove(Lists::Following, &user);
            }
            Action::OpenOwnProfile => {
                if self.stack.last() != Some(&Screen::OwnProfile) {
                    self.stack.push(Screen::OwnProfile);
                }
            }
            Action::OpenSwitcher => self.stack.push(Screen::AccountSwitcher),
            Action::SwitchAccount(index) => {
                self.stack.pop();
                if index < self.accounts.len() {
                    self.current = index;
                }
            }
            Action::Next => self.stack.push(Screen::Composer),
            Action::FocusCaption => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.caption_focused = true;
                }
            }
            Action::OpenOwnPost(index) => self.stack.push(Screen::OwnPost(index)),
            Action::OpenCreate => self.stack.push(Screen::Create(Create::default())),
            Action::ClosePrompt => {
                if !self.create_prompts.is_empty() {
                    self.create_prompts.remove(0);
                }
            }
            Action::InstallEdits => self.foreground = false,
            Action::CreateMode(mode) => {
                if let Some(Screen::Create(create)) = self.stack.last_mut() {
                    create.mode = mode;
                }
            }
            Action::ToggleMulti => {
                if let Some(Screen::Create(create)) = self.stack.last_mut() {
                    create.multi = !create.multi;
                    create.selected.truncate(1);
                }
            }
            Action::PickTile(index) => {
                if let Some(Screen::Create(create)) = self.stack.last_mut() {
                    if !create.multi {
                        create.selected = vec![index];
                    } else if let Some(at) = create.selected.iter().position(|i| *i == index) {
                        create.selected.remove(at);
                    } else if create.selected.len() < 10 {
                        create.selected.push(index);
                    }
                }
            }
            Action::CreateNext => self.create_next(),
            Action::Posts(tap) => self.post_tap(tap),
            // Publishing needs the files: see `tap`.
            Action::Share | Action::ShareStory => {}
            Action::Dismiss => {
                if self.login_prompt {
                    self.login_prompt = false;
                } else if self.blocked {
                    self.blocked = false;
                } else if self.stack.last().is_some_and(Screen::is_overlay) {
                    self.stack.pop();
                }
            }
        }
    }

    fn back(&mut self) {
        if self.login_prompt {
            self.login_prompt = false;
            return;
        }
        if self.blocked {
            self.blocked = false;
            return;
        }
        if let Some(Screen::Search(search)) = self.stack.last_mut()
            && search.editing
        {
            search.editing = false;
            search.query.clear();
            return;
        }
        // The keyboard goes first.
        if let Some(draft) = self.focused_caption() {
            draft.caption_focused = false;
            return;
        }
        if let Some(draft) = self.focused_comment() {
            draft.focused = false;
            return;
        }
        if self.foreground {
            self.stack.pop();
            self.foreground = !self.stack.is_empty();
        }
    }

    fn follow(&mut self, user: &str) {
        if self.block_after.is_some_and(|n| self.follows_done >= n) {
            self.blocked = true;
            return;
        }
        let lists = if self.private.contains(user) {
            &mut self.requested
        } else {
            &mut self.following
        };
        let users = lists
            .entry(self.accounts[self.current].clone())
            .or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_string());
            self.follows_done += 1;
        }
    }

    fn remove(&mut self, which: Lists, user: &str) {
        let lists = match which {
            Lists::Following => &mut self.following,
            Lists::Requested => &mut self.requested,
        };
        if let Some(users) = lists.get_mut(&self.accounts[self.current]) {
            users.retain(|u| u != user);
        }
    }
}

#[derive(Clone, Copy)]
enum Lists {
    Following,
    Requested,
}

/// The path segments of an instagram.com link (`www.`, bare or `m.`; http or https), without its
/// query string and fragment.
fn link_segments(url: &str) -> Option<Vec<&str>> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    if !matches!(
        host,
        "www.instagram.com" | "instagram.com" | "m.instagram.com"
    ) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    Some(path.split('/').filter(|s| !s.is_empty()).collect())
}

/// The user of an Instagram profile link: `https://www.instagram.com/USER/`, `instagram.com/USER`,
/// `https://instagram.com/_u/USER`; query strings and fragments ignored.
fn profile_link(url: &str) -> Option<String> {
    let segments = link_segments(url)?;
    let user = match segments.as_slice() {
        ["_u", user, ..] | [user, ..] => *user,
        [] => return None,
    };
    if matches!(user, "p" | "reel" | "reels" | "explore" | "stories") {
        return None;
    }
    Some(normalize(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_links_are_recognised_and_posts_are_not() {
        assert_eq!(
            profile_link("https://www.instagram.com/NASA/?igsh=abc&utm_source=x"),
            Some("nasa".into())
        );
        assert_eq!(
            profile_link("https://instagram.com/_u/bbc"),
            Some("bbc".into())
        );
        assert_eq!(profile_link("https://www.instagram.com/p/CODE/"), None);
        assert_eq!(profile_link("https://www.tiktok.com/@nasa"), None);
    }
}
