//! What profiles show on TikTok and Instagram alike: the follow control's states, the counts, how
//! usernames compare, and the two ways to a profile (its link, or the app's search).

/// What a profile's follow control says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    /// "Follow".
    Follow,
    /// "Follow back" (the user follows the current account).
    FollowBack,
    /// "Following " (the trailing space is a dropdown arrow).
    Following,
    /// "Friends" (mutual).
    Friends,
    /// "Requested" (private account, request pending).
    Requested,
}

impl FollowState {
    /// The state a control text names (trimmed, case-insensitive), if any.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Some(match t.as_str() {
            "follow" => FollowState::Follow,
            "follow back" => FollowState::FollowBack,
            "following" => FollowState::Following,
            "friends" => FollowState::Friends,
            "requested" => FollowState::Requested,
            _ => return None,
        })
    }

    /// Following, Friends or Requested: the current account follows (or asked to follow) the user.
    pub fn is_following(self) -> bool {
        matches!(
            self,
            FollowState::Following | FollowState::Friends | FollowState::Requested
        )
    }
}

/// How to reach a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Open the profile's link in the app (TikTok `https://www.tiktok.com/@user`, Instagram
    /// `https://www.instagram.com/user/`).
    Direct,
    /// Type the name into the app's search and open the row whose username it is.
    Search,
}

/// A username as TikTok and Instagram compare them: trimmed, without leading '@', lowercase.
pub fn normalize_username(name: &str) -> String {
    name.trim().trim_start_matches('@').trim().to_lowercase()
}

/// Whether two spellings name the same account (case-insensitive, '@' ignored).
pub fn same_username(a: &str, b: &str) -> bool {
    let a = normalize_username(a);
    !a.is_empty() && a == normalize_username(b)
}

/// A profile's counts as the app shows them (`"1.2M"`); [`parse_count`] reads one as a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStats {
    /// Accounts the profile follows.
    pub following: String,
    /// Accounts following the profile.
    pub followers: String,
    /// Likes of the profile's videos.
    pub likes: String,
}

/// A count as TikTok and Instagram show it: `987`, `12,345`, `12.3K`, `1.2M`, `3B` (rounded as
/// shown: `1.2M` is 1,200,000). `None` for anything else.
pub fn parse_count(text: &str) -> Option<u64> {
    let text = text.trim().replace(',', "");
    let (number, scale) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1e3),
        (i, 'M' | 'm') => (&text[..i], 1e6),
        (i, 'B' | 'b') => (&text[..i], 1e9),
        _ => (text.as_str(), 1.0),
    };
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Some((value * scale).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_the_app_shows_them() {
        for (text, count) in [
            ("987", Some(987)),
            ("12,345", Some(12_345)),
            ("12.3K", Some(12_300)),
            ("1.2M", Some(1_200_000)),
            ("3B", Some(3_000_000_000)),
            ("Followers", None),
            ("", None),
            ("K", None),
        ] {
            assert_eq!(parse_count(text), count, "{text:?}");
        }
    }
}
