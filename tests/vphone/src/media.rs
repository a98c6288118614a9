//! The media store: files registered by `MEDIA_SCANNER_SCAN_FILE`, each with an id and a content URI,
//! listed by the gallery newest first and answered by `content query` the way Android's MediaProvider does.

use crate::fs::Fs;

/// The columns `content query` knows.
pub const COLUMNS: [&str; 6] = [
    "_id",
    "_data",
    "_display_name",
    "mime_type",
    "_size",
    "media_type",
];
/// Where the provider says shared storage lives (what `_data` shows for `/sdcard/...`).
pub const STORAGE_ROOT: &str = "/storage/emulated/0";
/// The first id handed out; real phones are never empty, so ids do not start at 1.
const FIRST_ID: u64 = 1000;

/// Video or image, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Video,
    Image,
}

impl Kind {
    /// The kind a file name's extension says, if it is a media file at all.
    pub fn of(path: &str) -> Option<Kind> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "mp4" | "m4v" | "mov" | "webm" | "mkv" | "3gp" => Some(Kind::Video),
            "jpg" | "jpeg" | "png" | "webp" | "heic" | "heif" | "gif" | "bmp" => Some(Kind::Image),
            _ => None,
        }
    }

    /// The collection in content URIs: `video` or `images`.
    fn collection(self) -> &'static str {
        match self {
            Kind::Video => "video",
            Kind::Image => "images",
        }
    }
}

/// One registered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: u64,
    /// The path as scanned, normalised (`/sdcard/DCIM/phonefleet/v1.mp4`).
    pub path: String,
    pub kind: Kind,
    pub size: usize,
    pub mime: String,
}

impl Item {
    /// `content://media/external/video/media/ID` (or `images`).
    pub fn uri(&self) -> String {
        format!(
            "content://media/external/{}/media/{}",
            self.kind.collection(),
            self.id
        )
    }

    /// The path as the provider stores it: `/storage/emulated/0/...` for shared storage.
    pub fn data(&self) -> String {
        match self.path.strip_prefix("/sdcard/") {
            Some(rest) => format!("{STORAGE_ROOT}/{rest}"),
            None => self.path.clone(),
        }
    }

    fn display_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// A column's value as `content query` prints it, if the column exists.
    pub fn column(&self, name: &str) -> Option<String> {
        Some(match name {
            "_id" => self.id.to_string(),
            "_data" => self.data(),
            "_display_name" => self.display_name().to_string(),
            "mime_type" => self.mime.clone(),
            "_size" => self.size.to_string(),
            "media_type" => match self.kind {
                Kind::Image => "1".to_string(),
                Kind::Video => "3".to_string(),
            },
            _ => return None,
        })
    }
}

fn mime(path: &str, kind: Kind) -> String {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match (kind, ext.as_str()) {
        (Kind::Video, "mov") => "video/quicktime".into(),
        (Kind::Video, "mkv") => "video/x-matroska".into(),
        (Kind::Video, "3gp") => "video/3gpp".into(),
        (Kind::Video, "m4v") => "video/mp4".into(),
        (Kind::Video, e) => format!("video/{e}"),
        (Kind::Image, "jpg") => "image/jpeg".into(),
        (Kind::Image, e) => format!("image/{e}"),
    }
}

/// Which rows a content URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// `content://media/external/file`: everything.
    Files,
    Only(Kind),
}

/// A parsed `content://media/external/...` URI: a collection, optionally one id in it.
pub fn parse_uri(uri: &str) -> Option<(Collection, Option<u64>)> {
    let rest = uri.strip_prefix("content://media/external/")?;
    let (collection, tail) = match rest.split_once('/') {
        Some(("file", tail)) => (Collection::Files, Some(tail)),
        None if rest == "file" => (Collection::Files, None),
        Some(("video", tail)) => (Collection::Only(Kind::Video), tail.strip_prefix("media")),
        Some(("images", tail)) => (Collection::Only(Kind::Image), tail.strip_prefix("media")),
        _ => return None,
    };
    match tail.map(|t| t.trim_start_matches('/')) {
        None | Some("") => Some((collection, None)),
        Some(id) => Some((collection, Some(id.parse().ok()?))),
    }
}

