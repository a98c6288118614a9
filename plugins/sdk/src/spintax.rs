//! Spintax: `{a|b|c}` picks one alternative, groups nest, `\{ \} \| \\` are literal; anything unbalanced is
//! kept as text. Resolution is deterministic for a seed (scripts use the task id), any Unicode passes through.

/// One piece of parsed spintax.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// A group: its alternatives, each a sequence of parts.
    Choice(Vec<Vec<Part>>),
}

/// A small deterministic generator (SplitMix64): good spread for consecutive seeds such as task ids.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A character of the input with whether it is syntax (`{`, `|`, `}` not escaped).
#[derive(Clone, Copy)]
struct Token {
    c: char,
    syntax: bool,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && matches!(next, '{' | '}' | '|' | '\\')
        {
            chars.next();
            tokens.push(Token {
                c: next,
                syntax: false,
            });
            continue;
        }
        tokens.push(Token {
            c,
            syntax: matches!(c, '{' | '}' | '|'),
        });
    }
    tokens
}

/// Groups nested deeper than this are text (keeps the recursion shallow on any input).
const MAX_DEPTH: usize = 32;

/// For each `{`, the index of its matching `}`; unmatched braces, and braces nested deeper than
/// [`MAX_DEPTH`], are absent (and read as text).
fn match_braces(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut closing = vec![None; tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    let mut too_deep = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match (t.syntax, t.c) {
            (true, '{') if open.len() >= MAX_DEPTH => too_deep += 1,
            (true, '{') => open.push(i),
            (true, '}') if too_deep > 0 => too_deep -= 1,
            (true, '}') => {
                if let Some(start) = open.pop() {
                    closing[start] = Some(i);
                }
            }
            _ => {}
        }
    }
    closing
}

/// Parses `tokens[range]` into parts; inside a group, `|` at this level separates alternatives.
fn parse(
    tokens: &[Token],
    closing: &[Option<usize>],
    start: usize,
    end: usize,
    in_group: bool,
) -> Vec<Vec<Part>> {
    let mut alternatives = vec![Vec::new()];
    let mut text = String::new();
    let mut i = start;
    while i < end {
        let t = tokens[i];
        if t.syntax
            && t.c == '{'
            && let Some(close) = closing[i]
        {
            let current = alternatives
                .last_mut()
                .expect("alternatives start non-empty");
            if !text.is_empty() {
                current.push(Part::Text(std::mem::take(&mut text)));
            }
            current.push(Part::Choice(parse(tokens, closing, i + 1, close, true)));
            i = close + 1;
            continue;
        }
        if in_group && t.syntax && t.c == '|' {
            let current = alternatives
                .last_mut()
                .expect("alternatives start non-empty");
            if !text.is_empty() {
                current.push(Part::Text(std::mem::take(&mut text)));
            }
            alternatives.push(Vec::new());
        } else {
            text.push(t.c);
        }
        i += 1;
    }
    if !text.is_empty() {
        alternatives
            .last_mut()
            .expect("alternatives start non-empty")
            .push(Part::Text(text));
    }
    alternatives
}

fn render(parts: &[Part], rng: &mut SplitMix, out: &mut String) {
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Choice(alternatives) => {
                // Alternatives are never empty: a group parses to at least one (maybe empty) alternative.
                let pick = (rng.next() % alternatives.len() as u64) as usize;
                render(&alternatives[pick], rng, out);
            }
        }
    }
}

/// Resolves spintax with a seed: the same text and seed always give the same result.
///
/// ```
/// use phonefleet_sdk::spintax::resolve;
/// let s = resolve("{Hi|Hello} {world|there 👋}", 7);
/// assert!(["Hi world", "Hi there 👋", "Hello world", "Hello there 👋"].contains(&s.as_str()));
/// assert_eq!(resolve("no groups, a|b stays", 1), "no groups, a|b stays");
/// ```
pub fn resolve(text: &str, seed: u64) -> String {
    let tokens = tokenize(text);
    let closing = match_braces(&tokens);
    let mut parts = parse(&tokens, &closing, 0, tokens.len(), false);
    let top = parts.pop().unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    render(&top, &mut SplitMix(seed), &mut out);
    out
}

