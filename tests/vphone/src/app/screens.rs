//! How each screen of the TikTok-like app looks: view trees with the real app's ids, texts,
//! content-descs and plausible bounds on a 1080×2400 screen, each clickable node carrying its action.

use super::compose::Tap;
use super::users::{self, display_name};
use super::{
    Action, App, PACKAGE, Popup, Relation, Screen, Search, SearchTab, compose_screens,
    watch_screens,
};
use crate::ui::{
    BUTTON, EDIT, FRAME, GRID, HSCROLL, IMAGE, LINEAR, Node, RECYCLER, Rect, SEEKBAR, TEXT,
};

pub(super) type N = Node<Action>;

pub const WIDTH: i32 = 1080;
pub const HEIGHT: i32 = 2400;
const BOTTOM_BAR: Rect = Rect::new(0, 2208, WIDTH, 2337);

pub(super) fn rid(id: &str) -> String {
    format!("{PACKAGE}:id/{id}")
}

pub(super) fn r(left: i32, top: i32, right: i32, bottom: i32) -> Rect {
    Rect::new(left, top, right, bottom)
}

pub(super) fn text(bounds: Rect, label: &str) -> N {
    Node::new(TEXT, bounds).text(label)
}

/// The whole screen: the visible screen, any overlays on it, then a popup or toast on top.
pub(super) fn render(app: &App) -> N {
    let root = Node::new(FRAME, r(0, 0, WIDTH, HEIGHT));
    if !app.foreground {
        return root.children(launcher());
    }
    let base = app
        .stack
        .iter()
        .rposition(|screen| !screen.is_overlay())
        .unwrap_or(0);
    let mut content = Node::new(FRAME, r(0, 0, WIDTH, HEIGHT)).id("android:id/content");
    for screen in app.stack.iter().skip(base) {
        content = content.children(screen_nodes(app, screen));
    }
    let mut root = root.child(content);
    if let Some(percent) = app.upload_percent() {
        root = root.child(text(r(40, 200, 150, 260), &format!("{percent}%")));
    }
    match app.popup {
        Some(Popup::Notifications) => root = root.child(notifications_prompt()),
        Some(Popup::Captcha) => root = root.child(captcha(app.captcha_text())),
        None => {}
    }
    if let Some(toast) = app.toast() {
        root = root.child(text(r(140, 1900, 940, 2000), toast));
    }
    root
}

fn screen_nodes(app: &App, screen: &Screen) -> Vec<N> {
    match screen {
        Screen::Feed => feed(app),
        Screen::Profile(user) => profile(app, user),
        Screen::MissingAccount(_) => missing_account(),
        Screen::Search(search) => search_screen(app, search),
        Screen::OwnProfile => own_profile(app),
        Screen::AccountSwitcher => vec![account_switcher(app)],
        Screen::UnfollowSheet(user) => vec![unfollow_sheet(user)],
        Screen::UnfollowDialog(user) => vec![unfollow_dialog(user)],
        Screen::Compose(screen) => compose_screens::render(app, screen),
        Screen::Watch(watch) => watch_screens::page(app, watch.post()),
        Screen::Unavailable => watch_screens::unavailable(),
        Screen::Comments(post) => vec![watch_screens::comments(app, *post)],
        Screen::CommentPhotos => watch_screens::photos(app),
    }
}

