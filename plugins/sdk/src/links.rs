//! Post links as people paste them: TikTok videos (`https://www.tiktok.com/@user/video/ID`, short
//! `https://vm.tiktok.com/CODE/`) and Instagram posts (`/p/CODE/`, `/reel/CODE/`), with tracking
//! query strings and fragments stripped before the app opens them. Forms: `tikmatrix-scripts.md`.

use crate::App;

/// `url` trimmed, without its query string and fragment (`?is_from_webapp=1`, `?igsh=…`).
pub fn clean(url: &str) -> String {
    let url = url.trim();
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_string()
}

/// Whether `url` (cleaned) is a post link of `app`.
pub fn is_post_link(app: App, url: &str) -> bool {
    let url = clean(url);
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match app {
        App::Tiktok => match (host, segments.as_slice()) {
            ("vm.tiktok.com" | "vt.tiktok.com", [_code]) => true,
            (
                "www.tiktok.com" | "tiktok.com" | "m.tiktok.com" | "us.tiktok.com",
                [user, "video", id],
            ) => user.starts_with('@') && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
            _ => false,
        },
        App::Instagram => matches!(
            (host, segments.as_slice()),
            (
                "www.instagram.com" | "instagram.com" | "m.instagram.com",
                ["p" | "reel", _code]
            )
        ),
    }
}

/// A request's post links: `list` if it names any, else `text` split on newlines and commas; each
/// trimmed, empty ones dropped.
pub fn split(list: &[String], text: &str) -> Vec<String> {
    let listed: Vec<String> = list
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    text.split(['\n', '\r', ','])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_queries_are_stripped() {
        assert_eq!(
            clean(" https://www.tiktok.com/@a/video/1?is_from_webapp=1&sender_device=pc "),
            "https://www.tiktok.com/@a/video/1"
        );
        assert_eq!(
            clean("https://www.instagram.com/p/C1/?igsh=x#c"),
            "https://www.instagram.com/p/C1/"
        );
    }

    #[test]
    fn each_app_takes_its_own_post_links() {
        for url in [
            "https://www.tiktok.com/@nasa/video/7300000000000001000",
            "https://vm.tiktok.com/ZMh01k/",
            "https://vt.tiktok.com/ZMh01k",
        ] {
            assert!(is_post_link(App::Tiktok, url), "{url}");
            assert!(!is_post_link(App::Instagram, url), "{url}");
        }
        for url in [
            "https://www.instagram.com/p/Cv00Xqti/",
            "https://instagram.com/reel/Cv00Xqti/?igsh=1",
        ] {
            assert!(is_post_link(App::Instagram, url), "{url}");
            assert!(!is_post_link(App::Tiktok, url), "{url}");
        }
        assert!(!is_post_link(App::Tiktok, "https://www.tiktok.com/@nasa"));
        assert!(!is_post_link(
            App::Instagram,
            "https://www.instagram.com/nasa/"
        ));
    }

    #[test]
    fn the_list_wins_and_text_splits_on_newlines_and_commas() {
        assert_eq!(split(&["a".into()], "b"), ["a"]);
        assert_eq!(split(&[], "a,\nb\r\n, "), ["a", "b"]);
    }
}
