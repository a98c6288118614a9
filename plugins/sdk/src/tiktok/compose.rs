//! Reading TikTok's post-making screens: camera, gallery tiles, editor, sound sheet, volume sliders,
//! caption screen, publish prompt and upload progress. Pure functions over a UI dump, tested
//! natively; [`super::gallery`] drives them to the gallery.

use super::id_matches;
use crate::{Bounds, Node};

/// The obfuscated resource-ids of the post-making screens (TikTok 43.1.4); one signal among text and
/// content-desc, never the only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostIds {
    /// Bottom bar: Create (a Button, content-desc "Create").
    pub create: &'static str,
    /// Bottom bar container.
    pub bottom_bar: &'static str,
    /// Camera: Upload (a FrameLayout without text).
    pub upload: &'static str,
    /// Gallery: Next ("Next", "Next (N)").
    pub gallery_next: &'static str,
    /// Editor: the clickable container of Next.
    pub editor_next: &'static str,
    /// Editor: the "Next" label.
    pub editor_next_label: &'static str,
    /// Caption screen: the description EditText.
    pub caption: &'static str,
    /// Caption screen: Post.
    pub post: &'static str,
}

pub const IDS: PostIds = PostIds {
    create: "mkn",
    bottom_bar: "mky",
    upload: "ymg",
    gallery_next: "uyb",
    editor_next: "ntn",
    editor_next_label: "ntq",
    caption: "g19",
    post: "qrb",
};

fn eq_ci(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b)
}

fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    haystack.to_lowercase().contains(needle_lower)
}

fn labelled<'a>(nodes: &'a [Node], label: &str) -> Option<&'a Node> {
    nodes
        .iter()
        .find(|n| eq_ci(&n.text, label) || eq_ci(&n.description, label))
}

/// The bottom bar's Create button (content-desc "Create" or its id).
pub fn create_button(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| eq_ci(&n.description, "create") || id_matches(&n.resource_id, IDS.create))
}

/// Whether the app's bottom bar shows (the feed, a tab).
pub fn bottom_bar_shown(nodes: &[Node]) -> bool {
    create_button(nodes).is_some()
        || nodes
            .iter()
            .any(|n| id_matches(&n.resource_id, IDS.bottom_bar))
}

/// The camera's Upload control: its id, or a node reading "Upload".
pub fn upload_button(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, IDS.upload))
        .or_else(|| labelled(nodes, "upload"))
}

/// The gallery's Next button ("Next" or "Next (N)"), by id or by text on a Button.
pub fn gallery_next(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, IDS.gallery_next))
        .or_else(|| {
            nodes
                .iter()
                .rev()
                .find(|n| n.class_name.ends_with("Button") && n.text.trim().starts_with("Next"))
        })
}

/// How many items the gallery's Next says are selected: "Next (3)" → 3, plain "Next" → None.
pub fn next_count(next: &Node) -> Option<u32> {
    let inner = next
        .text
        .trim()
        .strip_prefix("Next")?
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    inner.trim().parse().ok()
}

/// Whether the gallery overlay is open ("Select multiple" or the gallery's Next).
pub fn gallery_open(nodes: &[Node]) -> bool {
    labelled(nodes, "select multiple").is_some()
        || nodes
            .iter()
            .any(|n| id_matches(&n.resource_id, IDS.gallery_next))
}

/// A gallery tab ("All", "Videos", "Photos").
pub fn gallery_tab<'a>(nodes: &'a [Node], label: &str) -> Option<&'a Node> {
    nodes.iter().find(|n| eq_ci(&n.text, label))
}

/// The "Select multiple" control, and whether it is on (it or its label is selected/checked).
pub fn select_multiple(nodes: &[Node]) -> Option<(&Node, bool)> {
    let label = nodes.iter().find(|n| eq_ci(&n.text, "select multiple"))?;
    let on = label.selected
        || label.checked
        || nodes
            .iter()
            .any(|n| n.clickable && label.is_inside(n) && (n.selected || n.checked));
    Some((label, on))
}

fn about(value: u32, target: u32) -> bool {
    value.abs_diff(target) * 5 <= target
}

/// The gallery's tiles, newest first: clickable, text-less nodes of about 354×357 px (±20%).
pub fn gallery_tiles(nodes: &[Node]) -> Vec<&Node> {
    nodes
        .iter()
        .filter(|n| n.clickable && n.text.trim().is_empty() && n.description.trim().is_empty())
        .filter(|n| about(n.bounds.width(), 354) && about(n.bounds.height(), 357))
        .collect()
}

/// Where to tap to select a tile: its select circle (a smaller clickable node inside it), else the tile.
pub fn tile_target<'a>(nodes: &'a [Node], tile: &'a Node) -> &'a Node {
    nodes
        .iter()
        .filter(|n| n.clickable && !std::ptr::eq(*n, tile) && n.is_inside(tile))
        .find(|n| n.bounds.width() < tile.bounds.width() / 2)
        .unwrap_or(tile)
}

