//! Driving the app from pushed media to a finished upload: share intent, Create → gallery, or a sound page;
//! then the editor (sound, volumes), the caption screen (product link, caption, Post) and the upload.

use crate::config::{AddSound, PostConfig, PostWay};
use phonefleet_sdk::materials::{self, MediaKind};
use phonefleet_sdk::tiktok::compose as screen;
use phonefleet_sdk::tiktok::gallery::{self, POLL, SCREEN_TIMEOUT, SHORT, nodes, wait};
use phonefleet_sdk::tiktok::protection;
use phonefleet_sdk::{Error, Node, Result, device, host, info, media, quote, ui};
use std::time::{Duration, Instant};

const SHARE_ACTIVITY: &str = "com.ss.android.ugc.aweme.share.SystemShareActivity";

/// Percent-encodes a URL path segment (UTF-8; unreserved characters kept).
pub fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sound page to open for `sound_name`: a TikTok link as given, else `https://www.tiktok.com/music/NAME`.
pub fn sound_url(sound_name: &str) -> String {
    let name = sound_name.trim();
    if name.starts_with("https://") || name.starts_with("http://") {
        name.to_string()
    } else {
        format!("https://www.tiktok.com/music/{}", encode_segment(name))
    }
}

/// The `am start` line that shares `uris` into the app's SystemShareActivity, every word quoted.
pub fn share_command(package: &str, kind: MediaKind, uris: &[String]) -> Result<String> {
    let action = if uris.len() == 1 {
        "android.intent.action.SEND"
    } else {
        "android.intent.action.SEND_MULTIPLE"
    };
    let mime = match kind {
        MediaKind::Video => "'video/*'",
        MediaKind::Image => "'image/*'",
    };
    let mut streams = String::new();
    for uri in uris {
        streams.push_str(&format!(
            " --eu android.intent.extra.STREAM {}",
            quote(uri)?
        ));
    }
    let component = quote(&format!("{package}/{SHARE_ACTIVITY}"))?.into_owned();
    Ok(format!(
        "am start -a {action} -t {mime}{streams} --grant-read-uri-permission -n {component}"
    ))
}

/// One task's way through the app.
pub struct Flow<'a> {
    pub config: &'a PostConfig,
    pub kind: MediaKind,
    pub package: &'a str,
    /// Device paths of the pushed, scanned files, in posting order.
    pub files: &'a [String],
}

