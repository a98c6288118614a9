//! Instagram know-how shared by scripts, after `../shared/reference/instagram-ui.md`: the ids
//! (readable names, matched by suffix so clone apps match too), the app's blocks, the profile's own
//! follow button, its counts, and opening a profile by link or through "Search and explore";
//! following in `follow`, posts (like, save, comment, the feed) in `posts`.
//! Pure functions over a UI dump are tested natively; `open_profile` drives them.

use std::time::Duration;

use crate::profile::{FollowState, ProfileStats, normalize_username, parse_count, same_username};
use crate::{Error, Node, Result, device, info, ui};
use phonefleet_rules::resource_id_matches as id_matches;

pub mod follow;
pub mod posts;

/// The ids of the Instagram screens scripts use (short form, without `PKG:id/`).
pub mod ids {
    /// Profile: the username in the action bar.
    pub const TITLE: &str = "action_bar_title";
    /// Profile: the follow button ("Follow", "Follow Back", "Following", "Requested").
    pub const FOLLOW_BUTTON: &str = "profile_header_follow_button";
    /// Profile: the followers count's text.
    pub const FOLLOWERS_COUNT: &str = "row_profile_header_textview_followers_count";
    /// Profile: the following count's text.
    pub const FOLLOWING_COUNT: &str = "row_profile_header_textview_following_count";
    /// Profile: the posts count's text.
    pub const POSTS_COUNT: &str = "row_profile_header_textview_post_count_count";
    /// The bottom bar's "Search and explore" tab.
    pub const SEARCH_TAB: &str = "search_tab";
    /// Search and explore: the search box (a first tap only enters search mode).
    pub const SEARCH_BOX: &str = "action_bar_search_hints_text_layout";
    /// Search mode: the EditText.
    pub const SEARCH_EDIT: &str = "action_bar_search_edit_text";
    /// Search results: a user row's username.
    pub const SEARCH_USERNAME: &str = "row_search_user_username";
    /// The follow sheet's "Unfollow" row.
    pub const UNFOLLOW_ROW: &str = "follow_sheet_unfollow_row";
    /// A dialog's confirming button (a private account's "Unfollow").
    pub const PRIMARY_BUTTON: &str = "primary_button";
    /// The bottom bar's "Profile" tab.
    pub const PROFILE_TAB: &str = "profile_tab";
    /// Bottom bar: Home (the feed).
    pub const FEED_TAB: &str = "feed_tab";
    /// Own profile: the chevron beside the username that lists the accounts.
    pub const TITLE_CHEVRON: &str = "action_bar_title_chevron";
    /// The account list: an account's name.
    pub const SWITCHER_NAME: &str = "row_user_primary_name";
    /// The bottom bar's "Create" tab.
    pub const CREATION_TAB: &str = "creation_tab";
    /// Create: a gallery tile (newest first).
    pub const GALLERY_TILE: &str = "gallery_grid_item_thumbnail";
    /// Create: a tile's selection circle, reading its place in the selection.
    pub const SELECTION_CIRCLE: &str = "gallery_grid_item_selection_circle";
    /// Create: the "Select multiple" toggle.
    pub const MULTI_SELECT: &str = "multi_select_slide_button_alt";
    /// The gallery's and the editor's "Next".
    pub const NEXT: &str = "next_button_textview";
}

/// Texts (case-insensitive substrings) by which Instagram says it limits or challenges the account:
/// stop and report, never work around.
pub const BLOCK_TEXTS: &[&str] = &[
    "try again later",
    "we limit how often",
    "action blocked",
    "too many requests",
    "confirm it's you",
    "check your email",
    "enter confirmation code",
];

/// The missing user's page.
pub const MISSING_TEXTS: &[&str] = &["sorry, this page isn't available", "user not found"];

/// Longest text a block notice has ("We limit how often…" runs to 130 characters): longer texts
/// are people's (captions, bios).
const NOTICE_MAX_CHARS: usize = 200;

fn says(text: &str, phrases: &[&str]) -> bool {
    crate::notice::says(text, phrases, NOTICE_MAX_CHARS)
}

/// [`ui::until`] on Instagram: each look first clears a usual prompt and fails on a block
/// ([`handle_interruptions`]), then asks `step`.
pub fn until<T>(
    what: &str,
    timeout: Duration,
    step: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    until_ignoring(what, timeout, None, step)
}