/// The editor's Next: the `ntn` container, else the `ntq` label, else a "Next" text when the editor's
/// sound chip shows.
pub fn editor_next(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, IDS.editor_next))
        .or_else(|| {
            nodes
                .iter()
                .find(|n| id_matches(&n.resource_id, IDS.editor_next_label))
        })
        .or_else(|| {
            let editor = nodes.iter().any(|n| eq_ci(&n.description, "add sound"));
            editor
                .then(|| nodes.iter().rev().find(|n| eq_ci(&n.text, "next")))
                .flatten()
        })
}

/// The sound chip at the top of the editor (content-desc "Add sound", or a node reading "Add sound").
pub fn sound_chip(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| n.clickable && eq_ci(&n.description, "add sound"))
        .or_else(|| labelled(nodes, "add sound"))
}

/// The sound the editor shows: the chip's text (or a text inside it) unless it reads "Add sound".
pub fn current_sound(nodes: &[Node]) -> Option<String> {
    let chip = sound_chip(nodes)?;
    let text = if chip.text.trim().is_empty() {
        nodes
            .iter()
            .find(|n| !n.text.trim().is_empty() && n.is_inside(chip))
            .map(|n| n.text.trim())?
    } else {
        chip.text.trim()
    };
    (!eq_ci(text, "add sound")).then(|| text.to_string())
}

/// The sound sheet's search field (an EditText below the editor's top bar).
pub fn sound_search_field(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| n.class_name.ends_with("EditText") && n.bounds.top > 300)
}

/// The sheet's rows: wide clickable nodes below the search field, in order.
pub fn sound_rows<'a>(nodes: &'a [Node], field: &Node, screen_width: u32) -> Vec<&'a Node> {
    nodes
        .iter()
        .filter(|n| {
            n.clickable
                && n.bounds.top >= field.bounds.bottom
                && n.bounds.width() * 10 >= screen_width * 8
        })
        .filter(|n| n.bounds.height() < 400)
        .collect()
}

/// The text of a row (its own, else the first text inside it).
pub fn row_text<'a>(nodes: &'a [Node], row: &'a Node) -> &'a str {
    if !row.text.trim().is_empty() {
        return row.text.trim();
    }
    nodes
        .iter()
        .find(|n| !n.text.trim().is_empty() && n.is_inside(row))
        .map_or("", |n| n.text.trim())
}

/// The x to tap on a SeekBar for `value` (0..=100), inside its bounds.
pub fn seek_x(bounds: &Bounds, value: u8) -> u32 {
    let width = i64::from(bounds.width());
    let x = i64::from(bounds.left) + width * i64::from(value.min(100)) / 100;
    x.clamp(i64::from(bounds.left), i64::from(bounds.right) - 1)
        .max(0) as u32
}

/// The SeekBars on screen, top to bottom.
pub fn seekbars(nodes: &[Node]) -> Vec<&Node> {
    let mut bars: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.class_name.ends_with("SeekBar"))
        .collect();
    bars.sort_by_key(|n| n.bounds.top);
    bars
}

/// The caption field: `g19`, else the first EditText.
pub fn caption_field(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, IDS.caption))
        .or_else(|| nodes.iter().find(|n| n.class_name.ends_with("EditText")))
}

/// Whether the caption screen shows (its field or its Post button).
pub fn caption_screen(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .any(|n| id_matches(&n.resource_id, IDS.caption) || id_matches(&n.resource_id, IDS.post))
        || (labelled(nodes, "add link").is_some() && labelled(nodes, "drafts").is_some())
}

/// The keyboard's character counter ("12/4000"), shown while the caption has focus.
pub fn caption_counter(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| {
        n.text.trim().split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
    })
}

/// The full Post button (`qrb`, else the lowest Button reading "Post").
pub fn post_button(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, IDS.post))
        .or_else(|| {
            nodes
                .iter()
                .filter(|n| n.class_name.ends_with("Button") && eq_ci(&n.text, "post"))
                .max_by_key(|n| n.bounds.top)
        })
}

/// "Publish now" of the "Publish video publicly?" prompt.
pub fn publish_now(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| eq_ci(&n.text, "publish now"))
}

/// "Use sound" on a sound page.
pub fn use_sound(nodes: &[Node]) -> Option<&Node> {
    labelled(nodes, "use sound")
}

/// The control with this exact label (text or content-desc, case-insensitive).
pub fn labelled_node<'a>(nodes: &'a [Node], label: &str) -> Option<&'a Node> {
    labelled(nodes, label)
}