/// Every scanned file, in scan order (ids ascending).
#[derive(Debug, Clone, Default)]
pub struct MediaStore {
    items: Vec<Item>,
    last_id: u64,
}

impl MediaStore {
    /// What the scanner does with a path: registers (or refreshes) an existing media file, forgets a
    /// missing one. A rescanned file keeps its id.
    pub fn scan(&mut self, path: &str, fs: &Fs) {
        let path = crate::fs::normalize(path);
        let (Ok(data), Some(kind)) = (fs.read(&path), Kind::of(&path)) else {
            self.items.retain(|item| item.path != path);
            return;
        };
        if let Some(item) = self.items.iter_mut().find(|item| item.path == path) {
            item.size = data.len();
            return;
        }
        self.last_id = self.last_id.max(FIRST_ID - 1) + 1;
        self.items.push(Item {
            id: self.last_id,
            mime: mime(&path, kind),
            path,
            kind,
            size: data.len(),
        });
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn get(&self, id: u64) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// The item a content URI names, if it names one that exists.
    pub fn resolve(&self, uri: &str) -> Option<&Item> {
        let (collection, id) = parse_uri(uri)?;
        let item = self.get(id?)?;
        (collection == Collection::Files || collection == Collection::Only(item.kind))
            .then_some(item)
    }

    /// The rows of a collection (ids ascending, as the provider's default order).
    pub fn query(&self, collection: Collection, id: Option<u64>) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|item| {
                collection == Collection::Files || collection == Collection::Only(item.kind)
            })
            .filter(|item| id.is_none_or(|id| item.id == id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanning_registers_media_with_ids_and_uris() {
        let mut fs = Fs::default();
        fs.mkdir("/sdcard/DCIM/phonefleet", true).ok();
        fs.write(
            "/sdcard/DCIM/phonefleet/v1.mp4",
            vec![1, 2],
            crate::fs::MODE_FILE,
        )
        .ok();
        fs.write(
            "/sdcard/DCIM/phonefleet/a.JPG",
            vec![3],
            crate::fs::MODE_FILE,
        )
        .ok();
        fs.write("/sdcard/notes.txt", vec![4], crate::fs::MODE_FILE)
            .ok();
        let mut store = MediaStore::default();
        for path in [
            "/sdcard/DCIM/phonefleet/v1.mp4",
            "/sdcard//DCIM/phonefleet/a.JPG",
            "/sdcard/notes.txt",
            "/x.mp4",
        ] {
            store.scan(path, &fs);
        }
        store.scan("/sdcard/DCIM/phonefleet/v1.mp4", &fs);
        let items = store.items();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].uri(), "content://media/external/video/media/1000");
        assert_eq!(items[1].uri(), "content://media/external/images/media/1001");
        assert_eq!(items[1].mime, "image/jpeg");
        assert_eq!(
            items[0].data(),
            "/storage/emulated/0/DCIM/phonefleet/v1.mp4"
        );
        assert_eq!(
            store
                .resolve("content://media/external/video/media/1000")
                .map(|i| i.id),
            Some(1000)
        );
        assert!(
            store
                .resolve("content://media/external/images/media/1000")
                .is_none()
        );
        assert_eq!(
            store
                .resolve("content://media/external/file/1001")
                .map(|i| i.id),
            Some(1001)
        );
        assert_eq!(store.query(Collection::Only(Kind::Image), None).len(), 1);
        fs.remove("/sdcard/DCIM/phonefleet/v1.mp4", false).ok();
        store.scan("/sdcard/DCIM/phonefleet/v1.mp4", &fs);
        assert_eq!(store.items().len(), 1);
    }

    #[test]
    fn uris_parse() {
        assert_eq!(
            parse_uri("content://media/external/video/media"),
            Some((Collection::Only(Kind::Video), None))
        );
        assert_eq!(
            parse_uri("content://media/external/images/media/7"),
            Some((Collection::Only(Kind::Image), Some(7)))
        );
        assert_eq!(
            parse_uri("content://media/external/file"),
            Some((Collection::Files, None))
        );
        assert_eq!(parse_uri("content://media/external/video/media/x"), None);
        assert_eq!(parse_uri("content://settings/system"), None);
    }
}
