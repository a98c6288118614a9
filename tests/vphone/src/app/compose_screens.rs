//! How the post-making screens look: camera, gallery overlay, editor and its sheets, caption screen,
//! publish prompt and sound page, with the real app's ids (`ymg`, `uyb`, `ntn`/`ntq`, `g19`, `qrb`).

use super::compose::{
    ComposeScreen, GalleryTab, PRODUCTS, Tap, Track, sound_results, typing_hashtag,
};
use super::screens::{N, back_button, dim, r, rid, text, video_grid};
use super::{Action, App, HEIGHT, WIDTH};
use crate::media::Kind;
use crate::ui::{BUTTON, EDIT, FRAME, HSCROLL, IMAGE, LINEAR, Node, RECYCLER, SEEKBAR, TEXT};

/// Tiles the gallery shows at once (four rows of three); older media are scrolled away.
const GALLERY_TILES: usize = 12;
const CAPTION_LIMIT: usize = 4000;

fn tap(action: Tap) -> Action {
    Action::Compose(action)
}

pub(super) fn render(app: &App, screen: &ComposeScreen) -> Vec<N> {
    match screen {
        ComposeScreen::Camera { sound } => camera(sound.as_deref()),
        ComposeScreen::Gallery(gallery) => vec![gallery_overlay(app, gallery)],
        ComposeScreen::Editor => editor(app),
        ComposeScreen::VolumePanel => vec![volume_panel(app)],
        ComposeScreen::SoundSheet { query } => vec![sound_sheet(app, query)],
        ComposeScreen::Caption { focused } => caption(app, *focused),
        ComposeScreen::LinkSheet => vec![link_sheet()],
        ComposeScreen::ProductPicker => product_picker(),
        ComposeScreen::PublishDialog => vec![publish_dialog()],
        ComposeScreen::SoundPage(name) => sound_page(name),
    }
}

/// A clickable tool: a container with a content-desc and a label under it.
fn tool(bounds: crate::ui::Rect, label: &str, action: Action) -> N {
    let b = bounds;
    Node::new(LINEAR, b)
        .desc(label)
        .on_tap(action)
        .child(Node::new(
            IMAGE,
            r(b.left + 20, b.top, b.right - 20, b.bottom - 40),
        ))
        .child(text(r(b.left, b.bottom - 40, b.right, b.bottom), label))
}

fn sound_chip(sound: Option<&str>, action: Action) -> N {
    Node::new(LINEAR, r(290, 110, 790, 210))
        .desc("Add sound")
        .on_tap(action)
        .child(Node::new(IMAGE, r(300, 130, 360, 190)))
        .child(text(r(370, 120, 780, 200), sound.unwrap_or("Add sound")))
}

fn camera(sound: Option<&str>) -> Vec<N> {
    let rail = ["Flip", "Speed", "Beauty", "Filters", "Timer"]
        .iter()
        .zip(0..)
        .map(|(label, i)| {
            tool(
                r(930, 300 + i * 150, 1060, 430 + i * 150),
                label,
                Action::Nothing,
            )
        });
    let modes = ["10m", "60s", "15s", "PHOTO", "TEXT"]
        .iter()
        .zip(0..)
        .map(|(label, i)| {
            Node::new(TEXT, r(140 + i * 160, 2130, 290 + i * 160, 2200))
                .text(*label)
                .selected(*label == "15s")
                .on_tap(Action::Nothing)
        });
    vec![
        Node::new(FRAME, r(0, 0, WIDTH, HEIGHT))
            .child(
                Node::new(IMAGE, r(30, 110, 150, 230))
                    .desc("Close camera")
                    .on_tap(Action::Back),
            )
            .child(sound_chip(sound, Action::Nothing))
            .children(rail)
            .child(
                Node::new(FRAME, r(60, 1950, 200, 2090))
                    .id(rid("ymg"))
                    .on_tap(tap(Tap::OpenGallery))
                    .child(Node::new(IMAGE, r(70, 1960, 190, 2080))),
            )
            .child(
                Node::new(IMAGE, r(250, 1950, 370, 2070))
                    .desc("Effects")
                    .on_tap(Action::Nothing),
            )
            .child(
                Node::new(IMAGE, r(440, 1900, 640, 2100))
                    .desc("Record video")
                    .on_tap(Action::Nothing),
            )
            .child(Node::new(HSCROLL, r(0, 2130, WIDTH, 2200)).children(modes))
            .child(text(r(380, 2260, 520, 2330), "POST").selected(true))
            .child(
                Node::new(TEXT, r(560, 2260, 740, 2330))
                    .text("CREATE")
                    .on_tap(Action::Nothing),
            ),
    ]
}

