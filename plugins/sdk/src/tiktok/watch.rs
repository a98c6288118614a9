//! Watching and commenting on TikTok: a video opened by its link, a playing video paused so the
//! screen can be read (a playing video never lets uiautomator see an idle screen, field case 02),
//! the right column's controls (like, comments, Favorites, follow the creator), and a comment
//! typed, sent and seen under the video. Labels: `tiktok-ui.md`, "Video right column".

use std::time::Duration;

use super::{handle_interruptions, protection};
use crate::{Error, Node, Result, device, info, links, ui};

/// Content-desc prefix of the Like control ("Like video. 140.9K likes").
pub const LIKE: &str = "Like video";
/// Content-desc prefix of the comments control ("Read or add comments. 1,024 comments").
pub const COMMENTS: &str = "Read or add comments";
/// Content-desc prefix of the Favorites control.
pub const FAVORITES: &str = "Add or remove this video from Favorites";
/// What a deleted or private video's page says.
pub const UNAVAILABLE_TEXTS: &[&str] =
    &["video currently unavailable", "this video is unavailable"];
/// What the comments sheet of a video with comments off says.
pub const COMMENTS_OFF_TEXTS: &[&str] = &["comments are turned off", "comments are off"];
/// Content-desc of the comment field's photo button.
pub const ADD_IMAGE: &str = "Add image";
/// Content-desc of the send button.
pub const POST_COMMENT: &str = "Post comment";

/// How long a video page or the comments sheet may take to show.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a sent comment may take to show under the video.
const COMMENT_TIMEOUT: Duration = Duration::from_secs(15);

/// The controls of the video on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoControls {
    pub like: Node,
    pub comments: Node,
    pub favorites: Node,
    /// The "Follow NAME" button, absent when the account follows the creator.
    pub follow: Option<Node>,
    /// The creator as the avatar names them ("NASA" of "NASA profile").
    pub creator: String,
}

impl VideoControls {
    /// Whether the video is liked (the Like control is selected).
    pub fn liked(&self) -> bool {
        self.like.selected
    }

    /// Whether the video is in Favorites (the Favorites control is selected).
    pub fn in_favorites(&self) -> bool {
        self.favorites.selected
    }
}

fn desc_starts(node: &Node, prefix: &str) -> bool {
    node.description.starts_with(prefix)
}

/// The right column of the video on screen, if one shows.
pub fn video_controls(nodes: &[Node]) -> Option<VideoControls> {
    let find = |prefix: &str| nodes.iter().find(|n| desc_starts(n, prefix)).cloned();
    let creator = nodes
        .iter()
        .find_map(|n| n.description.strip_suffix(" profile"))
        .filter(|name| !name.is_empty())?
        .to_string();
    Some(VideoControls {
        like: find(LIKE)?,
        comments: find(COMMENTS)?,
        favorites: find(FAVORITES)?,
        follow: nodes
            .iter()
            .find(|n| n.description == format!("Follow {creator}"))
            .cloned(),
        creator,
    })
}

/// How long after a pausing tap a dump that still finds no idle screen may have started before
/// it: uiautomator waits up to 10 s for idle, so only a failure later than this proves the video
/// still plays (a second tap any sooner could resume it).
const PAUSE_HOLDOFF: Duration = Duration::from_secs(12);

/// For [`ui::until_readable`]: taps the middle of the screen (the video itself, on the feed and on
/// video pages) when a dump fails because the screen never went idle — at most once per
/// [`PAUSE_HOLDOFF`], so a failure that began before the pause does not resume the video.
pub fn pause_when_playing() -> impl FnMut(&str) -> Result<()> {
    let mut tapped: Option<std::time::Instant> = None;
    move |why: &str| {
        if why.contains("idle state") && tapped.is_none_or(|at| at.elapsed() > PAUSE_HOLDOFF) {
            let (width, height) = device::screen_size()?;
            info!("the screen never goes idle (a video plays): pausing it");
            device::tap(width / 2, height * 2 / 5)?;
            tapped = Some(std::time::Instant::now());
        }
        Ok(())
    }
}

/// [`ui::until`] on a screen where a video may play: pauses it when it keeps the screen from being
/// read, fails on the app's protections and dismisses the usual popups before each `step`.
pub fn until_video<T>(
    what: &str,
    timeout: Duration,
    mut step: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    ui::until_readable(what, timeout, pause_when_playing(), |nodes| {
        if handle_interruptions(nodes)? {
            return Ok(None);
        }
        step(nodes)
    })
}

