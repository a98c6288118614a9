//! How each screen of the Instagram-like app looks: view trees with the ids, texts and
//! content-descs of `../shared/reference/instagram-ui.md` on a 1080×2400 screen, each clickable node
//! carrying its action.

use super::{Action, Create, Instagram, Mode, PACKAGE, Screen, Search, post_screens};
use crate::app::users::{self, display_name};
use crate::ui::{BUTTON, EDIT, FRAME, GRID, IMAGE, LINEAR, Node, RECYCLER, Rect, TEXT};

pub(super) type N = Node<Action>;

const WIDTH: i32 = 1080;
const HEIGHT: i32 = 2400;

pub(super) fn rid(id: &str) -> String {
    format!("{PACKAGE}:id/{id}")
}

pub(super) fn r(left: i32, top: i32, right: i32, bottom: i32) -> Rect {
    Rect::new(left, top, right, bottom)
}

pub(super) fn text(bounds: Rect, label: &str) -> N {
    Node::new(TEXT, bounds).text(label)
}

/// The whole screen: the visible screen, overlays on it, then the "Try Again Later" alert.
pub(super) fn render(app: &Instagram) -> N {
    let base = app
        .stack
        .iter()
        .rposition(|screen| !screen.is_overlay())
        .unwrap_or(0);
    let mut content = Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).id("android:id/content");
    for screen in app.stack.iter().skip(base) {
        content = content.children(screen_nodes(app, screen));
    }
    let mut root = Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).child(content);
    if app.blocked {
        root = root.child(try_again_later());
    }
    if app.login_prompt {
        root = root.child(save_login_info());
    }
    if matches!(app.stack.last(), Some(Screen::Create(_))) {
        match app.create_prompts.first() {
            Some(super::CreatePrompt::Draft) => root = root.child(draft_kept()),
            Some(super::CreatePrompt::Camera) => root = root.child(camera_permission()),
            Some(super::CreatePrompt::EditsPromo) => root = root.child(edits_promo()),
            None => {}
        }
    }
    root
}

/// "Keep editing your draft?" over Create.
fn draft_kept() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).children(dialog(
        "Keep editing your draft?",
        "If you start a new video, this draft will be saved.",
        vec![
            Node::new(BUTTON, r(130, 1200, 950, 1320))
                .id(rid("auxiliary_button"))
                .text("Start new video")
                .on_tap(Action::ClosePrompt),
            Node::new(BUTTON, r(130, 1340, 950, 1460))
                .text("Keep editing")
                .on_tap(Action::Nothing),
        ],
    ))
}

/// Android's permission dialog (com.google.android.permissioncontroller in the real dump).
fn camera_permission() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).on_tap(Action::Nothing))
        .child(
            Node::new(LINEAR, r(60, 900, 1020, 1600))
                .child(text(
                    r(100, 940, 980, 1060),
                    "Allow Instagram to take pictures and record video?",
                ))
                .child(
                    Node::new(BUTTON, r(100, 1100, 980, 1200))
                        .text("While using the app")
                        .on_tap(Action::ClosePrompt),
                )
                .child(
                    Node::new(BUTTON, r(100, 1220, 980, 1320))
                        .text("Only this time")
                        .on_tap(Action::ClosePrompt),
                )
                .child(
                    Node::new(BUTTON, r(100, 1340, 980, 1440))
                        .text("Don't allow")
                        .on_tap(Action::Back),
                ),
        )
}

/// The "Edits" app's promo over the gallery: its button installs the app (Google Play comes to
/// the front); its close control dismisses it.
fn edits_promo() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).on_tap(Action::Nothing))
        .child(
            Node::new(FRAME, r(0, 1300, WIDTH, HEIGHT))
                .child(
                    Node::new(IMAGE, r(960, 1320, 1040, 1400))
                        .desc("Close")
                        .on_tap(Action::ClosePrompt),
                )
                .child(text(r(60, 1420, 1020, 1500), "Make videos with Edits"))
                .child(
                    Node::new(BUTTON, r(60, 2000, 1020, 2120))
                        .text("Get Edits")
                        .on_tap(Action::InstallEdits),
                ),
        )
}

