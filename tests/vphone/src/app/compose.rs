//! Posting: the share intent, Create → camera → gallery → editor → caption, sounds, volumes, product links,
//! the publish prompt and the timed upload, and the posts `dumpsys vphone` reports. Looks live in `compose_screens`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{App, Screen};
use crate::fs::Fs;
use crate::media::Kind;

/// The sound the editor picks by itself for a draft that has none.
pub const AUTO_SOUND: &str = "Trending beat";
/// What the sound sheet recommends before anything is typed.
pub const RECOMMENDED_SOUNDS: [&str; 4] = [
    "Trending beat",
    "Summer vibes",
    "Lo-fi study",
    "Epic cinematic",
];
/// The products "Add link" → "Product" offers.
pub const PRODUCTS: [&str; 2] = ["Phone stand", "LED ring light"];

/// How the draft reached the editor; recorded with the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Share,
    AddButton,
    UseSound,
}

impl Flow {
    fn name(self) -> &'static str {
        match self {
            Flow::Share => "share",
            Flow::AddButton => "addButton",
            Flow::UseSound => "useSound",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GalleryTab {
    #[default]
    All,
    Videos,
    Photos,
}

impl GalleryTab {
    pub fn shows(self, kind: Kind) -> bool {
        match self {
            GalleryTab::All => true,
            GalleryTab::Videos => kind == Kind::Video,
            GalleryTab::Photos => kind == Kind::Image,
        }
    }
}

/// The gallery overlay: which tab, whether "Select multiple" is on, and the selection in tap order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gallery {
    pub tab: GalleryTab,
    pub multi: bool,
    pub selected: Vec<u64>,
}

/// The editor's two volume sliders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    Original,
    Added,
}

/// The post-making screens, pushed on the app's stack like the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeScreen {
    /// Create → the camera; `sound` is preset by "Use sound" on a sound page.
    Camera {
        sound: Option<String>,
    },
    Gallery(Gallery),
    Editor,
    VolumePanel,
    SoundSheet {
        query: String,
    },
    Caption {
        focused: bool,
    },
    LinkSheet,
    ProductPicker,
    PublishDialog,
    SoundPage(String),
}

impl ComposeScreen {
    pub fn is_overlay(&self) -> bool {
        matches!(
            self,
            ComposeScreen::Gallery(_)
                | ComposeScreen::VolumePanel
                | ComposeScreen::SoundSheet { .. }
                | ComposeScreen::LinkSheet
                | ComposeScreen::PublishDialog
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            ComposeScreen::Camera { .. } => "camera",
            ComposeScreen::Gallery(_) => "gallery",
            ComposeScreen::Editor => "editor",
            ComposeScreen::VolumePanel => "volume_panel",
            ComposeScreen::SoundSheet { .. } => "sound_sheet",
            ComposeScreen::Caption { .. } => "caption",
            ComposeScreen::LinkSheet => "link_sheet",
            ComposeScreen::ProductPicker => "product_picker",
            ComposeScreen::PublishDialog => "publish_dialog",
            ComposeScreen::SoundPage(_) => "sound_page",
        }
    }
}

/// What a tap on a post-making control does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tap {
    OpenCamera,
    OpenGallery,
    GalleryTab(GalleryTab),
    ToggleMultiSelect,
    /// A tile: selects it (single mode) or toggles it (multi-select).
    Tile(u64),
    /// A tile's select circle: toggles it.
    SelectCircle(u64),
    GalleryNext,
    OpenSoundSheet,
    PickSound(String),
    RemoveSound,
    OpenVolume,
    /// A SeekBar spanning `left..right`: the tap's x sets the value 0..=100.
    Seek {
        track: Track,
        left: i32,
        right: i32,
    },
    CloseOverlay,
    EditorNext,
    FocusCaption,
    PickHashtag(String),
    OpenLinkSheet,
    OpenProducts,
    AddProduct(String),
    Post,
    PublishNow,
    UseSound(String),
}