/// The controls of the video on screen, once readable (pausing it on the way).
pub fn wait_video(what: &str) -> Result<VideoControls> {
    until_video(what, SCREEN_TIMEOUT, |nodes| Ok(video_controls(nodes)))
}

/// Opens the video at `url` (tracking query stripped) in the app `package` and waits for it;
/// fails naming the link when the app says it is unavailable (deleted or private).
pub fn open_video(url: &str, package: &str) -> Result<VideoControls> {
    let url = links::clean(url);
    info!("opening {url} in {package}");
    device::open_url(&url, Some(package))?;
    until_video(
        &format!("the video {url} did not open"),
        SCREEN_TIMEOUT,
        |nodes| {
            if let Some(text) = says_any(nodes, UNAVAILABLE_TEXTS) {
                return Err(Error::failed(format!(
                    "the video {url} is unavailable: the app shows \"{text}\" (deleted or private)"
                )));
            }
            Ok(video_controls(nodes))
        },
    )
}

/// The first text on screen that says one of `phrases`.
fn says_any<'a>(nodes: &'a [Node], phrases: &[&str]) -> Option<&'a str> {
    nodes
        .iter()
        .map(|n| n.text.trim())
        .find(|t| crate::notice::says(t, phrases, 120))
}

/// Comments `text` (any Unicode, typed byte-identical) under the video on screen, attaching the
/// newest photo of the gallery when `photo`; returns once the comment shows under the video.
/// Fails when comments are off, `Refused` when the app says it comes too fast.
pub fn comment(controls: &VideoControls, text: &str, photo: bool) -> Result<()> {
    ui::tap_node(&controls.comments)?;
    let field = ui::until("the comments sheet did not open", SCREEN_TIMEOUT, |nodes| {
        if let Some(off) = says_any(nodes, COMMENTS_OFF_TEXTS) {
            return Err(Error::failed(format!(
                "cannot comment: the app shows \"{off}\" under this video"
            )));
        }
        Ok(comment_field(nodes).cloned())
    })?;
    let before = ui::nodes()?.iter().filter(|n| n.text == text).count();
    ui::tap_node(&field)?;
    if photo {
        attach_newest_photo()?;
    }
    device::input_text(text)?;
    let send = ui::until(
        "the comment field did not take the text",
        SCREEN_TIMEOUT,
        |nodes| {
            let typed = comment_field(nodes).is_some_and(|f| f.text == text);
            Ok(nodes
                .iter()
                .find(|n| typed && n.description == POST_COMMENT)
                .cloned())
        },
    )?;
    ui::tap_node(&send)?;
    ui::until(
        &format!("the comment {text:?} did not show under the video"),
        COMMENT_TIMEOUT,
        |nodes| {
            // The comment itself may say "try again later": only the app's own notices count.
            let others: Vec<Node> = nodes.iter().filter(|n| n.text != text).cloned().collect();
            if let Some(e) = protection(&others) {
                return Err(e);
            }
            let shown = nodes.iter().filter(|n| n.text == text).count();
            // The field empties once the comment went out, so every copy of the text is a comment.
            let sent = comment_field(nodes).is_some_and(|f| f.text != text);
            Ok((sent && shown > before).then_some(()))
        },
    )?;
    info!("commented {text:?}");
    Ok(())
}

/// The comment field of the open sheet, if one shows: an EditText that is not the search box.
fn comment_field(nodes: &[Node]) -> Option<&Node> {
    let search = super::ids().search_field;
    nodes.iter().find(|n| {
        n.class_name.ends_with("EditText") && !crate::resource_id_matches(&n.resource_id, search)
    })
}

/// Photo button → the picker → the first (newest) photo → its thumbnail by the field.
fn attach_newest_photo() -> Result<()> {
    ui::click(&crate::Selector::desc(ADD_IMAGE), SCREEN_TIMEOUT)?;
    ui::click(&crate::Selector::desc("Photo 1"), SCREEN_TIMEOUT)?;
    ui::until("the photo was not attached", SCREEN_TIMEOUT, |nodes| {
        Ok(nodes
            .iter()
            .any(|n| n.description == "Selected photo")
            .then_some(()))
    })
}

/// Likes the video on screen (a no-op when liked); waits until Like reads selected.
pub fn like(controls: &VideoControls) -> Result<()> {
    turn_on(&controls.like, |c| &c.like)
}

