//! The `follow` script: follows or unfollows one TikTok or Instagram user per task, opened by URL
//! or through search. Config contract: SPEC §5 "follow"; `plan` splits a request into one task per
//! target user.

use phonefleet_sdk::follow::{self, FollowAction};
use phonefleet_sdk::{Error, Result, Script};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use phonefleet_sdk::follow::{AccessMethod, NO_TARGET};

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

impl From<Action> for FollowAction {
    fn from(action: Action) -> FollowAction {
        match action {
            Action::Follow => FollowAction::Follow,
            Action::Unfollow => FollowAction::Unfollow,
        }
    }
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

impl FollowConfig {
    /// The targets, in the user's spelling: see [`follow::targets`] (`target_user` and
    /// `target_username` both read when `target_users` is empty).
    pub fn targets(&self) -> std::result::Result<Vec<String>, String> {
        follow::targets(
            &self.target_users,
            &[&self.target_user, &self.target_username],
        )
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
        follow::run_task(
            config.app,
            targets,
            config.access_method,
            config.action.into(),
        )
    }
}

phonefleet_sdk::export_script!(Follow);
