//! The `unfollow` script: unfollows one TikTok or Instagram user per task, opened by URL or through
//! search. Config contract: TikMatrix's unfollow page (`../shared/reference/tikmatrix-scripts.md`);
//! the profile work is the SDK's, shared with `follow`.

use phonefleet_sdk::follow::{self, FollowAction};
use phonefleet_sdk::{Error, Result, Script};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use phonefleet_sdk::follow::{AccessMethod, NO_TARGET};

/// Config of the unfollow script. At least one target is required (in `target_users` or
/// `target_user`); one task is made per target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "unfollow")]
pub struct UnfollowConfig {
    /// Users to unfollow, one task per entry ("nasa" or "@nasa"). Wins over target_user.
    #[serde(default)]
    pub target_users: Vec<String>,
    /// One or more users separated by newlines or commas; used when target_users is empty.
    #[serde(default)]
    pub target_user: String,
    /// direct opens the profile's link; search types the name into the app's search.
    #[serde(default)]
    pub access_method: AccessMethod,
    /// The app to drive; the host fills in the task's app.
    #[serde(default)]
    pub app: phonefleet_sdk::App,
}

impl UnfollowConfig {
    /// The targets, in the user's spelling: see [`follow::targets`].
    pub fn targets(&self) -> std::result::Result<Vec<String>, String> {
        follow::targets(&self.target_users, &[&self.target_user])
    }
}

/// The unfollow script. `run` returns `{"target": "@nasa", "outcome": "unfollowed" |
/// "not_following"}`; a pending request to a private account ("Requested") is withdrawn.
pub struct Unfollow;

impl Script for Unfollow {
    type Config = UnfollowConfig;
    const NAME: &'static str = "unfollow";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Unfollow TikTok or Instagram users, one task per target user";

    /// One config per target: `target_users: [target]`, `target_user` empty, the rest copied.
    fn plan(config: UnfollowConfig) -> std::result::Result<Vec<UnfollowConfig>, String> {
        Ok(config
            .targets()?
            .into_iter()
            .map(|target| UnfollowConfig {
                target_users: vec![target],
                target_user: String::new(),
                ..config.clone()
            })
            .collect())
    }

    fn run(config: UnfollowConfig) -> Result<serde_json::Value> {
        let targets = config.targets().map_err(Error::invalid_config)?;
        follow::run_task(
            config.app,
            targets,
            config.access_method,
            FollowAction::Unfollow,
        )
    }
}

phonefleet_sdk::export_script!(Unfollow);
