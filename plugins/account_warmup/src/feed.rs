//! Running a planned session on the phone: the home feed or a topic's videos of the task's app,
//! each video watched for its time without reading the screen (a playing video never lets it be
//! read), and the screen read only for a video with something to do.

use std::time::Duration;

use phonefleet_sdk::comments;
use phonefleet_sdk::instagram::posts::{self, PostControls};
use phonefleet_sdk::random::Random;
use phonefleet_sdk::tiktok::watch::{self, VideoControls};
use phonefleet_sdk::watching::PostOnScreen;
use phonefleet_sdk::{App, Error, Result, chatgpt, host, info, instagram, tiktok, warn};
use serde::Serialize;
use serde_json::{Value, json};

use crate::WarmupConfig;
use crate::session::{Action, Video};

/// One action taken on a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    /// The video's place in the session, from 1.
    pub video: usize,
    /// Its creator as the app names them.
    pub creator: String,
    pub action: Action,
    /// The comment, for `comment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// What a session did.
#[derive(Debug, Default)]
pub struct Report {
    pub actions: Vec<Taken>,
}

impl Report {
    fn count(&self, action: Action) -> usize {
        self.actions.iter().filter(|t| t.action == action).count()
    }

    /// `{"like": n, "follow": n, "collect": n, "comment": n}`.
    pub fn counts(&self) -> Value {
        json!({
            "like": self.count(Action::Like),
            "follow": self.count(Action::Follow),
            "collect": self.count(Action::Collect),
            "comment": self.count(Action::Comment),
        })
    }
}

/// A planned session and what it needs to run.
pub struct Session<'a> {
    pub config: &'a WarmupConfig,
    pub topic: Option<&'a str>,
    pub videos: &'a [Video],
    /// Picks comment templates and emoji (after the plan drew its choices).
    pub rng: Random,
    /// Comments made so far (the k-th takes line k when sequential).
    pub comments_made: usize,
}

impl Session<'_> {
    pub fn run(mut self) -> Result<Report> {
        let app = self.config.app;
        host::progress(2, "checking the account");
        let package = match app {
            App::Tiktok => tiktok::ensure_task_account()?.package,
            App::Instagram => instagram::ensure_task_account()?.package,
        };
        host::progress(
            5,
            &match self.topic {
                Some(topic) => format!("searching for '{topic}'"),
                None => "opening the home feed".to_string(),
            },
        );
        match (app, self.topic) {
            (App::Tiktok, Some(topic)) => drop(watch::open_topic(topic, &package)?),
            (App::Tiktok, None) => drop(watch::open_feed(&package)?),
            (App::Instagram, Some(topic)) => drop(posts::open_topic(topic, &package)?),
            (App::Instagram, None) => drop(posts::open_feed(&package)?),
        }
        let total: u32 = self.videos.iter().map(|v| v.watch_secs).sum();
        let mut watched = 0u32;
        let mut report = Report::default();
        for (i, video) in self.videos.iter().enumerate() {
            if i > 0 {
                match app {
                    App::Tiktok => VideoControls::next()?,
                    App::Instagram => PostControls::next()?,
                }
            }
            host::sleep(Duration::from_secs(video.watch_secs.into()));
            watched += video.watch_secs;
            if !video.actions.is_empty() {
                self.act(app, i + 1, &video.actions, &mut report)?;
            }
            let left = total.saturating_sub(watched);
            host::progress(
                (5 + 95 * u64::from(watched) / u64::from(total.max(1))) as u8,
                &format!(
                    "{left} s left; liked {}, followed {}, collected {}, commented {}",
                    report.count(Action::Like),
                    report.count(Action::Follow),
                    report.count(Action::Collect),
                    report.count(Action::Comment),
                ),
            );
        }
        Ok(report)
    }

    /// Does `actions` on the post on screen, recording those taken (a creator already followed,
    /// a post already liked or bookmarked, is left as it is).
    fn act(
        &mut self,
        app: App,
        video: usize,
        actions: &[Action],
        report: &mut Report,
    ) -> Result<()> {
        for &action in actions {
            let taken = match app {
                App::Tiktok => self.act_on::<VideoControls>("TikTok", action),
                App::Instagram => self.act_on::<PostControls>("Instagram", action),
            };
            match taken {
                Ok(Some((creator, comment))) => {
                    info!("video {video} by {creator}: {action:?}");
                    report.actions.push(Taken {
                        video,
                        creator,
                        action,
                        comment,
                    });
                }
                Ok(None) => {}
                // This post would not take it (comments off, no save control, the model gave no
                // comment): a person moves on. The app's protections and the phone still stop
                // the session.
                Err(Error::Failed(why)) => warn!("video {video}: {action:?} not taken: {why}"),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One action on the post on screen of `app`: (creator, comment) when it was taken.
    fn act_on<P: PostOnScreen>(
        &mut self,
        app: &str,
        action: Action,
    ) -> Result<Option<(String, Option<String>)>> {
        let post = P::read()?;
        let creator = post.creator().to_string();
        let comment = match action {
            Action::Like if !post.liked() => post.like().map(|()| None)?,
            Action::Follow if !post.follows_creator() => post.follow_creator().map(|()| None)?,
            Action::Collect if !post.bookmarked() => post.bookmark().map(|()| None)?,
            Action::Comment => {
                let text = self.comment_text(app, &creator)?;
                post.comment(&text)?;
                Some(text)
            }
            Action::Like | Action::Follow | Action::Collect => return Ok(None),
        };
        Ok(Some((creator, comment)))
    }

    /// The next comment: the model's, or a template picked by the config's order; with an emoji
    /// when asked.
    fn comment_text(&mut self, app: &str, creator: &str) -> Result<String> {
        let config = self.config;
        let made = self.comments_made;
        self.comments_made += 1;
        if config.generate_by_chatgpt {
            let text = chatgpt::write_comment(
                &config.chatgpt_settings,
                &format!("A {app} video by {creator}."),
            )?;
            return Ok(if config.insert_emoji {
                phonefleet_sdk::random::with_emoji(&text, &mut self.rng)
            } else {
                text
            });
        }
        let lines = comments::lines(&config.comment);
        comments::pick(
            &lines,
            config.comment_order,
            made,
            config.insert_emoji,
            &mut self.rng,
        )
        .ok_or_else(|| phonefleet_sdk::Error::invalid_config("comment has no template"))
    }
}
