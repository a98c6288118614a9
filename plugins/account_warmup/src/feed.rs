//! Running a planned session on the phone: the home feed or a topic's videos of the task's app,
//! each video watched for its time without reading the screen (a playing video never lets it be
//! read), and the screen read only for a video with something to do.

use std::time::Duration;

use phonefleet_sdk::comments;
use phonefleet_sdk::instagram::posts;
use phonefleet_sdk::random::Random;
use phonefleet_sdk::tiktok::watch;
use phonefleet_sdk::{App, Result, chatgpt, host, info, instagram, tiktok};
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
                    App::Tiktok => watch::next_video()?,
                    App::Instagram => posts::next_post()?,
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

    /// Does `actions` on the video on screen, recording those taken (a creator already followed,
    /// a video already liked or collected, is left as it is).
    fn act(
        &mut self,
        app: App,
        video: usize,
        actions: &[Action],
        report: &mut Report,
    ) -> Result<()> {
        for &action in actions {
            let taken = match app {
                App::Tiktok => self.act_tiktok(action)?,
                App::Instagram => self.act_instagram(action)?,
            };
            if let Some((creator, comment)) = taken {
                info!("video {video} by {creator}: {action:?}");
                report.actions.push(Taken {
                    video,
                    creator,
                    action,
                    comment,
                });
            }
        }
        Ok(())
    }

    /// One action on TikTok's video on screen: (creator, comment) when it was taken.
    fn act_tiktok(&mut self, action: Action) -> Result<Option<(String, Option<String>)>> {
        let controls = watch::wait_video("the video did not show its controls")?;
        let creator = controls.creator.clone();
        Ok(match action {
            Action::Like if !controls.liked() => {
                watch::like(&controls)?;
                Some((creator, None))
            }
            Action::Follow if controls.follow.is_some() => {
                watch::follow_creator(&controls)?;
                Some((creator, None))
            }
            Action::Collect if !controls.in_favorites() => {
                watch::add_to_favorites(&controls)?;
                Some((creator, None))
            }
            Action::Comment => {
                let text = self.comment_text("TikTok", &creator)?;
                watch::comment(&controls, &text, false)?;
                watch::close_comments()?;
                Some((creator, Some(text)))
            }
            Action::Like | Action::Follow | Action::Collect => None,
        })
    }

    /// One action on Instagram's post on screen: (owner, comment) when it was taken.
    fn act_instagram(&mut self, action: Action) -> Result<Option<(String, Option<String>)>> {
        let controls = posts::wait_post("the post did not show its buttons")?;
        let owner = controls.owner.clone();
        Ok(match action {
            Action::Like if !controls.liked() => {
                posts::like(&controls)?;
                Some((owner, None))
            }
            Action::Follow if controls.follow.is_some() => {
                posts::follow_owner(&controls)?;
                Some((owner, None))
            }
            Action::Collect if !controls.saved() => {
                posts::save(&controls)?;
                Some((owner, None))
            }
            Action::Comment => {
                let text = self.comment_text("Instagram", &owner)?;
                posts::comment(&controls, &text)?;
                posts::close_comments()?;
                Some((owner, Some(text)))
            }
            Action::Like | Action::Follow | Action::Collect => None,
        })
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