/// "Save your login info?" after a login, over whatever the app shows.
fn save_login_info() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).on_tap(Action::Nothing))
        .child(
            Node::new(FRAME, r(0, 1500, WIDTH, HEIGHT))
                .child(text(r(60, 1540, 1020, 1620), "Save your login info?").id(rid("igds_headline_headline")))
                .child(text(
                    r(60, 1630, 1020, 1760),
                    "We'll save the login info for your account, so you won't need to enter it next time.",
                ))
                .child(Node::new(BUTTON, r(60, 1800, 1020, 1920)).text("Save").on_tap(Action::Dismiss))
                .child(Node::new(BUTTON, r(60, 1940, 1020, 2060)).text("Not now").on_tap(Action::Dismiss)),
        )
}

fn screen_nodes(app: &Instagram, screen: &Screen) -> Vec<N> {
    match screen {
        Screen::Feed => vec![feed(app), tab_bar(Tab::Home)],
        Screen::Profile(user) => vec![profile(app, user), tab_bar(Tab::Search)],
        Screen::Missing(_) => vec![missing(), tab_bar(Tab::Search)],
        Screen::Search(search) => vec![search_screen(search), tab_bar(Tab::Search)],
        Screen::FollowSheet(user) => follow_sheet(user),
        Screen::UnfollowDialog(user) => unfollow_dialog(user),
        Screen::Review(user) => review(user),
        Screen::OwnProfile => vec![own_profile(app), tab_bar(Tab::Profile)],
        Screen::AccountSwitcher => account_switcher(app),
        Screen::ShareEditor => vec![share_editor(app)],
        Screen::Composer => vec![composer(app)],
        Screen::StoryEditor => vec![story_editor()],
        Screen::OwnPost(index) => vec![own_post(app, *index)],
        Screen::Create(create) => vec![create_screen(app, create)],
        Screen::Editor => vec![editor(app)],
        Screen::Post(viewing) => vec![
            Node::new(FRAME, r(0, 0, WIDTH, 2208))
                .child(back_button())
                .child(text(r(150, 140, 800, 210), "Posts"))
                .child(post_screens::post(app, viewing.post(), 240)),
            tab_bar(Tab::Search),
        ],
        Screen::PostMissing => vec![missing(), tab_bar(Tab::Search)],
        Screen::Comments(post) => vec![post_screens::comments(app, *post)],
        Screen::Tag(tag) => vec![post_screens::tag(tag), tab_bar(Tab::Search)],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Home,
    Search,
    Profile,
}

/// The bottom bar `tab_bar`: Home, Search and explore, Create, Reels, Profile.
fn tab_bar(selected: Tab) -> N {
    let tab = |i: i32, id: &str, desc: &str, action: Action, is: bool| {
        Node::new(FRAME, r(i * 216, 2208, i * 216 + 216, 2337))
            .id(rid(id))
            .desc(desc)
            .selected(is)
            .on_tap(action)
    };
    Node::new(LINEAR, r(0, 2208, WIDTH, 2337))
        .id(rid("tab_bar"))
        .child(tab(
            0,
            "feed_tab",
            "Home",
            Action::OpenFeed,
            selected == Tab::Home,
        ))
        .child(tab(
            1,
            "search_tab",
            "Search and explore",
            Action::OpenSearch,
            selected == Tab::Search,
        ))
        .child(tab(2, "creation_tab", "Create", Action::OpenCreate, false))
        .child(tab(3, "clips_tab", "Reels", Action::Nothing, false))
        .child(tab(
            4,
            "profile_tab",
            "Profile",
            Action::OpenOwnProfile,
            selected == Tab::Profile,
        ))
}

fn feed(app: &Instagram) -> N {
    Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(text(r(40, 110, 400, 230), "Instagram").desc("Instagram"))
        .child(post_screens::post(app, app.feed_post(), 240))
}

pub(super) fn back_button() -> N {
    Node::new(IMAGE, r(0, 110, 130, 230))
        .desc("Back")
        .on_tap(Action::Back)
}

fn profile(app: &Instagram, user: &str) -> N {
    let stats = users::stats(user);
    let counter = |i: i32, id: &str, value: &str, label: &str| {
        let left = 330 + i * 250;
        Node::new(LINEAR, r(left, 300, left + 240, 460))
            .id(rid(&format!("row_profile_header_{id}_container")))
            .desc(format!("{value}{label}"))
            .on_tap(Action::Nothing)
            .child(
                text(r(left, 300, left + 240, 380), value)
                    .id(rid(&format!("row_profile_header_textview_{id}_count"))),
            )
            .child(text(r(left, 380, left + 240, 460), label))
    };
    let following = app.is_following(user);
    let requested = app.is_requested(user);
    let state = if following {
        "Following"
    } else if requested {
        "Requested"
    } else {
        "Follow"
    };
    let mut page = Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(back_button())
        .child(
            Node::new(LINEAR, r(150, 110, 800, 230))
                .id(rid("action_bar_username_container"))
                .on_tap(Action::Nothing)
                .child(text(r(150, 110, 800, 230), user).id(rid("action_bar_title"))),
        )
        .child(Node::new(IMAGE, r(40, 280, 300, 540)).desc("Profile picture"))
        .child(counter(0, "post_count", "128", "posts"))
        .child(counter(1, "followers", &stats.followers, "followers"))
        .child(counter(2, "following", &stats.following, "following"))
        .child(text(r(40, 560, 1040, 630), &display_name(user)).id(rid("profile_header_full_name")))
        .child(text(r(40, 630, 1040, 700), &users::bio(user)).id(rid("profile_header_bio_text")))
        .child(
            Node::new(BUTTON, r(40, 740, 530, 840))
                .id(rid("profile_header_follow_button"))
                .text(state)
                .on_tap(Action::ProfileFollow(user.to_string())),
        )
        .child(
            Node::new(BUTTON, r(550, 740, 1040, 840))
                .id(rid("profile_header_message_button"))
                .text("Message")
                .on_tap(Action::Nothing),
        );
    if app.private.contains(user) && !following {
        page = page.child(
            Node::new(LINEAR, r(40, 900, 1040, 1200))
                .id(rid("private_profile_empty_state"))
                .child(
                    text(r(40, 900, 1040, 980), "This account is private")
                        .id(rid("row_profile_header_empty_profile_notice_title")),
                )
                .child(text(
                    r(40, 980, 1040, 1060),
                    "Follow to see their photos and videos.",
                )),
        );
    } else {
        page = page.child(
            Node::new(GRID, r(0, 900, WIDTH, 1500))
                .scrollable()
                .children((0..3).map(|i| {
                    Node::new(IMAGE, r(i * 360, 900, i * 360 + 358, 1258))
                        .desc(format!(
                            "Photo by {} at row 1, column {}",
                            display_name(user),
                            i + 1
                        ))
                        .on_tap(Action::Nothing)
                })),
        );
    }
    // Further down, suggestions whose buttons also read "Follow".
    let suggested = users::suggested_for(user);
    page.child(text(r(40, 1540, 700, 1610), "Suggested for you"))
        .children(suggested.into_iter().take(2).enumerate().map(|(i, other)| {
            let top = 1640 + i as i32 * 200;
            Node::new(LINEAR, r(0, top, WIDTH, top + 180))
                .child(text(r(150, top + 20, 700, top + 90), &other))
                .child(
                    Node::new(BUTTON, r(760, top + 40, 1040, top + 130))
                        .text("Follow")
                        .on_tap(Action::FollowSuggested(other)),
                )
        }))
}

/// The current account's own profile: its name with a chevron that lists the accounts.
fn own_profile(app: &Instagram) -> N {
    let me = app.current_account();
    Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(
            Node::new(LINEAR, r(40, 110, 800, 230))
                .id(rid("action_bar_title_container"))
                .on_tap(Action::OpenSwitcher)
                .child(text(r(40, 110, 700, 230), me).id(rid("action_bar_title")))
                .child(
                    Node::new(IMAGE, r(700, 140, 760, 200))
                        .id(rid("action_bar_title_chevron"))
                        .desc("Switch accounts"),
                ),
        )
        .child(text(r(40, 560, 1040, 630), &display_name(me)).id(rid("profile_header_full_name")))
        .child(
            Node::new(BUTTON, r(40, 740, 530, 840))
                .text("Edit profile")
                .on_tap(Action::Nothing),
        )
        .child(
            Node::new(BUTTON, r(550, 740, 1040, 840))
                .text("Share profile")
                .on_tap(Action::Nothing),
        )
        .child(
            Node::new(GRID, r(0, 900, WIDTH, 2208))
                .scrollable()
                .children(
                    app.own_posts()
                        .into_iter()
                        .enumerate()
                        .take(9)
                        .map(|(i, post)| {
                            let (col, row) = ((i % 3) as i32, (i / 3) as i32);
                            let kind = match post.kind {
                                "reel" => "Reel",
                                "carousel" => "Carousel",
                                _ => "Photo",
                            };
                            Node::new(
                                IMAGE,
                                r(
                                    col * 360,
                                    900 + row * 360,
                                    col * 360 + 358,
                                    1258 + row * 360,
                                ),
                            )
                            .desc(format!(
                                "{kind} by {me} at row {}, column {}",
                                row + 1,
                                col + 1
                            ))
                            .on_tap(Action::OpenOwnPost(i))
                        }),
                ),
        )
}

/// A full screen of the post-making flow: Back, its `title`, and "Next" (`next_button_textview`,
/// also content-desc "Next") doing `next`.
fn with_next(title: &str, next: Action) -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(back_button())
        .child(text(r(300, 110, 780, 230), title))
        .child(
            Node::new(TEXT, r(860, 110, 1040, 230))
                .id(rid("next_button_textview"))
                .text("Next")
                .desc("Next")
                .on_tap(next),
        )
}

