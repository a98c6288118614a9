//! Media kinds: which host files a post can carry as a video or as an image, by extension. The
//! host's material library, its `materials` interface and the SDK all decide with this one list.

use std::fmt;

/// What a media file is, as the `post` script's `content_type` asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// A video (`content_type` 0).
    Video,
    /// A still image (`content_type` 1).
    Image,
}

/// Video extensions (lowercase) that Android's media store indexes as video and the apps accept.
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "m4v", "mov", "webm", "mkv", "3gp"];
/// Image extensions (lowercase) for photo posts. GIF and BMP are left out: TikTok's and
/// Instagram's photo flows do not take them as still images.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "heic", "heif"];

impl MediaKind {
    /// `"video"` or `"image"`, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Image => "image",
        }
    }

    /// The kind named `"video"` or `"image"`.
    pub fn parse(name: &str) -> Option<MediaKind> {
        match name {
            "video" => Some(MediaKind::Video),
            "image" => Some(MediaKind::Image),
            _ => None,
        }
    }

    /// The kind a file name's extension says (case-insensitive; `/` and `\` separate directories).
    ///
    /// ```
    /// use phonefleet_rules::MediaKind;
    /// assert_eq!(MediaKind::of_path("C:\\m\\clip.MP4"), Some(MediaKind::Video));
    /// assert_eq!(MediaKind::of_path("a.jpeg"), Some(MediaKind::Image));
    /// assert_eq!(MediaKind::of_path("notes.txt"), None);
    /// ```
    pub fn of_path(path: &str) -> Option<MediaKind> {
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
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::MediaKind;

    #[test]
    fn a_name_without_extension_has_no_kind() {
        assert_eq!(MediaKind::of_path("/sdcard/DCIM/clip"), None);
        assert_eq!(MediaKind::of_path("dir.mp4/clip"), None);
    }

    #[test]
    fn gif_is_not_a_still_image() {
        assert_eq!(MediaKind::of_path("x.gif"), None);
    }

    #[test]
    fn names_round_trip() {
        for kind in [MediaKind::Video, MediaKind::Image] {
            assert_eq!(MediaKind::parse(kind.as_str()), Some(kind));
        }
    }
}