fn launcher() -> Vec<N> {
    let icon = |left: i32, label: &str, action: Action| {
        Node::new(TEXT, r(left, 1900, left + 220, 2140))
            .text(label)
            .desc(label)
            .on_tap(action)
    };
    vec![
        icon(60, "Phone", Action::Nothing),
        icon(310, "Chrome", Action::Nothing),
        icon(560, "TikTok", Action::Launch),
        icon(810, "Settings", Action::Nothing),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Home,
    Profile,
}

fn bottom_bar(selected: Tab) -> N {
    let tab = |index: i32, id: &str, label: &str, action: Action, is: bool| {
        let left = index * 216;
        Node::new(
            FRAME,
            r(left, BOTTOM_BAR.top, left + 216, BOTTOM_BAR.bottom),
        )
        .id(rid(id))
        .desc(label)
        .selected(is)
        .on_tap(action)
        .child(text(r(left + 40, 2290, left + 176, 2330), label).selected(is))
    };
    Node::new(LINEAR, BOTTOM_BAR)
        .id(rid("mky"))
        .child(tab(
            0,
            "mkq",
            "Home",
            Action::OpenFeed,
            selected == Tab::Home,
        ))
        .child(tab(1, "mkp", "Friends", Action::Nothing, false))
        .child(
            Node::new(BUTTON, r(432, BOTTOM_BAR.top, 648, BOTTOM_BAR.bottom))
                .id(rid("mkn"))
                .desc("Create")
                .on_tap(Action::Compose(Tap::OpenCamera)),
        )
        .child(tab(3, "mkr", "Inbox", Action::Nothing, false))
        .child(tab(
            4,
            "mks",
            "Profile",
            Action::OpenOwnProfile,
            selected == Tab::Profile,
        ))
}

fn feed(app: &App) -> Vec<N> {
    let post = app.video_on_screen().unwrap_or_default();
    let top_tab = |left: i32, right: i32, label: &str, selected: bool| {
        Node::new(LINEAR, r(left, 110, right, 230))
            .selected(selected)
            .on_tap(Action::Nothing)
            .child(
                text(r(left + 30, 140, right - 30, 200), label)
                    .id("android:id/text1")
                    .selected(selected),
            )
    };
    vec![
        watch_screens::video(app, post, BOTTOM_BAR.top),
        Node::new(HSCROLL, r(180, 110, 900, 230)).child(
            Node::new(LINEAR, r(200, 110, 880, 230))
                .child(top_tab(200, 470, "Following", false))
                .child(top_tab(490, 800, "For You", true)),
        ),
        Node::new(IMAGE, r(960, 120, 1060, 220))
            .id(rid("irz"))
            .desc("Search")
            .on_tap(Action::OpenSearch),
        bottom_bar(Tab::Home),
    ]
}

pub(super) fn back_button() -> N {
    Node::new(IMAGE, r(0, 110, 130, 230))
        .desc("Back")
        .on_tap(Action::Back)
}

/// The stats row: values `qfw` over labels `qfv`.
fn stats_row(following: &str, followers: &str, likes: &str) -> N {
    let stat = |index: i32, value: &str, label: &str| {
        let left = 140 + index * 267;
        Node::new(LINEAR, r(left, 700, left + 266, 840))
            .on_tap(Action::Nothing)
            .child(text(r(left, 705, left + 266, 770), value).id(rid("qfw")))
            .child(text(r(left, 775, left + 266, 835), label).id(rid("qfv")))
    };
    Node::new(LINEAR, r(140, 700, 940, 840))
        .child(stat(0, following, "Following"))
        .child(stat(1, followers, "Followers"))
        .child(stat(2, likes, "Likes"))
}

pub(super) fn video_grid(top: i32, bottom: i32, tiles: i32) -> N {
    let tile = |i: i32| {
        let left = (i % 3) * 360;
        let y = top + (i / 3) * 480;
        Node::new(FRAME, r(left, y, left + 358, y + 478))
            .on_tap(Action::Nothing)
            .child(text(
                r(left + 20, y + 420, left + 200, y + 470),
                &users::compact(1_000 + i as u64 * 7_351),
            ))
    };
    Node::new(GRID, r(0, top, WIDTH, bottom))
        .id(rid("gxd"))
        .scrollable()
        .children((0..tiles).map(tile))
}

fn follow_label(relation: Relation) -> &'static str {
    match relation {
        Relation::Stranger => "Follow",
        Relation::FollowsMe => "Follow back",
        Relation::Following => "Following ",
        Relation::Friends => "Friends",
    }
}

