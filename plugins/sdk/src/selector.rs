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
pub struct Selector {
    text: Option<String>,
    text_contains: Option<String>,
    text_regex: Option<String>,
    resource_id: Option<String>,
    description: Option<String>,
    description_contains: Option<String>,
    class_name: Option<String>,
    clickable: Option<bool>,
    instance: Option<u32>,
}

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
        self.text = Some(text.into());
        self
    }
    /// Also require the text to contain `part`.
    pub fn with_text_contains(mut self, part: impl Into<String>) -> Self {
        self.text_contains = Some(part.into());
        self
    }
    /// Also require the whole text to match the regex (evaluated by the host).
    pub fn with_text_regex(mut self, regex: impl Into<String>) -> Self {
        self.text_regex = Some(regex.into());
        self
    }
    /// Also require this resource-id (whole, or the short part after `:id/`).
    pub fn with_id(mut self, resource_id: impl Into<String>) -> Self {
        self.resource_id = Some(resource_id.into());
        self
    }
    /// Also require this exact content-desc.
    pub fn with_desc(mut self, desc: impl Into<String>) -> Self {
        self.description = Some(desc.into());
        self
    }
    /// Also require the content-desc to contain `part`.
    pub fn with_desc_contains(mut self, part: impl Into<String>) -> Self {
        self.description_contains = Some(part.into());
        self
    }
    /// Also require this class.
    pub fn with_class(mut self, class_name: impl Into<String>) -> Self {
        self.class_name = Some(class_name.into());
        self
    }
    /// Also require the node to be (or not be) clickable.
    pub fn clickable(mut self, clickable: bool) -> Self {
        self.clickable = Some(clickable);
        self
    }
    /// Take the n-th (0-based, document order) of the matching nodes.
    pub fn instance(mut self, n: u32) -> Self {
        self.instance = Some(n);
        self
    }

    /// Whether `node` matches this selector, evaluated here in the guest (regexes excepted: a selector with
    /// `text_regex` never matches here). `instance` is ignored. Short ids match any package's `:id/` prefix.
    pub fn matches(&self, node: &crate::Node) -> bool {
        fn opt(v: &Option<String>, f: impl FnOnce(&str) -> bool) -> bool {
            v.as_deref().is_none_or(f)
        }
        self.text_regex.is_none()
            && opt(&self.text, |t| node.text == t)
            && opt(&self.text_contains, |t| node.text.contains(t))
            && opt(&self.resource_id, |id| {
                crate::tiktok::id_matches(&node.resource_id, id)
            })
            && opt(&self.description, |d| node.description == d)
            && opt(&self.description_contains, |d| node.description.contains(d))
            && opt(&self.class_name, |c| node.class_name == c)
            && self.clickable.is_none_or(|c| node.clickable == c)
    }

    /// The WIT record sent to the host (which matches a short id against the part after `:id/`).
    pub fn to_wit(&self) -> wit::Selector {
        wit::Selector {
            text: self.text.clone(),
            text_contains: self.text_contains.clone(),
            text_regex: self.text_regex.clone(),
            resource_id: self.resource_id.clone(),
            description: self.description.clone(),
            description_contains: self.description_contains.clone(),
            class_name: self.class_name.clone(),
            clickable: self.clickable,
            instance: self.instance,
        }
    }
}

impl fmt::Display for Selector {
    /// A short human description for error messages: `text 'Follow', clickable`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(v) = &self.text {
            parts.push(format!("text '{v}'"));
        }
        if let Some(v) = &self.text_contains {
            parts.push(format!("text containing '{v}'"));
        }
        if let Some(v) = &self.text_regex {
            parts.push(format!("text matching /{v}/"));
        }
        if let Some(v) = &self.resource_id {
            parts.push(format!("id '{v}'"));
        }
        if let Some(v) = &self.description {
            parts.push(format!("content-desc '{v}'"));
        }
        if let Some(v) = &self.description_contains {
            parts.push(format!("content-desc containing '{v}'"));
        }
        if let Some(v) = &self.class_name {
            parts.push(format!("class {v}"));
        }
        if let Some(v) = self.clickable {
            parts.push(if v {
                "clickable".into()
            } else {
                "not clickable".into()
            });
        }
        if let Some(v) = self.instance {
            parts.push(format!("instance {v}"));
        }
        if parts.is_empty() {
            f.write_str("any node")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}
