//! A script written as a third party would, with the SDK's public helpers only: it opens a TikTok
//! or Instagram profile (by link or through search) and reads its follower count, follows from the button
//! nearest below "Followers" (a relational selector), or taps a button that is not there to show
//! how a missing selector fails.

use std::time::Duration;

use phonefleet_sdk::tiktok::{self, Access, handle_interruptions, profile};
use phonefleet_sdk::ui::Relation;
use phonefleet_sdk::{Error, Result, Script, Selector, host, info, instagram, ui};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    /// Read the user's follower count from their profile.
    Followers,
    /// Tap a button no screen has.
    ClickMissing,
    /// Tap the Follow button nearest below the profile's "Followers" label.
    FollowNear,
    /// Say which app and package the task drives.
    Whoami,
}

/// How to reach the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Way {
    /// By its link.
    Direct,
    /// Through the app's search.
    Search,
}

/// The script's config.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    mode: Mode,
    #[serde(default)]
    user: String,
    #[serde(default = "search")]
    access: Way,
}

fn search() -> Way {
    Way::Search
}

struct Author;

impl Script for Author {
    type Config = Config;
    const NAME: &'static str = "author";
    const VERSION: &'static str = "0.1.0";
    const DESCRIPTION: &'static str = "Reads a profile's follower count (a third party's script)";

    fn run(config: Config) -> Result<serde_json::Value> {
        match config.mode {
            Mode::ClickMissing => {
                ui::click(&Selector::text("No such button"), Duration::from_secs(1))?;
                Ok(serde_json::json!({}))
            }
            Mode::Followers => followers(&config.user, config.access),
            Mode::Whoami => Ok(serde_json::json!({
                "app": host::app(),
                "package": host::task().package,
            })),
            Mode::FollowNear => {
                followers(&config.user, config.access)?;
                let below = ui::find_near(
                    &Selector::text("Follow"),
                    Relation::Below,
                    &Selector::text("Followers"),
                )?;
                let follow = below
                    .first()
                    .ok_or_else(|| Error::failed("no 'Follow' below 'Followers' on the profile"))?;
                ui::tap_node(follow)?;
                ui::wait_for(&Selector::text("Following"), Duration::from_secs(5))?
                    .ok_or_else(|| Error::failed("the button never read 'Following'"))?;
                Ok(serde_json::json!({"tapped_top": follow.bounds.top}))
            }
        }
    }
}

fn followers(user: &str, way: Way) -> Result<serde_json::Value> {
    let package = host::task().package;
    let access = match way {
        Way::Direct => Access::Direct,
        Way::Search => Access::Search,
    };
    if host::app() == "instagram" {
        return instagram_followers(user, access, &package);
    }
    tiktok::open_profile(user, access, &package)?;
    let user = tiktok::normalize_username(user);
    let ids = tiktok::ids();
    let stats = ui::until(
        &format!("the profile of @{user} did not show its stats"),
        Duration::from_secs(15),
        |nodes| {
            if handle_interruptions(nodes)? {
                return Ok(None);
            }
            match profile::classify(nodes, &user, &ids) {
                profile::ProfileScreen::Missing(text) => Err(Error::failed(format!(
                    "user @{user} does not exist: the app shows \"{text}\""
                ))),
                profile::ProfileScreen::Ready {
                    name_shown: true, ..
                } => Ok(profile::stats(nodes)),
                _ => Ok(None),
            }
        },
    )?;
    info!("@{user} has {} followers", stats.followers);
    Ok(serde_json::json!({
        "user": user,
        "followers": stats.followers,
        "followers_count": profile::parse_count(&stats.followers),
    }))
}

/// The same on Instagram, with the SDK's `instagram` helpers.
fn instagram_followers(user: &str, access: Access, package: &str) -> Result<serde_json::Value> {
    instagram::open_profile(user, access, package)?;
    let user = tiktok::normalize_username(user);
    let stats = instagram::until(
        &format!("the Instagram profile of @{user} did not show its counts"),
        Duration::from_secs(15),
        |nodes| {
            Ok(match instagram::classify(nodes, &user) {
                instagram::ProfileScreen::Ready {
                    name_shown: true, ..
                } => instagram::stats(nodes),
                _ => None,
            })
        },
    )?;
    info!("@{user} has {} followers on Instagram", stats.followers);
    Ok(serde_json::json!({
        "user": user,
        "followers": stats.followers,
        "followers_count": profile::parse_count(&stats.followers),
    }))
}

phonefleet_sdk::export_script!(Author);
