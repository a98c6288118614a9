//! The `comment` script: comments on one TikTok video or Instagram post per task, by its link.
//! Config contract: TikMatrix's comment page (`../shared/reference/tikmatrix-scripts.md`); `plan`
//! makes one task per post URL and, for `sequential`, gives the k-th task the k-th line.

use phonefleet_sdk::comments::{self, CommentOrder};
use phonefleet_sdk::{
    App, Error, Result, Script, device, host, info, instagram, links, media, random, tiktok,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Config of the comment script. At least one post URL and one comment line are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "comment")]
pub struct CommentConfig {
    /// Posts to comment on, one task each (TikTok `https://www.tiktok.com/@user/video/ID` or
    /// `https://vm.tiktok.com/CODE/`; Instagram `https://www.instagram.com/p/CODE/` or `/reel/CODE/`).
    /// Wins over target_post_url.
    #[serde(default)]
    pub target_post_urls: Vec<String>,
    /// One or more post URLs separated by newlines or commas; used when target_post_urls is empty.
    #[serde(default)]
    pub target_post_url: String,
    /// One or more comments, one per line; each task posts one of them.
    #[schemars(length(min = 1, max = 10000))]
    pub comment_content: String,
    /// random (a line picked when the task runs) or sequential (the task for the request's k-th
    /// post URL takes line k, cycling, on every target; decided when the request is accepted).
    #[serde(default)]
    pub comment_order: CommentOrder,
    /// Add a random emoji to the picked comment.
    #[serde(default)]
    pub insert_emoji: bool,
    /// TikTok only: a host image to attach (pushed to the phone, picked first in the gallery).
    #[serde(default)]
    #[schemars(extend("x-host-path" = "file"))]
    pub comment_image_path: String,
    /// The app to drive; the host fills in the task's app.
    #[serde(default)]
    pub app: App,
}

/// The message when a config names no post.
pub const NO_POST: &str =
    "at least one post URL is required: set target_post_urls or target_post_url";

impl CommentConfig {
    /// The post URLs, in the user's spelling (trimmed; empty ones dropped).
    pub fn urls(&self) -> Vec<String> {
        links::split(&self.target_post_urls, &self.target_post_url)
    }

    /// The comment lines (see [`comments::lines`]).
    pub fn lines(&self) -> Vec<&str> {
        comments::lines(&self.comment_content)
    }

    /// Errs with what is wrong for a task of this config's app: no post, a link that is not a
    /// post of the app, no comment line, an image on Instagram.
    fn check(&self, urls: &[String]) -> std::result::Result<(), String> {
        if urls.is_empty() {
            return Err(NO_POST.to_string());
        }
        let forms = match self.app {
            App::Tiktok => "https://www.tiktok.com/@user/video/ID or https://vm.tiktok.com/CODE/",
            App::Instagram => {
                "https://www.instagram.com/p/CODE/ or https://www.instagram.com/reel/CODE/"
            }
        };
        if let Some(bad) = urls.iter().find(|u| !links::is_post_link(self.app, u)) {
            return Err(format!(
                "target post '{bad}' is not a {} post link: use {forms}",
                app_name(self.app)
            ));
        }
        if self.lines().is_empty() {
            return Err("comment_content has no comment: write one per line".to_string());
        }
        if self.app == App::Instagram && !self.comment_image_path.trim().is_empty() {
            return Err(
                "comment_image_path is for TikTok only: Instagram comments take no image"
                    .to_string(),
            );
        }
        Ok(())
    }
}

fn app_name(app: App) -> &'static str {
    match app {
        App::Tiktok => "TikTok",
        App::Instagram => "Instagram",
    }
}

/// The comment script. `run` returns `{"post_url": "<cleaned link>", "comment": "<as typed>",
/// "image": "<phone path>" | null}`.
pub struct Comment;

impl Script for Comment {
    type Config = CommentConfig;
    const NAME: &'static str = "comment";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Comment on TikTok videos or Instagram posts, one task per post URL";

    /// One config per URL (`target_post_urls: [url]`); `sequential` gives task k line k (cycling)
    /// as its whole `comment_content`.
    fn plan(config: CommentConfig) -> std::result::Result<Vec<CommentConfig>, String> {
        let urls = config.urls();
        config.check(&urls)?;
        let lines = config.lines();
        Ok(urls
            .iter()
            .enumerate()
            .map(|(k, url)| CommentConfig {
                target_post_urls: vec![url.clone()],
                target_post_url: String::new(),
                comment_content: match config.comment_order {
                    CommentOrder::Sequential => lines[k % lines.len()].to_string(),
                    CommentOrder::Random => config.comment_content.clone(),
                },
                ..config.clone()
            })
            .collect())
    }

    fn run(config: CommentConfig) -> Result<serde_json::Value> {
        let urls = config.urls();
        config.check(&urls).map_err(Error::invalid_config)?;
        let [url] = urls.as_slice() else {
            return Err(Error::invalid_config(format!(
                "a comment task takes exactly one post URL (plan splits requests), got {}",
                urls.len()
            )));
        };
        let mut rng = random::seeded(random::seed());
        // A sequential task holds its one line already (see `plan`).
        let text = comments::pick(
            &config.lines(),
            CommentOrder::Random,
            0,
            config.insert_emoji,
            &mut rng,
        )
        .ok_or_else(|| Error::invalid_config("comment_content has no comment"))?;
        info!("comment for {url}: {text:?}");
        let image = match config.app {
            App::Tiktok => comment_on_tiktok(url, &text, config.comment_image_path.trim())?,
            App::Instagram => {
                host::progress(5, "checking the account");
                let package = instagram::ensure_task_account()?.package;
                host::progress(20, "opening the post");
                let post = instagram::posts::open_post(url, &package)?;
                host::progress(50, "commenting");
                instagram::posts::comment(&post, &text)?;
                None
            }
        };
        host::progress(100, "commented");
        Ok(serde_json::json!({"post_url": links::clean(url), "comment": text, "image": image}))
    }
}

/// Comments on a TikTok video, pushing and attaching `image` first when one is named; returns the
/// image's phone path.
fn comment_on_tiktok(url: &str, text: &str, image: &str) -> Result<Option<String>> {
    host::progress(5, "checking the account");
    let package = tiktok::ensure_task_account()?.package;
    let pushed = if image.is_empty() {
        None
    } else {
        let device_path = format!("{}/{}", media::DEVICE_DIR, media::safe_file_name(image));
        host::progress(10, &format!("pushing {device_path}"));
        // A file of the same name from an earlier task goes first, so the gallery lists this one newest.
        media::remove(&device_path)?;
        device::push_file(image, &device_path)?;
        media::scan(&device_path)?;
        Some(device_path)
    };
    host::progress(20, "opening the video");
    let video = tiktok::watch::open_video(url, &package)?;
    host::progress(50, "commenting");
    tiktok::watch::comment(&video, text, pushed.is_some())?;
    Ok(pushed)
}

phonefleet_sdk::export_script!(Comment);