/// [`until`], leaving out of the prompt and block checks the nodes whose text contains `ignored`
/// (text the script typed: a comment may well say "try again later").
pub fn until_ignoring<T>(
    what: &str,
    timeout: Duration,
    ignored: Option<&str>,
    mut step: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    ui::until(what, timeout, |nodes| {
        let checked: Vec<Node> = match ignored {
            Some(typed) => nodes
                .iter()
                .filter(|n| !n.text.contains(typed))
                .cloned()
                .collect(),
            None => nodes.to_vec(),
        };
        if handle_interruptions(&checked)? {
            return Ok(None);
        }
        step(nodes)
    })
}

/// Waits (see [`until`]) until a node matching `wanted` shows.
pub fn wait_node(what: &str, timeout: Duration, wanted: impl Fn(&Node) -> bool) -> Result<Node> {
    until(what, timeout, |nodes| {
        Ok(nodes.iter().find(|n| wanted(n)).cloned())
    })
}

/// Instagram's block or challenge on screen, as the error a script must stop with
/// ("blocked by Instagram: 'Try Again Later'").
pub fn protection(nodes: &[Node]) -> Option<Error> {
    nodes
        .iter()
        .find(|n| says(&n.text, BLOCK_TEXTS))
        .map(|n| Error::Refused(format!("blocked by Instagram: '{}'", n.text.trim())))
}

/// Texts of the buttons that answer Instagram's usual prompts ("Save your login info?", "Turn on
/// notifications", contacts, "Update Instagram", the camera permission and "Keep editing your
/// draft?" over Create):
/// case-insensitive, whole text. Never "Cancel", which would cancel what a script asked for (a
/// follow under review).
pub const POPUP_BUTTON_TEXTS: &[&str] =
    &["Not now", "Skip", "While using the app", "Start new video"];
/// Content-descs of the controls that close Instagram's promo sheets (the "Edits" app's, whose
/// own button would open Google Play instead).
pub const POPUP_CLOSE_DESCS: &[&str] = &["Close"];

/// The first control on screen that answers one of Instagram's usual prompts.
pub fn popup_button(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| {
        n.clickable
            && (POPUP_BUTTON_TEXTS
                .iter()
                .any(|t| n.text.trim().eq_ignore_ascii_case(t))
                || POPUP_CLOSE_DESCS
                    .iter()
                    .any(|d| n.description.trim().eq_ignore_ascii_case(d)))
    })
}

