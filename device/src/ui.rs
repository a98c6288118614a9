//! uiautomator dump parsing, and selector matching on the parsed nodes.
//! A dump is parsed once into nodes in document order; the matching rules are `phonefleet-rules`'.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

pub use phonefleet_rules::selector::{CompiledSelector, NodeFields, Selector};

/// Why a dump or a selector cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// The dump is not well-formed uiautomator XML (or is not a dump at all).
    #[error("the UI dump is not valid XML: {0}")]
    BadXml(String),
    /// `text_regex` does not compile.
    #[error(transparent)]
    BadRegex(#[from] phonefleet_rules::BadRegex),
}

/// Pixel rectangle `[left,top][right,bottom]`, as uiautomator reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Bounds {
    /// Left edge (inclusive).
    pub left: i32,
    /// Top edge (inclusive).
    pub top: i32,
    /// Right edge (exclusive).
    pub right: i32,
    /// Bottom edge (exclusive).
    pub bottom: i32,
}

impl Bounds {
    /// The centre point, where a tap should land.
    pub fn center(&self) -> (i32, i32) {
        (
            midpoint(self.left, self.right),
            midpoint(self.top, self.bottom),
        )
    }

    /// Whether the point lies inside (left/top inclusive, right/bottom exclusive).
    pub fn contains(&self, x: i32, y: i32) -> bool {
        self.left <= x && x < self.right && self.top <= y && y < self.bottom
    }

    /// Parses `[x1,y1][x2,y2]`.
    fn parse(value: &str) -> Option<Bounds> {
        let rest = value.trim().strip_prefix('[')?;
        let (first, rest) = rest.split_once("][")?;
        let second = rest.strip_suffix(']')?;
        let (left, top) = parse_point(first)?;
        let (right, bottom) = parse_point(second)?;
        Some(Bounds {
            left,
            top,
            right,
            bottom,
        })
    }
}

/// Midpoint of two coordinates without overflow.
fn midpoint(a: i32, b: i32) -> i32 {
    ((i64::from(a) + i64::from(b)) / 2) as i32
}

/// Parses `x,y`.
fn parse_point(text: &str) -> Option<(i32, i32)> {
    let (x, y) = text.split_once(',')?;
    Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
}

/// One visible node of the UI hierarchy.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Node {
    /// `text`.
    pub text: String,
    /// `resource-id`, with its package prefix (`pkg:id/name`), or empty.
    pub resource_id: String,
    /// `class`, e.g. `android.widget.TextView`.
    pub class_name: String,
    /// `content-desc`.
    pub description: String,
    /// `package`.
    pub package: String,
    /// `clickable`.
    pub clickable: bool,
    /// `enabled`.
    pub enabled: bool,
    /// `selected`.
    pub selected: bool,
    /// `checked`.
    pub checked: bool,
    /// `bounds`.
    pub bounds: Bounds,
}

/// A parsed uiautomator dump: its nodes in document order.
#[derive(Clone, Debug)]
pub struct Dump {
    nodes: Vec<Node>,
}

impl Dump {
    /// Parses the XML of `uiautomator dump` in one pass.
    ///
    /// Text before `<hierarchy>` (such as `UI hierchary dumped to: ...` when the dump was printed
    /// after `uiautomator dump FILE &&`) and anything after `</hierarchy>` are ignored.
    pub fn parse(xml: &str) -> Result<Dump, UiError> {
        let mut reader = Reader::from_str(xml);
        let mut nodes = Vec::new();
        // Open elements inside <hierarchy>; None until it opens.
        let mut open: Option<u32> = None;
        loop {
            let event = reader.read_event().map_err(|e| bad_xml(&reader, e))?;
            match (event, open) {
                (Event::Start(e), None) if e.local_name().as_ref() == b"hierarchy" => {
                    open = Some(0)
                }
                (Event::Empty(e), None) if e.local_name().as_ref() == b"hierarchy" => break,
                (Event::Start(e), Some(depth)) => {
                    if e.local_name().as_ref() == b"node" {
                        nodes.push(parse_node(&reader, &e)?);
                    }
                    open = Some(depth + 1);
                }
                (Event::Empty(e), Some(_)) if e.local_name().as_ref() == b"node" => {
                    nodes.push(parse_node(&reader, &e)?);
                }
                (Event::End(_), Some(0)) => break,
                (Event::End(_), Some(depth)) => open = Some(depth - 1),
                (Event::Eof, None) => {
                    return Err(UiError::BadXml("no <hierarchy> element".to_owned()));
                }
                (Event::Eof, Some(_)) => {
                    return Err(UiError::BadXml(
                        "the document ends inside <hierarchy>".to_owned(),
                    ));
                }
                _ => {}
            }
        }
        Ok(Dump { nodes })
    }

