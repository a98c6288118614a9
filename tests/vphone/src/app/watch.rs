//! Watching and commenting in the TikTok-like app: the feed and video pages over the shared
//! catalogue, likes, Favorites, the comments sheet with its field, photo attachment and the app's
//! refusals. How they look lives in `watch_screens`.

use super::{App, Screen};
use crate::media::Kind;
use crate::social::{self, Playlist, Refusal};

/// What the app says when comments come too fast.
pub const TOO_FAST: &str = "You're commenting too fast. Take a break and try again later.";
/// What a linked video that was deleted shows.
pub const UNAVAILABLE: &str = "Video currently unavailable";
/// What the comments sheet of a video with comments off shows.
pub const COMMENTS_OFF: &str = "Comments are turned off";

/// The comment being written under `post`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentDraft {
    pub post: usize,
    pub text: String,
    pub focused: bool,
    /// Phone path of the attached photo.
    pub image: Option<String>,
}

/// What a control of the watching screens does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tap {
    Like(usize),
    Bookmark(usize),
    OpenComments(usize),
    FocusField,
    OpenPhotos,
    PickPhoto(String),
    Send,
    /// A search result: plays `posts` from `index`.
    Play {
        posts: Vec<usize>,
        index: usize,
    },
}

impl App {
    /// The catalogue index of the video on screen (under any overlay), if one is.
    pub(super) fn video_on_screen(&self) -> Option<usize> {
        match self.base_screen()? {
            Screen::Feed => Some(self.feed_index % social::catalogue().len()),
            Screen::Watch(watch) => Some(watch.post()),
            _ => None,
        }
    }

    /// Whether a video plays: the feed or a video page is on screen (even under a sheet or a
    /// popup, as on real phones) and nobody paused it. A playing screen never goes idle.
    pub fn playing(&self) -> bool {
        !self.paused && matches!(self.base_screen(), Some(Screen::Feed | Screen::Watch(_)))
    }

    /// The screen under the overlays on top.
    pub(super) fn base_screen(&self) -> Option<&Screen> {
        if !self.foreground {
            return None;
        }
        self.stack.iter().rev().find(|s| !s.is_overlay())
    }

    /// The screen a video link opens: the video, or "unavailable" when it is unknown or deleted.
    pub(super) fn video_screen(&self, post: Option<usize>) -> Screen {
        match post.filter(|&p| !self.social.deleted(p)) {
            Some(post) => Screen::Watch(Playlist {
                posts: vec![post],
                index: 0,
            }),
            None => Screen::Unavailable,
        }
    }

    /// The comment draft, when its sheet is on top.
    pub(super) fn comment_draft(&self) -> Option<&CommentDraft> {
        match self.top() {
            Some(Screen::Comments(post)) => self.comment.as_ref().filter(|d| d.post == *post),
            _ => None,
        }
    }

    fn comment_draft_mut(&mut self) -> Option<&mut CommentDraft> {
        let post = match self.stack.last() {
            Some(Screen::Comments(post)) if self.foreground && self.popup.is_none() => *post,
            _ => return None,
        };
        self.comment.as_mut().filter(|d| d.post == post)
    }

    /// Types into the comment field when it has focus.
    pub(super) fn type_comment(&mut self, text: &str) -> bool {
        match self.comment_draft_mut() {
            Some(draft) if draft.focused => {
                draft.text.push_str(text);
                true
            }
            _ => false,
        }
    }

    pub(super) fn delete_comment_char(&mut self) -> bool {
        match self.comment_draft_mut() {
            Some(draft) if draft.focused => {
                draft.text.pop();
                true
            }
            _ => false,
        }
    }

    /// The phone's photos, newest first, as the comment photo picker lists them.
    pub(super) fn photos(&self) -> Vec<String> {
        self.media()
            .items()
            .iter()
            .rev()
            .filter(|item| item.kind == Kind::Image)
            .map(|item| item.path.clone())
            .collect()
    }

    pub(super) fn watch(&mut self, tap: Tap) {
        let account = self.current_account().to_string();
        match tap {
            Tap::Like(post) => self.social.toggle_like(&account, post),
            Tap::Bookmark(post) => self.social.toggle_bookmark(&account, post),
            Tap::OpenComments(post) => {
                if self.comment.as_ref().is_none_or(|d| d.post != post) {
                    self.comment = Some(CommentDraft {
                        post,
                        ..CommentDraft::default()
                    });
                }
                self.stack.push(Screen::Comments(post));
            }
            Tap::FocusField => {
                if let Some(draft) = self.comment_draft_mut() {
                    draft.focused = true;
                }
            }
            Tap::OpenPhotos => self.stack.push(Screen::CommentPhotos),
            Tap::PickPhoto(path) => {
                self.stack.pop();
                if let Some(draft) = self.comment_draft_mut() {
                    draft.image = Some(path);
                }
            }
            Tap::Send => self.send_comment(&account),
            Tap::Play { posts, index } => {
                self.paused = false;
                self.stack.push(Screen::Watch(Playlist { posts, index }));
            }
        }
    }

    fn send_comment(&mut self, account: &str) {
        let Some(draft) = self.comment_draft_mut().cloned() else {
            return;
        };
        if draft.text.trim().is_empty() && draft.image.is_none() {
            return;
        }
        match self
            .social
            .comment(account, draft.post, &draft.text, draft.image.clone())
        {
            Ok(()) => {
                self.comment = Some(CommentDraft {
                    post: draft.post,
                    ..CommentDraft::default()
                })
            }
            // The draft stays, as the real app keeps it.
            Err(Refusal::TooFast) => self.toast = Some(TOO_FAST.to_string()),
            Err(Refusal::CommentsOff) => {}
        }
    }
}