fn profile(app: &App, user: &str) -> Vec<N> {
    let name = display_name(user);
    let stats = users::stats(user);
    let suggestion = |index: i32, other: &str| {
        let left = 40 + index * 340;
        let label = if app.is_following(other) {
            "Following"
        } else {
            "Follow back"
        };
        Node::new(LINEAR, r(left, 1190, left + 320, 1550))
            .child(
                Node::new(IMAGE, r(left + 100, 1210, left + 220, 1330))
                    .desc(format!("{} profile", display_name(other))),
            )
            .child(text(
                r(left + 10, 1340, left + 310, 1390),
                &display_name(other),
            ))
            .child(text(r(left + 10, 1395, left + 310, 1440), "Follows you"))
            .child(
                Node::new(BUTTON, r(left + 30, 1460, left + 290, 1530))
                    .text(label)
                    .on_tap(Action::ToggleFollow(other.to_string())),
            )
    };
    let suggested = Node::new(LINEAR, r(0, 1100, WIDTH, 1560))
        .child(text(r(40, 1110, 700, 1170), "Suggested accounts"))
        .child(
            Node::new(HSCROLL, r(0, 1180, WIDTH, 1560))
                .scrollable()
                .children(
                    users::suggested_for(user)
                        .iter()
                        .zip(0..)
                        .map(|(other, i)| suggestion(i, other)),
                ),
        );
    let body = Node::new(LINEAR, r(0, 250, WIDTH, HEIGHT))
        .child(
            Node::new(IMAGE, r(415, 270, 665, 520))
                .desc("Profile photo")
                .on_tap(Action::Nothing),
        )
        .child(text(r(140, 540, 940, 600), &name).id(rid("qf8")))
        .child(text(r(140, 610, 940, 670), &format!("@{user}")).id(rid("qh5")))
        .child(stats_row(&stats.following, &stats.followers, &stats.likes))
        .child(
            Node::new(LINEAR, r(140, 870, 940, 990))
                .child(
                    Node::new(TEXT, r(140, 870, 620, 990))
                        .id(rid("eme"))
                        .text(follow_label(app.relation(user)))
                        .on_tap(Action::ProfileFollow(user.to_string())),
                )
                .child(
                    Node::new(BUTTON, r(640, 870, 940, 990))
                        .text("Message")
                        .on_tap(Action::Nothing),
                ),
        )
        .child(text(r(140, 1010, 940, 1070), &users::bio(user)))
        .child(suggested)
        .child(video_grid(1580, HEIGHT, 6));
    vec![
        Node::new(FRAME, r(0, 90, WIDTH, 250))
            .child(back_button())
            .child(text(r(300, 140, 780, 210), &name))
            .child(
                Node::new(IMAGE, r(950, 110, WIDTH, 230))
                    .desc("More")
                    .on_tap(Action::Nothing),
            ),
        body,
    ]
}

fn missing_account() -> Vec<N> {
    vec![
        back_button(),
        Node::new(IMAGE, r(390, 700, 690, 1000)),
        text(r(90, 1050, 990, 1130), "Couldn't find this account"),
        text(
            r(90, 1150, 990, 1290),
            "Looking for videos? Try browsing our trending creators, hashtags, and sounds.",
        ),
    ]
}

fn search_screen(app: &App, search: &Search) -> Vec<N> {
    let mut bar = Node::new(LINEAR, r(0, 90, WIDTH, 250))
        .child(back_button())
        .child(
            Node::new(EDIT, r(130, 120, 860, 220))
                .id(rid("giv"))
                .text(search.query.clone())
                .focused(true)
                .on_tap(Action::Nothing),
        );
    if !search.query.is_empty() {
        bar = bar.child(
            Node::new(IMAGE, r(780, 135, 850, 205))
                .desc("Clear search field")
                .on_tap(Action::ClearSearch),
        );
    }
    let bar = bar.child(
        Node::new(TEXT, r(880, 120, 1060, 220))
            .id(rid("y61"))
            .text("Search")
            .on_tap(Action::SubmitSearch),
    );
    if !search.submitted {
        return vec![bar, text(r(40, 280, 1040, 340), "You may like")];
    }
    let tabs = [
        (SearchTab::Top, "Top"),
        (SearchTab::Users, "Users"),
        (SearchTab::Videos, "Videos"),
        (SearchTab::Sounds, "Sounds"),
    ];
    let tab_row = Node::new(HSCROLL, r(0, 250, WIDTH, 350)).children(tabs.iter().zip(0..).map(
        |((tab, label), i)| {
            Node::new(TEXT, r(i * 270, 250, (i + 1) * 270, 350))
                .text(*label)
                .selected(search.tab == *tab)
                .on_tap(Action::ShowSearchTab(*tab))
        },
    ));
    let query = users::normalize(&search.query);
    let results = match search.tab {
        SearchTab::Top | SearchTab::Users => user_results(app, &query),
        SearchTab::Videos => watch_screens::video_results(&search.query, 350),
        SearchTab::Sounds => video_grid(350, HEIGHT, 6),
    };
    vec![bar, tab_row, results]
}

