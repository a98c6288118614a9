//! A screen as a tree of view nodes: serialised exactly like `uiautomator dump`, and hit-tested for taps
//! against the same bounds (the deepest clickable node under the point, topmost sibling first).

use std::fmt::Write;

use crate::android::Screen;

pub const FRAME: &str = "android.widget.FrameLayout";
pub const LINEAR: &str = "android.widget.LinearLayout";
pub const TEXT: &str = "android.widget.TextView";
pub const IMAGE: &str = "android.widget.ImageView";
pub const BUTTON: &str = "android.widget.Button";
pub const EDIT: &str = "android.widget.EditText";
pub const RECYCLER: &str = "androidx.recyclerview.widget.RecyclerView";
pub const GRID: &str = "android.widget.GridView";
pub const PAGER: &str = "androidx.viewpager.widget.ViewPager";
pub const HSCROLL: &str = "android.widget.HorizontalScrollView";
pub const SEEKBAR: &str = "android.widget.SeekBar";

/// Screen bounds `[left,top][right,bottom]`, right and bottom exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Rect {
    pub const fn new(left: i32, top: i32, right: i32, bottom: i32) -> Self {
        Self {
            left,
            top,
            right,
            bottom,
        }
    }

    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.left && x < self.right && y >= self.top && y < self.bottom
    }
}

/// One view. A node is clickable exactly when it carries an action of type `A`.
#[derive(Debug, Clone)]
pub struct Node<A> {
    class: String,
    text: String,
    resource_id: String,
    content_desc: String,
    bounds: Rect,
    action: Option<A>,
    focusable: bool,
    focused: bool,
    scrollable: bool,
    selected: bool,
    checked: Option<bool>,
    children: Vec<Node<A>>,
}

impl<A> Node<A> {
    pub fn new(class: &str, bounds: Rect) -> Self {
        Self {
            class: class.to_string(),
            text: String::new(),
            resource_id: String::new(),
            content_desc: String::new(),
            bounds,
            action: None,
            focusable: false,
            focused: false,
            scrollable: false,
            selected: false,
            checked: None,
            children: Vec::new(),
        }
    }

    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// The full resource-id, e.g. `com.zhiliaoapp.musically:id/qh5`.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.resource_id = id.into();
        self
    }

    pub fn desc(mut self, desc: impl Into<String>) -> Self {
        self.content_desc = desc.into();
        self
    }

    /// Makes the node clickable (and focusable); a tap on it performs `action`.
    pub fn on_tap(mut self, action: A) -> Self {
        self.action = Some(action);
        self.focusable = true;
        self
    }

    pub fn focused(mut self, focused: bool) -> Self {
        self.focusable = true;
        self.focused = focused;
        self
    }

    pub fn scrollable(mut self) -> Self {
        self.scrollable = true;
        self
    }

    pub fn selected(mut self, selected: bool) -> Self {
        self.selected = selected;
        self
    }

    /// Makes the node checkable, checked or not.
    pub fn checked(mut self, checked: bool) -> Self {
        self.checked = Some(checked);
        self
    }

    pub fn child(mut self, child: Node<A>) -> Self {
        self.children.push(child);
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Node<A>>) -> Self {
        self.children.extend(children);
        self
    }

    /// The deepest clickable node containing the point; later siblings are on top.
    pub fn hit(&self, x: i32, y: i32) -> Option<&Node<A>> {
        if !self.bounds.contains(x, y) {
            return None;
        }
        self.children
            .iter()
            .rev()
            .find_map(|child| child.hit(x, y))
            .or(self.action.as_ref().map(|_| self))
    }

    /// What a tap on this node performs.
    pub fn action(&self) -> Option<&A> {
        self.action.as_ref()
    }

    /// How a person would name the node: its text, else its description, else the first text
    /// inside it, else its resource-id.
    pub fn label(&self) -> String {
        fn first_text<A>(node: &Node<A>) -> Option<&str> {
            [node.text.as_str(), node.content_desc.as_str()]
                .into_iter()
                .find(|t| !t.is_empty())
                .or_else(|| node.children.iter().find_map(first_text))
        }
        first_text(self).unwrap_or(&self.resource_id).to_owned()
    }

    /// The whole tree as `uiautomator dump` writes it on `screen`, every node attributed to
    /// `package`; the layout's bounds scaled to the screen's pixels.
    pub fn to_xml(&self, package: &str, screen: Screen) -> String {
        let mut out = String::from(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">",
        );
        self.write_xml(&mut out, 0, package, screen);
        out.push_str("</hierarchy>");
        out
    }

    fn write_xml(&self, out: &mut String, index: usize, package: &str, screen: Screen) {
        let px = |v: i32| screen.physical(v);
        let b = Rect::new(
            px(self.bounds.left),
            px(self.bounds.top),
            px(self.bounds.right),
            px(self.bounds.bottom),
        );
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "<node index=\"{index}\" text=\"{}\" resource-id=\"{}\" class=\"{}\" package=\"{}\" \
             content-desc=\"{}\" checkable=\"{}\" checked=\"{}\" clickable=\"{}\" enabled=\"true\" \
             focusable=\"{}\" focused=\"{}\" scrollable=\"{}\" long-clickable=\"false\" password=\"false\" \
             selected=\"{}\" bounds=\"[{},{}][{},{}]\"",
            escape(&self.text),
            escape(&self.resource_id),
            escape(&self.class),
            escape(package),
            escape(&self.content_desc),
            self.checked.is_some(),
            self.checked.unwrap_or(false),
            self.action.is_some(),
            self.focusable,
            self.focused,
            self.scrollable,
            self.selected,
            b.left,
            b.top,
            b.right,
            b.bottom,
        );
        if self.children.is_empty() {
            out.push_str(" />");
            return;
        }
        out.push('>');
        for (i, child) in self.children.iter().enumerate() {
            child.write_xml(out, i, package, screen);
        }
        out.push_str("</node>");
    }
}

/// XML attribute escaping as Android's KXmlSerializer does it (apostrophes stay as they are).
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Node<&'static str> {
        Node::new(FRAME, Rect::new(0, 0, 100, 100))
            .child(
                Node::new(LINEAR, Rect::new(0, 0, 100, 50))
                    .on_tap("row")
                    .child(Node::new(TEXT, Rect::new(0, 0, 50, 50)).text("label")),
            )
            .child(Node::new(FRAME, Rect::new(0, 40, 100, 100)).on_tap("overlay"))
    }

    #[test]
    fn taps_hit_the_deepest_clickable_topmost_node() {
        let t = tree();
        let action = |x, y| t.hit(x, y).and_then(Node::action);
        assert_eq!(action(10, 10), Some(&"row"));
        assert_eq!(action(10, 45), Some(&"overlay"));
        assert_eq!(action(200, 10), None);
    }

    #[test]
    fn xml_has_the_uiautomator_shape() {
        let xml = Node::<()>::new(TEXT, Rect::new(1, 2, 3, 4))
            .text("a \"b\" <c> & 'd'")
            .to_xml("p", Screen::FHD);
        let head =
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">";
        assert!(xml.starts_with(head));
        assert!(
            xml[head.len()..]
                .starts_with("<node index=\"0\" text=\"a &quot;b&quot; &lt;c&gt; &amp; 'd'\"")
        );
        assert!(xml.ends_with("bounds=\"[1,2][3,4]\" /></hierarchy>"));
    }
}