/// Adds the video on screen to Favorites (a no-op when it is in them).
pub fn add_to_favorites(controls: &VideoControls) -> Result<()> {
    turn_on(&controls.favorites, |c| &c.favorites)
}

/// Taps `control` unless it is selected, then waits until `which` of the column reads selected;
/// the video stays paused, so the screen stays readable.
fn turn_on(control: &Node, which: fn(&VideoControls) -> &Node) -> Result<()> {
    if control.selected {
        return Ok(());
    }
    ui::tap_node(control)?;
    until_video(
        &format!("'{}' did not turn on", control.description),
        SCREEN_TIMEOUT,
        |nodes| {
            Ok(video_controls(nodes)
                .filter(|c| which(c).selected)
                .map(drop))
        },
    )
}

/// Follows the creator of the video on screen with its "Follow NAME" button; waits until it is gone.
pub fn follow_creator(controls: &VideoControls) -> Result<()> {
    let Some(follow) = &controls.follow else {
        return Ok(());
    };
    ui::tap_node(follow)?;
    until_video(
        &format!("'Follow {}' did not go away", controls.creator),
        SCREEN_TIMEOUT,
        |nodes| {
            Ok(video_controls(nodes)
                .filter(|c| c.follow.is_none())
                .map(drop))
        },
    )
}

/// Brings the app `package` to the home feed (For You) and returns the video's controls, paused.
pub fn open_feed(package: &str) -> Result<VideoControls> {
    let ids = super::ids();
    super::reach(
        package,
        "could not reach the home feed (the Home tab)",
        SCREEN_TIMEOUT,
        |nodes| {
            if handle_interruptions(nodes)? {
                return Ok(super::Reach::Wait);
            }
            let home = super::profile::home_tab(nodes, &ids);
            if let Some(controls) = video_controls(nodes)
                && home.is_some_and(|h| h.selected)
            {
                return Ok(super::Reach::Done(controls));
            }
            Ok(match home {
                Some(home) => super::Reach::Tap(home.clone()),
                None => super::Reach::Elsewhere,
            })
        },
    )
}

/// Searches `topic`, opens the Videos tab and plays its first video; returns its controls, paused.
/// Fails naming the topic when the search finds no video.
pub fn open_topic(topic: &str, package: &str) -> Result<VideoControls> {
    super::submit_search(topic, package)?;
    let mut tab_tapped = false;
    let tile = ui::until(
        &format!("searched for '{topic}' but the Videos tab showed no video"),
        SCREEN_TIMEOUT,
        |nodes| {
            if let Some(e) = protection(nodes) {
                return Err(e);
            }
            let tab = nodes.iter().find(|n| n.text == "Videos" && n.clickable);
            match tab {
                Some(tab) if tab.selected => Ok(nodes
                    .iter()
                    .find(|n| n.description.starts_with("Video by"))
                    .cloned()),
                Some(tab) if !tab_tapped => {
                    ui::tap_node(tab)?;
                    tab_tapped = true;
                    Ok(None)
                }
                _ => Ok(None),
            }
        },
    )?;
    info!("playing the videos found for '{topic}'");
    ui::tap_node(&tile)?;
    wait_video(&format!("the first video found for '{topic}' did not play"))
}

/// Swipes up to the next video (which starts playing: read the screen with [`until_video`]).
pub fn next_video() -> Result<()> {
    let (width, height) = device::screen_size()?;
    device::swipe(
        width / 2,
        height * 3 / 4,
        width / 2,
        height / 4,
        Duration::from_millis(300),
    )
}

/// Whether the comments sheet is open: its field, its title ("12 comments", "No comments yet")
/// or the word that comments are off.
fn sheet_open(nodes: &[Node]) -> bool {
    comment_field(nodes).is_some()
        || says_any(nodes, COMMENTS_OFF_TEXTS).is_some()
        || nodes.iter().any(|n| {
            let t = n.text.trim();
            t == "No comments yet"
                || t.strip_suffix(" comments")
                    .is_some_and(|count| crate::profile::parse_count(count).is_some())
        })
}

/// Closes the comments sheet (Back, at most once a second) and returns the video's controls.
pub fn close_comments() -> Result<VideoControls> {
    let mut back = ui::BackPresser::default();
    until_video(
        "the comments sheet did not close",
        SCREEN_TIMEOUT,
        |nodes| match video_controls(nodes).filter(|_| !sheet_open(nodes)) {
            Some(controls) => Ok(Some(controls)),
            None => back.press().map(|()| None),
        },
    )
}