/// Deals with what may interrupt a flow on screen `nodes`: fails on a block or challenge, taps
/// away a usual prompt (true: look again), else false.
pub fn handle_interruptions(nodes: &[Node]) -> Result<bool> {
    if let Some(e) = protection(nodes) {
        return Err(e);
    }
    match popup_button(nodes) {
        Some(button) => {
            info!("closing an Instagram prompt with '{}'", button.text.trim());
            ui::tap_node(button)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// What a profile's screen is while a script waits for it.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileScreen {
    /// The page says the user does not exist; its words.
    Missing(String),
    /// "Review this account before following", with its own "Follow" button.
    Review(Node),
    /// The profile with its own follow button.
    Ready {
        /// The follow button.
        control: Node,
        /// What it reads.
        state: FollowState,
        /// Whether the action bar names `user` (a previous profile may still show).
        name_shown: bool,
    },
    /// Anything else: loading, another screen, a block (check [`protection`] first).
    Other,
}

/// The profile's own follow button: the `profile_header_follow_button` (never a "Suggested for
/// you" row's "Follow", nor the followers counter whose content-desc says "followers").
pub fn follow_control(nodes: &[Node]) -> Option<(&Node, FollowState)> {
    nodes
        .iter()
        .filter(|n| id_matches(&n.resource_id, ids::FOLLOW_BUTTON))
        .find_map(|n| FollowState::parse(&n.text).map(|s| (n, s)))
}

/// Classifies a dump taken while waiting for `user`'s profile.
pub fn classify(nodes: &[Node], user: &str) -> ProfileScreen {
    if protection(nodes).is_some() {
        return ProfileScreen::Other;
    }
    if let Some(text) = nodes.iter().find(|n| says(&n.text, MISSING_TEXTS)) {
        return ProfileScreen::Missing(text.text.trim().to_string());
    }
    if nodes
        .iter()
        .any(|n| says(&n.text, &["review this account before following"]))
    {
        let follow = nodes
            .iter()
            .rev()
            .find(|n| n.clickable && n.text.trim().eq_ignore_ascii_case("follow"));
        return follow.map_or(ProfileScreen::Other, |f| ProfileScreen::Review(f.clone()));
    }
    match follow_control(nodes) {
        Some((control, state)) => ProfileScreen::Ready {
            control: control.clone(),
            state,
            name_shown: nodes
                .iter()
                .any(|n| id_matches(&n.resource_id, ids::TITLE) && same_username(&n.text, user)),
        },
        None => ProfileScreen::Other,
    }
}

/// The profile's counts as shown (`"1.2M"`): the `row_profile_header_textview_*_count` texts;
/// `None` until they show. `likes` is empty: Instagram profiles show posts instead.
pub fn stats(nodes: &[Node]) -> Option<ProfileStats> {
    let text_of = |id: &str| {
        nodes
            .iter()
            .find(|n| id_matches(&n.resource_id, id) && parse_count(&n.text).is_some())
            .map(|n| n.text.trim().to_string())
    };
    Some(ProfileStats {
        following: text_of(ids::FOLLOWING_COUNT)?,
        followers: text_of(ids::FOLLOWERS_COUNT)?,
        likes: String::new(),
    })
}

pub use crate::profile::Access;

/// Instagram's own package; any other is a clone.
pub const OWN_PACKAGE: &str = "com.instagram.android";

/// How long the search screens may take to show.
const STEP: Duration = Duration::from_secs(10);

/// Opens `user`'s profile (with or without '@') in the app `package`: by its link
/// (`https://www.instagram.com/USER/`, no query string; a clone app always searches, as clones do
/// not open links) or through "Search and explore" (the tab,
/// the box, a second tap into the EditText, the name, the row whose username is exactly `user`).
/// Returns once the profile was asked for; wait for it with [`classify`] in [`ui::until`]. Fails
/// on a block and when the search or the row cannot be reached.
pub fn open_profile(user: &str, access: Access, package: &str) -> Result<()> {
    let user = normalize_username(user);
    match access {
        // Clone apps do not handle instagram.com links: search is their way in.
        Access::Direct if package != OWN_PACKAGE => {
            info!("{package} is a clone: clones do not open profile links, so searching");
            open_via_search(&user, package)
        }
        Access::Direct => {
            info!("opening https://www.instagram.com/{user}/ in {package}");
            device::open_url(&format!("https://www.instagram.com/{user}/"), Some(package))
        }
        Access::Search => open_via_search(&user, package),
    }
}

fn open_via_search(user: &str, package: &str) -> Result<()> {
    info!("searching Instagram for @{user}");
    device::start_app(package)?;
    let field = until("could not open Instagram's search", STEP * 2, |nodes| {
        if let Some(field) = nodes
            .iter()
            .find(|n| id_matches(&n.resource_id, ids::SEARCH_EDIT))
        {
            return Ok(Some(field.clone()));
        }
        let next = nodes
            .iter()
            .find(|n| id_matches(&n.resource_id, ids::SEARCH_BOX))
            .or_else(|| {
                nodes.iter().find(|n| {
                    id_matches(&n.resource_id, ids::SEARCH_TAB)
                        || n.description.eq_ignore_ascii_case("search and explore")
                })
            });
        if let Some(next) = next {
            ui::tap_node(next)?;
        }
        Ok(None)
    })?;
    ui::tap_node(&field)?;
    device::input_text(user)?;
    let row = until(
        &format!("searched Instagram for @{user} but found no row with that username"),
        STEP,
        |nodes| {
            Ok(nodes
                .iter()
                .find(|n| {
                    id_matches(&n.resource_id, ids::SEARCH_USERNAME) && same_username(&n.text, user)
                })
                .cloned())
        },
    )?;
    info!("opening @{user} from the search results");
    ui::tap_node(&row)
}

/// The account the own profile shows, when the screen is the own profile ("Edit profile" beside
/// the action bar's username).
pub fn own_profile_account(nodes: &[Node]) -> Option<String> {
    let own = nodes
        .iter()
        .any(|n| n.text.trim().eq_ignore_ascii_case("edit profile"));
    let title = nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, ids::TITLE))?;
    own.then(|| normalize_username(&title.text))
}

