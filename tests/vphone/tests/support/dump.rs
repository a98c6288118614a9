//! Reading `uiautomator dump` XML in tests: find a node by a substring of its attributes
//! and compute the centre of its bounds, the way a follow script would.

use regex::Regex;

/// The centre of the first node whose tag contains `needle` (e.g. `text="Follow"`).
pub fn node_center(xml: &str, needle: &str) -> Option<(i32, i32)> {
    let node = Regex::new(r"<node [^>]*>").ok()?;
    let bounds = Regex::new(r#"bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]""#).ok()?;
    let tag = node.find_iter(xml).find(|m| m.as_str().contains(needle))?;
    let caps = bounds.captures(tag.as_str())?;
    let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<i32>().ok());
    Some(((n(1)? + n(3)?) / 2, (n(2)? + n(4)?) / 2))
}
