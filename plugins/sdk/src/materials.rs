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

/// Video file extensions (lowercase) [`kind_of`] knows.
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "m4v", "mov", "webm", "mkv", "3gp"];
/// Image file extensions (lowercase) [`kind_of`] knows.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "heic", "heif", "gif", "bmp"];

/// The kind a file's extension says (case-insensitive), if it is a video or image at all.
///
/// ```
/// use phonefleet_sdk::materials::{kind_of, MediaKind};
/// assert_eq!(kind_of("/m/clip.MP4"), Some(MediaKind::Video));
/// assert_eq!(kind_of("a.jpeg"), Some(MediaKind::Image));
/// assert_eq!(kind_of("notes.txt"), None);
/// ```
pub fn kind_of(path: &str) -> Option<MediaKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    if VIDEO_EXTENSIONS.contains(&ext.as_str()) {
        Some(MediaKind::Video)
    } else if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        Some(MediaKind::Image)
    } else {
        None
    }
}

/// "video" or "image", for messages.
pub fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "video",
        MediaKind::Image => "image",
    }
}