/// Makes `username` Instagram's current account: Profile tab → the chevron beside the username →
/// the account's row → the own profile showing it. Fails with "account @x is not signed in on
/// this phone" when the list lacks it: a task never runs as another account. Does nothing for an
/// empty name.
pub fn ensure_account(username: &str, package: &str) -> Result<()> {
    let want = normalize_username(username);
    if want.is_empty() {
        return Ok(());
    }
    device::start_app(package)?;
    let mut last_step = std::time::Instant::now();
    let current = until(
        "could not open Instagram's own profile",
        STEP * 2,
        |nodes| {
            if let Some(account) = own_profile_account(nodes) {
                return Ok(Some(account));
            }
            if let Some(tab) = nodes
                .iter()
                .find(|n| id_matches(&n.resource_id, ids::PROFILE_TAB))
            {
                ui::tap_node(tab)?;
            } else if last_step.elapsed() > Duration::from_secs(1) {
                // A screen without the tab bar (comments, a post, the composer): Back toward the
                // tabs, or the app again when Back left it.
                last_step = std::time::Instant::now();
                if nodes.iter().any(|n| n.package == package) {
                    device::back()?;
                } else {
                    device::start_app(package)?;
                }
            }
            Ok(None)
        },
    )?;
    if current == want {
        info!("@{want} is already Instagram's current account");
        return Ok(());
    }
    info!("switching Instagram from @{current} to @{want}");
    let nodes = ui::nodes()?;
    let chevron = nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, ids::TITLE_CHEVRON))
        .or_else(|| {
            nodes
                .iter()
                .find(|n| id_matches(&n.resource_id, ids::TITLE))
        })
        .ok_or_else(|| Error::failed("Instagram's own profile shows no username to tap"))?;
    ui::tap_node(chevron)?;
    let row = ui::until("Instagram's account list did not open", STEP, |nodes| {
        let names: Vec<&Node> = nodes
            .iter()
            .filter(|n| id_matches(&n.resource_id, ids::SWITCHER_NAME))
            .collect();
        if names.is_empty() {
            return Ok(None);
        }
        match names.iter().find(|n| same_username(&n.text, &want)) {
            Some(row) => Ok(Some((*row).clone())),
            None => {
                let listed: Vec<String> = names
                    .iter()
                    .map(|n| format!("@{}", n.text.trim()))
                    .collect();
                let _ = device::back();
                Err(Error::failed(format!(
                    "account @{want} is not signed in on this phone (Instagram lists {})",
                    listed.join(", ")
                )))
            }
        }
    })?;
    ui::tap_node(&row)?;
    ui::until(
        &format!("tapped @{want} in Instagram's account list but the own profile does not show it"),
        STEP,
        |nodes| Ok((own_profile_account(nodes).as_deref() == Some(want.as_str())).then_some(())),
    )?;
    info!("switched Instagram to @{want}");
    Ok(())
}

/// What Create makes: the mode strip's POST, REEL or STORY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateMode {
    /// A photo or a carousel.
    Post,
    /// A Reel.
    Reel,
    /// A story.
    Story,
}