fn gallery_overlay(app: &App, gallery: &super::compose::Gallery) -> N {
    let tabs = [
        (GalleryTab::All, "All"),
        (GalleryTab::Videos, "Videos"),
        (GalleryTab::Photos, "Photos"),
    ];
    let tab_row = Node::new(LINEAR, r(0, 300, WIDTH, 400)).children(tabs.iter().zip(0..).map(
        |((tab, label), i)| {
            Node::new(TEXT, r(i * 360, 300, (i + 1) * 360, 400))
                .text(*label)
                .selected(gallery.tab == *tab)
                .on_tap(tap(Tap::GalleryTab(*tab)))
        },
    ));
    let shown = app
        .media()
        .items()
        .iter()
        .rev()
        .filter(|item| gallery.tab.shows(item.kind))
        .take(GALLERY_TILES);
    let tiles = shown.zip(0..).map(|(item, i)| {
        let left = (i % 3) * 363;
        let top = 420 + (i / 3) * 366;
        let position = gallery.selected.iter().position(|id| *id == item.id);
        let mut circle = Node::new(TEXT, r(left + 274, top + 10, left + 344, top + 80))
            .checked(position.is_some())
            .on_tap(tap(Tap::SelectCircle(item.id)));
        if let (true, Some(p)) = (gallery.multi, position) {
            circle = circle.text((p + 1).to_string());
        }
        let mut tile = Node::new(FRAME, r(left, top, left + 354, top + 357))
            .on_tap(tap(Tap::Tile(item.id)))
            .child(Node::new(IMAGE, r(left, top, left + 354, top + 357)));
        if item.kind == Kind::Video {
            tile = tile.child(text(
                r(left + 220, top + 300, left + 340, top + 350),
                "00:15",
            ));
        }
        tile.child(circle)
    });
    let count = gallery.selected.len();
    let label = if gallery.multi && count > 0 {
        format!("Next ({count})")
    } else {
        "Next".to_string()
    };
    let mut next = Node::new(BUTTON, r(560, 2220, 1040, 2330))
        .id(rid("uyb"))
        .text(label);
    if count > 0 {
        next = next.on_tap(tap(Tap::GalleryNext));
    }
    let panel = Node::new(LINEAR, r(0, 160, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(
            Node::new(IMAGE, r(0, 180, 130, 290))
                .desc("Back")
                .on_tap(tap(Tap::CloseOverlay)),
        )
        .child(text(r(380, 190, 700, 270), "Recents"))
        .child(tab_row)
        .child(
            Node::new(RECYCLER, r(0, 410, WIDTH, 2200))
                .scrollable()
                .children(tiles),
        )
        .child(
            Node::new(LINEAR, r(40, 2220, 500, 2330))
                .selected(gallery.multi)
                .on_tap(tap(Tap::ToggleMultiSelect))
                .child(text(r(60, 2240, 480, 2310), "Select multiple").selected(gallery.multi)),
        )
        .child(next);
    dim(Action::Nothing, panel)
}

fn editor(app: &App) -> Vec<N> {
    let draft = app.draft();
    let sound = draft.and_then(|d| d.sound.as_deref());
    let files = draft.map_or(0, |d| d.media.len());
    let mut preview =
        Node::new(FRAME, r(0, 250, WIDTH, 2000)).child(Node::new(IMAGE, r(0, 250, WIDTH, 2000)));
    if files > 1 {
        preview = preview.child(text(r(480, 1900, 600, 1960), &format!("1/{files}")));
    }
    let tools = ["Edit", "Text", "Stickers", "Effects", "Filters", "Volume"]
        .iter()
        .zip(0..)
        .map(|(label, i)| {
            let action = if *label == "Volume" {
                tap(Tap::OpenVolume)
            } else {
                Action::Nothing
            };
            tool(r(930, 300 + i * 150, 1060, 430 + i * 150), label, action)
        });
    vec![
        preview,
        back_button(),
        sound_chip(sound, tap(Tap::OpenSoundSheet)),
        Node::new(LINEAR, r(920, 290, 1070, 1220)).children(tools),
        Node::new(LINEAR, r(40, 2200, 520, 2330))
            .on_tap(Action::Nothing)
            .child(Node::new(IMAGE, r(60, 2230, 130, 2300)))
            .child(text(r(150, 2230, 500, 2300), "Your Story")),
        Node::new(LINEAR, r(560, 2200, 1040, 2330))
            .id(rid("ntn"))
            .on_tap(tap(Tap::EditorNext))
            .child(text(r(700, 2230, 900, 2300), "Next").id(rid("ntq"))),
    ]
}

fn volume_panel(app: &App) -> N {
    let (original, added) = app
        .draft()
        .map_or((50, 50), |d| (d.original_volume, d.added_volume));
    let slider = |top: i32, label: &str, track: Track, value: u8| {
        [
            text(r(90, top, 990, top + 60), label),
            Node::new(SEEKBAR, r(90, top + 70, 990, top + 150))
                .text(value.to_string())
                .on_tap(tap(Tap::Seek {
                    track,
                    left: 90,
                    right: 990,
                })),
        ]
    };
    let panel = Node::new(LINEAR, r(0, 1500, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(60, 1530, 600, 1600), "Volume"))
        .child(
            Node::new(TEXT, r(860, 1530, 1040, 1600))
                .text("Done")
                .on_tap(tap(Tap::CloseOverlay)),
        )
        .children(slider(1650, "Original sound", Track::Original, original))
        .children(slider(1850, "Added sound", Track::Added, added));
    dim(Action::Nothing, panel)
}

fn sound_sheet(app: &App, query: &str) -> N {
    let mut panel = Node::new(LINEAR, r(0, 900, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(60, 930, 600, 1010), "Sounds"));
    if let Some(current) = app.draft().and_then(|d| d.sound.as_deref()) {
        panel = panel.child(
            Node::new(LINEAR, r(0, 1030, WIDTH, 1130))
                .child(text(r(60, 1050, 900, 1110), current))
                .child(
                    Node::new(IMAGE, r(940, 1040, 1040, 1120))
                        .desc("Remove sound")
                        .on_tap(tap(Tap::RemoveSound)),
                ),
        );
    }
    let field_text = if query.is_empty() {
        "Search sounds"
    } else {
        query
    };
    let rows = sound_results(query).into_iter().zip(0..).map(|(name, i)| {
        let top = 1280 + i * 160;
        Node::new(LINEAR, r(0, top, WIDTH, top + 160))
            .on_tap(tap(Tap::PickSound(name.clone())))
            .child(Node::new(IMAGE, r(40, top + 20, 160, top + 140)))
            .child(text(r(190, top + 30, 1040, top + 90), &name))
            .child(text(r(190, top + 95, 1040, top + 140), "Recommended"))
    });
    let panel = panel
        .child(
            Node::new(EDIT, r(40, 1150, 1040, 1250))
                .text(field_text)
                .focused(true)
                .on_tap(Action::Nothing),
        )
        .child(
            Node::new(RECYCLER, r(0, 1270, WIDTH, HEIGHT))
                .scrollable()
                .children(rows),
        );
    dim(tap(Tap::CloseOverlay), panel)
}

fn caption(app: &App, focused: bool) -> Vec<N> {
    let draft = app.draft();
    let caption = draft.map_or("", |d| d.caption.as_str());
    let shown = if caption.is_empty() {
        "Add description..."
    } else {
        caption
    };
    let mut link = Node::new(LINEAR, r(0, 860, WIDTH, 980))
        .on_tap(tap(Tap::OpenLinkSheet))
        .child(Node::new(IMAGE, r(40, 880, 120, 960)))
        .child(text(r(150, 890, 560, 950), "Add link"));
    if let Some(product) = draft.and_then(|d| d.product.as_deref()) {
        link = link.child(text(r(600, 890, 1040, 950), product));
    }
    let mut nodes = vec![
        back_button(),
        text(r(400, 130, 680, 210), "Post"),
        Node::new(EDIT, r(40, 300, 760, 700))
            .id(rid("g19"))
            .text(shown)
            .focused(focused)
            .on_tap(tap(Tap::FocusCaption)),
        Node::new(IMAGE, r(790, 300, 1040, 640))
            .desc("Select cover")
            .on_tap(Action::Nothing),
        Node::new(BUTTON, r(40, 720, 300, 800))
            .text("# Hashtags")
            .on_tap(Action::Nothing),
        Node::new(BUTTON, r(320, 720, 580, 800))
            .text("@ Mention")
            .on_tap(Action::Nothing),
        link,
        Node::new(LINEAR, r(0, 1000, WIDTH, 1120))
            .on_tap(Action::Nothing)
            .child(text(
                r(150, 1030, 1040, 1090),
                "Everyone can view this post",
            )),
        Node::new(LINEAR, r(0, 1140, WIDTH, 1260))
            .on_tap(Action::Nothing)
            .child(text(r(150, 1170, 1040, 1230), "More options")),
    ];
    if !focused {
        nodes.push(
            Node::new(BUTTON, r(40, 2220, 520, 2330))
                .text("Drafts")
                .on_tap(Action::Nothing),
        );
        nodes.push(
            Node::new(BUTTON, r(560, 2220, 1040, 2330))
                .id(rid("qrb"))
                .text("Post")
                .on_tap(tap(Tap::Post)),
        );
        return nodes;
    }
    // The keyboard is up: the bottom buttons are under it; a counter and a compact Post show above it.
    let count = caption.chars().count();
    nodes.push(text(
        r(40, 1350, 400, 1430),
        &format!("{count}/{CAPTION_LIMIT}"),
    ));
    nodes.push(
        Node::new(TEXT, r(860, 1350, 1040, 1430))
            .text("Post")
            .on_tap(tap(Tap::Post)),
    );
    if let Some(tag) = typing_hashtag(caption) {
        let suggestions = [tag.to_string(), format!("{tag}challenge")];
        nodes.push(
            Node::new(RECYCLER, r(0, 820, WIDTH, 1500))
                .scrollable()
                .children(suggestions.into_iter().zip(0..).map(|(s, i)| {
                    let top = 830 + i * 150;
                    Node::new(LINEAR, r(0, top, WIDTH, top + 150))
                        .on_tap(tap(Tap::PickHashtag(s.clone())))
                        .child(text(r(60, top + 30, 1040, top + 90), &s))
                        .child(text(r(60, top + 95, 1040, top + 140), "12.4M views"))
                })),
        );
    }
    nodes
}

fn link_sheet() -> N {
    let row = |top: i32, label: &str, action: Action| {
        Node::new(LINEAR, r(0, top, WIDTH, top + 140))
            .on_tap(action)
            .child(Node::new(IMAGE, r(40, top + 30, 120, top + 110)))
            .child(text(r(150, top + 40, 1040, top + 100), label))
    };
    let panel = Node::new(LINEAR, r(0, 1600, WIDTH, HEIGHT))
        .on_tap(Action::Nothing)
        .child(text(r(60, 1630, 600, 1700), "Add link"))
        .child(row(1740, "Product", tap(Tap::OpenProducts)))
        .child(row(1900, "Lead generation", Action::Nothing));
    dim(tap(Tap::CloseOverlay), panel)
}

fn product_picker() -> Vec<N> {
    let rows = PRODUCTS.iter().zip(0..).map(|(name, i)| {
        let top = 300 + i * 220;
        Node::new(LINEAR, r(0, top, WIDTH, top + 220))
            .child(Node::new(IMAGE, r(40, top + 30, 200, top + 190)))
            .child(text(r(230, top + 50, 780, top + 110), name))
            .child(text(r(230, top + 120, 780, top + 170), "$12.99"))
            .child(
                Node::new(BUTTON, r(820, top + 70, 1040, top + 150))
                    .text("Add")
                    .on_tap(tap(Tap::AddProduct(name.to_string()))),
            )
    });
    vec![
        back_button(),
        text(r(300, 130, 780, 210), "Add product"),
        Node::new(RECYCLER, r(0, 280, WIDTH, HEIGHT))
            .scrollable()
            .children(rows),
    ]
}

fn publish_dialog() -> N {
    let dialog = Node::new(LINEAR, r(90, 850, 990, 1550))
        .child(text(r(150, 900, 930, 980), "Publish video publicly?"))
        .child(text(
            r(150, 1000, 930, 1140),
            "Everyone on TikTok will be able to see your video.",
        ))
        .child(
            Node::new(BUTTON, r(90, 1400, 540, 1550))
                .text("Cancel")
                .on_tap(tap(Tap::CloseOverlay)),
        )
        .child(
            Node::new(BUTTON, r(540, 1400, 990, 1550))
                .text("Publish now")
                .on_tap(tap(Tap::PublishNow)),
        );
    dim(Action::Nothing, dialog)
}

fn sound_page(name: &str) -> Vec<N> {
    vec![
        back_button(),
        Node::new(IMAGE, r(60, 300, 360, 600)).desc("Sound cover"),
        text(r(400, 320, 1040, 400), name),
        text(r(400, 410, 1040, 460), "original sound"),
        text(r(400, 470, 1040, 520), "12.3K videos"),
        Node::new(BUTTON, r(400, 540, 800, 620))
            .text("Add to Favorites")
            .on_tap(Action::Nothing),
        video_grid(700, 2100, 6),
        Node::new(LINEAR, r(160, 2150, 920, 2290))
            .on_tap(tap(Tap::UseSound(name.to_string())))
            .child(text(r(400, 2190, 680, 2250), "Use sound")),
    ]
}