impl Flow<'_> {
    /// From pushed media to a finished upload; marks `host_paths` used once the app took the post.
    pub fn publish(&self, caption: &str, host_paths: &[String]) -> Result<()> {
        host::progress(
            35,
            &format!("opening the app ({})", self.config.post_way.name()),
        );
        match self.config.post_way {
            PostWay::Share => self.share()?,
            PostWay::AddButton => {
                gallery::open_camera(self.package)?;
                gallery::pick_from_gallery(self.kind, self.files.len())?;
            }
            PostWay::UseSound => {
                self.open_sound()?;
                gallery::pick_from_gallery(self.kind, self.files.len())?;
            }
        }
        host::progress(55, "editing");
        self.edit()?;
        host::progress(65, "writing the caption");
        if self.config.add_product_link.0 {
            self.add_product_link()?;
        }
        if !caption.is_empty() {
            type_caption(caption)?;
        }
        host::progress(75, "posting");
        let posted_at = self.post()?;
        materials::mark_used(host_paths)?;
        self.wait_upload(posted_at)
    }

    fn share(&self) -> Result<()> {
        let mut uris = Vec::new();
        for file in self.files {
            uris.push(media::content_uri(
                file,
                self.kind,
                Duration::from_secs(10),
            )?);
        }
        let command = share_command(self.package, self.kind, &uris)?;
        info!(
            "sharing {} into {}: {command}",
            uris.join(", "),
            self.package
        );
        let out = device::shell(&command)?;
        if out.exit_code != 0 || out.stdout.contains("Error") || out.stderr.contains("Error") {
            return Err(Error::failed(format!(
                "the share intent was refused (exit {}): {}{}",
                out.exit_code,
                out.stdout.trim(),
                out.stderr.trim()
            )));
        }
        Ok(())
    }

    /// Opens the sound page and taps "Use sound".
    fn open_sound(&self) -> Result<()> {
        let url = sound_url(&self.config.sound_name);
        info!("opening the sound {url}");
        device::open_url(&url, Some(self.package))?;
        let timeout = Duration::from_secs(u64::from(self.config.sound_wait_time.max(1)));
        let what = format!(
            "the sound '{}' did not open: no 'Use sound'",
            self.config.sound_name.trim()
        );
        let button = wait(
            &what,
            timeout,
            |nodes| Ok(screen::use_sound(nodes).cloned()),
        )?;
        ui::tap_node(&button)?;
        Ok(())
    }

    /// The editor: the sound (add_sound), the volumes, then Next to the caption screen.
    fn edit(&self) -> Result<()> {
        wait(
            "the editor did not open (no 'Next')",
            Duration::from_secs(20),
            |nodes| Ok(screen::editor_next(nodes).map(|_| ())),
        )?;
        match self.config.add_sound {
            AddSound::Default => {}
            AddSound::Off => remove_sound()?,
            AddSound::On => pick_sound(None, self.config.sound_wait_time)?,
            AddSound::Custom => pick_sound(
                Some(self.config.custom_sound_keyword.trim()),
                self.config.sound_wait_time,
            )?,
        }
        if self.config.origin_sound_volume != 50 || self.config.add_sound_volume != 50 {
            set_volumes(
                self.config.origin_sound_volume,
                self.config.add_sound_volume,
            )?;
        }
        let next = wait("no 'Next' in the editor", SHORT, |nodes| {
            Ok(screen::editor_next(nodes).cloned())
        })?;
        ui::tap_node(&next)?;
        wait(
            "the caption screen did not open after the editor's Next",
            SCREEN_TIMEOUT,
            |nodes| Ok(screen::caption_screen(nodes).then_some(())),
        )
    }

    /// "Add link" → "Product" → the first product's "Add", back on the caption screen.
    fn add_product_link(&self) -> Result<()> {
        let link = wait(
            "add_product_link is 1 but the caption screen has no 'Add link'",
            SHORT,
            |nodes| Ok(screen::labelled_node(nodes, "Add link").cloned()),
        )?;
        ui::tap_node(&link)?;
        let product = wait("no 'Product' under 'Add link'", SHORT, |nodes| {
            Ok(screen::labelled_node(nodes, "Product").cloned())
        })?;
        ui::tap_node(&product)?;
        let add = wait(
            "no product to add (no 'Add' button)",
            Duration::from_secs(10),
            |nodes| {
                Ok(nodes
                    .iter()
                    .find(|n| n.clickable && n.text.trim() == "Add")
                    .cloned())
            },
        )?;
        ui::tap_node(&add)?;
        wait(
            "the caption screen did not come back after adding the product",
            Duration::from_secs(10),
            |nodes| Ok(screen::caption_screen(nodes).then_some(())),
        )?;
        info!("product link attached");
        Ok(())
    }

    /// Taps Post (and "Publish now" when asked); returns when the app has taken the post.
    fn post(&self) -> Result<Instant> {
        let post = wait("no 'Post' button on the caption screen", SHORT, |nodes| {
            Ok(screen::post_button(nodes).cloned())
        })?;
        ui::tap_node(&post)?;
        let posted_at = Instant::now();
        let mut publish_tapped: Option<Instant> = None;
        wait(
            "tapped Post but the caption screen stayed",
            Duration::from_secs(30),
            |nodes| {
                if let Some(publish) = screen::publish_now(nodes) {
                    if publish_tapped.is_none_or(|t| t.elapsed() > Duration::from_secs(2)) {
                        info!("confirming 'Publish now'");
                        ui::tap_node(publish)?;
                        publish_tapped = Some(Instant::now());
                    }
                    return Ok(None);
                }
                let left = !nodes.is_empty() && !screen::caption_screen(nodes);
                Ok((screen::upload_percent(nodes).is_some() || left).then_some(()))
            },
        )?;
        info!("the app took the post");
        Ok(posted_at)
    }

    /// Watches the upload progress until it is gone (or "Posted" shows), for at most upload_wait_time.
    fn wait_upload(&self, posted_at: Instant) -> Result<()> {
        let limit = Duration::from_secs(u64::from(self.config.upload_wait_time));
        if limit.is_zero() {
            info!("upload_wait_time is 0: not waiting for the upload to finish");
            return Ok(());
        }
        let remaining = limit.saturating_sub(posted_at.elapsed());
        let mut last: Option<u8> = None;
        let done = host::poll(remaining, POLL, || {
            let nodes = nodes()?;
            if let Some(e) = protection(&nodes) {
                return Err(e);
            }
            if let Some(percent) = screen::upload_percent(&nodes) {
                if last != Some(percent) {
                    host::progress(80 + percent / 5, &format!("uploading {percent}%"));
                }
                last = Some(percent);
                return Ok(None);
            }
            let finished = screen::posted_notice(&nodes).is_some()
                || (screen::bottom_bar_shown(&nodes) && !screen::caption_screen(&nodes));
            Ok(finished.then_some(()))
        })?;
        match done {
            Some(()) => {
                info!(
                    "upload finished after {} ms",
                    posted_at.elapsed().as_millis()
                );
                Ok(())
            }
            None => Err(Error::failed(format!(
                "upload did not finish within {} s (last shown: {})",
                limit.as_secs(),
                last.map_or_else(|| "no progress".to_string(), |p| format!("{p}%"))
            ))),
        }
    }
}

