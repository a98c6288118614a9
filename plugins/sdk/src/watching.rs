//! What TikTok videos and Instagram posts share for scripts that watch like a person: one trait
//! over each app's controls of the post on screen (like, follow the creator, bookmark, comment),
//! so a script drives both apps with one loop.

use crate::Result;
use crate::instagram::posts::{self, PostControls};
use crate::tiktok::watch::{self, VideoControls};

/// The post on screen, as one app shows it.
pub trait PostOnScreen: Sized {
    /// The post on screen once it shows (a playing video paused so the screen can be read).
    fn read() -> Result<Self>;
    /// Moves on to the next post (a video then plays: read it with [`PostOnScreen::read`]).
    fn next() -> Result<()>;
    /// Its creator, as the app names them.
    fn creator(&self) -> &str;
    fn liked(&self) -> bool;
    /// Likes it; waits until it reads liked.
    fn like(&self) -> Result<()>;
    /// Whether the account follows its creator (no Follow button shows).
    fn follows_creator(&self) -> bool;
    /// Follows its creator from the post; waits until the Follow button is gone.
    fn follow_creator(&self) -> Result<()>;
    /// Whether it is bookmarked (TikTok's Favorites, Instagram's Save).
    fn bookmarked(&self) -> bool;
    /// Bookmarks it; waits until it reads bookmarked.
    fn bookmark(&self) -> Result<()>;
    /// Comments `text` (seen under the post before it returns); the comments are closed again
    /// whether or not it went out.
    fn comment(&self, text: &str) -> Result<()>;
}

impl PostOnScreen for VideoControls {
    fn read() -> Result<Self> {
        watch::wait_video("the video did not show its controls")
    }
    fn next() -> Result<()> {
        watch::next_video()
    }
    fn creator(&self) -> &str {
        &self.creator
    }
    fn liked(&self) -> bool {
        VideoControls::liked(self)
    }
    fn like(&self) -> Result<()> {
        watch::like(self)
    }
    fn follows_creator(&self) -> bool {
        self.follow.is_none()
    }
    fn follow_creator(&self) -> Result<()> {
        watch::follow_creator(self)
    }
    fn bookmarked(&self) -> bool {
        self.in_favorites()
    }
    fn bookmark(&self) -> Result<()> {
        watch::add_to_favorites(self)
    }
    fn comment(&self, text: &str) -> Result<()> {
        let sent = watch::comment(self, text, false);
        watch::close_comments()?;
        sent
    }
}

impl PostOnScreen for PostControls {
    fn read() -> Result<Self> {
        posts::wait_post("the post did not show its buttons")
    }
    fn next() -> Result<()> {
        posts::next_post()
    }
    fn creator(&self) -> &str {
        &self.owner
    }
    fn liked(&self) -> bool {
        PostControls::liked(self)
    }
    fn like(&self) -> Result<()> {
        posts::like(self)
    }
    fn follows_creator(&self) -> bool {
        self.follow.is_none()
    }
    fn follow_creator(&self) -> Result<()> {
        posts::follow_owner(self)
    }
    fn bookmarked(&self) -> bool {
        self.saved()
    }
    fn bookmark(&self) -> Result<()> {
        posts::save(self)
    }
    fn comment(&self, text: &str) -> Result<()> {
        let sent = posts::comment(self, text);
        posts::close_comments()?;
        sent
    }
}