/// Whether the draft holds a video (its screens say "Edit video").
fn draft_has_video(app: &Instagram) -> bool {
    app.draft
        .as_ref()
        .is_some_and(|d| d.files.iter().any(|f| !f.image))
}

/// The preview of a shared file: "Edit video" (or the photos), then "Next".
fn share_editor(app: &Instagram) -> N {
    let files = app.draft.as_ref().map_or(0, |d| d.files.len());
    let title = if draft_has_video(app) {
        "Edit video"
    } else {
        "New post"
    };
    with_next(title, Action::Next).children((0..files).map(|i| {
        let i = i as i32;
        Node::new(IMAGE, r(40 + i * 120, 400, 140 + i * 120, 500))
            .desc(format!("Media {} of {files}", i + 1))
    }))
}

/// Create: the gallery (newest first) with its multi-select toggle and Next, over the mode strip.
fn create_screen(app: &Instagram, create: &Create) -> N {
    let mode = |left: i32, label: &str, id: &str, m: Mode| {
        Node::new(TEXT, r(left, 2240, left + 240, 2320))
            .id(rid(id))
            .text(label)
            .selected(create.mode == m)
            .on_tap(Action::CreateMode(m))
    };
    let newest_first: Vec<(usize, &super::SharedFile)> =
        app.gallery.iter().enumerate().rev().collect();
    let tiles = newest_first
        .into_iter()
        .take(12)
        .enumerate()
        .map(|(slot, (index, file))| {
            let (col, row) = ((slot % 4) as i32, (slot / 4) as i32);
            let (left, top) = (col * 270, 700 + row * 270);
            let order = create.selected.iter().position(|i| *i == index);
            let mut tile = Node::new("android.view.View", r(left, top, left + 268, top + 268))
                .id(rid("gallery_grid_item_thumbnail"))
                .desc(if file.image {
                    "Photo thumbnail"
                } else {
                    "Video thumbnail"
                })
                .selected(order.is_some())
                .on_tap(Action::PickTile(index));
            if create.multi {
                tile = tile.child(
                    text(
                        r(left + 200, top + 10, left + 258, top + 68),
                        &order.map(|o| (o + 1).to_string()).unwrap_or_default(),
                    )
                    .id(rid("gallery_grid_item_selection_circle")),
                );
            }
            tile
        });
    with_next("New post", Action::CreateNext)
        .child(Node::new(IMAGE, r(0, 240, WIDTH, 600)).id(rid("gallery_preview_button")))
        .child(text(r(40, 620, 400, 690), "Recents").id(rid("gallery_folder_menu")))
        .child(
            Node::new(IMAGE, r(940, 620, 1040, 690))
                .id(rid("multi_select_slide_button_alt"))
                .desc("Select multiple")
                .selected(create.multi)
                .on_tap(Action::ToggleMulti),
        )
        .child(
            Node::new(GRID, r(0, 700, WIDTH, 2220))
                .scrollable()
                .children(tiles),
        )
        .child(mode(180, "POST", "cam_dest_feed", Mode::Post))
        .child(mode(420, "STORY", "cam_dest_story", Mode::Story))
        .child(mode(660, "REEL", "cam_dest_clips", Mode::Reel))
}

