//! Reading TikTok's profile and search screens: the profile's own follow control and stats, the
//! unfollow sheet and dialog, a missing account, and the search screens. Pure functions over a UI
//! dump, tested natively; [`super::open_profile`] drives them.

use super::{Ids, contains_ci, id_matches, protection, same_username};
use crate::Node;
pub use crate::profile::{FollowState, ProfileStats, parse_count};

fn eq_ci(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b)
}

/// The profile's own follow control: the node reading Follow/Follow back/Following/Friends/Requested (the
/// `follow_button` id preferred) right under the stats row (the "Followers" label): below it by at most six label
/// heights, above the "Suggested accounts" section (whose buttons also read "Follow back") and above the bottom
/// bar (whose "Friends" tab label would read like a control).
pub fn follow_control<'a>(nodes: &'a [Node], ids: &Ids) -> Option<(&'a Node, FollowState)> {
    let followers = nodes
        .iter()
        .filter(|n| eq_ci(&n.text, "followers"))
        .min_by_key(|n| (!id_matches(&n.resource_id, ids.stat_label), n.bounds.top))?;
    let below = followers.bounds.bottom;
    let reach = below + 6 * (followers.bounds.bottom - followers.bounds.top).max(40);
    let suggested_top = nodes
        .iter()
        .filter(|n| {
            contains_ci(&n.text, "suggested accounts") || contains_ci(&n.text, "suggested for you")
        })
        .map(|n| n.bounds.top)
        .filter(|&top| top >= below)
        .min();
    let bottom_bar_top = nodes
        .iter()
        .filter(|n| {
            id_matches(&n.resource_id, ids.bottom_bar)
                || ["home", "inbox", "profile", "create"]
                    .iter()
                    .any(|t| eq_ci(&n.description, t))
        })
        .map(|n| n.bounds.top)
        .filter(|&top| top >= below)
        .min();
    nodes
        .iter()
        .filter(|n| n.bounds.top >= below && n.bounds.top <= reach)
        .filter(|n| suggested_top.is_none_or(|s| n.bounds.bottom <= s))
        .filter(|n| bottom_bar_top.is_none_or(|b| n.bounds.bottom <= b))
        .filter(|n| {
            !id_matches(&n.resource_id, ids.stat_label) && !n.class_name.contains("EditText")
        })
        .filter_map(|n| FollowState::parse(&n.text).map(|s| (n, s)))
        .min_by_key(|(n, _)| (!id_matches(&n.resource_id, ids.follow_button), n.bounds.top))
}

/// What the screen shows while waiting for a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileScreen {
    /// The app says the user does not exist; the text it shows.
    Missing(String),
    /// The profile with its follow control; `name_shown` tells whether "@user" is on screen too.
    Ready {
        /// The follow control.
        control: Node,
        /// What it reads.
        state: FollowState,
        /// Whether the profile shows the target's `@username`.
        name_shown: bool,
    },
    /// Anything else (loading, a popup, a protection: check those separately).
    Other,
}

/// The "Couldn't find this account" (or "No results found") text, if shown.
pub fn missing_account(nodes: &[Node]) -> Option<&str> {
    nodes
        .iter()
        .map(|n| n.text.as_str())
        .find(|t| {
            let t = t.to_lowercase().replace('\u{2019}', "'");
            t.contains("couldn't find this account")
        })
        .or_else(|| no_results(nodes))
}

/// The search's "No results found" text, if shown.
pub fn no_results(nodes: &[Node]) -> Option<&str> {
    nodes
        .iter()
        .map(|n| n.text.as_str())
        .find(|t| contains_ci(t, "no results found"))
}

/// Classifies a dump taken while waiting for the profile of `user`. Protections come first: a screen showing
/// one is `Other` here, and the caller's interruption check fails on it.
pub fn classify(nodes: &[Node], user: &str, ids: &Ids) -> ProfileScreen {
    if protection(nodes).is_some() {
        return ProfileScreen::Other;
    }
    if let Some(text) = missing_account(nodes) {
        return ProfileScreen::Missing(text.to_string());
    }
    // A profile naming someone else (the previous screen, still up while the new one loads) is not ready.
    let other_profile = nodes
        .iter()
        .any(|n| id_matches(&n.resource_id, ids.profile_username) && !same_username(&n.text, user));
    match follow_control(nodes, ids) {
        Some(_) if other_profile => ProfileScreen::Other,
        Some((control, state)) => ProfileScreen::Ready {
            control: control.clone(),
            state,
            name_shown: nodes.iter().any(|n| {
                let t = n.text.trim();
                (t.starts_with('@') || id_matches(&n.resource_id, ids.profile_username))
                    && same_username(t, user)
            }),
        },
        None => ProfileScreen::Other,
    }
}

