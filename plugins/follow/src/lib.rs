//! The `follow` script: follows or unfollows one TikTok or Instagram user per task, opened by URL
//! or through search. Config contract: SPEC §5 "follow"; `plan` splits a request into one task per
//! target user.

mod instagram;

use phonefleet_sdk::tiktok::profile::{self, FollowState, ProfileScreen};
use phonefleet_sdk::tiktok::{self, handle_interruptions, normalize_username, protection};
use phonefleet_sdk::{Error, Node, Result, Script, host, info, ui, warn};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// How to reach the target's profile: `direct` opens `https://www.tiktok.com/@user` in the app; `search` types
/// the name into the app's search and opens the matching row of the Users tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccessMethod {
    /// Open the profile URL.
    #[default]
    Direct,
    /// Search for the name.
    Search,
}

impl From<AccessMethod> for tiktok::Access {
    fn from(method: AccessMethod) -> tiktok::Access {
        match method {
            AccessMethod::Direct => tiktok::Access::Direct,
            AccessMethod::Search => tiktok::Access::Search,
        }
    }
}

/// What to do on the target's profile: `follow` (a no-op if already following) or `unfollow` (a no-op if not
/// following).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Follow.
    #[default]
    Follow,
    /// Unfollow.
    Unfollow,
}

/// Config of the follow script. At least one target is required (in `target_users`, `target_user` or
/// `target_username`); one task is made per target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "follow")]
pub struct FollowConfig {
    /// Users to follow or unfollow, one task per entry ("nasa" or "@nasa"). Wins over target_user.
    #[serde(default)]
    pub target_users: Vec<String>,
    /// One or more users separated by newlines or commas; used when target_users is empty.
    #[serde(default)]
    pub target_user: String,
    /// Alias of target_user (the TikMatrix examples send this name); both are read when both are set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_username: String,
    /// direct opens `https://www.tiktok.com/@user`; search types the name into the app's search.
    #[serde(default)]
    pub access_method: AccessMethod,
    /// follow or unfollow.
    #[serde(default)]
    pub action: Action,
    /// The app to drive; the host fills in the task's app.
    #[serde(default)]
    pub app: phonefleet_sdk::App,
}

/// The message when a config names no target.
pub const NO_TARGET: &str = "at least one target user is required: set target_users or target_user";

/// Whether `name` (without '@') can be a TikTok username: letters, digits, '_' and '.', nothing that would
/// break a URL or a search.
fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl FollowConfig {
    /// The targets, in the user's spelling (trimmed; empty entries dropped): `target_users` if it names anyone,
    /// else `target_user` and `target_username` split on newlines and commas. Errs if there is none, or if one
    /// cannot be a username.
    pub fn targets(&self) -> std::result::Result<Vec<String>, String> {
        let from_list: Vec<String> = self
            .target_users
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let targets = if from_list.is_empty() {
            [&self.target_user, &self.target_username]
                .into_iter()
                .flat_map(|s| s.split(['\n', '\r', ',']))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            from_list
        };
        if targets.is_empty() {
            return Err(NO_TARGET.to_string());
        }
        for t in &targets {
            if !valid_username(&normalize_username(t)) {
                return Err(format!("target user '{t}' is not a TikTok username"));
            }
        }
        Ok(targets)
    }

    /// One config per target, of the same shape with `target_users: [target]` (the user's spelling), the
    /// other target keys empty (the alias omitted), the rest copied:
    /// `{"target_users":["@nasa"],"target_user":"","access_method":"direct","action":"follow","app":"tiktok"}`.
    pub fn split(&self) -> std::result::Result<Vec<FollowConfig>, String> {
        Ok(self
            .targets()?
            .into_iter()
            .map(|t| FollowConfig {
                target_users: vec![t],
                target_user: String::new(),
                target_username: String::new(),
                access_method: self.access_method,
                action: self.action,
                app: self.app,
            })
            .collect())
    }
}

/// The follow script. `run` returns `{"target": "@nasa", "outcome": "followed" | "already_following" |
/// "unfollowed" | "not_following"}`, the target normalised (lowercase, with '@'). "Requested" (a pending request
/// to a private account) counts as following.
pub struct Follow;

impl Script for Follow {
    type Config = FollowConfig;
    const NAME: &'static str = "follow";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Follow or unfollow TikTok or Instagram users, one task per target user";

    fn plan(config: FollowConfig) -> std::result::Result<Vec<FollowConfig>, String> {
        config.split()
    }