/// Every caption the spintax can produce, up to `limit` of them (for previews and tests).
pub fn expand(text: &str, limit: usize) -> Vec<String> {
    fn expand_parts(parts: &[Part], limit: usize) -> Vec<String> {
        let mut results = vec![String::new()];
        for part in parts {
            let options: Vec<String> = match part {
                Part::Text(t) => vec![t.clone()],
                Part::Choice(alternatives) => alternatives
                    .iter()
                    .flat_map(|a| expand_parts(a, limit))
                    .take(limit)
                    .collect(),
            };
            results = results
                .iter()
                .flat_map(|prefix| options.iter().map(move |o| format!("{prefix}{o}")))
                .take(limit)
                .collect();
        }
        results
    }
    let tokens = tokenize(text);
    let closing = match_braces(&tokens);
    let mut parts = parse(&tokens, &closing, 0, tokens.len(), false);
    let top = parts.pop().unwrap_or_default();
    let mut all = expand_parts(&top, limit);
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_untouched() {
        for text in ["", "hello", "a|b", "日本語 🇯🇵👩‍👩‍👧 café", "back\\slash"]
        {
            assert_eq!(resolve(text, 3), text);
        }
    }

    #[test]
    fn nested_groups_resolve_to_one_of_their_expansions() {
        let text = "{Good {morning|night}|Hi} {🌅|🌙}!";
        let all = expand(text, 100);
        assert_eq!(all.len(), 6, "{all:?}");
        for seed in 0..200 {
            assert!(all.contains(&resolve(text, seed)), "seed {seed}");
        }
        let seen: std::collections::BTreeSet<String> = (0..200).map(|s| resolve(text, s)).collect();
        assert_eq!(
            seen.len(),
            6,
            "every option shows up over 200 seeds: {seen:?}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_caption() {
        let text = "{a|b|c|d|e|f|g|h}{1|2|3|4|5|6|7|8}";
        assert_eq!(resolve(text, 42), resolve(text, 42));
        let distinct: std::collections::BTreeSet<String> =
            (100..110).map(|s| resolve(text, s)).collect();
        assert!(
            distinct.len() > 3,
            "consecutive task ids spread: {distinct:?}"
        );
    }

    #[test]
    fn escapes_unbalanced_braces_and_empty_alternatives() {
        assert_eq!(resolve(r"\{literal\} \| \\", 1), r"{literal} | \");
        assert_eq!(resolve("{only}", 9), "only");
        assert_eq!(resolve("a } b", 1), "a } b");
        assert_eq!(resolve("open { never closed", 1), "open { never closed");
        assert_eq!(expand("x{|y}", 10), vec!["x".to_string(), "xy".to_string()]);
        assert_eq!(
            expand("{a|{b|}", 10),
            vec!["{a|b".to_string(), "{a|".to_string()]
        );
        assert_eq!(resolve("{}", 1), "");
    }

    #[test]
    fn unicode_alternatives_stay_whole() {
        let text = "{日本の夏|한국어|🇫🇷 Paris|👩‍👩‍👧 family} #旅行";
        for seed in 0..50 {
            let s = resolve(text, seed);
            assert!(
                [
                    "日本の夏 #旅行",
                    "한국어 #旅行",
                    "🇫🇷 Paris #旅行",
                    "👩‍👩‍👧 family #旅行"
                ]
                .contains(&s.as_str()),
                "{s}"
            );
        }
    }

    #[test]
    fn deep_or_broken_input_is_linear() {
        let deep = "{".repeat(5000) + &"}".repeat(5000);
        let inner = 5000 - MAX_DEPTH;
        assert_eq!(resolve(&deep, 1), "{".repeat(inner) + &"}".repeat(inner));
        let broken = "{a|".repeat(5000);
        assert_eq!(resolve(&broken, 1), broken);
    }
}
