//! Following and unfollowing on Instagram: the profile by link or search, its own follow button,
//! "Review this account before following" confirmed, "Requested" for private accounts, unfollow
//! through the sheet and a private account's dialog; blocks stop the task.

use std::time::Duration;

use crate::follow::{FollowAction, Outcome};
use crate::instagram::{self, ProfileScreen, ids};
use crate::profile::{Access, FollowState, normalize_username};
use crate::{Error, Node, Result, host, info, resource_id_matches, ui};

const PROFILE_TIMEOUT: Duration = Duration::from_secs(15);
const ACTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Follows or unfollows one target on Instagram; the outcome as on TikTok.
pub fn run_one(target: &str, access: Access, action: FollowAction) -> Result<Outcome> {
    let user = normalize_username(target);
    let at = format!("@{user}");
    host::progress(5, "checking the account");
    let package = instagram::ensure_task_account()?.package;
    host::progress(10, &format!("opening profile of {at}"));
    instagram::open_profile(&user, access, &package)?;
    let (control, state) = wait_profile(&user, &at)?;
    info!(
        "profile of {at}: follow button reads '{}'",
        control.text.trim()
    );
    host::progress(40, &format!("profile of {at} loaded"));
    match (action, state.is_following()) {
        (FollowAction::Follow, true) => Ok(Outcome::AlreadyFollowing),
        (FollowAction::Follow, false) => {
            host::progress(60, &format!("following {at}"));
            ui::tap_node(&control)?;
            wait_state(&at, "Following or Requested", FollowState::is_following)?;
            Ok(Outcome::Followed)
        }
        (FollowAction::Unfollow, false) => Ok(Outcome::NotFollowing),
        (FollowAction::Unfollow, true) => {
            host::progress(60, &format!("unfollowing {at}"));
            ui::tap_node(&control)?;
            if state != FollowState::Requested {
                confirm_unfollow(&at)?;
            }
            wait_state(&at, "Follow", |s| !s.is_following())?;
            Ok(Outcome::Unfollowed)
        }
    }
}

/// Waits for `user`'s profile and its follow button; fails on a block or a missing user.
fn wait_profile(user: &str, at: &str) -> Result<(Node, FollowState)> {
    let mut missing_seen = false;
    instagram::until(
        &format!("the profile of {at} did not show its follow button"),
        PROFILE_TIMEOUT,
        |nodes| {
            match instagram::classify(nodes, user) {
                // Seen twice in a row, so a page left from before the link opened cannot fool us.
                ProfileScreen::Missing(text) if missing_seen => Err(Error::failed(format!(
                    "user {at} does not exist: the app shows \"{text}\""
                ))),
                ProfileScreen::Missing(_) => {
                    missing_seen = true;
                    Ok(None)
                }
                ProfileScreen::Ready {
                    control,
                    state,
                    name_shown: true,
                } => Ok(Some((control, state))),
                _ => Ok(None),
            }
        },
    )
}

/// Waits until the profile's button reads as `wanted` says, confirming "Review this account before
/// following" on the way; fails on a block.
fn wait_state(at: &str, reads: &str, wanted: impl Fn(FollowState) -> bool) -> Result<()> {
    instagram::until(
        &format!("the follow button of {at} did not turn to {reads}"),
        ACTION_TIMEOUT,
        |nodes| {
            if let ProfileScreen::Review(follow) = instagram::classify(nodes, "") {
                info!("Instagram asks to review {at} before following; following");
                ui::tap_node(&follow)?;
                return Ok(None);
            }
            Ok(instagram::follow_control(nodes)
                .filter(|(_, state)| wanted(*state))
                .map(drop))
        },
    )
}

/// After "Following" was tapped: the sheet's "Unfollow", then a private account's dialog.
fn confirm_unfollow(at: &str) -> Result<()> {
    let row = ui::until(
        &format!("tapped 'Following' on {at} but no 'Unfollow' row appeared"),
        ACTION_TIMEOUT,
        |nodes| {
            Ok(nodes
                .iter()
                .find(|n| resource_id_matches(&n.resource_id, ids::UNFOLLOW_ROW))
                .cloned())
        },
    )?;
    ui::tap_node(&row)?;
    // A private account asks again; a public one does not.
    let dialog = ui::until(
        &format!("unfollowing {at}"),
        Duration::from_secs(3),
        |nodes| {
            let button = nodes
                .iter()
                .find(|n| resource_id_matches(&n.resource_id, ids::PRIMARY_BUTTON));
            let back_on_profile =
                instagram::follow_control(nodes).is_some_and(|(_, s)| !s.is_following());
            Ok(match (button, back_on_profile) {
                (Some(button), _) => Some(Some(button.clone())),
                (None, true) => Some(None),
                (None, false) => None,
            })
        },
    )?;
    if let Some(button) = dialog {
        info!("{at} is private: confirming the unfollow");
        ui::tap_node(&button)?;
    }
    Ok(())
}