/// What is being made: the media (gallery order of selection), sound, volumes, caption and product link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub flow: Flow,
    pub media: Vec<u64>,
    pub sound: Option<String>,
    pub original_volume: u8,
    pub added_volume: u8,
    pub caption: String,
    pub product: Option<String>,
}

impl Draft {
    fn new(flow: Flow, media: Vec<u64>, sound: Option<String>) -> Self {
        Self {
            flow,
            media,
            sound: sound.or_else(|| Some(AUTO_SOUND.to_string())),
            original_volume: 50,
            added_volume: 50,
            caption: String::new(),
            product: None,
        }
    }
}

/// One published file: where it was on the phone and the sha256 of its bytes when Post was tapped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PostedFile {
    path: String,
    uri: String,
    sha256: Option<String>,
    size: usize,
}

/// A post as the app published it.
#[derive(Debug, Clone)]
pub struct PostRecord {
    account: String,
    caption: String,
    flow: Flow,
    kind: &'static str,
    files: Vec<PostedFile>,
    sound: Option<String>,
    original_volume: u8,
    added_volume: u8,
    product_link: Option<String>,
    started: Instant,
}

impl PostRecord {
    fn done(&self, upload: Duration) -> bool {
        self.started.elapsed() >= upload
    }

    fn to_json(&self, upload: Duration) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| json!({"path": f.path, "uri": f.uri, "sha256": f.sha256, "size": f.size}))
            .collect();
        json!({
            "account": self.account,
            "caption": self.caption,
            "flow": self.flow.name(),
            "kind": self.kind,
            "files": files,
            "sound": self.sound,
            "original_volume": self.original_volume,
            "added_volume": self.added_volume,
            "product_link": self.product_link,
            "status": if self.done(upload) { "posted" } else { "uploading" },
        })
    }
}

/// Sounds the sheet lists for a typed query.
pub fn sound_results(query: &str) -> Vec<String> {
    let query = query.trim();
    if query.is_empty() {
        return RECOMMENDED_SOUNDS.iter().map(|s| s.to_string()).collect();
    }
    vec![
        query.to_string(),
        format!("{query} (Remix)"),
        format!("{query} - Sped up"),
    ]
}