    /// Every node, in document order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node the selector picks: its `instance`-th match (0-based, document order), or the first.
    pub fn find(&self, sel: &CompiledSelector) -> Option<&Node> {
        sel.find(&self.nodes)
    }

    /// Every matching node in document order; with `instance` set, only that one (if it exists).
    pub fn find_all(&self, sel: &CompiledSelector) -> Vec<&Node> {
        sel.find_all(&self.nodes)
    }
}

impl NodeFields for Node {
    fn text(&self) -> &str {
        &self.text
    }
    fn resource_id(&self) -> &str {
        &self.resource_id
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn class_name(&self) -> &str {
        &self.class_name
    }
    fn clickable(&self) -> bool {
        self.clickable
    }
}

/// Reads one `<node>`'s attributes.
///
/// Only the attributes a [`Node`] keeps are decoded, and flags are compared raw (`true` has no
/// escapes): a dump of 2,000 nodes carries ~17 attributes each, most of which no selector reads.
fn parse_node(reader: &Reader<&[u8]>, e: &BytesStart<'_>) -> Result<Node, UiError> {
    let mut node = Node::default();
    // uiautomator never repeats an attribute; skip quick-xml's quadratic duplicate check.
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| bad_xml(reader, err))?;
        let flag = attr.value.as_ref() == b"true";
        let text = match attr.key.as_ref() {
            b"text" => &mut node.text,
            b"resource-id" => &mut node.resource_id,
            b"class" => &mut node.class_name,
            b"content-desc" => &mut node.description,
            b"package" => &mut node.package,
            b"clickable" => {
                node.clickable = flag;
                continue;
            }
            b"enabled" => {
                node.enabled = flag;
                continue;
            }
            b"selected" => {
                node.selected = flag;
                continue;
            }
            b"checked" => {
                node.checked = flag;
                continue;
            }
            b"bounds" => {
                let value = attr
                    .decode_and_unescape_value(reader.decoder())
                    .map_err(|err| bad_xml(reader, err))?;
                node.bounds = Bounds::parse(&value).ok_or_else(|| {
                    UiError::BadXml(format!(
                        "malformed bounds {value:?} at byte {}",
                        reader.buffer_position()
                    ))
                })?;
                continue;
            }
            _ => continue,
        };
        *text = attr
            .decode_and_unescape_value(reader.decoder())
            .map_err(|err| bad_xml(reader, err))?
            .into_owned();
    }
    Ok(node)
}

