//! The grammar of a script's name, which clients send as `script_name` and the host keys its
//! registry by: checked when the host loads a plugin and by `phonefleet script check`.

use std::fmt;

/// Longest script name, in bytes.
pub const MAX_LEN: usize = 64;

/// The grammar in words, for messages and docs.
pub const GRAMMAR: &str =
    "a lowercase ASCII letter, then lowercase letters, digits, '_' or '-', at most 64 in all";

/// Why a name breaks [`GRAMMAR`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadName {
    /// The name as the script gave it.
    pub name: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "script name {:?} is not valid: {} (a name is {GRAMMAR})",
            self.name, self.why
        )
    }
}

impl std::error::Error for BadName {}

/// Checks `name` against [`GRAMMAR`]: `post`, `account_warmup` and `my-follow2` pass; `""`,
/// `Follow`, `a/../x?` and names longer than [`MAX_LEN`] do not.
pub fn check(name: &str) -> Result<(), BadName> {
    let bad = |why| {
        Err(BadName {
            name: name.to_string(),
            why,
        })
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return bad("it is empty"),
        Some(c) if !c.is_ascii_lowercase() => return bad("it must start with a lowercase letter"),
        Some(_) => {}
    }
    if name.len() > MAX_LEN {
        return bad("it is too long");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        return bad("it holds a character other than a-z, 0-9, '_' and '-'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_names_and_dashed_names_are_valid() {
        for name in [
            "post",
            "follow",
            "account_warmup",
            "my-follow2",
            "python-hello",
        ] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn empty_path_like_capitalised_and_overlong_names_are_refused() {
        for (name, why) in [
            ("", "it is empty"),
            (
                "a/../x?",
                "it holds a character other than a-z, 0-9, '_' and '-'",
            ),
            ("Follow", "it must start with a lowercase letter"),
            ("2fast", "it must start with a lowercase letter"),
            (
                "post ",
                "it holds a character other than a-z, 0-9, '_' and '-'",
            ),
        ] {
            assert_eq!(check(name).map_err(|e| e.why), Err(why), "{name:?}");
        }
        assert!(check(&"a".repeat(MAX_LEN)).is_ok());
        assert_eq!(
            check(&"a".repeat(MAX_LEN + 1)).map_err(|e| e.why),
            Err("it is too long")
        );
    }
}
