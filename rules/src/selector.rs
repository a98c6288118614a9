//! Selector matching: which UI nodes a selector picks, and how a resource-id is compared. The host
//! evaluates the WIT `ui` interface with this code and the SDK's `Selector::matches` with the same.

use std::fmt;

/// The fields of a UI node a selector reads. The host's parsed dump node and the SDK's WIT node
/// implement it, so one predicate serves both.
pub trait NodeFields {
    /// `text`.
    fn text(&self) -> &str;
    /// `resource-id`, with its package prefix (`pkg:id/name`), or empty.
    fn resource_id(&self) -> &str;
    /// `content-desc`.
    fn description(&self) -> &str;
    /// `class`, e.g. `android.widget.TextView`.
    fn class_name(&self) -> &str;
    /// `clickable`.
    fn clickable(&self) -> bool;
}

/// Which nodes to match; every field that is set must match (AND). Mirrors the `selector` record of
/// `phonefleet:script/types`. Text comparisons are exact and case-sensitive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// Exact text.
    pub text: Option<String>,
    /// Substring of the text.
    pub text_contains: Option<String>,
    /// Regex matched against the whole text (`regex-lite` syntax; `(?i)` folds ASCII case only).
    pub text_regex: Option<String>,
    /// A resource-id, full (`pkg:id/name`) or short (`name`); see [`resource_id_matches`].
    pub resource_id: Option<String>,
    /// Exact content-desc.
    pub description: Option<String>,
    /// Substring of the content-desc.
    pub description_contains: Option<String>,
    /// Exact class name, e.g. `android.widget.TextView`.
    pub class_name: Option<String>,
    /// Required clickable flag.
    pub clickable: Option<bool>,
    /// The n-th (0-based, document order) of the matching nodes.
    pub instance: Option<u32>,
}

/// A `text_regex` that does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRegex {
    /// The pattern as given.
    pub pattern: String,
    /// What the regex compiler said.
    pub reason: String,
}

impl fmt::Display for BadRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid text_regex {:?}: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for BadRegex {}

impl Selector {
    /// Checks and compiles the selector (its regex once, anchored to the whole text) for repeated
    /// matching. Errors: [`BadRegex`] when `text_regex` does not compile.
    pub fn compile(&self) -> Result<CompiledSelector, BadRegex> {
        let text_regex = match &self.text_regex {
            Some(pattern) => Some(regex_lite::Regex::new(&format!("^(?:{pattern})$")).map_err(
                |e| BadRegex {
                    pattern: pattern.clone(),
                    reason: e.to_string(),
                },
            )?),
            None => None,
        };
        Ok(CompiledSelector {
            selector: self.clone(),
            text_regex,
        })
    }
}

impl fmt::Display for Selector {
    /// How people read a selector in an error message: `text="Follow" clickable=true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let strings = [
            ("text", &self.text),
            ("text_contains", &self.text_contains),
            ("text_regex", &self.text_regex),
            ("resource_id", &self.resource_id),
            ("description", &self.description),
            ("description_contains", &self.description_contains),
            ("class_name", &self.class_name),
        ];
        for (name, value) in strings {
            if let Some(v) = value {
                parts.push(format!("{name}={v:?}"));
            }
        }
        if let Some(c) = self.clickable {
            parts.push(format!("clickable={c}"));
        }
        if let Some(i) = self.instance {
            parts.push(format!("instance={i}"));
        }
        if parts.is_empty() {
            f.write_str("any node")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// A [`Selector`] ready to match: its regex compiled.
#[derive(Clone, Debug)]
pub struct CompiledSelector {
    selector: Selector,
    text_regex: Option<regex_lite::Regex>,
}

impl CompiledSelector {
    /// The selector this was compiled from.
    pub fn selector(&self) -> &Selector {
        &self.selector
    }

    /// Whether `node` matches every set field (`instance` is not a property of one node and is
    /// ignored here; [`CompiledSelector::find`] applies it).
    pub fn matches(&self, node: &impl NodeFields) -> bool {
        let s = &self.selector;
        let text = node.text();
        s.text.as_deref().is_none_or(|t| text == t)
            && s.text_contains.as_deref().is_none_or(|t| text.contains(t))
            && self.text_regex.as_ref().is_none_or(|re| re.is_match(text))
            && s.resource_id
                .as_deref()
                .is_none_or(|id| resource_id_matches(node.resource_id(), id))
            && s.description
                .as_deref()
                .is_none_or(|d| node.description() == d)
            && s.description_contains
                .as_deref()
                .is_none_or(|d| node.description().contains(d))
            && s.class_name
                .as_deref()
                .is_none_or(|c| node.class_name() == c)
            && s.clickable.is_none_or(|c| node.clickable() == c)
    }

    /// The node the selector picks among `nodes` (document order): its `instance`-th match, or the first.
    pub fn find<'n, N: NodeFields>(&self, nodes: &'n [N]) -> Option<&'n N> {
        let n = self.selector.instance.unwrap_or(0) as usize;
        nodes.iter().filter(|node| self.matches(*node)).nth(n)
    }

    /// Every match among `nodes` in document order; with `instance` set, only that one (if it exists).
    pub fn find_all<'n, N: NodeFields>(&self, nodes: &'n [N]) -> Vec<&'n N> {
        let mut matching = nodes.iter().filter(|node| self.matches(*node));
        match self.selector.instance {
            Some(n) => matching.nth(n as usize).into_iter().collect(),
            None => matching.collect(),
        }
    }
}

