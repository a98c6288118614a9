//! Comments people write, as TikMatrix's configs give them: one per line, picked at random or in
//! order (`comment_order`), with a random emoji added when asked (`insert_emoji`).

use rand::Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::random::{self, Random};

/// How comments are picked from the lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommentOrder {
    /// A random line each time.
    #[default]
    Random,
    /// Line k for the k-th comment (cycling).
    Sequential,
}

/// The comment lines of `text` (without trailing `\r`; blank lines dropped).
pub fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The `k`-th comment (0-based) from `lines` by `order`, with an emoji when `emoji`; `None` when
/// there are no lines.
pub fn pick(
    lines: &[&str],
    order: CommentOrder,
    k: usize,
    emoji: bool,
    rng: &mut Random,
) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let line = match order {
        CommentOrder::Sequential => lines[k % lines.len()],
        CommentOrder::Random => lines[rng.random_range(0..lines.len())],
    };
    Some(if emoji {
        random::with_emoji(line, rng)
    } else {
        line.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_cycles_through_the_lines() {
        let mut rng = random::seeded(1);
        let lines = lines("a\r\n\nb\n");
        let picked: Vec<String> = (0..3)
            .filter_map(|k| pick(&lines, CommentOrder::Sequential, k, false, &mut rng))
            .collect();
        assert_eq!(picked, ["a", "b", "a"]);
    }

    #[test]
    fn no_lines_pick_nothing() {
        assert_eq!(
            pick(&[], CommentOrder::Random, 0, true, &mut random::seeded(1)),
            None
        );
    }
}
