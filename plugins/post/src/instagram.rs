//! Posting on Instagram through the app's share handler (`post_way` share) or Create and the
//! gallery (addButton): one video is a Reel, one image a photo post, several images a carousel in
//! the given order, `placement: story` a Story (the ADD_TO_STORY intent, or Create's STORY). Success is judged from the app's state after Share (the composer left,
//! the caption on the newest own post); a caption already on the newest post is not posted twice.

use std::time::Duration;

use phonefleet_sdk::instagram::{self, CreateMode, ids};
use phonefleet_sdk::materials::MediaKind;
use phonefleet_sdk::{
    Error, Node, Result, device, host, info, media, quote, resource_id_matches, ui,
};

use crate::config::{Placement, PostConfig, PostWay};

/// Instagram's share handler (SEND, SEND_MULTIPLE).
pub const SHARE_ACTIVITY: &str = "com.instagram.share.handleractivity.ShareHandlerActivity";
/// Instagram's story handler (`com.instagram.share.ADD_TO_STORY`).
pub const STORY_ACTIVITY: &str =
    "com.instagram.share.handleractivity.CustomStoryShareHandlerActivity";

const STEP: Duration = Duration::from_secs(15);
const CAPTION_FIELD: &str = "caption_input_text_view";
const SHARE_BUTTON: &str = "share_button";
const NEWEST_CAPTION: &str = "row_feed_comment_textview_layout";

/// The `am start` line for `uris` (content URIs, in posting order): a story, or the share handler.
pub fn share_command(
    package: &str,
    kind: MediaKind,
    uris: &[String],
    story: bool,
) -> Result<String> {
    let mime = match kind {
        MediaKind::Video => "video/*",
        MediaKind::Image => "image/*",
    };
    if story {
        let uri = uris
            .first()
            .ok_or_else(|| Error::failed("a story needs one file"))?;
        return Ok(format!(
            "am start -a com.instagram.share.ADD_TO_STORY -t {} -d {} --es source_application {} \
             --grant-read-uri-permission -n {}",
            quote(mime)?,
            quote(uri)?,
            quote(package)?,
            quote(&format!("{package}/{STORY_ACTIVITY}"))?
        ));
    }
    let action = if uris.len() == 1 {
        "android.intent.action.SEND"
    } else {
        "android.intent.action.SEND_MULTIPLE"
    };
    let mut streams = String::new();
    for uri in uris {
        streams.push_str(&format!(
            " --eu android.intent.extra.STREAM {}",
            quote(uri)?
        ));
    }
    Ok(format!(
        "am start -a {action} -t {}{streams} --grant-read-uri-permission -f 0x10000000 -n {}",
        quote(mime)?,
        quote(&format!("{package}/{SHARE_ACTIVITY}"))?
    ))
}

/// Publishes the pushed, scanned `files` with `caption`; returns whether it posted (false: the
/// newest own post already has this caption, as after a retry whose first attempt went through).
pub fn publish(
    config: &PostConfig,
    kind: MediaKind,
    package: &str,
    files: &[String],
    caption: &str,
) -> Result<bool> {
    let story = config.placement == Placement::Story;
    // A retry may follow a run whose post went out before it failed (the share can outlast every
    // wait): on a fresh start of the app, a newest post with this caption means it is done.
    if host::attempt() > 1 && !story && !caption.is_empty() {
        device::stop_app(package)?;
        let newest = newest_caption(package)?;
        if newest
            .as_deref()
            .is_some_and(|shown| caption_matches(shown, caption))
        {
            info!("retry: the newest post already has this caption, so it is not posted again");
            return Ok(false);
        }
    }
    let mut uris = Vec::new();
    for file in files {
        uris.push(media::content_uri(file, kind, Duration::from_secs(20))?);
    }
    if config.post_way == PostWay::AddButton {
        host::progress(40, "picking the files in Instagram's Create");
        let mode = match (story, kind, files.len()) {
            (true, _, _) => CreateMode::Story,
            (false, MediaKind::Video, _) => CreateMode::Reel,
            (false, MediaKind::Image, _) => CreateMode::Post,
        };
        instagram::pick_in_create(package, mode, files.len())?;
    } else {
        host::progress(40, "sharing into Instagram");
        let command = share_command(package, kind, &uris, story)?;
        let out = device::shell(&command)?;
        if out.exit_code != 0 || out.stdout.contains("Error") || out.stderr.contains("Error") {
            return Err(Error::failed(format!(
                "Instagram did not take the share (exit {}): {}{}",
                out.exit_code,
                out.stdout.trim(),
                out.stderr.trim()
            )));
        }
    }
    if story {
        let share = wait_node("the story editor did not show 'Your story'", |n| {
            n.clickable && n.description == "Your story"
        })?;
        ui::tap_node(&share)?;
        wait_gone("the story editor stayed after 'Your story'", |n| {
            n.description == "Your story"
        })?;
        return Ok(true);
    }
    if config.post_way != PostWay::AddButton {
        let next = wait_node("the share editor did not show 'Next'", |n| {
            n.clickable && n.description == "Next"
        })?;
        ui::tap_node(&next)?;
    }
    host::progress(60, "writing the caption");
    let field = wait_node("no caption field on the composer", |n| {
        resource_id_matches(&n.resource_id, CAPTION_FIELD)
    })?;
    if !caption.is_empty() {
        ui::tap_node(&field)?;
        device::input_text(caption)?;
        wait_node(
            &format!("typed the caption {caption:?} but the field does not show it"),
            |n| resource_id_matches(&n.resource_id, CAPTION_FIELD) && n.text == caption,
        )?;
        // The keyboard covers Share.
        device::back()?;
    }
    let share = wait_node("no Share button on the composer", |n| {
        resource_id_matches(&n.resource_id, SHARE_BUTTON) && n.clickable
    })?;
    host::progress(80, "sharing");
    ui::tap_node(&share)?;
    wait_gone("the composer stayed after Share", |n| {
        resource_id_matches(&n.resource_id, CAPTION_FIELD)
    })?;
    // Judged from the app's state: the newest own post carries the caption.
    if !caption.is_empty()
        && !newest_caption(package)?.is_some_and(|shown| caption_matches(&shown, caption))
    {
        return Err(Error::failed(
            "tapped Share and the composer left, but the newest post does not show the caption",
        ));
    }
    Ok(true)
}

