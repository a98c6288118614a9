//! What a host media file really is, read from its first bytes (the `infer` crate), against what
//! its name says: a file named `.mp4` that holds a PNG, or a text file named `.jpg`, is refused
//! when a task is created rather than failing on the phone.

use std::path::Path;

use phonefleet_rules::MediaKind;

/// Why the file at `real` (named `named`) is not the media its name says; `None` when it is, or
/// when its name is no media name at all (the script judges those).
pub fn mismatch(named: &str, real: &Path) -> Option<String> {
    let said = MediaKind::of_path(named)?;
    let found = match infer::get_from_path(real) {
        Ok(found) => found,
        Err(e) => return Some(format!("{named:?} cannot be read: {e}")),
    };
    let is = found.and_then(|t| match t.matcher_type() {
        infer::MatcherType::Video => Some(MediaKind::Video),
        infer::MatcherType::Image => Some(MediaKind::Image),
        _ => None,
    });
    match (is, found) {
        (Some(is), _) if is == said => None,
        (Some(is), Some(t)) => Some(format!(
            "{named:?} is named as {} but holds {} ({})",
            article(said),
            article(is),
            t.mime_type()
        )),
        (_, Some(t)) => Some(format!(
            "{named:?} is named as {} but holds {} data, not media",
            article(said),
            t.mime_type()
        )),
        // An unknown binary may be a codec the sniffer does not know (3GP, XAVC): the phone judges.
        (_, None) if !looks_like_text(real) => None,
        (_, None) => Some(format!(
            "{named:?} is named as {} but holds text, not media",
            article(said)
        )),
    }
}

/// Whether the file starts with text: UTF-8 (a character cut at the end of the sample allowed)
/// without control characters other than whitespace.
fn looks_like_text(real: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 512];
    let Ok(n) = std::fs::File::open(real).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let head = &head[..n];
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    n > 0 && valid.chars().all(|c| !c.is_control() || c.is_whitespace())
}

fn article(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "a video",
        MediaKind::Image => "an image",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of an MP4 file (an `ftyp` box of brand `isom`).
    const MP4: &[u8] = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2";
    /// The first bytes of a PNG file.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

    fn file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn media_whose_bytes_match_its_name_passes() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(mismatch("v.mp4", &file(dir.path(), "v.mp4", MP4)), None);
        assert_eq!(mismatch("p.png", &file(dir.path(), "p.png", PNG)), None);
    }

    #[test]
    fn a_png_named_mp4_is_an_image_not_a_video() {
        let dir = tempfile::tempdir().expect("tempdir");
        let why = mismatch("v.mp4", &file(dir.path(), "v.mp4", PNG)).expect("a mismatch");
        assert!(why.contains("named as a video but holds an image"), "{why}");
    }

    #[test]
    fn text_named_jpg_is_no_media() {
        let dir = tempfile::tempdir().expect("tempdir");
        let why = mismatch("p.jpg", &file(dir.path(), "p.jpg", b"hello")).expect("a mismatch");
        assert!(why.contains("holds text"), "{why}");
    }

    #[test]
    fn an_unknown_binary_is_left_to_the_phone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let odd = file(
            dir.path(),
            "v.mp4",
            b"\x00\x00\x00\x14ftypXAVC\x00\x00\x00\x00\x01\x02",
        );
        assert_eq!(mismatch("v.mp4", &odd), None);
    }

    #[test]
    fn names_that_are_no_media_are_left_to_the_script() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            mismatch("notes.txt", &file(dir.path(), "notes.txt", b"x")),
            None
        );
    }
}
