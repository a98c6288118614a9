//! Relational selectors: the nodes below, above, left of, right of or inside another node, nearest
//! first — uiautomator2's `down`/`up`/`left`/`right` and Appium's relative locators, on one dump.

use crate::selector::{CompiledSelector, NodeFields};

/// A node's rectangle in screen pixels, `[left,top][right,bottom]` as uiautomator reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub left: i32,
    /// Top edge.
    pub top: i32,
    /// Right edge.
    pub right: i32,
    /// Bottom edge.
    pub bottom: i32,
}

impl Rect {
    /// Twice the centre, so halves need no rounding.
    fn centre2(&self) -> (i64, i64) {
        (
            i64::from(self.left) + i64::from(self.right),
            i64::from(self.top) + i64::from(self.bottom),
        )
    }
}

/// A node that knows where it is on the screen.
pub trait Placed {
    /// Its rectangle.
    fn rect(&self) -> Rect;
}

/// Where a node stands against the anchor node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Its top is at or under the anchor's bottom.
    Below,
    /// Its bottom is at or over the anchor's top.
    Above,
    /// Its right edge is at or left of the anchor's left edge.
    LeftOf,
    /// Its left edge is at or right of the anchor's right edge.
    RightOf,
    /// It lies within the anchor's rectangle (a child may fill it); never the anchor node itself.
    Inside,
}

impl Relation {
    /// Whether `node` stands so against `anchor`.
    pub fn holds(self, node: Rect, anchor: Rect) -> bool {
        match self {
            Relation::Below => node.top >= anchor.bottom,
            Relation::Above => node.bottom <= anchor.top,
            Relation::LeftOf => node.right <= anchor.left,
            Relation::RightOf => node.left >= anchor.right,
            Relation::Inside => {
                node.left >= anchor.left
                    && node.top >= anchor.top
                    && node.right <= anchor.right
                    && node.bottom <= anchor.bottom
            }
        }
    }
}

/// The nodes matching `target` that stand in `relation` to the node `anchor` picks (its
/// `instance`-th match, or the first), nearest first by the distance between centres; empty when
/// no node matches `anchor`. `target`'s `instance` is ignored: take the n-th of the answer.
pub fn related<'n, N: NodeFields + Placed>(
    nodes: &'n [N],
    target: &CompiledSelector,
    relation: Relation,
    anchor: &CompiledSelector,
) -> Vec<&'n N> {
    let Some(anchor_node) = anchor.find(nodes) else {
        return Vec::new();
    };
    let anchor = anchor_node.rect();
    let (ax, ay) = anchor.centre2();
    let mut found: Vec<(i64, &N)> = nodes
        .iter()
        .filter(|n| !std::ptr::eq(*n, anchor_node))
        .filter(|n| target.matches(*n) && relation.holds(n.rect(), anchor))
        .map(|n| {
            let (x, y) = n.rect().centre2();
            ((x - ax).pow(2) + (y - ay).pow(2), n)
        })
        .collect();
    // Stable: at equal distance, document order.
    found.sort_by_key(|(distance, _)| *distance);
    found.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Selector;

    struct N {
        text: &'static str,
        rect: Rect,
    }

    impl NodeFields for N {
        fn text(&self) -> &str {
            self.text
        }
        fn resource_id(&self) -> &str {
            ""
        }
        fn description(&self) -> &str {
            ""
        }
        fn class_name(&self) -> &str {
            ""
        }
        fn clickable(&self) -> bool {
            true
        }
    }

    impl Placed for N {
        fn rect(&self) -> Rect {
            self.rect
        }
    }

    fn n(text: &'static str, left: i32, top: i32) -> N {
        N {
            text,
            rect: Rect {
                left,
                top,
                right: left + 100,
                bottom: top + 50,
            },
        }
    }

    fn text(t: &str) -> CompiledSelector {
        Selector {
            text: Some(t.into()),
            ..Selector::default()
        }
        .compile()
        .expect("compiles")
    }

    /// A profile: a stats label, its Follow button under it, a suggestion's Follow further down,
    /// a Message button to its right.
    fn screen() -> Vec<N> {
        vec![
            n("Follow", 100, 900),
            n("Followers", 100, 700),
            n("Follow", 100, 780),
            n("Message", 300, 780),
            n("Follow", 100, 0),
        ]
    }

    #[test]
    fn below_is_nearest_first_and_never_above() {
        let nodes = screen();
        let found = related(&nodes, &text("Follow"), Relation::Below, &text("Followers"));
        let tops: Vec<i32> = found.iter().map(|n| n.rect.top).collect();
        assert_eq!(tops, [780, 900]);
    }

    #[test]
    fn above_left_and_right_of_pick_their_side() {
        let nodes = screen();
        let above = related(&nodes, &text("Follow"), Relation::Above, &text("Followers"));
        assert_eq!(above.iter().map(|n| n.rect.top).collect::<Vec<_>>(), [0]);
        let right = related(&nodes, &text("Message"), Relation::RightOf, &text("Follow"));
        assert_eq!(right.len(), 1);
        let left = related(&nodes, &text("Follow"), Relation::LeftOf, &text("Message"));
        assert_eq!(
            left.iter().map(|n| n.rect.top).collect::<Vec<_>>(),
            [780, 900, 0]
        );
    }

    #[test]
    fn inside_is_within_the_anchor_and_not_the_anchor() {
        let row = N {
            text: "row",
            rect: Rect {
                left: 0,
                top: 0,
                right: 1080,
                bottom: 200,
            },
        };
        let filling = N {
            text: "row",
            rect: row.rect,
        };
        let nodes = vec![row, n("row", 20, 20), n("row", 20, 300), filling];
        let inside = related(&nodes, &text("row"), Relation::Inside, &text("row"));
        // The child that fills the row is inside it; the row itself is not.
        let tops: Vec<i32> = inside.iter().map(|n| n.rect.top).collect();
        assert_eq!(tops, [0, 20], "{tops:?}");
        assert!(!std::ptr::eq(inside[0], &nodes[0]));
    }

    #[test]
    fn no_anchor_means_no_match() {
        let nodes = screen();
        assert!(related(&nodes, &text("Follow"), Relation::Below, &text("Likes")).is_empty());
    }
}