/// The caption of the current account's newest post (own profile → the first tile), or `None`
/// when the account has no post.
fn newest_caption(package: &str) -> Result<Option<String>> {
    device::start_app(package)?;
    instagram::ensure_task_account()?;
    let me = instagram::until("could not open Instagram's own profile", STEP, |nodes| {
        if instagram::own_profile_account(nodes).is_some() {
            return Ok(Some(nodes.to_vec()));
        }
        if let Some(tab) = nodes
            .iter()
            .find(|n| resource_id_matches(&n.resource_id, ids::PROFILE_TAB))
        {
            ui::tap_node(tab)?;
        }
        Ok(None)
    })?;
    // The grid's first tile ("Reel by NAME at row 1, column 1"; NAME may be the display name).
    let Some(tile) = me
        .iter()
        .find(|n| n.clickable && n.description.ends_with("at row 1, column 1"))
    else {
        return Ok(None);
    };
    ui::tap_node(tile)?;
    // A post without a caption shows no caption node.
    let shown = host::poll(Duration::from_secs(5), Duration::from_millis(500), || {
        Ok(ui::nodes()?
            .into_iter()
            .find(|n| resource_id_matches(&n.resource_id, NEWEST_CAPTION)))
    })?;
    device::back()?;
    Ok(Some(shown.map(|n| n.text).unwrap_or_default()))
}

/// Whether a post's shown caption is `caption`: the same text, perhaps after the account's name
/// ("vphone_ig Summer…"), perhaps cut short with "… more".
pub fn caption_matches(shown: &str, caption: &str) -> bool {
    let shown = shown.trim();
    let caption = caption.trim();
    let candidates = [
        Some(shown),
        shown.split_once(' ').map(|(_, rest)| rest.trim_start()),
    ];
    candidates.into_iter().flatten().any(|text| {
        text == caption
            || ["… more", "... more", "…"]
                .iter()
                .filter_map(|cut| text.strip_suffix(cut))
                .any(|head| !head.trim().is_empty() && caption.starts_with(head.trim_end()))
    })
}

fn wait_node(what: &str, wanted: impl Fn(&Node) -> bool) -> Result<Node> {
    instagram::wait_node(what, STEP, wanted)
}

fn wait_gone(what: &str, present: impl Fn(&Node) -> bool) -> Result<()> {
    instagram::until(what, STEP * 2, |nodes| {
        Ok((!nodes.iter().any(&present)).then_some(()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caption_matches_as_shown_after_the_name_or_cut_short() {
        let caption = "Summer 🌊 by the sea #travel";
        assert!(caption_matches(caption, caption));
        assert!(caption_matches(
            "vphone_ig Summer 🌊 by the sea #travel",
            caption
        ));
        assert!(caption_matches("vphone_ig Summer 🌊 by… more", caption));
        assert!(!caption_matches("vphone_ig Winter", caption));
        assert!(!caption_matches("… more", caption));
    }

    #[test]
    fn a_carousel_is_one_send_multiple_in_order_and_a_story_the_add_to_story_intent() {
        let uris = ["content://m/1".to_string(), "content://m/2".to_string()];
        let carousel =
            share_command("com.instagram.android", MediaKind::Image, &uris, false).unwrap();
        assert!(
            carousel.starts_with(
                "am start -a android.intent.action.SEND_MULTIPLE -t 'image/*' \
                 --eu android.intent.extra.STREAM content://m/1 --eu android.intent.extra.STREAM content://m/2"
            ),
            "{carousel}"
        );
        let story =
            share_command("com.instagram.android", MediaKind::Image, &uris[..1], true).unwrap();
        assert!(
            story.starts_with(
                "am start -a com.instagram.share.ADD_TO_STORY -t 'image/*' -d content://m/1"
            ),
            "{story}"
        );
    }
}