/// The app's Create flow up to the composer (or, for a story, the story editor): Create → the mode
/// → "Select multiple" for several files → the `count` newest gallery tiles, tapped oldest first so
/// a post keeps the files' order (push them in order) → Next → the editor's Next. Fails naming what
/// it did not find.
pub fn pick_in_create(package: &str, mode: CreateMode, count: usize) -> Result<()> {
    device::start_app(package)?;
    until("could not open Instagram's Create", STEP * 2, |nodes| {
        if nodes
            .iter()
            .any(|n| id_matches(&n.resource_id, ids::MULTI_SELECT))
        {
            return Ok(Some(()));
        }
        let create = nodes.iter().find(|n| {
            id_matches(&n.resource_id, ids::CREATION_TAB)
                || (n.clickable && n.description.eq_ignore_ascii_case("create"))
        });
        if let Some(create) = create {
            ui::tap_node(create)?;
        }
        Ok(None)
    })?;
    let label = match mode {
        CreateMode::Post => "POST",
        CreateMode::Reel => "REEL",
        CreateMode::Story => "STORY",
    };
    let strip = until(
        &format!("no {label} on Create's mode strip"),
        STEP,
        |nodes| {
            Ok(nodes
                .iter()
                .find(|n| n.clickable && n.text.trim() == label)
                .cloned())
        },
    )?;
    if !strip.selected {
        ui::tap_node(&strip)?;
    }
    if count > 1 {
        let toggle = until("no 'Select multiple' in the gallery", STEP, |nodes| {
            Ok(nodes
                .iter()
                .find(|n| id_matches(&n.resource_id, ids::MULTI_SELECT))
                .cloned())
        })?;
        if !toggle.selected {
            ui::tap_node(&toggle)?;
        }
    }
    let tiles: Vec<Node> = until("no tiles in the gallery", STEP, |nodes| {
        let tiles: Vec<Node> = nodes
            .iter()
            .filter(|n| id_matches(&n.resource_id, ids::GALLERY_TILE))
            .cloned()
            .collect();
        Ok((!tiles.is_empty()).then_some(tiles))
    })?;
    if tiles.len() < count {
        return Err(Error::failed(format!(
            "Instagram's gallery shows {} tiles, {count} needed",
            tiles.len()
        )));
    }
    // Newest first on screen: oldest → newest keeps the files' order.
    for tile in tiles[..count].iter().rev() {
        ui::tap_node(tile)?;
    }
    if count > 1 {
        ui::until(
            &format!("tapped {count} tiles but the gallery does not number them 1 to {count}"),
            STEP,
            |nodes| {
                let numbered = nodes
                    .iter()
                    .filter(|n| {
                        id_matches(&n.resource_id, ids::SELECTION_CIRCLE)
                            && n.text
                                .trim()
                                .parse::<usize>()
                                .is_ok_and(|k| (1..=count).contains(&k))
                    })
                    .count();
                Ok((numbered == count).then_some(()))
            },
        )?;
    }
    info!("picked the {count} newest gallery tiles for a {label}");
    let next = |what: &str| {
        until(what, STEP, |nodes| {
            Ok(nodes
                .iter()
                .find(|n| id_matches(&n.resource_id, ids::NEXT) && n.clickable)
                .cloned())
        })
    };
    ui::tap_node(&next("no Next in the gallery")?)?;
    if mode != CreateMode::Story {
        // The editor's own Next, once the gallery's has gone.
        ui::until("the editor did not open", STEP, |nodes| {
            Ok((!nodes
                .iter()
                .any(|n| id_matches(&n.resource_id, ids::GALLERY_TILE))
                && nodes.iter().any(|n| id_matches(&n.resource_id, ids::NEXT)))
            .then_some(()))
        })?;
        ui::tap_node(&next("no Next in the editor")?)?;
    }
    Ok(())
}

/// [`ensure_account`] for the task's account, if the task has one (account mode), in the task's
/// package; returns the task.
pub fn ensure_task_account() -> Result<crate::TaskInfo> {
    let task = crate::host::task();
    if let Some(username) = task.username.as_deref() {
        ensure_account(username, &task.package)?;
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str, id: &str, top: i32) -> Node {
        let at = (40, top, 500, top + 100);
        crate::test_node(OWN_PACKAGE, "android.widget.Button", text, id, at)
    }

    #[test]
    fn the_profiles_own_button_is_picked_never_a_suggestions() {
        let nodes = [
            n("nasa", ids::TITLE, 110),
            n("Follow", "", 1700),
            n("Following", ids::FOLLOW_BUTTON, 740),
        ];
        match classify(&nodes, "@NASA") {
            ProfileScreen::Ready {
                state, name_shown, ..
            } => assert_eq!((state, name_shown), (FollowState::Following, true)),
            other => panic!("{other:?}"),
        }
        assert_eq!(classify(&nodes[..2], "nasa"), ProfileScreen::Other);
    }

    #[test]
    fn a_missing_page_a_review_and_a_block_are_told_apart() {
        let missing = [n("Sorry, this page isn't available.", "", 900)];
        assert_eq!(
            classify(&missing, "ghost"),
            ProfileScreen::Missing("Sorry, this page isn't available.".into())
        );
        let review = [
            n("Following", ids::FOLLOW_BUTTON, 740),
            n("Review this account before following", "", 840),
            n("Follow", "", 1200),
        ];
        assert!(matches!(classify(&review, "x"), ProfileScreen::Review(b) if b.bounds.top == 1200));
        let block = [n("Try Again Later", "igds_alert_dialog_headline", 840)];
        assert_eq!(
            protection(&block).map(|e| e.to_string()),
            Some("blocked by Instagram: 'Try Again Later'".into())
        );
        assert_eq!(classify(&block, "x"), ProfileScreen::Other);
    }

    #[test]
    fn counts_are_read_from_the_header() {
        let nodes = [
            n("1.2M", ids::FOLLOWERS_COUNT, 300),
            n("87", ids::FOLLOWING_COUNT, 300),
        ];
        assert_eq!(
            stats(&nodes).map(|s| (s.followers, s.following)),
            Some(("1.2M".into(), "87".into()))
        );
        assert_eq!(stats(&nodes[..1]), None);
    }
}