/// The `#tag` being typed at the end of a caption, if any.
pub fn typing_hashtag(caption: &str) -> Option<&str> {
    let last = caption.rsplit(char::is_whitespace).next()?;
    (last.len() > 1 && last.starts_with('#')).then_some(last)
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    pub fn media(&self) -> &crate::media::MediaStore {
        &self.media
    }

    /// `MEDIA_SCANNER_SCAN_FILE` for one path.
    pub fn scan_media(&mut self, path: &str, fs: &Fs) {
        self.media.scan(path, fs);
    }

    pub fn posts_json(&self) -> Value {
        Value::Array(
            self.posts
                .iter()
                .map(|p| p.to_json(self.upload_duration))
                .collect(),
        )
    }

    /// The upload progress the app shows (0..=99) while the latest post is uploading.
    pub fn upload_percent(&self) -> Option<u8> {
        let post = self.posts.last()?;
        if post.done(self.upload_duration) {
            return None;
        }
        let fraction = post.started.elapsed().as_secs_f64() / self.upload_duration.as_secs_f64();
        Some((fraction * 100.0).clamp(0.0, 99.0) as u8)
    }

    pub(super) fn draft(&self) -> Option<&Draft> {
        self.draft.as_ref()
    }

    /// The camera's preset sound, from the camera screen nearest the top of the stack.
    pub(super) fn camera_sound(&self) -> Option<&str> {
        self.stack.iter().rev().find_map(|s| match s {
            Screen::Compose(ComposeScreen::Camera { sound }) => Some(sound.as_deref()),
            _ => None,
        })?
    }

    /// `SEND`/`SEND_MULTIPLE` into SystemShareActivity: the editor with the shared media, or a toast when
    /// a URI names nothing in the media store.
    pub fn share(&mut self, uris: &[String]) {
        self.toast = None;
        let ids: Option<Vec<u64>> = uris
            .iter()
            .map(|u| self.media.resolve(u).map(|item| item.id))
            .collect();
        self.foreground = true;
        if self.stack.is_empty() {
            self.stack.push(Screen::Feed);
        }
        match ids {
            Some(ids) if !ids.is_empty() => {
                self.draft = Some(Draft::new(Flow::Share, ids, None));
                self.stack.push(Screen::Compose(ComposeScreen::Editor));
            }
            _ => self.toast = Some("Couldn't load this file. Try another one.".to_string()),
        }
        self.maybe_prompt();
    }

    /// The sound page of `https://www.tiktok.com/music/...`.
    pub(super) fn sound_page(name: String) -> Screen {
        Screen::Compose(ComposeScreen::SoundPage(name))
    }

    /// Typed text for a focused post-making field; false when none has focus.
    pub(super) fn type_compose(&mut self, text: &str) -> bool {
        match self.stack.last_mut() {
            Some(Screen::Compose(ComposeScreen::SoundSheet { query })) => query.push_str(text),
            Some(Screen::Compose(ComposeScreen::Caption { focused: true })) => {
                match self.draft.as_mut() {
                    Some(draft) => draft.caption.push_str(text),
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }

    /// Backspace in a focused post-making field.
    pub(super) fn delete_compose(&mut self) {
        match self.stack.last_mut() {
            Some(Screen::Compose(ComposeScreen::SoundSheet { query })) => {
                query.pop();
            }
            Some(Screen::Compose(ComposeScreen::Caption { focused: true })) => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.caption.pop();
                }
            }
            _ => {}
        }
    }

    /// Back on a focused caption hides the keyboard instead of leaving; true when it did.
    pub(super) fn back_compose(&mut self) -> bool {
        if let Some(Screen::Compose(ComposeScreen::Caption { focused })) = self.stack.last_mut()
            && *focused
        {
            *focused = false;
            return true;
        }
        false
    }

    fn gallery_mut(&mut self) -> Option<&mut Gallery> {
        match self.stack.last_mut() {
            Some(Screen::Compose(ComposeScreen::Gallery(gallery))) => Some(gallery),
            _ => None,
        }
    }

    fn push(&mut self, screen: ComposeScreen) {
        self.stack.push(Screen::Compose(screen));
    }

    pub(super) fn compose(&mut self, tap: Tap, x: i32, fs: &Fs) {
        match tap {
            Tap::OpenCamera => self.push(ComposeScreen::Camera { sound: None }),
            Tap::UseSound(name) => self.push(ComposeScreen::Camera { sound: Some(name) }),
            Tap::OpenGallery => self.push(ComposeScreen::Gallery(Gallery::default())),
            Tap::GalleryTab(tab) => {
                if let Some(gallery) = self.gallery_mut() {
                    gallery.tab = tab;
                }
            }
            Tap::ToggleMultiSelect => {
                if let Some(gallery) = self.gallery_mut() {
                    gallery.multi = !gallery.multi;
                    gallery.selected.truncate(1);
                }
            }
            Tap::Tile(id) | Tap::SelectCircle(id) => {
                let circle = matches!(tap, Tap::SelectCircle(_));
                if let Some(gallery) = self.gallery_mut() {
                    let was = gallery.selected.contains(&id);
                    if gallery.multi {
                        if was {
                            gallery.selected.retain(|s| *s != id);
                        } else {
                            gallery.selected.push(id);
                        }
                    } else if was && circle {
                        gallery.selected.clear();
                    } else {
                        gallery.selected = vec![id];
                    }
                }
            }
            Tap::GalleryNext => {
                let sound = self.camera_sound().map(str::to_string);
                if let Some(gallery) = self.gallery_mut()
                    && !gallery.selected.is_empty()
                {
                    let media = gallery.selected.clone();
                    let flow = if sound.is_some() {
                        Flow::UseSound
                    } else {
                        Flow::AddButton
                    };
                    self.draft = Some(Draft::new(flow, media, sound));
                    self.push(ComposeScreen::Editor);
                }
            }
            Tap::OpenSoundSheet => self.push(ComposeScreen::SoundSheet {
                query: String::new(),
            }),
            Tap::PickSound(name) => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.sound = Some(name);
                }
                self.stack.pop();
            }
            Tap::RemoveSound => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.sound = None;
                }
                self.stack.pop();
            }
            Tap::OpenVolume => self.push(ComposeScreen::VolumePanel),
            Tap::Seek { track, left, right } => {
                let width = f64::from((right - left).max(1));
                let value = (f64::from(x - left) * 100.0 / width)
                    .round()
                    .clamp(0.0, 100.0) as u8;
                if let Some(draft) = self.draft.as_mut() {
                    match track {
                        Track::Original => draft.original_volume = value,
                        Track::Added => draft.added_volume = value,
                    }
                }
            }
            Tap::CloseOverlay => {
                self.stack.pop();
            }
            Tap::EditorNext => self.push(ComposeScreen::Caption { focused: false }),
            Tap::FocusCaption => {
                if let Some(Screen::Compose(ComposeScreen::Caption { focused })) =
                    self.stack.last_mut()
                {
                    *focused = true;
                }
            }
            Tap::PickHashtag(tag) => {
                if let Some(draft) = self.draft.as_mut()
                    && let Some(typed) = typing_hashtag(&draft.caption)
                {
                    let keep = draft.caption.len() - typed.len();
                    draft.caption.truncate(keep);
                    draft.caption.push_str(&tag);
                    draft.caption.push(' ');
                }
            }
            Tap::OpenLinkSheet => self.push(ComposeScreen::LinkSheet),
            Tap::OpenProducts => {
                self.stack.pop();
                self.push(ComposeScreen::ProductPicker);
            }
            Tap::AddProduct(name) => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.product = Some(name);
                }
                self.stack.pop();
            }
            Tap::Post => {
                if self.popups.publish_prompt && !self.publish_prompted {
                    self.publish_prompted = true;
                    self.push(ComposeScreen::PublishDialog);
                } else {
                    self.publish(fs);
                }
            }
            Tap::PublishNow => {
                self.stack.pop();
                self.publish(fs);
            }
        }
    }

    /// Publishes the draft: records the post (file bytes hashed now), starts the upload, back to the feed.
    fn publish(&mut self, fs: &Fs) {
        let Some(draft) = self.draft.take() else {
            return;
        };
        let items: Vec<_> = draft
            .media
            .iter()
            .filter_map(|id| self.media.get(*id))
            .collect();
        let kind = if items.iter().all(|item| item.kind == Kind::Image) {
            "images"
        } else {
            "video"
        };
        let files = items
            .iter()
            .map(|item| {
                let data = fs.read(&item.path).ok();
                PostedFile {
                    path: item.path.clone(),
                    uri: item.uri(),
                    sha256: data.map(sha256_hex),
                    size: data.map_or(0, <[u8]>::len),
                }
            })
            .collect();
        self.posts.push(PostRecord {
            account: self.current_account().to_string(),
            caption: draft.caption,
            flow: draft.flow,
            kind,
            files,
            sound: draft.sound,
            original_volume: draft.original_volume,
            added_volume: draft.added_volume,
            product_link: draft.product,
            started: Instant::now(),
        });
        self.stack = vec![Screen::Feed];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_being_typed() {
        assert_eq!(typing_hashtag("hello #fy"), Some("#fy"));
        assert_eq!(typing_hashtag("#fyp "), None);
        assert_eq!(typing_hashtag("a # b"), None);
        assert_eq!(typing_hashtag("日本 #旅行"), Some("#旅行"));
    }

    #[test]
    fn sounds_found_for_a_query() {
        assert_eq!(sound_results(" "), RECOMMENDED_SOUNDS);
        assert_eq!(sound_results("rain")[0], "rain");
    }
}