/// The "Unfollow" button of the unfollow sheet (whole text "Unfollow").
pub fn unfollow_sheet_button(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| eq_ci(&n.text, "unfollow"))
}

/// The confirming "Unfollow" of the "Unfollow this person?" dialog, if that dialog is shown: the last
/// "Unfollow" under the dialog's title.
pub fn unfollow_dialog_button(nodes: &[Node]) -> Option<&Node> {
    let title = nodes
        .iter()
        .find(|n| contains_ci(&n.text, "unfollow this person"))?;
    let mut unfollows = nodes.iter().rev().filter(|n| eq_ci(&n.text, "unfollow"));
    unfollows
        .clone()
        .find(|n| n.bounds.top >= title.bounds.bottom)
        .or_else(|| unfollows.next())
}

/// The feed's Search icon (content-desc "Search", or the search icon id).
pub fn search_icon<'a>(nodes: &'a [Node], ids: &Ids) -> Option<&'a Node> {
    nodes
        .iter()
        .find(|n| eq_ci(&n.description, "search") || id_matches(&n.resource_id, ids.search_icon))
}

/// The bottom bar's Home tab (content-desc "Home", the id, or the "Home" label; the lowest one).
pub fn home_tab<'a>(nodes: &'a [Node], ids: &Ids) -> Option<&'a Node> {
    nodes
        .iter()
        .filter(|n| {
            eq_ci(&n.description, "home")
                || id_matches(&n.resource_id, ids.home_tab)
                || eq_ci(&n.text, "home")
        })
        .max_by_key(|n| n.bounds.top)
}

/// The search screen's query field (an EditText, or the field's id).
pub fn search_field<'a>(nodes: &'a [Node], ids: &Ids) -> Option<&'a Node> {
    nodes
        .iter()
        .find(|n| id_matches(&n.resource_id, ids.search_field))
        .or_else(|| nodes.iter().find(|n| n.class_name.ends_with("EditText")))
}

/// The search screen's submit button: text "Search" that is not the field itself (or the submit id).
pub fn search_submit<'a>(nodes: &'a [Node], ids: &Ids) -> Option<&'a Node> {
    nodes.iter().find(|n| {
        !n.class_name.ends_with("EditText")
            && (id_matches(&n.resource_id, ids.search_submit) || eq_ci(&n.text, "search"))
    })
}

/// The "Users" tab of the search results.
pub fn users_tab(nodes: &[Node]) -> Option<&Node> {
    nodes.iter().find(|n| eq_ci(&n.text, "users"))
}

/// In the search results, the row naming `user` (case-insensitive, '@' ignored): its username text under the
/// tabs (the row's username id preferred), never the query field.
pub fn search_user_row<'a>(
    nodes: &'a [Node],
    user: &str,
    tabs: Option<&Node>,
    ids: &Ids,
) -> Option<&'a Node> {
    let below = tabs.map_or(i32::MIN, |t| t.bounds.bottom);
    nodes
        .iter()
        .filter(|n| !n.class_name.ends_with("EditText") && n.bounds.top >= below)
        .filter(|n| same_username(&n.text, user))
        .min_by_key(|n| {
            (
                !id_matches(&n.resource_id, ids.search_user_name),
                n.bounds.top,
            )
        })
}

