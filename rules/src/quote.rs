//! POSIX shell quoting for every word interpolated into a command line sent to the phone's `sh -c`:
//! safe words stay as they are, everything else is wrapped in single quotes.

use std::borrow::Cow;
use std::fmt;

/// A word that no shell can carry: it holds a NUL byte, which ends a C string (and so an argv entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteError;

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the text holds a NUL byte, which no shell command can carry")
    }
}

impl std::error::Error for QuoteError {}

/// Quotes `arg` so that `sh` reads it back as exactly one word with the same bytes.
///
/// Words made only of `[A-Za-z0-9_@%+=:,./-]` are returned unchanged; the empty string becomes `''`;
/// anything else is wrapped in single quotes, each `'` written as `'"'"'`. Inside single quotes
/// `sh` expands nothing (`$`, `` ` ``, `\`, `;` and newlines are literal), so no field can run a
/// command. Errors: [`QuoteError`] for a NUL byte (as `shlex::try_quote` refuses it).
///
/// ```
/// use phonefleet_rules::quote;
/// assert_eq!(quote("com.zhiliaoapp.musically").unwrap(), "com.zhiliaoapp.musically");
/// assert_eq!(quote("a;b $(c)").unwrap(), "'a;b $(c)'");
/// assert_eq!(quote("don't").unwrap(), "'don'\"'\"'t'");
/// assert!(quote("nul\0").is_err());
/// ```
pub fn quote(arg: &str) -> Result<Cow<'_, str>, QuoteError> {
    if arg.contains('\0') {
        return Err(QuoteError);
    }
    if arg.is_empty() {
        return Ok(Cow::Borrowed("''"));
    }
    if arg.bytes().all(is_safe) {
        return Ok(Cow::Borrowed(arg));
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
    Ok(Cow::Owned(out))
}

/// Whether `b` can appear unquoted in a shell word.
fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::quote;

    fn q(arg: &str) -> String {
        quote(arg).expect("quotable").into_owned()
    }

    #[test]
    fn safe_word_is_left_unquoted() {
        assert_eq!(
            q("com.zhiliaoapp.musically/.Main_1@x%s+=:,-"),
            "com.zhiliaoapp.musically/.Main_1@x%s+=:,-"
        );
    }

    #[test]
    fn empty_string_becomes_two_quotes() {
        assert_eq!(q(""), "''");
    }

    #[test]
    fn spaces_are_single_quoted() {
        assert_eq!(q("hello world"), "'hello world'");
    }

    #[test]
    fn single_quote_is_closed_escaped_and_reopened() {
        assert_eq!(q("don't"), "'don'\"'\"'t'");
    }

    #[test]
    fn emoji_is_quoted_verbatim() {
        assert_eq!(q("hi 😀"), "'hi 😀'");
        assert_eq!(q("😀"), "'😀'");
    }

    #[test]
    fn shell_metacharacters_are_quoted() {
        assert_eq!(q("a;b&&c|d$(e)`f`*"), "'a;b&&c|d$(e)`f`*'");
    }

    #[test]
    fn a_nul_byte_is_refused() {
        assert!(quote("a\0b").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn quoted_word_round_trips_through_sh() {
        let word = "it's a \"test\" $HOME ; `id` $(id) \\ 😀\n";
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", q(word)))
            .output()
            .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), word);
    }
}
