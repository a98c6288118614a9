//! Following and unfollowing a user on either app, for the `follow` and `unfollow` scripts alike:
//! reading a request's targets, and relating the task's account to one target on the phone.

use crate::profile::{Access, normalize_username};
use crate::{App, Error, Result, host, instagram, tiktok};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How to reach the target's profile, as configs name it: `direct` opens the profile's link
/// (`https://www.tiktok.com/@user`, `https://www.instagram.com/user/`); `search` types the name into
/// the app's search and opens the row whose username it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccessMethod {
    /// Open the profile URL.
    #[default]
    Direct,
    /// Search for the name.
    Search,
}

impl From<AccessMethod> for Access {
    fn from(method: AccessMethod) -> Access {
        match method {
            AccessMethod::Direct => Access::Direct,
            AccessMethod::Search => Access::Search,
        }
    }
}

/// What to do on the target's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowAction {
    /// Follow (a no-op when already following or requested).
    Follow,
    /// Unfollow (a no-op when not following).
    Unfollow,
}

/// What happened on the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The account now follows the user (or asked to, for a private account).
    Followed,
    /// It followed (or had asked to follow) the user already.
    AlreadyFollowing,
    /// It no longer follows the user.
    Unfollowed,
    /// It did not follow the user.
    NotFollowing,
}

impl Outcome {
    /// The outcome as scripts report it: `followed`, `already_following`, `unfollowed`, `not_following`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Followed => "followed",
            Outcome::AlreadyFollowing => "already_following",
            Outcome::Unfollowed => "unfollowed",
            Outcome::NotFollowing => "not_following",
        }
    }
}

/// The message when a request names no target.
pub const NO_TARGET: &str = "at least one target user is required: set target_users or target_user";

/// The target users of a request, in the user's spelling (trimmed, empty entries dropped): `list`
/// if it names anyone, else every text of `texts` split on newlines and commas (TikMatrix's
/// `target_user`). Errs when there is none or when one cannot be a username (letters, digits, `_`,
/// `.`, `-` after an optional '@').
pub fn targets(list: &[String], texts: &[&str]) -> std::result::Result<Vec<String>, String> {
    let clean = |s: &str| s.trim().to_string();
    let mut targets: Vec<String> = list
        .iter()
        .map(|s| clean(s))
        .filter(|s| !s.is_empty())
        .collect();
    if targets.is_empty() {
        targets = texts
            .iter()
            .flat_map(|s| s.split(['\n', '\r', ',']))
            .map(clean)
            .filter(|s| !s.is_empty())
            .collect();
    }
    if targets.is_empty() {
        return Err(NO_TARGET.to_string());
    }
    for t in &targets {
        if !valid_username(&normalize_username(t)) {
            return Err(format!(
                "target user '{t}' is not a TikTok or Instagram username (letters, digits, '_', '.' and '-')"
            ));
        }
    }
    Ok(targets)
}

/// The one target of a task (plans split requests into one task per target); errs naming them all
/// when a config holds several.
pub fn single_target(targets: Vec<String>) -> std::result::Result<String, String> {
    match <[String; 1]>::try_from(targets) {
        Ok([target]) => Ok(target),
        Err(targets) => Err(format!(
            "a task takes exactly one target user (plan splits requests), got {}: {}",
            targets.len(),
            targets.join(", ")
        )),
    }
}

/// Whether `name` (without '@') can be a TikTok or Instagram username: letters, digits, `_`, `.`
/// and `-`, nothing that would break a URL or a search.
fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Follows or unfollows `target` as the task's account on `app`, reaching the profile by `access`.
/// Errs as the app's helpers do: `Refused` for the app's protections, `Failed` for a missing user.
pub fn relate(app: App, target: &str, access: Access, action: FollowAction) -> Result<Outcome> {
    match app {
        App::Tiktok => tiktok::follow::run_one(target, access, action),
        App::Instagram => instagram::follow::run_one(target, access, action),
    }
}

/// Runs one follow or unfollow task: its one target (else an invalid-config error) related by
/// [`relate`]; returns `{"target": "@nasa", "outcome": "followed" | "already_following" |
/// "unfollowed" | "not_following"}`, the target normalised (lowercase, with '@').
pub fn run_task(
    app: App,
    targets: Vec<String>,
    access: AccessMethod,
    action: FollowAction,
) -> Result<serde_json::Value> {
    let target = single_target(targets).map_err(Error::invalid_config)?;
    let outcome = relate(app, &target, access.into(), action)?.as_str();
    let shown = format!("@{}", normalize_username(&target));
    host::progress(100, &format!("done: {outcome} {shown}"));
    Ok(serde_json::json!({"target": shown, "outcome": outcome}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_wins_over_the_text() {
        let list = vec![" @a ".to_string(), String::new()];
        assert_eq!(targets(&list, &["b,c"]), Ok(vec!["@a".to_string()]));
    }

    #[test]
    fn text_splits_on_newlines_and_commas() {
        assert_eq!(
            targets(&[], &["a,\nb\r\n", " c "]),
            Ok(vec!["a".to_string(), "b".to_string(), "c".to_string()])
        );
    }

    #[test]
    fn no_target_or_a_broken_name_is_refused() {
        assert_eq!(targets(&[], &[" , "]), Err(NO_TARGET.to_string()));
        assert!(
            targets(&["a/b".to_string()], &[])
                .unwrap_err()
                .contains("'a/b'")
        );
    }
}