/// Whether the editor shows with its sound sheet closed.
fn editor_alone(nodes: &[Node]) -> bool {
    screen::editor_next(nodes).is_some() && screen::sound_search_field(nodes).is_none()
}

/// Opens the editor's sound sheet; returns its search field.
fn open_sound_sheet() -> Result<Node> {
    let chip = wait(
        "no sound control ('Add sound') in the editor",
        SHORT,
        |nodes| Ok(screen::sound_chip(nodes).cloned()),
    )?;
    ui::tap_node(&chip)?;
    wait("the sound sheet did not open", SHORT, |nodes| {
        Ok(screen::sound_search_field(nodes).cloned())
    })
}

/// add_sound "0": takes the editor's sound off.
fn remove_sound() -> Result<()> {
    if screen::current_sound(&nodes()?).is_none() {
        info!("the editor has no sound; nothing to remove");
        return Ok(());
    }
    open_sound_sheet()?;
    let remove = wait(
        "add_sound is 0 but the sound sheet has no 'Remove sound'",
        SHORT,
        |nodes| Ok(screen::labelled_node(nodes, "Remove sound").cloned()),
    )?;
    ui::tap_node(&remove)?;
    wait(
        "tapped 'Remove sound' but the editor still shows a sound",
        SHORT,
        |nodes| Ok((editor_alone(nodes) && screen::current_sound(nodes).is_none()).then_some(())),
    )?;
    info!("sound removed");
    Ok(())
}

/// add_sound "1" (`keyword` none: the first recommended sound) or "custom" (the first result for `keyword`).
fn pick_sound(keyword: Option<&str>, wait_secs: u32) -> Result<()> {
    let field = open_sound_sheet()?;
    let (width, _) = device::screen_size()?;
    let needle = keyword.map(str::to_lowercase);
    if let Some(keyword) = keyword {
        ui::tap_node(&field)?;
        device::input_text(keyword)?;
    }
    let what = match keyword {
        Some(k) => format!("no sound found for '{k}'"),
        None => "no sound offered in the sound sheet".to_string(),
    };
    let timeout = Duration::from_secs(u64::from(wait_secs.max(3)));
    let (row, name) = wait(&what, timeout, |nodes| {
        let Some(field) = screen::sound_search_field(nodes) else {
            return Ok(None);
        };
        let row = screen::sound_rows(nodes, field, width)
            .into_iter()
            .find(|row| {
                let text = screen::row_text(nodes, row).to_lowercase();
                !text.is_empty() && needle.as_deref().is_none_or(|k| text.contains(k))
            });
        Ok(row.map(|row| (row.clone(), screen::row_text(nodes, row).to_string())))
    })?;
    info!("adding the sound '{name}'");
    ui::tap_node(&row)?;
    let shown = wait(
        &format!("picked the sound '{name}' but the editor does not show it"),
        SHORT,
        |nodes| {
            Ok(editor_alone(nodes)
                .then(|| screen::current_sound(nodes))
                .flatten())
        },
    )?;
    info!("the editor's sound is '{shown}'");
    Ok(())
}

