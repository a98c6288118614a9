//! Posts on Instagram: a post opened by its `/p/` or `/reel/` link, its button row (like, comment,
//! save) and owner, and a comment typed, posted and seen as "<me> <text>" (`instagram-ui.md`,
//! "Posts grid / feed" and "Comments"). Blocks fail as protections through [`super::until`].

use std::time::Duration;

use super::{MISSING_TEXTS, id_matches, says, until, until_ignoring};
use crate::{Error, Node, Result, device, info, links, ui};

/// Ids of the post screens (matched by suffix, so clone apps match too).
pub mod ids {
    pub const LIKE: &str = "row_feed_button_like";
    pub const COMMENT: &str = "row_feed_button_comment";
    pub const SAVE: &str = "row_feed_button_save";
    pub const OWNER: &str = "row_feed_photo_profile_name";
    pub const COMMENT_FIELD: &str = "layout_comment_thread_edittext";
    pub const POST_BUTTON: &str = "layout_comment_thread_post_button";
}

/// What a post with comments turned off says.
pub const COMMENTS_OFF_TEXTS: &[&str] = &[
    "commenting has been turned off",
    "comments on this post have been limited",
];

const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);
const COMMENT_TIMEOUT: Duration = Duration::from_secs(15);

/// The controls of the post on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostControls {
    pub like: Node,
    pub comment: Node,
    /// The bookmark ("Add to Saved" / "Remove from saved"), when the build shows it.
    pub save: Option<Node>,
    /// The header's "Follow", absent when the account follows the owner.
    pub follow: Option<Node>,
    /// The owner's username.
    pub owner: String,
}

impl PostControls {
    /// Whether the post is liked ("Unlike", or the like button selected).
    pub fn liked(&self) -> bool {
        self.like.selected || self.like.description.eq_ignore_ascii_case("unlike")
    }

    /// Whether the post is saved.
    pub fn saved(&self) -> bool {
        self.save
            .as_ref()
            .is_some_and(|s| s.selected || s.description.to_lowercase().starts_with("remove"))
    }
}

fn by_id<'a>(nodes: &'a [Node], id: &str) -> Option<&'a Node> {
    nodes.iter().find(|n| id_matches(&n.resource_id, id))
}

/// The post on screen, if one shows.
pub fn post_controls(nodes: &[Node]) -> Option<PostControls> {
    let owner = by_id(nodes, ids::OWNER)?;
    Some(PostControls {
        like: by_id(nodes, ids::LIKE)?.clone(),
        comment: by_id(nodes, ids::COMMENT)?.clone(),
        save: by_id(nodes, ids::SAVE).cloned(),
        follow: nodes
            .iter()
            .find(|n| {
                n.text == "Follow"
                    && n.clickable
                    && n.bounds.top >= owner.bounds.top - 40
                    && n.bounds.bottom <= owner.bounds.bottom + 40
            })
            .cloned(),
        owner: owner.text.trim().to_string(),
    })
}

/// Opens the post at `url` (tracking query stripped) in the app `package` and waits for it; fails
/// naming the link when Instagram says the page is not available (deleted or private).
pub fn open_post(url: &str, package: &str) -> Result<PostControls> {
    let url = links::clean(url);
    info!("opening {url} in {package}");
    device::open_url(&url, Some(package))?;
    until(
        &format!("the post {url} did not open"),
        SCREEN_TIMEOUT,
        |nodes| {
            if let Some(n) = nodes.iter().find(|n| says(&n.text, MISSING_TEXTS)) {
                return Err(Error::failed(format!(
                    "the post {url} is unavailable: Instagram shows \"{}\" (deleted or private)",
                    n.text.trim()
                )));
            }
            Ok(post_controls(nodes))
        },
    )
}

/// Comments `text` (typed byte-identical) under the post on screen; returns once a row reads
/// "<me> <text>". Fails when commenting is off; a block ("Try Again Later") is `Refused`.
pub fn comment(controls: &PostControls, text: &str) -> Result<()> {
    ui::tap_node(&controls.comment)?;
    let field = until("the comments did not open", SCREEN_TIMEOUT, |nodes| {
        if let Some(n) = nodes.iter().find(|n| says(&n.text, COMMENTS_OFF_TEXTS)) {
            return Err(Error::failed(format!(
                "cannot comment: Instagram shows \"{}\" under this post",
                n.text.trim()
            )));
        }
        Ok(by_id(nodes, ids::COMMENT_FIELD).cloned())
    })?;
    let is_mine = |n: &Node| n.text.ends_with(&format!(" {text}"));
    let before = ui::nodes()?.iter().filter(|n| is_mine(n)).count();
    ui::tap_node(&field)?;
    device::input_text(text)?;
    let post = until_ignoring(
        "the comment field did not take the text",
        SCREEN_TIMEOUT,
        Some(text),
        |nodes| {
            let typed = by_id(nodes, ids::COMMENT_FIELD).is_some_and(|f| f.text == text);
            Ok(by_id(nodes, ids::POST_BUTTON).filter(|_| typed).cloned())
        },
    )?;
    ui::tap_node(&post)?;
    until_ignoring(
        &format!("the comment {text:?} did not show under the post"),
        COMMENT_TIMEOUT,
        Some(text),
        |nodes| {
            let shown = nodes.iter().filter(|n| is_mine(n)).count();
            Ok((shown > before).then_some(()))
        },
    )?;
    info!("commented {text:?}");
    Ok(())
}

