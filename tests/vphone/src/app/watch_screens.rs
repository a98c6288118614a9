//! How the watching screens of the TikTok-like app look: a video (the feed's or a page's) with the
//! right column of the real app (avatar, follow, Like, comments, Favorites, share, sound), the
//! comments sheet, its photo picker, a search's video results and the "unavailable" page.

use super::screens::{N, back_button, dim, r, rid, text};
use super::users::display_name;
use super::watch::{COMMENTS_OFF, Tap, UNAVAILABLE};
use super::{Action, App, WIDTH};
use crate::social::{self, catalogue};
use crate::ui::{BUTTON, EDIT, FRAME, GRID, IMAGE, LINEAR, Node, PAGER, RECYCLER, TEXT};

fn tap(action: Tap) -> Action {
    Action::Watch(action)
}

/// The player of catalogue post `post`, over `bottom` (the bottom bar's top on the feed).
pub(super) fn video(app: &App, post: usize, bottom: i32) -> N {
    let p = &catalogue()[post];
    let account = app.current_account();
    let name = display_name(p.author);
    let liked = app.social.liked(account, post);
    let bookmarked = app.social.bookmarked(account, post);
    let icon = |top: i32, desc: String, action: Action| {
        Node::new(IMAGE, r(948, top, 1068, top + 120))
            .desc(desc)
            .on_tap(action)
    };
    let comments = app.social.comments_on(post).count();
    let mut column = Node::new(LINEAR, r(924, 1010, WIDTH, 2060)).child(
        Node::new(IMAGE, r(948, 1030, 1068, 1150))
            .desc(format!("{name} profile"))
            .on_tap(Action::OpenProfile(p.author.to_string())),
    );
    if !app.is_following(p.author) {
        column = column.child(
            Node::new(BUTTON, r(984, 1120, 1032, 1168))
                .id(rid("hi1"))
                .desc(format!("Follow {name}"))
                .on_tap(Action::ToggleFollow(p.author.to_string())),
        );
    }
    let column = column
        .child(
            icon(
                1220,
                format!("Like video. {} likes", 140 + usize::from(liked)),
                tap(Tap::Like(post)),
            )
            .selected(liked),
        )
        .child(text(
            r(948, 1340, 1068, 1390),
            &format!("{}", 140 + usize::from(liked)),
        ))
        .child(icon(
            1420,
            format!("Read or add comments. {comments} comments"),
            tap(Tap::OpenComments(post)),
        ))
        .child(
            icon(
                1600,
                format!(
                    "Add or remove this video from Favorites. {}",
                    2_313 + usize::from(bookmarked)
                ),
                tap(Tap::Bookmark(post)),
            )
            .selected(bookmarked),
        )
        .child(icon(
            1780,
            "Share video. 312 shares".to_string(),
            Action::Nothing,
        ))
        .child(icon(
            1940,
            format!("Sound: original sound - {name}"),
            Action::Nothing,
        ));
    let player = Node::new(FRAME, r(0, 0, WIDTH, bottom))
        .child(column)
        .child(
            Node::new(TEXT, r(36, 1930, 700, 1990))
                .text(name.clone())
                .on_tap(Action::OpenProfile(p.author.to_string())),
        )
        .child(text(r(36, 2000, 880, 2120), &p.caption));
    Node::new(PAGER, r(0, 0, WIDTH, bottom))
        .scrollable()
        .child(player)
}

/// A video page: the player with a back arrow.
pub(super) fn page(app: &App, post: usize) -> Vec<N> {
    vec![video(app, post, super::HEIGHT), back_button()]
}

pub(super) fn unavailable() -> Vec<N> {
    vec![
        back_button(),
        text(r(90, 1050, 990, 1130), UNAVAILABLE),
        text(
            r(90, 1150, 990, 1230),
            "This video has been removed or is private.",
        ),
    ]
}