fn user_results(app: &App, query: &str) -> N {
    if !app.exists(query) {
        return Node::new(FRAME, r(0, 350, WIDTH, HEIGHT))
            .child(text(r(90, 900, 990, 980), "No results found"))
            .child(text(
                r(90, 1000, 990, 1060),
                "Check your spelling or try another search",
            ));
    }
    let row = |i: i32, user: &str| {
        let y = 360 + i * 220;
        let label = match app.relation(user) {
            Relation::Stranger | Relation::FollowsMe => "Follow",
            Relation::Following => "Following",
            Relation::Friends => "Friends",
        };
        Node::new(LINEAR, r(0, y, WIDTH, y + 220))
            .on_tap(Action::OpenProfile(user.to_string()))
            .child(Node::new(IMAGE, r(40, y + 30, 200, y + 190)))
            .child(
                Node::new(LINEAR, r(230, y + 30, 780, y + 200))
                    .child(text(r(230, y + 35, 780, y + 95), user).id(rid("ye2")))
                    .child(text(r(230, y + 100, 780, y + 145), &display_name(user)))
                    .child(text(
                        r(230, y + 150, 780, y + 195),
                        &format!("{} followers", users::stats(user).followers),
                    )),
            )
            .child(
                Node::new(BUTTON, r(800, y + 70, 1040, y + 150))
                    .id(rid("rdh"))
                    .text(label)
                    .on_tap(Action::ToggleFollow(user.to_string())),
            )
    };
    Node::new(RECYCLER, r(0, 350, WIDTH, HEIGHT))
        .scrollable()
        .children(
            users::search_results(query)
                .iter()
                .filter(|user| app.exists(user))
                .zip(0..)
                .map(|(user, i)| row(i, user)),
        )
}

fn own_profile(app: &App) -> Vec<N> {
    let me = app.current_account();
    let stats = users::stats(me);
    let following = app
        .following()
        .get(me)
        .map(|users| users.len())
        .unwrap_or(0);
    vec![
        Node::new(FRAME, r(0, 90, WIDTH, 250))
            .child(
                Node::new(IMAGE, r(0, 110, 130, 230))
                    .desc("Add friends")
                    .on_tap(Action::Nothing),
            )
            .child(
                Node::new(TEXT, r(300, 120, 780, 220))
                    .text(me)
                    .desc("Switch account")
                    .on_tap(Action::OpenSwitcher),
            )
            .child(
                Node::new(IMAGE, r(950, 110, WIDTH, 230))
                    .desc("Profile menu")
                    .on_tap(Action::Nothing),
            ),
        Node::new(LINEAR, r(0, 250, WIDTH, BOTTOM_BAR.top))
            .child(
                Node::new(IMAGE, r(415, 270, 665, 520))
                    .desc("Profile photo")
                    .on_tap(Action::Nothing),
            )
            .child(
                Node::new(IMAGE, r(600, 440, 680, 520))
                    .desc("Create a Story")
                    .on_tap(Action::Nothing),
            )
            .child(text(r(140, 560, 940, 620), &format!("@{me}")).id(rid("qh5")))
            .child(stats_row(
                &users::compact(following as u64),
                &stats.followers,
                &stats.likes,
            ))
            .child(
                Node::new(LINEAR, r(140, 870, 940, 990))
                    .child(
                        Node::new(TEXT, r(140, 870, 620, 990))
                            .text("Edit profile")
                            .on_tap(Action::Nothing),
                    )
                    .child(
                        Node::new(TEXT, r(640, 870, 940, 990))
                            .text("Share profile")
                            .on_tap(Action::Nothing),
                    ),
            )
            .child(video_grid(1100, BOTTOM_BAR.top, 3)),
        bottom_bar(Tab::Profile),
    ]
}

/// A dimmed full-screen layer holding a sheet or dialog; `outside` is what a tap beside it does.
pub(super) fn dim(outside: Action, panel: N) -> N {
    Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
        .on_tap(outside)
        .child(panel)
}

