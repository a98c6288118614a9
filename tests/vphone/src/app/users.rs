//! The made-up TikTok user directory: display names, bios and stats derived from a username's hash,
//! plus the "Suggested accounts" shown on profiles.

use sha2::{Digest, Sha256};

const SUGGESTED: [&str; 4] = [
    "sam.designs",
    "worldnews_now",
    "the.daily.cook",
    "petsofdistrict",
];

/// Usernames are compared without '@', trimmed, lowercase.
pub fn normalize(name: &str) -> String {
    name.trim().trim_start_matches('@').to_lowercase()
}

/// "foodie.daily" → "Foodie Daily".
pub fn display_name(user: &str) -> String {
    user.split(['.', '_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn bio(user: &str) -> String {
    format!("Official account of {}", display_name(user))
}

/// Signed-in accounts as an app lists them: normalised, each once, in order; `default` when none.
pub fn signed_in(accounts: &[String], default: &str) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for account in accounts.iter().map(|a| normalize(a)) {
        if !account.is_empty() && !listed.contains(&account) {
            listed.push(account);
        }
    }
    if listed.is_empty() {
        listed.push(default.to_string());
    }
    listed
}

/// A profile's numbers as the app prints them.
pub struct Stats {
    pub following: String,
    pub followers: String,
    pub likes: String,
}

pub fn stats(user: &str) -> Stats {
    let hash = Sha256::digest(user.as_bytes());
    let number = |i: usize, scale: u64| {
        let raw = u64::from(u32::from_le_bytes([
            hash[i],
            hash[i + 1],
            hash[i + 2],
            hash[i + 3],
        ]));
        raw % scale
    };
    Stats {
        following: compact(number(0, 2_000)),
        followers: compact(number(4, 90_000_000)),
        likes: compact(number(8, 900_000_000)),
    }
}

/// 1234 → "1.2K", 5600000 → "5.6M", as TikTok abbreviates.
pub fn compact(n: u64) -> String {
    let (value, suffix) = match n {
        0..1_000 => return n.to_string(),
        1_000..1_000_000 => (n as f64 / 1_000.0, "K"),
        _ => (n as f64 / 1_000_000.0, "M"),
    };
    let text = format!("{value:.1}");
    format!("{}{suffix}", text.trim_end_matches(".0"))
}

/// Three suggested accounts for a profile, never the profile itself.
pub fn suggested_for(user: &str) -> Vec<String> {
    SUGGESTED
        .iter()
        .filter(|name| **name != user)
        .take(3)
        .map(|name| name.to_string())
        .collect()
}

/// Search results for a query: the exact match first, then look-alikes.
pub fn search_results(query: &str) -> Vec<String> {
    vec![
        query.to_string(),
        format!("{query}_official"),
        format!("{query}.fan"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_look_like_tiktok() {
        assert_eq!(normalize(" @NASA "), "nasa");
        assert_eq!(display_name("foodie.daily"), "Foodie Daily");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(1_200), "1.2K");
        assert_eq!(compact(3_000_000), "3M");
    }
}