/// "Volume" → the two SeekBars (original, added) → "Done".
fn set_volumes(original: u8, added: u8) -> Result<()> {
    let volume = wait(
        "volumes are set but the editor has no 'Volume'",
        SHORT,
        |nodes| {
            Ok(screen::labelled_node(nodes, "Volume")
                .filter(|n| n.clickable)
                .cloned())
        },
    )?;
    ui::tap_node(&volume)?;
    let bars = wait("the volume panel shows no two sliders", SHORT, |nodes| {
        let bars = screen::seekbars(nodes);
        Ok((bars.len() >= 2).then(|| (bars[0].clone(), bars[1].clone())))
    })?;
    for (bar, value) in [(&bars.0, original), (&bars.1, added)] {
        device::tap(screen::seek_x(&bar.bounds, value), bar.center().1)?;
    }
    let mut read = (String::new(), String::new());
    let ok = host::poll(Duration::from_secs(3), POLL, || {
        let nodes = nodes()?;
        let bars = screen::seekbars(&nodes);
        let [first, second, ..] = bars.as_slice() else {
            return Ok(None);
        };
        read = (
            first.text.trim().to_string(),
            second.text.trim().to_string(),
        );
        // Builds that show no value in the dump cannot be checked; trust the taps there.
        let matches = |text: &str, want: u8| {
            text.is_empty()
                || text
                    .parse::<f64>()
                    .is_ok_and(|v| v.round() as i64 == i64::from(want))
        };
        Ok((matches(&read.0, original) && matches(&read.1, added)).then_some(()))
    })?;
    if ok.is_none() {
        return Err(Error::failed(format!(
            "set the volumes to {original}/{added} but the sliders read '{}'/'{}'",
            read.0, read.1
        )));
    }
    let done = wait("no 'Done' on the volume panel", SHORT, |nodes| {
        Ok(screen::labelled_node(nodes, "Done").cloned())
    })?;
    ui::tap_node(&done)?;
    wait("the volume panel did not close", SHORT, |nodes| {
        Ok(screen::seekbars(nodes).is_empty().then_some(()))
    })?;
    info!("volumes set: original {original}, added {added}");
    Ok(())
}

/// Types the caption into the description field and checks it arrived exactly, then hides the keyboard.
fn type_caption(caption: &str) -> Result<()> {
    let field = wait(
        "no description field on the caption screen",
        SHORT,
        |nodes| Ok(screen::caption_field(nodes).cloned()),
    )?;
    ui::tap_node(&field)?;
    device::input_text(caption)?;
    let mut shown = String::new();
    let arrived = host::poll(SHORT, POLL, || {
        let nodes = nodes()?;
        shown = screen::caption_field(&nodes)
            .map(|n| n.text.clone())
            .unwrap_or_default();
        Ok((shown == caption).then_some(()))
    })?;
    if arrived.is_none() {
        return Err(Error::failed(format!(
            "typed the caption {caption:?} but the description field shows {shown:?}"
        )));
    }
    if screen::caption_counter(&nodes()?).is_some() {
        // The keyboard (and any #tag suggestions) covers Post: Back hides it.
        device::back()?;
    }
    wait(
        "the Post button did not show after hiding the keyboard",
        SHORT,
        |nodes| Ok(screen::post_button(nodes).map(|_| ())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_urls() {
        assert_eq!(
            sound_url("Summer vibes"),
            "https://www.tiktok.com/music/Summer%20vibes"
        );
        assert_eq!(sound_url(" 夏 "), "https://www.tiktok.com/music/%E5%A4%8F");
        let link = "https://www.tiktok.com/music/original-sound-7234567890123";
        assert_eq!(sound_url(link), link);
    }

    #[test]
    fn share_commands() {
        let one = share_command(
            "com.zhiliaoapp.musically",
            MediaKind::Video,
            &["content://media/external/video/media/7".into()],
        )
        .unwrap();
        assert_eq!(
            one,
            "am start -a android.intent.action.SEND -t 'video/*' --eu android.intent.extra.STREAM \
             content://media/external/video/media/7 --grant-read-uri-permission \
             -n com.zhiliaoapp.musically/com.ss.android.ugc.aweme.share.SystemShareActivity"
        );
        let two = share_command("p", MediaKind::Image, &["u1".into(), "u2".into()]).unwrap();
        assert!(two.starts_with("am start -a android.intent.action.SEND_MULTIPLE -t 'image/*' --eu android.intent.extra.STREAM u1 --eu android.intent.extra.STREAM u2"));
        let hostile = share_command("p", MediaKind::Image, &["u;reboot".into()]).unwrap();
        assert!(hostile.contains("STREAM 'u;reboot'"), "{hostile}");
    }
}