fn account_switcher(app: &App) -> N {
    let count = app.accounts().len() as i32 + 1;
    let top = (HEIGHT - 140 - count * 150 - 60).max(300);
    let row = |i: i32, account: &str| {
        let y = top + 140 + i * 150;
        let mut node = Node::new(LINEAR, r(0, y, WIDTH, y + 150))
            .on_tap(Action::SwitchAccount(i as usize))
            .child(Node::new(IMAGE, r(40, y + 20, 150, y + 130)))
            .child(text(r(190, y + 45, 900, y + 105), account));
        if account == app.current_account() {
            node = node.desc("Current account");
        }
        node
    };
    let add_y = top + 140 + (count - 1) * 150;
    let sheet = Node::new(LINEAR, r(0, top, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(0, top + 30, WIDTH, top + 110), "Switch account"))
        .children(
            app.accounts()
                .iter()
                .zip(0..)
                .map(|(account, i)| row(i, account)),
        )
        .child(
            Node::new(LINEAR, r(0, add_y, WIDTH, add_y + 150))
                .on_tap(Action::Nothing)
                .child(text(r(190, add_y + 45, 900, add_y + 105), "Add account")),
        );
    dim(Action::Back, sheet)
}

fn unfollow_sheet(user: &str) -> N {
    let sheet = Node::new(LINEAR, r(0, 1620, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(60, 1660, 1020, 1730), &display_name(user)))
        .child(
            Node::new(LINEAR, r(0, 1780, WIDTH, 1920))
                .child(Node::new(IMAGE, r(60, 1810, 140, 1890)))
                .child(
                    Node::new(TEXT, r(180, 1800, WIDTH, 1900))
                        .text("Customise name")
                        .on_tap(Action::Nothing),
                ),
        )
        .child(
            Node::new(LINEAR, r(0, 1940, WIDTH, 2080))
                .child(Node::new(IMAGE, r(60, 1970, 140, 2050)))
                .child(
                    Node::new(TEXT, r(180, 1960, WIDTH, 2060))
                        .text("Unfollow")
                        .on_tap(Action::Unfollow(user.to_string())),
                ),
        );
    dim(Action::Back, sheet)
}

fn unfollow_dialog(user: &str) -> N {
    let dialog = Node::new(LINEAR, r(90, 900, 990, 1500))
        .child(text(r(150, 960, 930, 1040), "Unfollow this person?"))
        .child(text(
            r(150, 1060, 930, 1200),
            &format!("You and {} will no longer be friends.", display_name(user)),
        ))
        .child(
            Node::new(BUTTON, r(90, 1350, 540, 1500))
                .text("Cancel")
                .on_tap(Action::Back),
        )
        .child(
            Node::new(BUTTON, r(540, 1350, 990, 1500))
                .text("Unfollow")
                .on_tap(Action::ConfirmUnfollow(user.to_string())),
        );
    dim(Action::Nothing, dialog)
}

fn notifications_prompt() -> N {
    let dialog = Node::new(LINEAR, r(90, 800, 990, 1600))
        .child(text(r(150, 850, 930, 930), "Turn on notifications?"))
        .child(text(
            r(150, 950, 930, 1100),
            "Get notified when someone follows you, comments, or mentions you.",
        ))
        .child(
            Node::new(BUTTON, r(120, 1420, 540, 1560))
                .text("Not now")
                .on_tap(Action::DismissPopup),
        )
        .child(
            Node::new(BUTTON, r(540, 1420, 960, 1560))
                .text("Turn on")
                .on_tap(Action::DismissPopup),
        );
    dim(Action::Nothing, dialog)
}

fn captcha(wording: Option<&str>) -> N {
    // The classic slider carries a heading; other puzzles only their own instruction.
    let (heading, instruction) = match wording {
        None => ("Verify to continue", "Drag the slider to fit the puzzle"),
        Some(wording) => ("", wording),
    };
    let panel = Node::new(LINEAR, r(60, 700, 1020, 1700))
        .child(text(r(120, 740, 960, 820), heading))
        .child(text(r(120, 840, 960, 910), instruction))
        .child(Node::new(IMAGE, r(120, 940, 960, 1440)))
        .child(
            Node::new(SEEKBAR, r(120, 1500, 960, 1600))
                .desc("Slider")
                .on_tap(Action::Nothing),
        );
    dim(Action::Nothing, panel)
}