    fn run(config: FollowConfig) -> Result<serde_json::Value> {
        let targets = config.targets().map_err(Error::invalid_config)?;
        let [target] = targets.as_slice() else {
            return Err(Error::invalid_config(format!(
                "a follow task takes exactly one target user (plan splits requests), got {}: {}",
                targets.len(),
                targets.join(", ")
            )));
        };
        let outcome = match config.app {
            phonefleet_sdk::App::Tiktok => run_one(target, config.access_method, config.action)?,
            phonefleet_sdk::App::Instagram => {
                instagram::run_one(target, config.access_method.into(), config.action)?
            }
        };
        let shown = format!("@{}", normalize_username(target));
        host::progress(100, &format!("done: {outcome} {shown}"));
        Ok(serde_json::json!({"target": shown, "outcome": outcome}))
    }
}

phonefleet_sdk::export_script!(Follow);

const PROFILE_TIMEOUT: Duration = Duration::from_secs(15);
const ACTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Follows or unfollows one target; returns the outcome.
fn run_one(target: &str, access: AccessMethod, action: Action) -> Result<&'static str> {
    let user = normalize_username(target);
    let at = format!("@{user}");

    host::progress(5, "checking the account");
    let task = tiktok::ensure_task_account()?;
    let package = task.package;

    host::progress(10, &format!("opening profile of {at}"));
    if access == AccessMethod::Search {
        host::progress(15, &format!("searching for {at}"));
    }
    let access = access.into();
    tiktok::open_profile(&user, access, &package)?;

    let (control, state) = wait_profile(&user, &at, action)?;
    host::progress(
        40,
        &format!(
            "profile of {at} loaded; button reads '{}'",
            control.text.trim()
        ),
    );
    info!(
        "profile of {at}: follow button reads '{}'",
        control.text.trim()
    );

    match (action, state) {
        (
            Action::Follow,
            FollowState::Following | FollowState::Friends | FollowState::Requested,
        ) => {
            info!("already following {at} ('{}')", control.text.trim());
            Ok("already_following")
        }
        (Action::Follow, FollowState::Follow | FollowState::FollowBack) => {
            host::progress(60, &format!("following {at}"));
            follow(&control, &at)?;
            Ok("followed")
        }
        (Action::Unfollow, FollowState::Follow | FollowState::FollowBack) => {
            info!("not following {at} ('{}')", control.text.trim());
            Ok("not_following")
        }
        (
            Action::Unfollow,
            FollowState::Following | FollowState::Friends | FollowState::Requested,
        ) => {
            host::progress(60, &format!("unfollowing {at}"));
            unfollow(&control, &at)?;
            Ok("unfollowed")
        }
    }
}

/// Waits for the target's profile and its follow control; fails on a missing user or the app's protections.
fn wait_profile(user: &str, at: &str, action: Action) -> Result<(Node, FollowState)> {
    let ids = tiktok::ids();
    let mut control_since: Option<Instant> = None;
    let mut missing_seen = false;
    let label = match action {
        Action::Follow => "Follow",
        Action::Unfollow => "Following",
    };
    ui::until(
        &format!("button '{label}' not found on profile of {at}"),
        PROFILE_TIMEOUT,
        |nodes| {
            if handle_interruptions(nodes)? {
                return Ok(None);
            }
            match profile::classify(nodes, user, &ids) {
                // Seen twice in a row, so a page left over from before the URL opened cannot fool us.
                ProfileScreen::Missing(text) if missing_seen => Err(Error::failed(format!(
                    "user {at} does not exist: the app shows \"{}\"",
                    text.trim()
                ))),
                ProfileScreen::Missing(_) => {
                    missing_seen = true;
                    Ok(None)
                }
                ProfileScreen::Ready {
                    control,
                    state,
                    name_shown,
                } => {
                    // Prefer a dump that also shows "@user" (a stale profile may still be on screen for a moment).
                    let since = *control_since.get_or_insert_with(Instant::now);
                    if name_shown || since.elapsed() >= Duration::from_secs(3) {
                        if !name_shown {
                            warn!("profile shows no '{at}'; using its follow button anyway");
                        }
                        Ok(Some((control, state)))
                    } else {
                        Ok(None)
                    }
                }
                ProfileScreen::Other => Ok(None),
            }
        },
    )
}