/// The editor after the gallery: "Edit video" for a video, then Next to the composer.
fn editor(app: &Instagram) -> N {
    let title = if draft_has_video(app) {
        "Edit video"
    } else {
        "Edit"
    };
    with_next(title, Action::Next)
        .child(Node::new(IMAGE, r(0, 300, WIDTH, 1900)).desc("Preview"))
        .child(text(r(40, 1950, 300, 2050), "Add audio").on_tap(Action::Nothing))
        .child(text(r(320, 1950, 560, 2050), "Text").on_tap(Action::Nothing))
}

/// The composer: the caption field and "Share" (a clickable node whose label is a separate
/// TextView, as on the real app).
fn composer(app: &Instagram) -> N {
    let draft = app.draft.clone().unwrap_or_default();
    let caption = if draft.caption.is_empty() && !draft.caption_focused {
        "Write a caption...".to_string()
    } else {
        draft.caption.clone()
    };
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(back_button())
        .child(text(r(300, 110, 780, 230), "New reel"))
        .child(
            Node::new("android.widget.AutoCompleteTextView", r(40, 300, 1040, 700))
                .id(rid("caption_input_text_view"))
                .text(caption)
                .focused(draft.caption_focused)
                .on_tap(Action::FocusCaption),
        )
        .child(text(r(40, 760, 1040, 840), "Tag people").on_tap(Action::Nothing))
        .child(text(r(40, 860, 1040, 940), "Add location").on_tap(Action::Nothing))
        .child(text(r(40, 960, 1040, 1040), "Add AI label").on_tap(Action::Nothing))
        .child(
            Node::new(FRAME, r(40, 2180, 1040, 2320))
                .id(rid("share_button"))
                .desc("Share")
                .on_tap(Action::Share)
                .child(Node::new(TEXT, r(440, 2220, 640, 2280)).text("Share")),
        )
}