/// The stats row of a profile: each value (`qfw`) is the count right above its label (`qfv`,
/// "Following", "Followers", "Likes") in the same column. `None` until all three show.
pub fn stats(nodes: &[Node]) -> Option<ProfileStats> {
    let value_of = |label: &str| {
        let label = nodes.iter().find(|n| eq_ci(&n.text, label))?;
        nodes
            .iter()
            .filter(|n| {
                let (b, l) = (&n.bounds, &label.bounds);
                b.bottom <= l.top && b.left < l.right && l.left < b.right
            })
            .filter(|n| parse_count(&n.text).is_some())
            .max_by_key(|n| n.bounds.bottom)
            .map(|n| n.text.trim().to_string())
    };
    Some(ProfileStats {
        following: value_of("following")?,
        followers: value_of("followers")?,
        likes: value_of("likes")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bounds;

    fn n(text: &str, id: &str, top: i32) -> Node {
        let at = (100, top, 500, top + 80);
        crate::test_node(
            "com.zhiliaoapp.musically",
            "android.widget.TextView",
            text,
            id,
            at,
        )
    }

    fn profile(control: &str, control_id: &str) -> Vec<Node> {
        vec![
            n("NASA", "qf8", 400),
            n("@nasa", "qh5", 470),
            n("Following", "qfv", 615),
            n("Followers", "qfv", 615),
            n("Likes", "qfv", 615),
            n(control, control_id, 700),
            n("Message", "", 700),
            n("Suggested accounts", "", 900),
            n("Follow back", "", 1000),
        ]
    }

    #[test]
    fn states_parse_trimmed_and_case_insensitive() {
        assert_eq!(
            FollowState::parse("Following "),
            Some(FollowState::Following)
        );
        assert_eq!(
            FollowState::parse("FOLLOW BACK"),
            Some(FollowState::FollowBack)
        );
        assert_eq!(FollowState::parse("Followers"), None);
        assert!(FollowState::Requested.is_following() && !FollowState::FollowBack.is_following());
    }

    #[test]
    fn picks_the_control_under_the_stats_row_not_the_suggestions() {
        let ids = Ids::default();
        for (text, state) in [
            ("Follow", FollowState::Follow),
            ("Follow back", FollowState::FollowBack),
            ("Following ", FollowState::Following),
            ("Friends", FollowState::Friends),
            ("Requested", FollowState::Requested),
        ] {
            // With the id, and without it (a build whose ids changed).
            for id in ["eme", ""] {
                let nodes = profile(text, id);
                let (node, s) = follow_control(&nodes, &ids).unwrap();
                assert_eq!((node.bounds.top, s), (700, state), "{text} {id}");
            }
        }
        // The stats label "Following" is never the control, and a profile without a control has none.
        let mut nodes = profile("Message", "");
        nodes.retain(|x| x.text != "Follow back");
        assert!(follow_control(&nodes, &ids).is_none());
        // Only suggestions below: not the profile's control.
        let nodes = profile("Message", "");
        assert!(follow_control(&nodes, &ids).is_none());
    }

    fn at(text: &str, id: &str, desc: &str, b: (i32, i32, i32, i32)) -> Node {
        let mut node = n(text, id, b.1);
        node.description = desc.into();
        node.bounds = Bounds {
            left: b.0,
            top: b.1,
            right: b.2,
            bottom: b.3,
        };
        node
    }

    /// The geometry of a real 43.1.4 profile dump (1080×2400): stats, control, suggestions, bottom bar.
    fn real_profile(with_control: bool, with_suggestions: bool) -> Vec<Node> {
        let mut v = vec![
            at("NASA & Friends", "qf8", "", (324, 120, 756, 204)),
            at("@nasa", "qh5", "", (390, 516, 690, 576)),
            at("312", "qfw", "", (210, 612, 350, 678)),
            at("Following", "qfv", "", (180, 684, 380, 744)),
            at("84.2M", "qfw", "", (470, 612, 610, 678)),
            at("Followers", "qfv", "", (440, 684, 640, 744)),
            at("Likes", "qfv", "", (700, 684, 900, 744)),
        ];
        if with_control {
            v.push(at("Follow", "eme", "", (228, 780, 612, 888)));
        }
        v.push(at("Message", "", "", (636, 780, 852, 888)));
        v.push(at("Exploring the universe", "", "", (60, 912, 1020, 1020)));
        if with_suggestions {
            v.push(at("Suggested accounts", "", "", (36, 1044, 600, 1104)));
            v.push(at("esa", "ye2", "", (48, 1380, 336, 1440)));
            v.push(at("Follow back", "rdh", "", (72, 1464, 312, 1536)));
        }
        v.push(at("", "mky", "", (0, 2208, 1080, 2337)));
        v.push(at("", "mkq", "Home", (0, 2208, 216, 2337)));
        v.push(at("Home", "", "", (60, 2290, 156, 2330)));
        v.push(at("", "mkp", "Friends", (216, 2208, 432, 2337)));
        v.push(at("Friends", "", "", (276, 2290, 372, 2330)));
        v.push(at("", "mks", "Profile", (864, 2208, 1080, 2337)));
        v.push(at("Profile", "", "", (924, 2290, 1020, 2330)));
        v
    }

    #[test]
    fn real_dump_geometry() {
        let ids = Ids::default();
        let no_ids = Ids {
            follow_button: "",
            stat_label: "",
            bottom_bar: "",
            ..Ids::default()
        };
        for ids in [&ids, &no_ids] {
            for suggestions in [true, false] {
                let nodes = real_profile(true, suggestions);
                let (node, state) = follow_control(&nodes, ids).unwrap();
                assert_eq!((node.bounds.top, state), (780, FollowState::Follow));
                // Not rendered yet: neither a suggestion nor the bottom bar's "Friends" label stands in for it.
                assert!(follow_control(&real_profile(false, suggestions), ids).is_none());
            }
        }
    }

    #[test]
    fn classify_profile_missing_and_loading() {
        let ids = Ids::default();
        match classify(&profile("Follow", "eme"), "NASA", &ids) {
            ProfileScreen::Ready {
                state, name_shown, ..
            } => assert!(state == FollowState::Follow && name_shown),
            other => panic!("{other:?}"),
        }
        // Another user's profile (the previous screen) is not the target's.
        assert_eq!(
            classify(&profile("Follow", "eme"), "bbc", &ids),
            ProfileScreen::Other
        );
        // A profile whose username node is unrecognisable is ready, without the name.
        let mut nodes = profile("Follow", "eme");
        nodes.retain(|x| x.text != "@nasa");
        match classify(&nodes, "bbc", &ids) {
            ProfileScreen::Ready { name_shown, .. } => assert!(!name_shown),
            other => panic!("{other:?}"),
        }
        let missing = [n("Couldn\u{2019}t find this account", "", 800)];
        assert_eq!(
            classify(&missing, "x", &ids),
            ProfileScreen::Missing("Couldn\u{2019}t find this account".into())
        );
        assert_eq!(classify(&[n("", "", 0)], "x", &ids), ProfileScreen::Other);
        let mut captcha = profile("Follow", "eme");
        captcha.push(n("Drag the slider to fit the puzzle", "", 1200));
        assert_eq!(classify(&captcha, "nasa", &ids), ProfileScreen::Other);
    }

    #[test]
    fn unfollow_sheet_and_dialog() {
        let mut nodes = profile("Friends", "eme");
        nodes.push(n("Unfollow", "", 1950));
        assert_eq!(unfollow_sheet_button(&nodes).unwrap().bounds.top, 1950);
        assert!(unfollow_dialog_button(&nodes).is_none());
        nodes.push(n("Unfollow this person?", "", 1000));
        nodes.push(n("Cancel", "", 1150));
        nodes.push(n("Unfollow", "", 1151));
        assert_eq!(unfollow_dialog_button(&nodes).unwrap().bounds.top, 1151);
    }

    #[test]
    fn search_screens() {
        let ids = Ids::default();
        let mut field = n("nasa", "giv", 80);
        field.class_name = "android.widget.EditText".into();
        let nodes = vec![
            field,
            n("Search", "y61", 80),
            n("Top", "", 200),
            n("Users", "", 200),
            n("nasa", "ye2", 320),
            n("nasa_fan", "ye2", 520),
        ];
        assert_eq!(search_field(&nodes, &ids).unwrap().text, "nasa");
        assert_eq!(search_submit(&nodes, &ids).unwrap().text, "Search");
        let tab = users_tab(&nodes);
        assert_eq!(
            search_user_row(&nodes, "@NASA", tab, &ids)
                .unwrap()
                .bounds
                .top,
            320
        );
        assert!(search_user_row(&nodes, "nas", tab, &ids).is_none());
        assert_eq!(
            no_results(&[n("No results found", "", 600)]),
            Some("No results found")
        );
    }

    #[test]
    fn stats_are_the_values_above_their_labels() {
        let at = |text: &str, left: i32, top: i32| {
            let mut node = n(text, "", top);
            node.bounds.left = left;
            node.bounds.right = left + 266;
            node.bounds.bottom = top + 60;
            node
        };
        let nodes = [
            at("120", 140, 705),
            at("Following", 140, 775),
            at("1.2M", 407, 705),
            at("Followers", 407, 775),
            at("33.1M", 674, 705),
            at("Likes", 674, 775),
        ];
        assert_eq!(
            stats(&nodes),
            Some(ProfileStats {
                following: "120".into(),
                followers: "1.2M".into(),
                likes: "33.1M".into(),
            })
        );
        assert_eq!(stats(&nodes[..4]), None);
    }
}