/// The comments sheet over the lower part of the video.
pub(super) fn comments(app: &App, post: usize) -> N {
    let listed: Vec<&social::Comment> = app.social.comments_on(post).collect();
    let rows = listed.iter().rev().zip(0..).map(|(c, i)| {
        let y = 900 + i * 180;
        Node::new(LINEAR, r(0, y, WIDTH, y + 170))
            .on_tap(Action::Nothing)
            .child(Node::new(IMAGE, r(40, y + 20, 140, y + 120)))
            .child(text(r(170, y + 10, 900, y + 60), &c.author))
            .child(text(r(170, y + 65, 1000, y + 125), &c.text))
            .children(
                c.image
                    .as_ref()
                    .map(|_| Node::new(IMAGE, r(170, y + 125, 330, y + 170)).desc("Comment photo")),
            )
    });
    let title = if listed.is_empty() {
        "No comments yet".to_string()
    } else {
        format!("{} comments", listed.len())
    };
    let mut sheet = Node::new(FRAME, r(0, 760, WIDTH, super::HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(340, 790, 740, 860), &title))
        .child(
            Node::new(IMAGE, r(960, 780, 1060, 870))
                .desc("Close comments")
                .on_tap(Action::Back),
        )
        .child(
            Node::new(RECYCLER, r(0, 890, WIDTH, 2180))
                .scrollable()
                .children(rows),
        );
    if app.social.comments_off(post) {
        sheet = sheet.child(text(r(90, 2220, 990, 2300), COMMENTS_OFF));
        return dim(Action::Back, sheet);
    }
    let draft = app.comment_draft();
    let typed = draft.map(|d| d.text.as_str()).unwrap_or_default();
    let focused = draft.is_some_and(|d| d.focused);
    let field = Node::new(EDIT, r(40, 2200, 760, 2320))
        .text(if typed.is_empty() {
            "Add comment..."
        } else {
            typed
        })
        .focused(focused)
        .on_tap(tap(Tap::FocusField));
    sheet = sheet.child(field).child(
        Node::new(IMAGE, r(780, 2210, 880, 2310))
            .desc("Add image")
            .on_tap(tap(Tap::OpenPhotos)),
    );
    if draft.is_some_and(|d| d.image.is_some()) {
        sheet = sheet.child(Node::new(IMAGE, r(40, 2060, 200, 2190)).desc("Selected photo"));
    }
    if !typed.is_empty() || draft.is_some_and(|d| d.image.is_some()) {
        sheet = sheet.child(
            Node::new(IMAGE, r(900, 2210, 1040, 2310))
                .desc("Post comment")
                .on_tap(tap(Tap::Send)),
        );
    }
    dim(Action::Back, sheet)
}

/// The comment photo picker: the phone's photos, newest first.
pub(super) fn photos(app: &App) -> Vec<N> {
    let tiles = app.photos().into_iter().take(12).zip(0..).map(|(path, i)| {
        let left = (i % 3) * 360;
        let top = 260 + (i / 3) * 360;
        Node::new(FRAME, r(left, top, left + 358, top + 358))
            .desc(format!("Photo {}", i + 1))
            .on_tap(tap(Tap::PickPhoto(path)))
    });
    vec![
        back_button(),
        text(r(300, 140, 780, 210), "All photos"),
        Node::new(GRID, r(0, 260, WIDTH, super::HEIGHT))
            .scrollable()
            .children(tiles),
    ]
}

/// A search's Videos tab: the matching videos as tiles, each playing the results from itself.
pub(super) fn video_results(query: &str, top: i32) -> N {
    let found = social::search(query);
    let tile = |i: usize, post: usize| {
        let p = &catalogue()[post];
        let (col, row) = ((i % 2) as i32, (i / 2) as i32);
        let (left, y) = (col * 540, top + row * 700);
        Node::new(FRAME, r(left, y, left + 538, y + 698))
            .desc(format!("Video by {}", p.author))
            .on_tap(tap(Tap::Play {
                posts: found.clone(),
                index: i,
            }))
            .child(text(r(left + 20, y + 560, left + 520, y + 620), &p.caption))
            .child(text(r(left + 20, y + 630, left + 520, y + 690), p.author))
    };
    Node::new(RECYCLER, r(0, top, WIDTH, super::HEIGHT))
        .scrollable()
        .children(found.iter().enumerate().take(6).map(|(i, &p)| tile(i, p)))
}