/// Likes the post on screen (a no-op when liked); waits until it reads "Unlike".
pub fn like(controls: &PostControls) -> Result<()> {
    turn_on(controls.liked(), &controls.like, PostControls::liked)
}

/// Saves the post on screen (a no-op when saved); fails when the build shows no save control.
pub fn save(controls: &PostControls) -> Result<()> {
    let Some(save) = &controls.save else {
        return Err(Error::failed("this post shows no save control"));
    };
    turn_on(controls.saved(), save, PostControls::saved)
}

/// Taps `control` unless `on`, then waits until `read` says on.
fn turn_on(on: bool, control: &Node, read: fn(&PostControls) -> bool) -> Result<()> {
    if on {
        return Ok(());
    }
    ui::tap_node(control)?;
    until(
        &format!("'{}' did not change", control.description),
        SCREEN_TIMEOUT,
        |nodes| Ok(post_controls(nodes).filter(read).map(drop)),
    )
}

/// Follows the owner of the post on screen with the header's "Follow"; waits until it is gone.
pub fn follow_owner(controls: &PostControls) -> Result<()> {
    let Some(follow) = &controls.follow else {
        return Ok(());
    };
    ui::tap_node(follow)?;
    until(
        &format!("'Follow' by {} did not go away", controls.owner),
        SCREEN_TIMEOUT,
        |nodes| {
            Ok(post_controls(nodes)
                .filter(|c| c.follow.is_none())
                .map(drop))
        },
    )
}

/// Brings Instagram (`package`) to the home feed and returns its first post's controls.
pub fn open_feed(package: &str) -> Result<PostControls> {
    device::start_app(package)?;
    let mut last_step = std::time::Instant::now();
    until(
        "could not reach Instagram's home feed",
        SCREEN_TIMEOUT,
        |nodes| {
            let home = by_id(nodes, super::ids::FEED_TAB);
            if let Some(controls) = post_controls(nodes)
                && home.is_some_and(|h| h.selected)
            {
                return Ok(Some(controls));
            }
            if last_step.elapsed() > Duration::from_secs(1) {
                last_step = std::time::Instant::now();
                match home {
                    Some(home) => ui::tap_node(home)?,
                    None if nodes.iter().any(|n| n.package == package) => device::back()?,
                    None => device::start_app(package)?,
                }
            }
            Ok(None)
        },
    )
}

/// Opens the hashtag `topic` (`https://www.instagram.com/explore/tags/TOPIC/`) and its first post;
/// returns the post's controls. Fails naming the topic when the tag shows no post.
pub fn open_topic(topic: &str, package: &str) -> Result<PostControls> {
    let tag: String = topic
        .trim()
        .trim_start_matches('#')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase();
    let url = format!("https://www.instagram.com/explore/tags/{tag}/");
    info!("opening {url} in {package}");
    device::open_url(&url, Some(package))?;
    let tile = until(
        &format!("the hashtag #{tag} showed no post"),
        SCREEN_TIMEOUT,
        |nodes| {
            Ok(nodes
                .iter()
                .find(|n| {
                    n.clickable
                        && (n.description.starts_with("Reel by")
                            || n.description.starts_with("Photo by"))
                })
                .cloned())
        },
    )?;
    ui::tap_node(&tile)?;
    until(
        &format!("the first post of #{tag} did not open"),
        SCREEN_TIMEOUT,
        |nodes| Ok(post_controls(nodes)),
    )
}

/// Swipes up to the next post; read it with [`post_controls`] in [`until`].
pub fn next_post() -> Result<()> {
    let (width, height) = device::screen_size()?;
    device::swipe(
        width / 2,
        height * 3 / 4,
        width / 2,
        height / 4,
        Duration::from_millis(300),
    )
}

/// The post on screen, once it shows.
pub fn wait_post(what: &str) -> Result<PostControls> {
    until(what, SCREEN_TIMEOUT, |nodes| Ok(post_controls(nodes)))
}

/// Leaves the comments (Back, at most once a second: the first may only hide the keyboard) and
/// returns the post's controls.
pub fn close_comments() -> Result<PostControls> {
    let mut back = ui::BackPresser::default();
    until(
        "the comments did not close",
        SCREEN_TIMEOUT,
        |nodes| match post_controls(nodes).filter(|_| by_id(nodes, ids::COMMENT_FIELD).is_none()) {
            Some(controls) => Ok(Some(controls)),
            None => back.press().map(|()| None),
        },
    )
}
