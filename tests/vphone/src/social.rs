//! The posts both app models show — a catalogue of videos and photos by many creators — and what
//! the signed-in accounts did to them: likes, bookmarks, comments, and the refusals commenters meet.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::app::users::normalize;

/// Creators of the catalogue, each with the topic its captions are about.
const CREATORS: [(&str, &str); 12] = [
    ("tiktok", "trends"),
    ("nasa", "space"),
    ("natgeo", "nature"),
    ("bbcnews", "news"),
    ("foodie.daily", "food"),
    ("travel.tales", "travel"),
    ("fitwithkim", "fitness"),
    ("catsofvphone", "cats"),
    ("codebyana", "coding"),
    ("gardenguru", "garden"),
    ("streetbeats", "music"),
    ("chefmario", "food"),
];

/// How many posts the catalogue holds: two rounds of the creators.
const POSTS: usize = 24;

/// One post as both apps know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// TikTok's numeric video id (19 digits), as in `/@user/video/ID`.
    pub id: String,
    /// Instagram's shortcode, as in `/p/CODE/` and `/reel/CODE/`.
    pub code: String,
    /// TikTok's short link code, as in `https://vm.tiktok.com/CODE/`.
    pub short: String,
    /// The creator's username.
    pub author: &'static str,
    /// What the post is about; search for it to find the post.
    pub topic: &'static str,
    pub caption: String,
    /// A video (a Reel on Instagram), else a photo.
    pub video: bool,
}

/// Every post, in feed order: creators interleaved, so consecutive posts have different creators.
pub fn catalogue() -> &'static [Post] {
    static POSTS_MADE: LazyLock<Vec<Post>> = LazyLock::new(|| {
        (0..POSTS)
            .map(|i| {
                let (author, topic) = CREATORS[i % CREATORS.len()];
                Post {
                    id: format!("73{:017}", 1_000 + i),
                    code: format!("Cv{i:02}Xq{}", &author[..2]),
                    short: format!("ZMh{i:02}k"),
                    author,
                    topic,
                    caption: format!("{topic} moment #{} #{topic} #fyp", i + 1),
                    video: i % 3 != 2,
                }
            })
            .collect()
    });
    &POSTS_MADE
}

/// The catalogue index of the post with this TikTok id, Instagram code or short link code.
pub fn find(key: &str) -> Option<usize> {
    catalogue()
        .iter()
        .position(|p| p.id == key || p.code == key || p.short == key)
}

/// Catalogue indexes of posts whose topic or caption contains one of `query`'s words.
pub fn search(query: &str) -> Vec<usize> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.trim_start_matches('#').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    catalogue()
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            words
                .iter()
                .any(|w| p.topic.contains(w.as_str()) || p.caption.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Posts played one after another (a search's or hashtag's results from the tapped one, or one
/// linked post): what a video or post page shows, and where a swipe leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playlist {
    /// Catalogue indexes.
    pub posts: Vec<usize>,
    pub index: usize,
}

impl Playlist {
    /// The catalogue index of the post shown.
    pub fn post(&self) -> usize {
        self.posts[self.index]
    }

    /// An upward swipe shows the next post (none after the last), a downward one the previous.
    pub fn swipe(&mut self, up: bool) {
        if up {
            self.index = (self.index + 1).min(self.posts.len().saturating_sub(1));
        } else {
            self.index = self.index.saturating_sub(1);
        }
    }
}

/// What a phone's posts refuse: set per phone by the test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocialConfig {
    /// Comments allowed before every further one is refused as too fast.
    pub comments_allowed: Option<usize>,
    /// Posts (TikTok id or Instagram code) that were deleted: their links show "unavailable".
    pub deleted: Vec<String>,
    /// Posts whose creator turned comments off.
    pub comments_off: Vec<String>,
    /// Comments already under posts before the test: (post id or code, author, text).
    pub comments: Vec<(String, String, String)>,
}

/// A comment under a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Catalogue index of the post.
    pub post: usize,
    pub author: String,
    pub text: String,
    /// The phone path of an attached image.
    pub image: Option<String>,
}

/// Why a comment did not go out, in the app's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooFast,
    CommentsOff,
}

/// One app's record of what its accounts did to the catalogue.
#[derive(Debug, Clone, Default)]
pub struct Social {
    config: SocialConfig,
    likes: BTreeMap<String, BTreeSet<usize>>,
    bookmarks: BTreeMap<String, BTreeSet<usize>>,
    comments: Vec<Comment>,
    comments_done: usize,
}

impl Social {
    pub fn new(config: &SocialConfig) -> Self {
        let comments = config
            .comments
            .iter()
            .filter_map(|(post, author, text)| {
                Some(Comment {
                    post: find(post)?,
                    author: normalize(author),
                    text: text.clone(),
                    image: None,
                })
            })
            .collect();
        Self {
            config: config.clone(),
            comments,
            ..Self::default()
        }
    }

