//! A builder for the host-evaluated selectors of the `ui` interface: every field set must match (AND).
//! Prefer text and content-desc; resource-ids change with every app build.

use crate::bindings::phonefleet::script::types as wit;
use core::fmt;

/// Which UI nodes to match; build with the constructors and chain the refinements.
///
/// ```
/// use phonefleet_sdk::Selector;
/// let follow = Selector::text("Follow").clickable(true);
/// let search = Selector::desc("Search");
/// let second_tab = Selector::id("android:id/text1").instance(1);
/// let user_row = Selector::class("android.widget.TextView").with_text_regex("(?i)@?nasa");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector(phonefleet_rules::Selector);

impl Selector {
    /// Matches every node.
    pub fn any() -> Self {
        Self::default()
    }
    /// Nodes whose text is exactly `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Self::any().with_text(text)
    }
    /// Nodes whose text contains `part`.
    pub fn text_contains(part: impl Into<String>) -> Self {
        Self::any().with_text_contains(part)
    }
    /// Nodes whose whole text matches the regex (evaluated by the host, Rust `regex` syntax).
    pub fn text_regex(regex: impl Into<String>) -> Self {
        Self::any().with_text_regex(regex)
    }
    /// Nodes with this resource-id: the whole id, or a short one (`"eme"`) matching the part after `:id/`.
    pub fn id(resource_id: impl Into<String>) -> Self {
        Self::any().with_id(resource_id)
    }
    /// Nodes whose content-desc is exactly `desc`.
    pub fn desc(desc: impl Into<String>) -> Self {
        Self::any().with_desc(desc)
    }
    /// Nodes whose content-desc contains `part`.
    pub fn desc_contains(part: impl Into<String>) -> Self {
        Self::any().with_desc_contains(part)
    }
    /// Nodes of this class (`android.widget.EditText`).
    pub fn class(class_name: impl Into<String>) -> Self {
        Self::any().with_class(class_name)
    }

    /// Also require this exact text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.0.text = Some(text.into());
        self
    }
    /// Also require the text to contain `part`.
    pub fn with_text_contains(mut self, part: impl Into<String>) -> Self {
        self.0.text_contains = Some(part.into());
        self
    }
    /// Also require the whole text to match the regex (evaluated by the host).
    pub fn with_text_regex(mut self, regex: impl Into<String>) -> Self {
        self.0.text_regex = Some(regex.into());
        self
    }
    /// Also require this resource-id (whole, or the short part after `:id/`).
    pub fn with_id(mut self, resource_id: impl Into<String>) -> Self {
        self.0.resource_id = Some(resource_id.into());
        self
    }
    /// Also require this exact content-desc.
    pub fn with_desc(mut self, desc: impl Into<String>) -> Self {
        self.0.description = Some(desc.into());
        self
    }
    /// Also require the content-desc to contain `part`.
    pub fn with_desc_contains(mut self, part: impl Into<String>) -> Self {
        self.0.description_contains = Some(part.into());
        self
    }
    /// Also require this class.
    pub fn with_class(mut self, class_name: impl Into<String>) -> Self {
        self.0.class_name = Some(class_name.into());
        self
    }
    /// Also require the node to be (or not be) clickable.
    pub fn clickable(mut self, clickable: bool) -> Self {
        self.0.clickable = Some(clickable);
        self
    }
    /// Take the n-th (0-based, document order) of the matching nodes.
    pub fn instance(mut self, n: u32) -> Self {
        self.0.instance = Some(n);
        self
    }

    /// Whether `node` matches this selector, evaluated here in the guest by the same rules the host
    /// uses (`phonefleet-rules`). `instance` is ignored; an invalid `text_regex` matches nothing.
    pub fn matches(&self, node: &crate::Node) -> bool {
        self.0
            .compile()
            .is_ok_and(|compiled| compiled.matches(node))
    }

    /// The nodes among `nodes` that match this selector and stand in `relation` to the node
    /// `anchor` picks, nearest first — uiautomator2's `d(text="Followers").down(text="Follow")` is
    /// `Selector::text("Follow").near(nodes, Relation::Below, &Selector::text("Followers"))`.
    /// Empty when `anchor` matches nothing. Fails only on a `text_regex` that does not compile.
    pub fn near<'n>(
        &self,
        nodes: &'n [crate::Node],
        relation: phonefleet_rules::Relation,
        anchor: &Selector,
    ) -> crate::Result<Vec<&'n crate::Node>> {
        let bad = |e: phonefleet_rules::BadRegex| crate::Error::failed(e.to_string());
        let (target, anchor) = (
            self.0.compile().map_err(bad)?,
            anchor.0.compile().map_err(bad)?,
        );
        Ok(phonefleet_rules::relation::related(
            nodes, &target, relation, &anchor,
        ))
    }

    /// The WIT record sent to the host.
    pub fn to_wit(&self) -> wit::Selector {
        let s = &self.0;
        wit::Selector {
            text: s.text.clone(),
            text_contains: s.text_contains.clone(),
            text_regex: s.text_regex.clone(),
            resource_id: s.resource_id.clone(),
            description: s.description.clone(),
            description_contains: s.description_contains.clone(),
            class_name: s.class_name.clone(),
            clickable: s.clickable,
            instance: s.instance,
        }
    }
}

impl fmt::Display for Selector {
    /// How the selector reads in an error message: `text="Follow" clickable=true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl phonefleet_rules::Placed for crate::Node {
    fn rect(&self) -> phonefleet_rules::Rect {
        let b = &self.bounds;
        phonefleet_rules::Rect {
            left: b.left,
            top: b.top,
            right: b.right,
            bottom: b.bottom,
        }
    }
}

impl phonefleet_rules::NodeFields for crate::Node {
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
