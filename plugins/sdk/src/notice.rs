//! Reading the apps' notices (rate limits, captchas, blocks): a short text that says one of a list
//! of phrases, whatever its case and whichever apostrophe the app typed.

/// Whether `text` is at most `max_chars` long (longer texts are people's: captions, bios, comments,
/// which may quote the same words) and says one of `phrases` (lowercase, with `'`).
pub(crate) fn says(text: &str, phrases: &[&str], max_chars: usize) -> bool {
    if text.is_empty() || text.chars().count() > max_chars {
        return false;
    }
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    phrases.iter().any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_says_a_phrase_in_any_case_and_apostrophe() {
        assert!(says(
            "You\u{2019}re tapping TOO FAST",
            &["you're tapping too fast"],
            120
        ));
        assert!(!says("", &[""], 120));
        assert!(!says(
            &"try again later ".repeat(20),
            &["try again later"],
            120
        ));
    }
}