/// The upload progress: a "NN%" text at the top-left (x ≤ 160, y ≤ 320).
pub fn upload_percent(nodes: &[Node]) -> Option<u8> {
    nodes.iter().find_map(|n| {
        let digits = n.text.trim().strip_suffix('%')?;
        let top_left = n.bounds.left <= 160 && n.bounds.top <= 320;
        (top_left && !digits.is_empty() && digits.len() <= 3)
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// A text saying the post went up ("Posted", "... successfully ...").
pub fn posted_notice(nodes: &[Node]) -> Option<&Node> {
    nodes
        .iter()
        .find(|n| eq_ci(&n.text, "posted") || contains_ci(&n.text, "successfully"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(
        text: &str,
        id: &str,
        desc: &str,
        class: &str,
        b: (i32, i32, i32, i32),
        clickable: bool,
    ) -> Node {
        Node {
            text: text.into(),
            resource_id: if id.is_empty() {
                String::new()
            } else {
                format!("com.zhiliaoapp.musically:id/{id}")
            },
            class_name: format!("android.widget.{class}"),
            description: desc.into(),
            package: "com.zhiliaoapp.musically".into(),
            clickable,
            enabled: true,
            selected: false,
            checked: false,
            bounds: Bounds {
                left: b.0,
                top: b.1,
                right: b.2,
                bottom: b.3,
            },
        }
    }

    #[test]
    fn gallery_tiles_and_their_circles() {
        let nodes = vec![
            node("", "", "", "FrameLayout", (0, 0, 1080, 2400), true),
            node("", "", "", "FrameLayout", (0, 420, 354, 777), true),
            node("", "", "", "TextView", (274, 430, 344, 500), true),
            node("", "", "", "FrameLayout", (363, 420, 717, 777), true),
            node("Next", "uyb", "", "Button", (560, 2220, 1040, 2330), false),
        ];
        let tiles = gallery_tiles(&nodes);
        assert_eq!(tiles.len(), 2);
        assert_eq!(tile_target(&nodes, tiles[0]).bounds.left, 274);
        assert_eq!(tile_target(&nodes, tiles[1]).bounds.left, 363);
        assert!(gallery_open(&nodes));
        assert_eq!(next_count(gallery_next(&nodes).unwrap()), None);
        let three = node("Next (3)", "", "", "Button", (560, 2220, 1040, 2330), true);
        assert_eq!(next_count(&three), Some(3));
    }

    #[test]
    fn upload_progress_only_counts_at_the_top_left() {
        let shown = [node("63%", "", "", "TextView", (40, 200, 150, 260), false)];
        assert_eq!(upload_percent(&shown), Some(63));
        let elsewhere = [node(
            "63%",
            "",
            "",
            "TextView",
            (500, 1200, 600, 1260),
            false,
        )];
        assert_eq!(upload_percent(&elsewhere), None);
        assert_eq!(
            upload_percent(&[node("%", "", "", "TextView", (40, 200, 150, 260), false)]),
            None
        );
    }

    #[test]
    fn seek_positions_stay_inside_the_bar() {
        let b = Bounds {
            left: 90,
            top: 0,
            right: 990,
            bottom: 10,
        };
        assert_eq!(seek_x(&b, 0), 90);
        assert_eq!(seek_x(&b, 20), 270);
        assert_eq!(seek_x(&b, 100), 989);
    }

    #[test]
    fn editor_sound_and_next() {
        let nodes = vec![
            node(
                "",
                "",
                "Add sound",
                "LinearLayout",
                (290, 110, 790, 210),
                true,
            ),
            node(
                "Trending beat",
                "",
                "",
                "TextView",
                (370, 120, 780, 200),
                false,
            ),
            node("", "ntn", "", "LinearLayout", (560, 2200, 1040, 2330), true),
            node("Next", "ntq", "", "TextView", (700, 2230, 900, 2300), false),
        ];
        assert_eq!(current_sound(&nodes).as_deref(), Some("Trending beat"));
        assert_eq!(editor_next(&nodes).unwrap().bounds.left, 560);
        let none = [
            node(
                "",
                "",
                "Add sound",
                "LinearLayout",
                (290, 110, 790, 210),
                true,
            ),
            node("Add sound", "", "", "TextView", (370, 120, 780, 200), false),
        ];
        assert_eq!(current_sound(&none), None);
    }

    #[test]
    fn caption_screen_parts() {
        let nodes = vec![
            node(
                "Add description...",
                "g19",
                "",
                "EditText",
                (40, 300, 760, 700),
                true,
            ),
            node("20/4000", "", "", "TextView", (40, 1350, 400, 1430), false),
            node("Post", "", "", "TextView", (860, 1350, 1040, 1430), true),
        ];
        assert!(caption_screen(&nodes));
        assert!(caption_counter(&nodes).is_some());
        assert!(
            post_button(&nodes).is_none(),
            "the compact Post is not the Post button"
        );
        assert!(caption_counter(&[node("1/3", "", "", "TextView", (0, 0, 1, 1), false)]).is_some());
        assert!(caption_counter(&[node("a/b", "", "", "TextView", (0, 0, 1, 1), false)]).is_none());
    }
}