/// Whether a node's resource-id `node_id` is `wanted`.
///
/// A short id (`"eme"`) matches `PKG:id/eme` of any package — app clones re-prefix their ids (an
/// Instagram clone's `com.instagram.androie:id/x` is Instagram's `x`). A full id (holding `:`) must
/// match exactly. An empty `wanted` never matches: it would pick every node without an id.
pub fn resource_id_matches(node_id: &str, wanted: &str) -> bool {
    if wanted.is_empty() {
        return false;
    }
    if wanted.contains(':') {
        return node_id == wanted;
    }
    node_id == wanted
        || node_id
            .strip_suffix(wanted)
            .is_some_and(|prefix| prefix.ends_with(":id/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct N {
        text: &'static str,
        id: &'static str,
        desc: &'static str,
        class: &'static str,
        clickable: bool,
    }

    impl NodeFields for N {
        fn text(&self) -> &str {
            self.text
        }
        fn resource_id(&self) -> &str {
            self.id
        }
        fn description(&self) -> &str {
            self.desc
        }
        fn class_name(&self) -> &str {
            self.class
        }
        fn clickable(&self) -> bool {
            self.clickable
        }
    }

    fn n(text: &'static str, id: &'static str) -> N {
        N {
            text,
            id,
            desc: "",
            class: "android.widget.TextView",
            clickable: true,
        }
    }

    fn sel(f: impl FnOnce(&mut Selector)) -> CompiledSelector {
        let mut s = Selector::default();
        f(&mut s);
        s.compile().expect("compiles")
    }

    #[test]
    fn a_short_resource_id_matches_any_package_prefix() {
        assert!(resource_id_matches(
            "com.zhiliaoapp.musically:id/eme",
            "eme"
        ));
        assert!(resource_id_matches("com.instagram.androie:id/eme", "eme"));
        assert!(!resource_id_matches(
            "com.zhiliaoapp.musically:id/xeme",
            "eme"
        ));
    }

    #[test]
    fn a_full_resource_id_matches_exactly() {
        assert!(resource_id_matches("android:id/text1", "android:id/text1"));
        assert!(!resource_id_matches("other:id/text1", "android:id/text1"));
    }

    #[test]
    fn an_empty_resource_id_never_matches() {
        assert!(!resource_id_matches("", ""));
        assert!(!resource_id_matches("pkg:id/x", ""));
    }

    #[test]
    fn text_regex_matches_the_whole_text() {
        let s = sel(|s| s.text_regex = Some("Follow|Following".into()));
        assert!(s.matches(&n("Following", "")));
        assert!(!s.matches(&n("Follow back", "")));
    }

    #[test]
    fn a_bad_regex_is_a_typed_error() {
        let s = Selector {
            text_regex: Some("(".into()),
            ..Selector::default()
        };
        assert_eq!(s.compile().unwrap_err().pattern, "(");
    }

    #[test]
    fn instance_picks_the_nth_match() {
        let nodes = [n("a", ""), n("b", ""), n("a", "")];
        let s = sel(|s| {
            s.text = Some("a".into());
            s.instance = Some(1);
        });
        assert!(std::ptr::eq(s.find(&nodes).unwrap(), &nodes[2]));
        assert_eq!(s.find_all(&nodes).len(), 1);
    }

    #[test]
    fn fields_combine_with_and() {
        let s = sel(|s| {
            s.text = Some("Follow".into());
            s.resource_id = Some("eme".into());
            s.clickable = Some(true);
        });
        assert!(s.matches(&n("Follow", "p:id/eme")));
        assert!(!s.matches(&n("Follow", "p:id/other")));
    }

    #[test]
    fn a_selector_prints_its_set_fields() {
        let s = Selector {
            text: Some("Follow".into()),
            clickable: Some(true),
            ..Selector::default()
        };
        assert_eq!(s.to_string(), "text=\"Follow\" clickable=true");
        assert_eq!(Selector::default().to_string(), "any node");
    }
}
