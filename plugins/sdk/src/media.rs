//! Media on the phone: where scripts push files, the media-scanner broadcast that puts them in the gallery,
//! and the media-store content URI of a scanned file (found with `content query`, as on a real phone).

use crate::device::run;
use crate::materials::MediaKind;
use crate::{Error, Result, host, quote};
use std::time::Duration;

/// Where scripts put media they post; the gallery shows it once scanned.
pub const DEVICE_DIR: &str = "/sdcard/DCIM/phonefleet";

/// Roots by which Android names shared storage; `/sdcard/x` and `/storage/emulated/0/x` are the same file.
const STORAGE_ROOTS: &[&str] = &[
    "/sdcard/",
    "/storage/emulated/0/",
    "/storage/self/primary/",
    "/mnt/sdcard/",
];

/// A file name safe in a shell command line and a `file://` URI: ASCII letters, digits, `.`, `_` and `-`
/// kept, everything else `_`. Empty names become `media`.
///
/// ```
/// assert_eq!(phonefleet_sdk::media::safe_file_name("/host/My clip (1).mp4"), "My_clip__1_.mp4");
/// assert_eq!(phonefleet_sdk::media::safe_file_name("C:\\v\\夏.jpg"), "_.jpg");
/// ```
pub fn safe_file_name(host_path: &str) -> String {
    let name = host_path.rsplit(['/', '\\']).next().unwrap_or(host_path);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.trim_matches('.').is_empty() {
        "media".to_string()
    } else {
        safe
    }
}

/// The path below the shared-storage root, if `path` is on shared storage under any of its names.
fn storage_relative(path: &str) -> Option<&str> {
    STORAGE_ROOTS
        .iter()
        .find_map(|root| path.strip_prefix(root))
}

/// Whether two device paths name the same file, `/sdcard/...` and `/storage/emulated/0/...` alike.
pub fn same_device_path(a: &str, b: &str) -> bool {
    match (storage_relative(a), storage_relative(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// Rows of `content query ... --projection _id:_data`: `(id, data)` for each `Row: N _id=12, _data=/path`.
pub fn parse_id_data_rows(output: &str) -> Vec<(u64, String)> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("Row: ")?;
            let (_, fields) = rest.split_once(' ')?;
            let fields = fields.strip_prefix("_id=")?;
            let (id, data) = fields.split_once(", _data=")?;
            Some((id.trim().parse().ok()?, data.trim_end().to_string()))
        })
        .collect()
}

/// The media-store collection URI for a kind.
pub fn collection_uri(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "content://media/external/video/media",
        MediaKind::Image => "content://media/external/images/media",
    }
}

/// Asks the media scanner to (re)index a device path: registers a file that exists, forgets one that does not.
pub fn scan(device_path: &str) -> Result<()> {
    let out = run(&format!(
        "am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE -d {}",
        quote(&format!("file://{device_path}"))?
    ))?;
    if !out.contains("Broadcast completed") {
        return Err(Error::failed(format!(
            "media scan of {device_path} was not delivered: {}",
            out.trim()
        )));
    }
    Ok(())
}

/// Deletes a device file (if any) and drops it from the media store, so a new push gets a fresh entry.
pub fn remove(device_path: &str) -> Result<()> {
    run(&format!("rm -f {}", quote(device_path)?))?;
    scan(device_path)
}

/// The content URI (`content://media/external/video/media/ID`) of a scanned file, polling `content query`
/// until the scanner has indexed it or `timeout` passes.
pub fn content_uri(device_path: &str, kind: MediaKind, timeout: Duration) -> Result<String> {
    let collection = collection_uri(kind);
    let query = format!("content query --uri {collection} --projection _id:_data");
    let mut last = String::new();
    let found = host::poll(timeout, Duration::from_millis(500), || {
        last = run(&query)?;
        Ok(parse_id_data_rows(&last)
            .into_iter()
            .find(|(_, data)| same_device_path(data, device_path)))
    })?;
    match found {
        Some((id, _)) => Ok(format!("{collection}/{id}")),
        None => Err(Error::failed(format!(
            "{device_path} is not in the media store after {} s (`content query --uri {collection}` lists {} rows)",
            timeout.as_secs(),
            parse_id_data_rows(&last).len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_like_android_prints_them() {
        let out = "Row: 0 _id=1000, _data=/storage/emulated/0/DCIM/phonefleet/v1.mp4\n\
                   Row: 1 _id=1003, _data=/storage/emulated/0/DCIM/a, b.mp4\r\nNo result found.\n";
        assert_eq!(
            parse_id_data_rows(out),
            vec![
                (
                    1000,
                    "/storage/emulated/0/DCIM/phonefleet/v1.mp4".to_string()
                ),
                (1003, "/storage/emulated/0/DCIM/a, b.mp4".to_string())
            ]
        );
        assert!(parse_id_data_rows("No result found.\n").is_empty());
    }

    #[test]
    fn storage_roots_are_one_place() {
        assert!(same_device_path(
            "/sdcard/DCIM/x.mp4",
            "/storage/emulated/0/DCIM/x.mp4"
        ));
        assert!(same_device_path("/storage/self/primary/a", "/sdcard/a"));
        assert!(!same_device_path(
            "/sdcard/DCIM/x.mp4",
            "/storage/emulated/0/DCIM/y.mp4"
        ));
        assert!(same_device_path("/data/x", "/data/x"));
    }

    #[test]
    fn names_are_made_shell_safe() {
        assert_eq!(safe_file_name("v1.mp4"), "v1.mp4");
        assert_eq!(safe_file_name("/a/b/it's here.MOV"), "it_s_here.MOV");
        assert_eq!(safe_file_name("/a/.."), "media");
    }
}
