//! Opening a TikTok profile the two ways people do: its link (`https://www.tiktok.com/@user` in the
//! app) or the app's search (Search → type → Users tab → the row), clearing popups on the way.

use std::time::{Duration, Instant};

use super::profile;
use super::{Access, Reach, handle_interruptions, normalize_username, protection};
use crate::{Error, Result, Selector, device, info, ui};

/// How long a profile or the search results may take to show.
const PROFILE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long typing into the search field may take to show.
const SHORT: Duration = Duration::from_secs(5);

/// Opens `user`'s profile (with or without '@') in the app `package`, by link or through search.
/// Returns once the profile was asked for (by link) or its search row tapped: wait for the
/// profile itself with [`profile::classify`] in [`ui::until`]. Fails on the app's protections, on
/// "No results found" naming the user, and when the search or the row cannot be reached.
pub fn open_profile(user: &str, access: Access, package: &str) -> Result<()> {
    let user = normalize_username(user);
    let at = format!("@{user}");
    match access {
        Access::Direct => {
            info!("opening https://www.tiktok.com/@{user} in {package}");
            device::open_url(&format!("https://www.tiktok.com/@{user}"), Some(package))
        }
        Access::Search => open_via_search(&user, &at, package),
    }
}

/// Opens the target's profile through the app's search: feed → Search → type → submit → Users → the row.
fn open_via_search(user: &str, at: &str, package: &str) -> Result<()> {
    info!("searching for {at}");
    submit_search(user, package)?;
    let ids = super::ids();
    // Then the Users tab, and the row whose username is the target.
    let mut users_tapped: Option<Instant> = None;
    let row = ui::until(
        &format!(
            "searched for {at} but found no row with username '{user}' in the Users tab of the results"
        ),
        PROFILE_TIMEOUT,
        |nodes| {
            if let Some(e) = protection(nodes) {
                return Err(e);
            }
            if let Some(text) = profile::no_results(nodes) {
                return Err(Error::failed(format!(
                    "user {at} does not exist: the app shows \"{}\"",
                    text.trim()
                )));
            }
            let tab = profile::users_tab(nodes);
            if users_tapped.is_some()
                && let Some(row) = profile::search_user_row(nodes, user, tab, &ids)
            {
                return Ok(Some(row.clone()));
            }
            match tab {
                Some(tab)
                    if users_tapped
                        .is_none_or(|t| !tab.selected && t.elapsed() > Duration::from_secs(3)) =>
                {
                    ui::tap_node(tab)?;
                    users_tapped = Some(Instant::now());
                }
                Some(_) => {}
                None => {
                    handle_interruptions(nodes)?;
                }
            }
            Ok(None)
        },
    )?;
    info!("opening {at} from the search results");
    ui::tap_node(&row)?;
    Ok(())
}

/// Types `query` into the app's search (reached from wherever the app is: the feed's Search icon,
/// else the Home tab first) and submits it; the results' tabs show next. Fails on the app's
/// protections and when the search cannot be reached.
pub fn submit_search(query: &str, package: &str) -> Result<()> {
    let ids = super::ids();

    // 1. Reach the search screen (from wherever the app is: the feed's Search icon, else the Home tab first).
    let field = super::reach(
        package,
        "could not open the app's search (content-desc 'Search' on the feed)",
        Duration::from_secs(15),
        |nodes| {
            if handle_interruptions(nodes)? {
                return Ok(Reach::Wait);
            }
            if let Some(field) = profile::search_field(nodes, &ids) {
                return Ok(Reach::Done(field.clone()));
            }
            Ok(
                match profile::search_icon(nodes, &ids).or_else(|| profile::home_tab(nodes, &ids)) {
                    Some(control) => Reach::Tap(control.clone()),
                    None => Reach::Elsewhere,
                },
            )
        },
    )?;

    // 2. Type the query (into an empty field) and submit.
    ui::tap_node(&field)?;
    if !field.text.trim().is_empty()
        && let Some(clear) = ui::find(&Selector::desc("Clear search field"))?
    {
        ui::tap_node(&clear)?;
        ui::until("the search field was not cleared", SHORT, |nodes| {
            Ok(profile::search_field(nodes, &ids)
                .filter(|f| f.text.trim().is_empty() || f.text.trim() == "Search")
                .map(drop))
        })?;
    }
    device::input_text(query)?;
    let submit = ui::until(
        &format!("typed '{query}' but the search field does not show it"),
        SHORT,
        |nodes| {
            let typed = profile::search_field(nodes, &ids)
                .is_some_and(|f| f.text.trim().eq_ignore_ascii_case(query.trim()));
            Ok(typed.then(|| profile::search_submit(nodes, &ids).cloned()))
        },
    )?;
    match submit {
        Some(submit) => ui::tap_node(&submit)?,
        None => device::key_event(device::keycode::ENTER)?,
    }
    Ok(())
}
