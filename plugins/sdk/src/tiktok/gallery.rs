//! Reaching TikTok's gallery the way a person does: Create on the bottom bar → the camera →
//! Upload → the tab for the kind → the newest tiles, tapped oldest first so a post keeps the files'
//! order → Next; granting the camera permission and clearing popups on the way.

use std::time::Duration;

use super::compose;
use super::{Reach, protection};
use crate::materials::{MediaKind, kind_name};
use crate::{Error, Node, Result, host, info, ui};

/// How often the helpers look at the screen.
pub const POLL: Duration = Duration::from_millis(500);
/// How long a screen of the flow may take to show.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a control on a shown screen may take.
pub const SHORT: Duration = Duration::from_secs(5);

/// Texts of the runtime-permission buttons that let the camera open.
pub const PERMISSION_BUTTONS: &[&str] = &["While using the app", "Only this time", "Allow"];

/// The current screen; an empty one when the dump failed transiently (real phones fail dumps while
/// animations play), so a poll looks again.
pub fn nodes() -> Result<Vec<Node>> {
    Ok(ui::try_nodes()?.unwrap_or_default())
}

/// Stops on the app's protections; dismisses the usual popups and grants camera permission. True when it
/// tapped something. Leaves the publish prompt alone (its "Cancel" would undo the post).
pub fn interruptions(nodes: &[Node]) -> Result<bool> {
    if let Some(e) = protection(nodes) {
        return Err(e);
    }
    if compose::publish_now(nodes).is_some() {
        return Ok(false);
    }
    if let Some(allow) = PERMISSION_BUTTONS
        .iter()
        .find_map(|label| compose::labelled_node(nodes, label))
    {
        info!("granting a permission with '{}'", allow.label().trim());
        ui::tap_node(allow)?;
        return Ok(true);
    }
    super::handle_interruptions(nodes)
}

/// Polls the screen until `check` returns something, clearing interruptions when it does not (the
/// target screen is looked for first: its own "Cancel" must not be taken for a popup's); fails after
/// `timeout` with "`what` after N s; the screen shows ...".
pub fn wait<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    ui::until(what, timeout, |nodes| {
        if let Some(found) = check(nodes)? {
            return Ok(Some(found));
        }
        interruptions(nodes)?;
        Ok(None)
    })
}

/// Brings the app to its camera: Create on the bottom bar, from wherever the app is.
pub fn open_camera(package: &str) -> Result<()> {
    super::reach(
        package,
        "no Create button (content-desc 'Create') to open the camera",
        Duration::from_secs(25),
        |nodes| {
            if compose::upload_button(nodes).is_some() || compose::gallery_open(nodes) {
                return Ok(Reach::Done(()));
            }
            if interruptions(nodes)? {
                return Ok(Reach::Wait);
            }
            Ok(match compose::create_button(nodes) {
                Some(create) => Reach::Tap(create.clone()),
                None => Reach::Elsewhere,
            })
        },
    )
}

/// Camera → Upload → the gallery's tab for the kind → the newest tiles → Next.
pub fn pick_from_gallery(kind: MediaKind, count: usize) -> Result<()> {
    let upload = wait("no Upload on the camera", SCREEN_TIMEOUT, |nodes| {
        if compose::gallery_open(nodes) {
            return Ok(Some(None));
        }
        Ok(compose::upload_button(nodes).cloned().map(Some))
    })?;
    if let Some(upload) = upload {
        ui::tap_node(&upload)?;
    }
    wait(
        "the gallery did not open after Upload",
        SCREEN_TIMEOUT,
        |nodes| Ok(compose::gallery_open(nodes).then_some(())),
    )?;

    let tab = match kind {
        MediaKind::Video => "Videos",
        MediaKind::Image => "Photos",
    };
    if let Some(node) = compose::gallery_tab(&nodes()?, tab).cloned()
        && !node.selected
    {
        ui::tap_node(&node)?;
        // Best effort: builds that do not mark the tab selected still switch.
        host::poll(Duration::from_secs(3), POLL, || {
            Ok(compose::gallery_tab(&nodes()?, tab)
                .is_some_and(|n| n.selected)
                .then_some(()))
        })?;
    }

    if count > 1 {
        let (toggle, on) = wait("no 'Select multiple' in the gallery", SHORT, |nodes| {
            Ok(compose::select_multiple(nodes).map(|(n, on)| (n.clone(), on)))
        })?;
        if !on {
            ui::tap_node(&toggle)?;
            host::poll(Duration::from_secs(3), POLL, || {
                Ok(compose::select_multiple(&nodes()?)
                    .is_some_and(|(_, on)| on)
                    .then_some(()))
            })?;
        }
    }

    let nodes = wait("no media tiles in the gallery", SHORT, |nodes| {
        Ok((!compose::gallery_tiles(nodes).is_empty()).then(|| nodes.to_vec()))
    })?;
    let tiles = compose::gallery_tiles(&nodes);
    if tiles.len() < count {
        return Err(Error::failed(format!(
            "the gallery's {tab} tab shows {} tiles, {count} needed",
            tiles.len()
        )));
    }
    // Newest first on screen: tap oldest → newest so the post keeps the files' order.
    for tile in tiles[..count].iter().rev() {
        ui::tap_node(compose::tile_target(&nodes, tile))?;
    }
    let mut shown = String::new();
    let next = host::poll(SHORT, POLL, || {
        let nodes = self::nodes()?;
        let Some(next) = compose::gallery_next(&nodes) else {
            return Ok(None);
        };
        shown = next.text.trim().to_string();
        let ready = if count > 1 {
            compose::next_count(next) == Some(count as u32)
        } else {
            next.clickable
        };
        Ok(ready.then(|| next.clone()))
    })?;
    let Some(next) = next else {
        return Err(Error::failed(format!(
            "selected {count} {} in the gallery but its Next reads '{shown}'",
            kind_name(kind)
        )));
    };
    info!(
        "picked the {count} newest {} tiles; tapping '{}'",
        kind_name(kind),
        next.text.trim()
    );
    ui::tap_node(&next)?;
    Ok(())
}