/// A quick-xml error with the position it happened at.
fn bad_xml(reader: &Reader<&[u8]>, err: impl std::fmt::Display) -> UiError {
    UiError::BadXml(format!("{err} (at byte {})", reader.error_position()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another user's TikTok profile (43.1.4 layout): a "Follow" control, then suggested accounts with "Follow back".
    const PROFILE: &str = include_str!("../fixtures/profile.xml");

    fn profile() -> Dump {
        Dump::parse(PROFILE).expect("the fixture parses")
    }

    fn find(dump: &Dump, sel: Selector) -> Option<&Node> {
        dump.find(&sel.compile().expect("selector compiles"))
    }

    fn find_all(dump: &Dump, sel: Selector) -> Vec<&Node> {
        dump.find_all(&sel.compile().expect("selector compiles"))
    }

    fn texts<'a>(nodes: &[&'a Node]) -> Vec<&'a str> {
        nodes.iter().map(|n| n.text.as_str()).collect()
    }

    #[test]
    fn every_node_is_parsed_in_document_order() {
        let dump = profile();
        assert_eq!(dump.nodes().len(), 42);
        let root = &dump.nodes()[0];
        assert_eq!(root.class_name, "android.widget.FrameLayout");
        assert_eq!(
            root.bounds,
            Bounds {
                left: 0,
                top: 0,
                right: 1080,
                bottom: 2400
            }
        );
        assert_eq!(dump.nodes()[2].description, "Back");
    }

    #[test]
    fn node_attributes_are_all_read() {
        let dump = profile();
        let follow = find(
            &dump,
            Selector {
                text: Some("Follow".into()),
                ..Default::default()
            },
        )
        .expect("Follow");
        assert_eq!(
            *follow,
            Node {
                text: "Follow".into(),
                resource_id: "com.zhiliaoapp.musically:id/eme".into(),
                class_name: "android.widget.TextView".into(),
                description: String::new(),
                package: "com.zhiliaoapp.musically".into(),
                clickable: true,
                enabled: true,
                selected: false,
                checked: false,
                bounds: Bounds {
                    left: 228,
                    top: 780,
                    right: 612,
                    bottom: 888
                },
            }
        );
    }

    #[test]
    fn selected_flag_is_read() {
        let dump = profile();
        let tab = find(
            &dump,
            Selector {
                description: Some("Profile".into()),
                ..Default::default()
            },
        )
        .expect("tab");
        assert!(tab.selected);
        let home = find(
            &dump,
            Selector {
                description: Some("Home".into()),
                ..Default::default()
            },
        )
        .expect("tab");
        assert!(!home.selected);
    }

    #[test]
    fn escaped_attributes_are_unescaped() {
        let dump = profile();
        let name = find(
            &dump,
            Selector {
                resource_id: Some("qf8".into()),
                ..Default::default()
            },
        )
        .expect("name");
        assert_eq!(name.text, "NASA & Friends");
        let bio = find(
            &dump,
            Selector {
                text_contains: Some("universe".into()),
                ..Default::default()
            },
        )
        .expect("bio");
        assert_eq!(
            bio.text,
            "Exploring the universe 🚀 \"for all\"\nScience <3"
        );
    }

    #[test]
    fn text_matches_the_whole_text_only() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                text: Some("Follow".into()),
                ..Default::default()
            },
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource_id, "com.zhiliaoapp.musically:id/eme");
    }

    #[test]
    fn text_contains_matches_a_substring() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                text_contains: Some("Follow".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            texts(&found),
            [
                "Following",
                "Followers",
                "Follow",
                "Follow back",
                "Follow back",
                "Follow back"
            ]
        );
    }

    #[test]
    fn text_regex_matches_the_whole_value() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                text_regex: Some("Follow( back)?".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            texts(&found),
            ["Follow", "Follow back", "Follow back", "Follow back"]
        );
        // Unanchored, "Follow" would also hit "Following" and "Followers".
        let partial = find_all(
            &dump,
            Selector {
                text_regex: Some("Follow".into()),
                ..Default::default()
            },
        );
        assert_eq!(texts(&partial), ["Follow"]);
    }

    #[test]
    fn text_regex_alternation_stays_anchored() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                text_regex: Some("Likes|Home".into()),
                ..Default::default()
            },
        );
        assert_eq!(texts(&found), ["Likes", "Home"]);
        let none = find_all(
            &dump,
            Selector {
                text_regex: Some("ikes|Hom".into()),
                ..Default::default()
            },
        );
        assert!(none.is_empty());
    }

    #[test]
    fn resource_id_matches_the_short_name() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                resource_id: Some("qfv".into()),
                ..Default::default()
            },
        );
        assert_eq!(texts(&found), ["Following", "Followers", "Likes"]);
    }

    #[test]
    fn resource_id_matches_the_full_id() {
        let dump = profile();
        let found = find(
            &dump,
            Selector {
                resource_id: Some("com.zhiliaoapp.musically:id/qh5".into()),
                ..Default::default()
            },
        );
        assert_eq!(found.map(|n| n.text.as_str()), Some("@nasa"));
    }

    #[test]
    fn resource_id_does_not_match_a_partial_name() {
        let dump = profile();
        assert!(
            find(
                &dump,
                Selector {
                    resource_id: Some("qh".into()),
                    ..Default::default()
                }
            )
            .is_none()
        );
        assert!(
            find(
                &dump,
                Selector {
                    resource_id: Some("id/qh5".into()),
                    ..Default::default()
                }
            )
            .is_none()
        );
    }

    #[test]
    fn description_matches_the_whole_content_desc() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                description: Some("Profile photo".into()),
                ..Default::default()
            },
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].bounds.center(), (540, 372));
    }

    #[test]
    fn description_contains_matches_a_substring() {
        let dump = profile();
        let found = find_all(
            &dump,
            Selector {
                description_contains: Some("Profile".into()),
                ..Default::default()
            },
        );
        let descs: Vec<&str> = found.iter().map(|n| n.description.as_str()).collect();
        assert_eq!(descs, ["Profile photo", "Profile"]);
    }

    #[test]
    fn class_name_matches_exactly() {
        let dump = profile();
        let buttons = find_all(
            &dump,
            Selector {
                class_name: Some("android.widget.Button".into()),
                ..Default::default()
            },
        );
        assert_eq!(buttons.len(), 5, "Message, three Follow back, Create");
        assert!(
            find(
                &dump,
                Selector {
                    class_name: Some("Button".into()),
                    ..Default::default()
                }
            )
            .is_none()
        );
    }

    #[test]
    fn clickable_filters_on_the_flag() {
        let dump = profile();
        let label = Selector {
            text: Some("Home".into()),
            ..Default::default()
        };
        assert!(
            find(
                &dump,
                Selector {
                    clickable: Some(false),
                    ..label.clone()
                }
            )
            .is_some()
        );
        assert!(
            find(
                &dump,
                Selector {
                    clickable: Some(true),
                    ..label
                }
            )
            .is_none()
        );
    }

    #[test]
    fn fields_combine_with_and() {
        let dump = profile();
        let sel = Selector {
            text: Some("Follow back".into()),
            class_name: Some("android.widget.Button".into()),
            resource_id: Some("rdh".into()),
            clickable: Some(true),
            ..Default::default()
        };
        assert_eq!(find_all(&dump, sel.clone()).len(), 3);
        assert!(
            find(
                &dump,
                Selector {
                    description: Some("Follow back".into()),
                    ..sel
                }
            )
            .is_none()
        );
    }

    #[test]
    fn instance_picks_the_nth_match_in_document_order() {
        let dump = profile();
        let sel = Selector {
            text: Some("Follow back".into()),
            instance: Some(1),
            ..Default::default()
        };
        let second = find(&dump, sel.clone()).expect("a second Follow back");
        assert_eq!(second.bounds.left, 372 + 48);
        assert_eq!(find_all(&dump, sel), vec![second]);
    }

    #[test]
    fn instance_past_the_last_match_finds_nothing() {
        let dump = profile();
        let sel = Selector {
            text: Some("Follow back".into()),
            instance: Some(3),
            ..Default::default()
        };
        assert!(find(&dump, sel.clone()).is_none());
        assert!(find_all(&dump, sel).is_empty());
    }

    #[test]
    fn empty_selector_matches_every_node() {
        let dump = profile();
        assert_eq!(
            find_all(&dump, Selector::default()).len(),
            dump.nodes().len()
        );
    }

    #[test]
    fn bad_xml_is_a_typed_error() {
        let err =
            Dump::parse(r#"<hierarchy rotation="0"><node text="a"></hierarchy>"#).unwrap_err();
        assert!(matches!(err, UiError::BadXml(_)), "{err}");
    }

    #[test]
    fn truncated_dump_is_bad_xml() {
        let cut = &PROFILE[..PROFILE.len() / 2];
        let cut = &cut[..cut.rfind('>').expect("a tag") + 1];
        assert!(matches!(Dump::parse(cut), Err(UiError::BadXml(_))));
    }

    #[test]
    fn uiautomator_error_text_is_bad_xml() {
        let err = Dump::parse("ERROR: could not get idle state.\n").unwrap_err();
        assert!(matches!(err, UiError::BadXml(_)), "{err}");
    }

    #[test]
    fn malformed_bounds_are_bad_xml() {
        let xml = r#"<hierarchy rotation="0"><node text="a" bounds="[0,0][10]" /></hierarchy>"#;
        assert!(matches!(Dump::parse(xml), Err(UiError::BadXml(_))));
    }

    #[test]
    fn dump_preceded_by_the_dumped_to_line_parses() {
        let output = format!("UI hierchary dumped to: /data/local/tmp/u.xml\n{PROFILE}");
        assert_eq!(Dump::parse(&output).expect("parses").nodes().len(), 42);
    }

    #[test]
    fn single_line_dump_with_empty_hierarchy_has_no_nodes() {
        let xml = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"></hierarchy>";
        assert!(Dump::parse(xml).expect("parses").nodes().is_empty());
    }

    #[test]
    fn bounds_center_and_contains() {
        let b = Bounds {
            left: 228,
            top: 780,
            right: 612,
            bottom: 888,
        };
        assert_eq!(b.center(), (420, 834));
        assert!(b.contains(228, 780));
        assert!(b.contains(611, 887));
        assert!(!b.contains(612, 834));
        assert!(!b.contains(420, 779));
    }

    #[test]
    fn a_regex_and_an_instance_pick_among_two_thousand_nodes() {
        let mut xml = String::from(
            r#"<hierarchy rotation="0"><node class="android.widget.FrameLayout" bounds="[0,0][1080,2400]">"#,
        );
        for i in 0..2000 {
            xml.push_str(&format!(
                r#"<node index="{i}" text="item {i}" resource-id="com.zhiliaoapp.musically:id/ye2" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" clickable="false" bounds="[0,{i}][1080,{}]" />"#,
                i + 1
            ));
        }
        xml.push_str("</node></hierarchy>");
        let dump = Dump::parse(&xml).expect("parses");
        let sel = Selector {
            text_regex: Some("item 19\\d\\d".into()),
            resource_id: Some("ye2".into()),
            instance: Some(99),
            ..Default::default()
        }
        .compile()
        .expect("compiles");
        assert_eq!(dump.find(&sel).map(|n| n.text.as_str()), Some("item 1999"));
    }
}