/// The story editor with the shared file placed.
fn story_editor() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .child(Node::new(IMAGE, r(0, 0, WIDTH, 2100)).desc("Story preview"))
        .child(
            Node::new(IMAGE, r(700, 110, 800, 210))
                .id(rid("add_text_button"))
                .desc("Text")
                .on_tap(Action::Nothing),
        )
        .child(
            Node::new(IMAGE, r(820, 110, 920, 210))
                .id(rid("asset_button"))
                .desc("Stickers")
                .on_tap(Action::Nothing),
        )
        .child(
            Node::new(LINEAR, r(0, 2150, WIDTH, 2337))
                .id(rid("story_share_controls_action_bar"))
                .child(
                    Node::new(BUTTON, r(40, 2180, 520, 2300))
                        .text("Your story")
                        .desc("Your story")
                        .on_tap(Action::ShareStory),
                )
                .child(
                    Node::new(BUTTON, r(560, 2180, 1040, 2300))
                        .text("Close Friends")
                        .on_tap(Action::Nothing),
                ),
        )
}

/// One own post, opened from the grid: its caption under the media.
fn own_post(app: &Instagram, index: usize) -> N {
    let posts = app.own_posts();
    let mut page = Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(back_button())
        .child(Node::new(IMAGE, r(0, 300, WIDTH, 1380)).desc("Post media"));
    // As the real app shows it: the owner's name, then the caption; no caption, no node.
    if let Some(post) = posts.get(index).filter(|p| !p.caption.is_empty()) {
        let shown = format!("{} {}", post.account, post.caption);
        page = page.child(
            text(r(40, 1400, 1040, 1700), &shown).id(rid("row_feed_comment_textview_layout")),
        );
    }
    page
}

