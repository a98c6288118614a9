//! Posts in the Instagram-like app: the home feed and post pages over the shared catalogue (by
//! `/p/CODE/`, `/reel/CODE/` and hashtag links), likes, saves, and the comments screen with its
//! field; a comment past the allowance gets "Try Again Later". Looks live in `post_screens`.

use super::{Instagram, Screen};
use crate::social::{self, Playlist, Refusal};

/// The comment being typed under `post`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentDraft {
    pub post: usize,
    pub text: String,
    pub focused: bool,
}

/// What a control of the post screens does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tap {
    Like(usize),
    Save(usize),
    OpenComments(usize),
    FocusField,
    Post,
    /// A hashtag page's tile: views `posts` from `index`.
    View {
        posts: Vec<usize>,
        index: usize,
    },
}

/// Where an Instagram post or hashtag link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostLink {
    /// `/p/CODE/` or `/reel/CODE/`.
    Post(String),
    /// `/explore/tags/TAG/`.
    Tag(String),
}

impl PostLink {
    /// `https://www.instagram.com/p/CODE/`, `/reel/CODE/`, `/explore/tags/TAG/` (query ignored).
    pub fn parse(url: &str) -> Option<PostLink> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/')?;
        if !matches!(
            host,
            "www.instagram.com" | "instagram.com" | "m.instagram.com"
        ) {
            return None;
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["p" | "reel" | "reels", code, ..] => Some(PostLink::Post(code.to_string())),
            ["explore", "tags", tag, ..] => Some(PostLink::Tag(tag.to_lowercase())),
            _ => None,
        }
    }
}

impl Instagram {
    /// The screen a post or hashtag link opens.
    pub(super) fn post_link_screen(&self, link: PostLink) -> Screen {
        match link {
            PostLink::Post(code) => {
                match social::find(&code).filter(|&p| !self.social.deleted(p)) {
                    Some(post) => Screen::Post(Playlist {
                        posts: vec![post],
                        index: 0,
                    }),
                    None => Screen::PostMissing,
                }
            }
            PostLink::Tag(tag) => Screen::Tag(tag),
        }
    }

    /// The catalogue post the home feed shows.
    pub(super) fn feed_post(&self) -> usize {
        self.feed_index % social::catalogue().len()
    }

    /// The comment draft, when its screen is on top.
    pub(super) fn comment_draft(&self) -> Option<&CommentDraft> {
        match self.stack.last() {
            Some(Screen::Comments(post)) => self.comment.as_ref().filter(|d| d.post == *post),
            _ => None,
        }
    }

    pub(super) fn focused_comment(&mut self) -> Option<&mut CommentDraft> {
        if !self.foreground || self.blocked || self.login_prompt {
            return None;
        }
        let Some(Screen::Comments(post)) = self.stack.last() else {
            return None;
        };
        let post = *post;
        self.comment
            .as_mut()
            .filter(|d| d.post == post && d.focused)
    }

    /// An upward swipe shows the next post of the feed or of a hashtag's posts.
    pub fn swipe(&mut self, from_y: i32, to_y: i32) {
        let (up, down) = (from_y - to_y > 200, to_y - from_y > 200);
        if !self.foreground || self.blocked || !(up || down) {
            return;
        }
        match self.stack.last_mut() {
            Some(Screen::Feed) if up => self.feed_index += 1,
            Some(Screen::Feed) => self.feed_index = self.feed_index.saturating_sub(1),
            Some(Screen::Post(playlist)) => playlist.swipe(up),
            _ => {}
        }
    }

    pub(super) fn post_tap(&mut self, tap: Tap) {
        let account = self.current_account().to_string();
        match tap {
            Tap::Like(post) => self.social.toggle_like(&account, post),
            Tap::Save(post) => self.social.toggle_bookmark(&account, post),
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
                if let Some(draft) = self.comment.as_mut() {
                    draft.focused = true;
                }
            }
            Tap::Post => {
                let Some(draft) = self.comment_draft().cloned() else {
                    return;
                };
                if draft.text.trim().is_empty() {
                    return;
                }
                match self.social.comment(&account, draft.post, &draft.text, None) {
                    Ok(()) => {
                        self.comment = Some(CommentDraft {
                            post: draft.post,
                            ..CommentDraft::default()
                        })
                    }
                    Err(Refusal::TooFast) => self.blocked = true,
                    Err(Refusal::CommentsOff) => {}
                }
            }
            Tap::View { posts, index } => self.stack.push(Screen::Post(Playlist { posts, index })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_reel_and_tag_links_are_recognised() {
        assert_eq!(
            PostLink::parse("https://www.instagram.com/p/Cv01Xqna/?igsh=x"),
            Some(PostLink::Post("Cv01Xqna".into()))
        );
        assert_eq!(
            PostLink::parse("https://instagram.com/reel/Cv00Xqti/"),
            Some(PostLink::Post("Cv00Xqti".into()))
        );
        assert_eq!(
            PostLink::parse("https://www.instagram.com/explore/tags/Food/"),
            Some(PostLink::Tag("food".into()))
        );
        assert_eq!(PostLink::parse("https://www.instagram.com/nasa/"), None);
    }
}
