//! POSIX shell quoting for commands sent to the phone's `sh -c`.
//! Single-quote style: safe words stay as they are, everything else is wrapped in `'...'`.

/// Quotes `arg` so that `sh` reads it back as exactly one word with the same bytes.
///
/// Words made only of `[A-Za-z0-9_@%+=:,./-]` are returned unchanged; the empty string becomes `''`;
/// anything else is wrapped in single quotes, with each `'` written as `'"'"'`.
pub fn quote(arg: &str) -> String {
    if arg.is_empty() {
        return "''".to_owned();
    }
    if arg.bytes().all(is_safe) {
        return arg.to_owned();
    }
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('\'');
    for (i, part) in arg.split('\'').enumerate() {
        if i > 0 {
            out.push_str("'\"'\"'");
        }
        out.push_str(part);
    }
    out.push('\'');
    out
}

/// Whether `b` can appear unquoted in a shell word.
fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn safe_word_is_left_unquoted() {
        assert_eq!(
            quote("com.zhiliaoapp.musically/.Main_1@x%s+=:,-"),
            "com.zhiliaoapp.musically/.Main_1@x%s+=:,-"
        );
    }

    #[test]
    fn empty_string_becomes_two_quotes() {
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn spaces_are_single_quoted() {
        assert_eq!(quote("hello world"), "'hello world'");
    }

    #[test]
    fn single_quote_is_closed_escaped_and_reopened() {
        assert_eq!(quote("don't"), "'don'\"'\"'t'");
    }

    #[test]
    fn emoji_is_quoted_verbatim() {
        assert_eq!(quote("hi 😀"), "'hi 😀'");
        assert_eq!(quote("😀"), "'😀'");
    }

    #[test]
    fn shell_metacharacters_are_quoted() {
        assert_eq!(quote("a;b&&c|d$(e)`f`*"), "'a;b&&c|d$(e)`f`*'");
    }

    #[test]
    fn quoted_word_round_trips_through_sh() {
        let word = "it's a \"test\" $HOME ; 😀\n";
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", quote(word)))
            .output()
            .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), word);
    }
}