    /// Whether the post was deleted (its link shows "unavailable").
    pub fn deleted(&self, post: usize) -> bool {
        self.marked(&self.config.deleted, post)
    }

    /// Whether its creator turned comments off.
    pub fn comments_off(&self, post: usize) -> bool {
        self.marked(&self.config.comments_off, post)
    }

    fn marked(&self, keys: &[String], post: usize) -> bool {
        keys.iter().any(|key| find(key) == Some(post))
    }

    pub fn liked(&self, account: &str, post: usize) -> bool {
        self.likes.get(account).is_some_and(|s| s.contains(&post))
    }

    pub fn bookmarked(&self, account: &str, post: usize) -> bool {
        self.bookmarks
            .get(account)
            .is_some_and(|s| s.contains(&post))
    }

    /// Likes, or takes the like back.
    pub fn toggle_like(&mut self, account: &str, post: usize) {
        toggle(self.likes.entry(account.to_string()).or_default(), post);
    }

    /// Bookmarks (TikTok's Favorites, Instagram's Save), or takes it back.
    pub fn toggle_bookmark(&mut self, account: &str, post: usize) {
        toggle(self.bookmarks.entry(account.to_string()).or_default(), post);
    }

    /// Comments under a post, oldest first.
    pub fn comments_on(&self, post: usize) -> impl Iterator<Item = &Comment> {
        self.comments.iter().filter(move |c| c.post == post)
    }

    /// Posts a comment, or says why the app refused it.
    pub fn comment(
        &mut self,
        account: &str,
        post: usize,
        text: &str,
        image: Option<String>,
    ) -> Result<(), Refusal> {
        if self.comments_off(post) {
            return Err(Refusal::CommentsOff);
        }
        if self
            .config
            .comments_allowed
            .is_some_and(|n| self.comments_done >= n)
        {
            return Err(Refusal::TooFast);
        }
        self.comments_done += 1;
        self.comments.push(Comment {
            post,
            author: account.to_string(),
            text: text.to_string(),
            image,
        });
        Ok(())
    }

    /// `{"liked": {account: [post]}, "bookmarked": {…}, "comments": [{post, author, text, image}]}`,
    /// posts named by their TikTok id and Instagram code.
    pub fn to_json(&self) -> Value {
        let named = |set: &BTreeMap<String, BTreeSet<usize>>| -> Value {
            set.iter()
                .map(|(account, posts)| {
                    let posts: Vec<Value> = posts.iter().map(|&p| post_json(p)).collect();
                    (account.clone(), Value::from(posts))
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let comments: Vec<Value> = self
            .comments
            .iter()
            .map(|c| {
                let mut value = post_json(c.post);
                value["author"] = c.author.clone().into();
                value["text"] = c.text.clone().into();
                value["image"] = c.image.clone().into();
                value
            })
            .collect();
        json!({"liked": named(&self.likes), "bookmarked": named(&self.bookmarks), "comments": comments})
    }
}

/// Every post as `{"id", "code", "short", "author", "topic", "video"}`, for whoever drives a phone
/// by hand and needs links to its posts.
pub fn catalogue_json() -> Value {
    catalogue()
        .iter()
        .map(|p| {
            json!({"id": p.id, "code": p.code, "short": p.short, "author": p.author,
                   "topic": p.topic, "video": p.video})
        })
        .collect()
}

/// `{"id", "code", "author"}` of a catalogue post.
fn post_json(post: usize) -> Value {
    let p = &catalogue()[post];
    json!({"id": p.id, "code": p.code, "author": p.author})
}

fn toggle(set: &mut BTreeSet<usize>, post: usize) {
    if !set.remove(&post) {
        set.insert(post);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_found_by_id_code_and_short_link() {
        let post = &catalogue()[5];
        assert_eq!(find(&post.id), Some(5));
        assert_eq!(find(&post.code), Some(5));
        assert_eq!(find(&post.short), Some(5));
        assert_eq!(find("7300000000000000000"), None);
    }

    #[test]
    fn consecutive_posts_have_different_creators() {
        for pair in catalogue().windows(2) {
            assert_ne!(pair[0].author, pair[1].author);
        }
    }

    #[test]
    fn comments_past_the_allowance_are_too_fast_and_off_posts_refuse_them() {
        let off = catalogue()[1].id.clone();
        let mut social = Social::new(&SocialConfig {
            comments_allowed: Some(1),
            comments_off: vec![off],
            ..SocialConfig::default()
        });
        assert_eq!(
            social.comment("me", 1, "hi", None),
            Err(Refusal::CommentsOff)
        );
        assert_eq!(social.comment("me", 0, "hi", None), Ok(()));
        assert_eq!(
            social.comment("me", 0, "again", None),
            Err(Refusal::TooFast)
        );
        assert_eq!(social.comments_on(0).count(), 1);
    }
}
