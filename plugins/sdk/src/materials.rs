//! Media a task may post: host files its config names and the host's material library, picked unused by
//! kind and marked used once posted. Wraps the `materials` interface; [`kind_of`] guesses a kind by extension.

use crate::Result;
use crate::bindings::phonefleet::script::materials as wit;

pub use wit::{Material, MediaKind};

/// Up to `count` files of `kind` in a granted host directory that no task has posted yet, oldest first.
pub fn list_unused(dir: &str, kind: MediaKind, count: u32) -> Result<Vec<Material>> {
    Ok(wit::list_unused(dir, kind, count)?)
}

/// Up to `count` unused library materials of `kind` carrying any of the comma-separated `tags`.
pub fn from_library(tags: &str, kind: MediaKind, count: u32) -> Result<Vec<Material>> {
    Ok(wit::from_library(tags, kind, count)?)
}

/// Records that these host paths were posted, so later picks skip them.
pub fn mark_used(paths: &[String]) -> Result<()> {
    Ok(wit::mark_used(paths)?)
}

pub use phonefleet_rules::media::{IMAGE_EXTENSIONS, VIDEO_EXTENSIONS};

/// The kind a file's extension says (case-insensitive), if it is a video or image at all — the
/// host's rule (`phonefleet-rules`), so a file the script accepts is one the host accepts.
///
/// ```
/// use phonefleet_sdk::materials::{kind_of, MediaKind};
/// assert_eq!(kind_of("/m/clip.MP4"), Some(MediaKind::Video));
/// assert_eq!(kind_of("a.jpeg"), Some(MediaKind::Image));
/// assert_eq!(kind_of("notes.txt"), None);
/// ```
pub fn kind_of(path: &str) -> Option<MediaKind> {
    match phonefleet_rules::MediaKind::of_path(path)? {
        phonefleet_rules::MediaKind::Video => Some(MediaKind::Video),
        phonefleet_rules::MediaKind::Image => Some(MediaKind::Image),
    }
}

/// "video" or "image", for messages.
pub fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "video",
        MediaKind::Image => "image",
    }
}