/// The signed-in accounts, the current one checked, then "Add Instagram account".
fn account_switcher(app: &Instagram) -> Vec<N> {
    let row = |i: usize, name: &str| {
        let top = 1300 + i as i32 * 150;
        Node::new(LINEAR, r(0, top, WIDTH, top + 140))
            .id(rid("row_user_container"))
            .on_tap(Action::SwitchAccount(i))
            .child(text(r(200, top + 30, 900, top + 110), name).id(rid("row_user_primary_name")))
            .child(
                Node::new(IMAGE, r(940, top + 40, 1020, top + 100))
                    .checked(i == app.current)
                    .desc(if i == app.current { "Selected" } else { "" }),
            )
    };
    let rows = app
        .accounts
        .iter()
        .enumerate()
        .map(|(i, name)| row(i, name));
    let add_top = 1300 + app.accounts.len() as i32 * 150;
    vec![
        dimmer(),
        Node::new(FRAME, r(0, 1200, WIDTH, HEIGHT))
            .child(
                Node::new(IMAGE, r(490, 1210, 590, 1240)).id(rid("bottom_sheet_drag_handle_prism")),
            )
            .children(rows)
            .child(
                text(
                    r(200, add_top + 30, 900, add_top + 110),
                    "Add Instagram account",
                )
                .on_tap(Action::Nothing),
            ),
    ]
}

fn missing() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, 2208))
        .child(back_button())
        .child(text(
            r(40, 900, 1040, 990),
            "Sorry, this page isn't available.",
        ))
        .child(text(
            r(40, 1000, 1040, 1120),
            "The link you followed may be broken, or the page may have been removed.",
        ))
}

/// Search and explore: the search box over the explore grid; once tapped, the EditText with the
/// typed name and the matching accounts.
fn search_screen(search: &Search) -> N {
    let page = Node::new(FRAME, r(0, 0, WIDTH, 2208));
    if !search.editing {
        return page
            .child(
                Node::new(LINEAR, r(40, 110, 1040, 220))
                    .id(rid("action_bar_search_hints_text_layout"))
                    .on_tap(Action::EditSearch)
                    .child(text(r(120, 130, 900, 200), "Search")),
            )
            .child(
                Node::new(GRID, r(0, 240, WIDTH, 2208))
                    .scrollable()
                    .children((0..6).map(|i| {
                        let (col, row) = (i % 3, i / 3);
                        Node::new(
                            IMAGE,
                            r(col * 360, 240 + row * 480, col * 360 + 358, 718 + row * 480),
                        )
                        .desc(format!(
                            "Reel by explore at row {}, column {}",
                            row + 1,
                            col + 1
                        ))
                        .on_tap(Action::Nothing)
                    })),
            );
    }
    let query = search.query.trim().to_lowercase();
    let field = Node::new(EDIT, r(120, 110, 860, 220))
        .id(rid("action_bar_search_edit_text"))
        .text(if search.query.is_empty() {
            "Search"
        } else {
            &search.query
        })
        .focused(true);
    let mut page = page
        .child(back_button())
        .child(field)
        .child(text(r(880, 110, 1040, 220), "Cancel").on_tap(Action::Back));
    if !query.is_empty() {
        // The typed name and two look-alikes, as a real search lists near matches too.
        let names = [
            format!("{query}.fan"),
            query.clone(),
            format!("{query}_official"),
        ];
        page = page.child(
            Node::new(RECYCLER, r(0, 240, WIDTH, 2208))
                .scrollable()
                .children(names.into_iter().enumerate().map(|(i, name)| {
                    let top = 240 + i as i32 * 180;
                    Node::new(LINEAR, r(0, top, WIDTH, top + 170))
                        .id(rid("row_search_user_container"))
                        .on_tap(Action::OpenProfile(name.clone()))
                        .child(
                            Node::new(IMAGE, r(40, top + 20, 170, top + 150))
                                .id(rid("row_search_avatar")),
                        )
                        .child(
                            text(r(200, top + 20, 900, top + 90), &name)
                                .id(rid("row_search_user_username")),
                        )
                        .child(
                            text(r(200, top + 90, 900, top + 150), &display_name(&name))
                                .id(rid("row_search_user_fullname")),
                        )
                })),
        );
    }
    page
}

