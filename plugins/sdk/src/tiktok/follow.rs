//! Following and unfollowing on TikTok: the profile by link or search, its own follow control (never a
//! suggestion's), a follow that must stay put (field case 16), unfollow through the sheet and dialog.

use std::time::{Duration, Instant};

use super::profile::{self, FollowState, ProfileScreen};
use super::{handle_interruptions, normalize_username, protection};
use crate::follow::{FollowAction, Outcome};
use crate::profile::Access;
use crate::{Error, Node, Result, host, info, tiktok, ui, warn};

const PROFILE_TIMEOUT: Duration = Duration::from_secs(15);
const ACTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Follows or unfollows one target; returns the outcome.
pub fn run_one(target: &str, access: Access, action: FollowAction) -> Result<Outcome> {
    let user = normalize_username(target);
    let at = format!("@{user}");

    host::progress(5, "checking the account");
    let task = tiktok::ensure_task_account()?;
    let package = task.package;

    host::progress(10, &format!("opening profile of {at}"));
    if access == Access::Search {
        host::progress(15, &format!("searching for {at}"));
    }
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
            FollowAction::Follow,
            FollowState::Following | FollowState::Friends | FollowState::Requested,
        ) => {
            info!("already following {at} ('{}')", control.text.trim());
            Ok(Outcome::AlreadyFollowing)
        }
        (FollowAction::Follow, FollowState::Follow | FollowState::FollowBack) => {
            host::progress(60, &format!("following {at}"));
            follow(&control, &at)?;
            Ok(Outcome::Followed)
        }
        (FollowAction::Unfollow, FollowState::Follow | FollowState::FollowBack) => {
            info!("not following {at} ('{}')", control.text.trim());
            Ok(Outcome::NotFollowing)
        }
        (
            FollowAction::Unfollow,
            FollowState::Following | FollowState::Friends | FollowState::Requested,
        ) => {
            host::progress(60, &format!("unfollowing {at}"));
            unfollow(&control, &at)?;
            Ok(Outcome::Unfollowed)
        }
    }
}

/// Waits for the target's profile and its follow control; fails on a missing user or the app's protections.
fn wait_profile(user: &str, at: &str, action: FollowAction) -> Result<(Node, FollowState)> {
    let ids = tiktok::ids();
    let mut control_since: Option<Instant> = None;
    let mut missing_seen = false;
    let label = match action {
        FollowAction::Follow => "Follow",
        FollowAction::Unfollow => "Following",
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
