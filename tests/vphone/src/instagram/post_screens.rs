//! How the post screens of the Instagram-like app look, with the ids of
//! `../shared/reference/instagram-ui.md`: a post (`row_feed_*`), the comments screen
//! (`layout_comment_thread_*`), a hashtag's grid.

use super::posts::Tap;
use super::screens::{N, r, rid, text};
use super::{Action, Instagram};
use crate::app::users::display_name;
use crate::social::{self, catalogue};
use crate::ui::{BUTTON, EDIT, FRAME, GRID, IMAGE, LINEAR, Node, RECYCLER};

const WIDTH: i32 = 1080;

fn tap(action: Tap) -> Action {
    Action::Posts(action)
}

/// One post between `top` and `bottom`: owner, Follow when not followed, media, the button row,
/// the caption and the comment count.
pub(super) fn post(app: &Instagram, post: usize, top: i32) -> N {
    let p = &catalogue()[post];
    let account = app.current_account();
    let liked = app.social.liked(account, post);
    let saved = app.social.bookmarked(account, post);
    let name = display_name(p.author);
    let media_desc = if p.video {
        format!("Reel by {name}")
    } else {
        format!("Photo by {name} at row 1, column 1")
    };
    let mut header = Node::new(LINEAR, r(0, top, WIDTH, top + 120)).child(
        text(r(150, top + 20, 600, top + 90), p.author)
            .id(rid("row_feed_photo_profile_name"))
            .on_tap(Action::OpenProfile(p.author.to_string())),
    );
    if !app.is_following(p.author) {
        header = header.child(
            Node::new(BUTTON, r(620, top + 20, 820, top + 100))
                .text("Follow")
                .on_tap(Action::FollowSuggested(p.author.to_string())),
        );
    }
    let button = |left: i32, id: &str, desc: &str, action: Action| {
        Node::new(IMAGE, r(left, top + 1230, left + 110, top + 1340))
            .id(rid(id))
            .desc(desc)
            .on_tap(action)
    };
    let comments = app.social.comments_on(post).count();
    Node::new(RECYCLER, r(0, top, WIDTH, 2208))
        .scrollable()
        .child(header)
        .child(Node::new(IMAGE, r(0, top + 120, WIDTH, top + 1200)).desc(media_desc))
        .child(
            button(
                20,
                "row_feed_button_like",
                if liked { "Unlike" } else { "Like" },
                tap(Tap::Like(post)),
            )
            .selected(liked),
        )
        .child(button(
            150,
            "row_feed_button_comment",
            "Comment",
            tap(Tap::OpenComments(post)),
        ))
        .child(button(
            280,
            "row_feed_button_share",
            "Send post",
            Action::Nothing,
        ))
        .child(
            button(
                950,
                "row_feed_button_save",
                if saved {
                    "Remove from saved"
                } else {
                    "Add to Saved"
                },
                tap(Tap::Save(post)),
            )
            .selected(saved),
        )
        .child(text(
            r(40, top + 1360, 1040, top + 1430),
            &format!("{} {}", p.author, p.caption),
        ))
        .child(
            text(
                r(40, top + 1440, 1040, top + 1500),
                &format!("View all {comments} comments"),
            )
            .on_tap(tap(Tap::OpenComments(post))),
        )
}

/// The comments screen: rows of "<user> <text>" with a time-ago, then the field and "Post".
pub(super) fn comments(app: &Instagram, post: usize) -> N {
    let rows = app.social.comments_on(post).zip(0..).map(|(c, i)| {
        let y = 260 + i * 170;
        Node::new(LINEAR, r(0, y, WIDTH, y + 160))
            .child(text(
                r(150, y + 10, 1000, y + 90),
                &format!("{} {}", c.author, c.text),
            ))
            .child(text(r(150, y + 95, 300, y + 150), "1m"))
    });
    let mut page = Node::new(FRAME, r(0, 0, WIDTH, 2337))
        .child(super::screens::back_button())
        .child(text(r(300, 140, 780, 210), "Comments"))
        .child(
            Node::new(RECYCLER, r(0, 250, WIDTH, 2180))
                .scrollable()
                .children(rows),
        );
    if app.social.comments_off(post) {
        return page.child(text(r(40, 2200, 1040, 2300), COMMENTS_OFF));
    }
    let draft = app.comment_draft();
    let typed = draft.map(|d| d.text.as_str()).unwrap_or_default();
    page = page
        .child(
            Node::new(EDIT, r(40, 2200, 860, 2320))
                .id(rid("layout_comment_thread_edittext"))
                .text(if typed.is_empty() {
                    "Add a comment…"
                } else {
                    typed
                })
                .focused(draft.is_some_and(|d| d.focused))
                .on_tap(tap(Tap::FocusField)),
        )
        .child(
            Node::new(BUTTON, r(880, 2200, 1040, 2320))
                .id(rid("layout_comment_thread_post_button"))
                .desc("Post")
                .text("Post")
                .on_tap(tap(Tap::Post)),
        );
    page
}

/// What a post with comments turned off shows where the field would be.
pub const COMMENTS_OFF: &str = "Commenting has been turned off.";

/// A hashtag's page: its posts as a grid, each tile opening the posts from itself.
pub(super) fn tag(tag: &str) -> N {
    let found = social::search(tag);
    let tiles = found.iter().enumerate().take(9).map(|(i, &post)| {
        let p = &catalogue()[post];
        let (row, col) = (i as i32 / 3, i as i32 % 3);
        let kind = if p.video { "Reel" } else { "Photo" };
        Node::new(
            FRAME,
            r(col * 360, 400 + row * 360, col * 360 + 358, 758 + row * 360),
        )
        .desc(format!(
            "{kind} by {} at row {}, column {}",
            display_name(p.author),
            row + 1,
            col + 1
        ))
        .on_tap(tap(Tap::View {
            posts: found.clone(),
            index: i,
        }))
    });
    Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(super::screens::back_button())
        .child(text(r(150, 140, 800, 210), &format!("#{tag}")))
        .child(text(
            r(40, 260, 1040, 330),
            &format!("{} posts", found.len()),
        ))
        .child(
            Node::new(GRID, r(0, 400, WIDTH, 2208))
                .scrollable()
                .children(tiles),
        )
}
