//! The `account_warmup` script: behaves like a person for `task_duration` seconds — watches the
//! feed (or a topic's videos), each video for a random time, and likes, follows, collects and
//! comments with the given chances. Config contract: TikMatrix's account-warmup page
//! (`../shared/reference/tikmatrix-scripts.md`, `floow_probable` spelling included).

mod feed;
pub mod session;

use phonefleet_sdk::chatgpt::ChatgptSettings;
use phonefleet_sdk::comments::{self, CommentOrder};
use phonefleet_sdk::{App, Error, Result, Script, random};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Config of the account_warmup script; one task per target (phone or account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "account_warmup")]
pub struct WarmupConfig {
    /// How long the session lasts, in seconds (past 30 min, raise the host's limit with
    /// `--script-limit account_warmup:timeout=SECS`).
    #[serde(default = "default_task_duration")]
    #[schemars(range(min = 1, max = 86400))]
    pub task_duration: u32,
    /// Search keywords, one per line; one is picked per task. Empty: the home feed.
    #[serde(default)]
    #[schemars(length(max = 10000))]
    pub topic: String,
    /// Shortest watch of a video, in seconds.
    #[serde(default = "default_min_duration")]
    #[schemars(range(min = 1, max = 3600))]
    pub min_duration: u32,
    /// Longest watch of a video, in seconds.
    #[serde(default = "default_max_duration")]
    #[schemars(range(min = 1, max = 3600))]
    pub max_duration: u32,
    /// Chance (0-100) to like a video.
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub like_probable: u8,
    /// Chance (0-100) to follow a video's creator (TikMatrix's spelling).
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub floow_probable: u8,
    /// Chance (0-100) to bookmark a video (TikTok's Favorites, Instagram's Save).
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub collect_probable: u8,
    /// Chance (0-100) to comment on a video.
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub comment_probable: u8,
    /// Comment templates, one per line.
    #[serde(default)]
    #[schemars(length(max = 10000))]
    pub comment: String,
    /// Add a random emoji to each comment.
    #[serde(default)]
    pub insert_emoji: bool,
    /// random, or sequential (the k-th comment of a session takes line k, cycling).
    #[serde(default)]
    pub comment_order: CommentOrder,
    /// Write each comment with an OpenAI-compatible chat model instead of the templates.
    #[serde(default)]
    pub generate_by_chatgpt: bool,
    /// The model's settings (`api_key` required when generating).
    #[serde(default)]
    pub chatgpt_settings: ChatgptSettings,
    /// The session's seed (ours, not TikMatrix's): the host gives each task its own when the
    /// request gives none, recorded in the task's config, so a task's choices can be replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-task-seed" = true))]
    pub seed: Option<u64>,
    /// The app to drive; the host fills in the task's app.
    #[serde(default)]
    pub app: App,
}

fn default_task_duration() -> u32 {
    600
}
fn default_min_duration() -> u32 {
    15
}
fn default_max_duration() -> u32 {
    30
}

impl WarmupConfig {
    /// Errs with what cannot work: a watch range upside down, comments asked for with nothing
    /// to say, a model asked for without its key.
    fn check(&self) -> std::result::Result<(), String> {
        if self.min_duration > self.max_duration {
            return Err(format!(
                "min_duration ({}) is longer than max_duration ({})",
                self.min_duration, self.max_duration
            ));
        }
        if self.comment_probable > 0
            && !self.generate_by_chatgpt
            && comments::lines(&self.comment).is_empty()
        {
            return Err(
                "comment_probable is above 0 but comment has no template: write one per line, \
                 or set generate_by_chatgpt"
                    .into(),
            );
        }
        if self.generate_by_chatgpt && self.chatgpt_settings.api_key.trim().is_empty() {
            return Err("generate_by_chatgpt needs chatgpt_settings.api_key".into());
        }
        Ok(())
    }
}

/// The account_warmup script. `run` returns `{"seed", "topic", "videos_watched", "actions":
/// [{"video": n, "creator": "NAME", "action": "like" | "follow" | "collect" | "comment",
/// "comment"?: "…"}], "counts": {"like", "follow", "collect", "comment"}}`.
pub struct Warmup;

impl Script for Warmup {
    type Config = WarmupConfig;
    const NAME: &'static str = "account_warmup";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Warm up TikTok or Instagram accounts: watch, like, follow, collect and comment like a person";

    /// One task; the model's endpoint is granted only when comments are generated.
    fn plan(mut config: WarmupConfig) -> std::result::Result<Vec<WarmupConfig>, String> {
        config.check()?;
        if !config.generate_by_chatgpt {
            config.chatgpt_settings.base_url.clear();
        }
        Ok(vec![config])
    }

    fn run(config: WarmupConfig) -> Result<serde_json::Value> {
        config.check().map_err(Error::invalid_config)?;
        let seed = config.seed.unwrap_or_else(|| random::seed() >> 11);
        let mut rng = random::seeded(seed);
        let topics = comments::lines(&config.topic);
        let topic = comments::pick(&topics, CommentOrder::Random, 0, false, &mut rng);
        let videos = session::plan(
            &mut rng,
            config.task_duration,
            (config.min_duration, config.max_duration),
            session::Chances {
                like: config.like_probable,
                follow: config.floow_probable,
                collect: config.collect_probable,
                comment: config.comment_probable,
            },
        );
        let report = feed::Session {
            config: &config,
            topic: topic.as_deref(),
            videos: &videos,
            rng,
            comments_made: 0,
        }
        .run()?;
        Ok(serde_json::json!({
            "seed": seed,
            "topic": topic,
            "videos_watched": videos.len(),
            "actions": report.actions,
            "counts": report.counts(),
        }))
    }
}

phonefleet_sdk::export_script!(Warmup);