fn dimmer() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .id(rid("background_dimmer"))
        .on_tap(Action::Dismiss)
}

/// Tapping "Following": Close Friends, favorites, Mute, Restrict, Unfollow.
fn follow_sheet(user: &str) -> Vec<N> {
    let row = |i: i32, label: &str, action: Action| {
        let top = 1500 + i * 140;
        Node::new(LINEAR, r(0, top, WIDTH, top + 130))
            .on_tap(action)
            .child(text(r(60, top + 30, 1000, top + 100), label))
    };
    vec![
        dimmer(),
        Node::new(FRAME, r(0, 1400, WIDTH, HEIGHT))
            .child(
                Node::new(IMAGE, r(490, 1410, 590, 1440)).id(rid("bottom_sheet_drag_handle_prism")),
            )
            .child(text(r(60, 1440, 1000, 1490), user))
            .child(row(0, "Add to Close Friends list", Action::Nothing))
            .child(row(1, "Add to favorites", Action::Nothing))
            .child(row(2, "Mute", Action::Nothing))
            .child(row(3, "Restrict", Action::Nothing))
            .child(
                row(4, "Unfollow", Action::Unfollow(user.to_string()))
                    .id(rid("follow_sheet_unfollow_row")),
            ),
    ]
}

fn dialog(headline: &str, body: &str, buttons: Vec<N>) -> Vec<N> {
    vec![
        dimmer(),
        Node::new(FRAME, r(90, 800, 990, 1600))
            .id(rid("dialog_container"))
            .child(text(r(130, 840, 950, 940), headline).id(rid("igds_alert_dialog_headline")))
            .child(text(r(130, 950, 950, 1150), body).id(rid("igds_alert_dialog_subtext")))
            .children(buttons),
    ]
}

/// A private account's unfollow asks again.
fn unfollow_dialog(user: &str) -> Vec<N> {
    dialog(
        &format!("Unfollow @{user}?"),
        &format!("If you change your mind, you'll have to request to follow @{user} again."),
        vec![
            Node::new(BUTTON, r(130, 1200, 950, 1320))
                .id(rid("primary_button"))
                .text("Unfollow")
                .on_tap(Action::ConfirmUnfollow(user.to_string())),
            Node::new(BUTTON, r(130, 1340, 950, 1460))
                .text("Cancel")
                .on_tap(Action::Dismiss),
        ],
    )
}

/// "Review this account before following".
fn review(user: &str) -> Vec<N> {
    dialog(
        "Review this account before following",
        "Date joined\nMarch 2024\nAccount based in\nUnited States",
        vec![
            Node::new(BUTTON, r(130, 1200, 950, 1320))
                .text("Follow")
                .on_tap(Action::ConfirmFollow(user.to_string())),
            Node::new(BUTTON, r(130, 1340, 950, 1460))
                .text("Cancel")
                .on_tap(Action::Dismiss),
        ],
    )
}

/// The block Instagram shows when it limits an account.
fn try_again_later() -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).children(dialog(
        "Try Again Later",
        "We limit how often you can do certain things on Instagram to protect our community. \
         Tell us if you think we made a mistake.",
        vec![
            Node::new(BUTTON, r(130, 1340, 950, 1460))
                .id(rid("igds_alert_dialog_primary_button"))
                .text("OK")
                .on_tap(Action::Dismiss),
        ],
    ))
}