/// Taps "Follow"/"Follow back" and waits until the control reads Following/Friends/Requested.
fn follow(control: &Node, at: &str) -> Result<()> {
    let before = control.text.trim().to_string();
    let ids = tiktok::ids();
    ui::tap_node(control)?;
    let mut reads = before.clone();
    let mut popup_dismissed = false;
    ui::until(
        &format!("tapped '{before}' on {at} but the button did not turn to Following"),
        ACTION_TIMEOUT,
        |nodes| {
            if handle_interruptions(nodes)? {
                popup_dismissed = true;
                return Ok(None);
            }
            if let Some((node, state)) = profile::follow_control(nodes, &ids) {
                reads = node.text.trim().to_string();
                if state.is_following() {
                    return Ok(Some(()));
                }
                if popup_dismissed {
                    // A popup came up over the profile and most likely took the tap: tap again, once.
                    info!("a popup covered the profile; tapping '{reads}' again");
                    ui::tap_node(node)?;
                    popup_dismissed = false;
                }
            }
            Ok(None)
        },
    )?;
    confirm_follow_stuck(at, &reads)
}

/// How long a follow must keep reading Following before it counts: the app shows it at once and
/// turns it back when its server refuses (a silent rate limit; the notice is a toast no dump shows).
const FOLLOW_SETTLE: Duration = Duration::from_secs(2);

/// Looks at the control for [`FOLLOW_SETTLE`] after it first read `reads`; fails if it turns back
/// (field case 16).
fn confirm_follow_stuck(at: &str, reads: &str) -> Result<()> {
    let ids = tiktok::ids();
    let since = Instant::now();
    let mut last = reads.to_string();
    let reverted = ui::until("the follow did not settle", FOLLOW_SETTLE * 2, |nodes| {
        if let Some(e) = protection(nodes) {
            return Err(e);
        }
        if let Some((node, state)) = profile::follow_control(nodes, &ids) {
            last = node.text.trim().to_string();
            if !state.is_following() {
                return Ok(Some(true));
            }
        }
        Ok((since.elapsed() >= FOLLOW_SETTLE).then_some(false))
    })?;
    if reverted {
        return Err(Error::Refused(format!(
            "the app turned the follow of {at} back: the button read '{reads}', then '{last}' again \
             (the app refused it, likely rate limiting or restricting the account)"
        )));
    }
    info!("followed {at}: button reads '{last}'");
    Ok(())
}

/// Taps "Following"/"Friends", then "Unfollow" in the sheet and in the confirmation dialog if one appears,
/// and waits until the control reads Follow/Follow back.
fn unfollow(control: &Node, at: &str) -> Result<()> {
    let before = control.text.trim().to_string();
    let ids = tiktok::ids();
    ui::tap_node(control)?;
    let mut sheet_tapped = false;
    let mut dialog_tapped = false;
    let mut reads = before.clone();
    let done = ui::until(
        &format!("tapped '{before}' on {at} but it was not unfollowed"),
        ACTION_TIMEOUT,
        |nodes| {
            if let Some(e) = protection(nodes) {
                return Err(e);
            }
            if let Some((node, state)) = profile::follow_control(nodes, &ids) {
                reads = node.text.trim().to_string();
                if !state.is_following() {
                    return Ok(Some(()));
                }
            }
            if let Some(confirm) = profile::unfollow_dialog_button(nodes) {
                if !dialog_tapped {
                    info!("confirming 'Unfollow this person?' for {at}");
                    ui::tap_node(confirm)?;
                    dialog_tapped = true;
                }
                return Ok(None);
            }
            if let Some(button) = profile::unfollow_sheet_button(nodes) {
                if !sheet_tapped {
                    ui::tap_node(button)?;
                    sheet_tapped = true;
                }
                return Ok(None);
            }
            handle_interruptions(nodes)?;
            Ok(None)
        },
    );
    match done {
        Ok(()) => {
            info!("unfollowed {at}: button reads '{reads}'");
            Ok(())
        }
        Err(Error::Failed(_)) if !sheet_tapped => Err(Error::failed(format!(
            "tapped '{before}' on {at} but no 'Unfollow' appeared after {} s",
            ACTION_TIMEOUT.as_secs()
        ))),
        Err(Error::Failed(_)) => Err(Error::failed(format!(
            "tapped 'Unfollow' for {at} but the button still reads '{reads}' after {} s",
            ACTION_TIMEOUT.as_secs()
        ))),
        Err(e) => Err(e),
    }
}
