//! The post script's config (SPEC §5 "post"): every key, its default, its JSON Schema with the host-path
//! marks (`x-host-path`) and the conditional requirements (`if`/`then`) the host enforces at creation.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// What to post: `0` a video, `1` images (a carousel of `image_count`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ContentType {
    #[default]
    Video,
    Images,
}

/// An integer that must be 0 or 1 (`content_type`, `add_product_link`), as serde and the schema see it.
fn zero_or_one<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<bool, D::Error> {
    match u64::deserialize(d)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(de::Error::custom(format!(
            "{what} must be 0 or 1, got {other}"
        ))),
    }
}

impl Serialize for ContentType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(matches!(self, ContentType::Images).into())
    }
}

impl<'de> Deserialize<'de> for ContentType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(if zero_or_one(d, "content_type")? {
            ContentType::Images
        } else {
            ContentType::Video
        })
    }
}

impl JsonSchema for ContentType {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "ContentType".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "enum": [0, 1]})
    }
}

/// `add_product_link`: 0 or 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProductLink(pub bool);

impl Serialize for ProductLink {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0.into())
    }
}

impl<'de> Deserialize<'de> for ProductLink {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        zero_or_one(d, "add_product_link").map(ProductLink)
    }
}

impl JsonSchema for ProductLink {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "ProductLink".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "enum": [0, 1]})
    }
}

/// How the media reaches the app: `share` (a SEND intent with the media-store URI), `addButton`
/// (Create → Upload → gallery) or `useSound` (open the sound, "Use sound", then the gallery).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PostWay {
    #[default]
    Share,
    AddButton,
    UseSound,
}

impl PostWay {
    pub fn name(self) -> &'static str {
        match self {
            PostWay::Share => "share",
            PostWay::AddButton => "addButton",
            PostWay::UseSound => "useSound",
        }
    }
}

/// Where media come from when `material_list` is empty: the host's material library (by `materials_tags`)
/// or a host folder (`material_path`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MaterialSource {
    #[default]
    MaterialLibrary,
    LocalFolder,
}

/// Instagram's placement; TikTok has none (accepted and logged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    #[default]
    Reel,
    Story,
}

/// `add_sound`: `"-1"` leave the app's default, `"0"` no sound, `"1"` add a recommended sound, `"custom"`
/// search `custom_sound_keyword`. Integers -1, 0, 1 are accepted too; it serialises as the string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AddSound {
    #[default]
    Default,
    Off,
    On,
    Custom,
}

impl AddSound {
    pub fn as_str(self) -> &'static str {
        match self {
            AddSound::Default => "-1",
            AddSound::Off => "0",
            AddSound::On => "1",
            AddSound::Custom => "custom",
        }
    }
}

impl Serialize for AddSound {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AddSound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AddSound;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#""-1", "0", "1", "custom", -1, 0 or 1"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AddSound, E> {
                match v {
                    "-1" => Ok(AddSound::Default),
                    "0" => Ok(AddSound::Off),
                    "1" => Ok(AddSound::On),
                    "custom" => Ok(AddSound::Custom),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AddSound, E> {
                match v {
                    -1 => Ok(AddSound::Default),
                    0 => Ok(AddSound::Off),
                    1 => Ok(AddSound::On),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AddSound, E> {
                match i64::try_from(v) {
                    Ok(v) => self.visit_i64(v),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for AddSound {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "AddSound".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"enum": ["-1", "0", "1", "custom", -1, 0, 1]})
    }
}

/// Marks every item of an array property as a host file the task may push.
fn host_files(schema: &mut Schema) {
    if let Some(items) = schema.get_mut("items").and_then(|v| v.as_object_mut()) {
        items.insert("x-host-path".into(), "file".into());
    }
}

/// Config of the post script: one task publishes one video (or one carousel of images).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "post")]
#[schemars(extend("allOf" = [
    {
        "if": {
            "properties": {"material_source": {"const": "localFolder"}, "material_list": {"maxItems": 0}},
            "required": ["material_source"]
        },
        "then": {"required": ["material_path"], "properties": {"material_path": {"minLength": 1}}}
    },
    {
        "if": {"properties": {"post_way": {"const": "useSound"}}, "required": ["post_way"]},
        "then": {"required": ["sound_name"], "properties": {"sound_name": {"minLength": 1}}}
    },
    {
        "if": {"properties": {"add_sound": {"const": "custom"}}, "required": ["add_sound"]},
        "then": {"required": ["custom_sound_keyword"], "properties": {"custom_sound_keyword": {"minLength": 1}}}
    }
]))]
pub struct PostConfig {
    /// 0 posts a video, 1 posts images (image_count of them, as one carousel).
    #[serde(default)]
    pub content_type: ContentType,
    /// How many images a carousel has (content_type 1): 1 to 35, TikTok's photo-mode limit.
    #[serde(default = "default_image_count")]
    #[schemars(range(min = 1, max = 35))]
    pub image_count: u32,
    /// Caption; spintax `{a|b|c}` (nested allowed) is resolved once per task. Any Unicode, emoji
    /// included, up to 10,000 characters (TikTok itself keeps 4,000 of a caption); long text is
    /// typed in pieces.
    #[serde(default)]
    #[schemars(length(max = 10000))]
    pub captions: String,
    /// share, addButton or useSound.
    #[serde(default)]
    pub post_way: PostWay,
    /// Host files to post, in order; wins over material_source.
    #[serde(default)]
    #[schemars(transform = host_files)]
    pub material_list: Vec<String>,
    /// Where media come from when material_list is empty.
    #[serde(default)]
    pub material_source: MaterialSource,
    /// Host folder to pick unused media from (material_source localFolder).
    #[serde(default)]
    #[schemars(extend("x-host-path" = "dir"))]
    pub material_path: String,
    /// Comma-separated material library tags (material_source materialLibrary); empty takes any.
    #[serde(default)]
    pub materials_tags: String,
    /// Seconds to wait for the upload to finish after Post (0: do not wait).
    #[serde(default = "default_upload_wait_time")]
    #[schemars(range(max = 3600))]
    pub upload_wait_time: u32,
    /// Seconds to wait for a sound page to load (post_way useSound), at most 600.
    #[serde(default = "default_sound_wait_time")]
    #[schemars(range(max = 600))]
    pub sound_wait_time: u32,
    /// "-1" the app's default sound, "0" none, "1" a recommended one, "custom" search custom_sound_keyword.
    #[serde(default)]
    pub add_sound: AddSound,
    /// The sound to use (post_way useSound): a name or a `https://www.tiktok.com/music/...` link.
    #[serde(default)]
    pub sound_name: String,
    /// What to search for when add_sound is "custom".
    #[serde(default)]
    pub custom_sound_keyword: String,
    /// Volume of the video's own sound, 0..100.
    #[serde(default = "default_volume")]
    #[schemars(range(max = 100))]
    pub origin_sound_volume: u8,
    /// Volume of the added sound, 0..100.
    #[serde(default = "default_volume")]
    #[schemars(range(max = 100))]
    pub add_sound_volume: u8,
    /// 1 attaches a product link through "Add link" → "Product".
    #[serde(default)]
    pub add_product_link: ProductLink,
    /// Instagram only: reel (a post: a Reel, a photo or a carousel) or story; TikTok ignores it.
    #[serde(default)]
    pub placement: Placement,
    /// The app to drive; the host fills in the task's app.
    #[serde(default)]
    pub app: PostApp,
}

/// The apps the post script drives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostApp {
    /// TikTok.
    #[default]
    Tiktok,
    /// Instagram: a Reel, a photo, a carousel or a story, through the app's share handler.
    Instagram,
}

fn default_image_count() -> u32 {
    1
}
fn default_upload_wait_time() -> u32 {
    30
}
fn default_sound_wait_time() -> u32 {
    10
}
fn default_volume() -> u8 {
    50
}

impl Default for PostConfig {
    fn default() -> Self {
        Self {
            content_type: ContentType::Video,
            image_count: default_image_count(),
            captions: String::new(),
            post_way: PostWay::Share,
            material_list: Vec::new(),
            material_source: MaterialSource::MaterialLibrary,
            material_path: String::new(),
            materials_tags: String::new(),
            upload_wait_time: default_upload_wait_time(),
            sound_wait_time: default_sound_wait_time(),
            add_sound: AddSound::Default,
            sound_name: String::new(),
            custom_sound_keyword: String::new(),
            origin_sound_volume: default_volume(),
            add_sound_volume: default_volume(),
            add_product_link: ProductLink(false),
            placement: Placement::Reel,
            app: PostApp::Tiktok,
        }
    }
}

impl PostConfig {
    /// The checks the schema makes, repeated for configs that reach `run` some other way: which key is
    /// wrong and why.
    pub fn check(&self) -> Result<(), String> {
        if self.image_count == 0 {
            return Err("image_count must be at least 1".into());
        }
        if self.upload_wait_time > 3600 {
            return Err(format!(
                "upload_wait_time must be 0..3600 s, got {}",
                self.upload_wait_time
            ));
        }
        for (key, v) in [
            ("origin_sound_volume", self.origin_sound_volume),
            ("add_sound_volume", self.add_sound_volume),
        ] {
            if v > 100 {
                return Err(format!("{key} must be 0..100, got {v}"));
            }
        }
        let listed = self.material_list.iter().any(|p| !p.trim().is_empty());
        if !listed
            && self.material_source == MaterialSource::LocalFolder
            && self.material_path.trim().is_empty()
        {
            return Err("material_path is required when material_source is localFolder and material_list is empty".into());
        }
        if self.post_way == PostWay::UseSound && self.sound_name.trim().is_empty() {
            return Err("sound_name is required when post_way is useSound".into());
        }
        if self.add_sound == AddSound::Custom && self.custom_sound_keyword.trim().is_empty() {
            return Err("custom_sound_keyword is required when add_sound is custom".into());
        }
        if self.app == PostApp::Instagram {
            self.check_instagram()?;
        }
        Ok(())
    }

    /// What Instagram cannot do with this script: a sound's page as the way in, sounds and product
    /// links, a story of several files.
    fn check_instagram(&self) -> Result<(), String> {
        if self.post_way == PostWay::UseSound {
            return Err(
                "post_way useSound is not available on Instagram: use share (the app's share \
                 handler) or addButton (Create and the gallery)"
                    .into(),
            );
        }
        if self.add_sound != AddSound::Default {
            return Err(
                "add_sound is for TikTok: Instagram posts keep the file's own sound".into(),
            );
        }
        if self.add_product_link.0 {
            return Err(
                "add_product_link is for TikTok Shop: Instagram has no product link here".into(),
            );
        }
        if self.placement == Placement::Story && self.media_count() > 1 {
            return Err(format!(
                "a story takes one file, not {} images: post a carousel with placement reel",
                self.media_count()
            ));
        }
        Ok(())
    }

    /// How many files one task posts: 1 video, or image_count images.
    pub fn media_count(&self) -> u32 {
        match self.content_type {
            ContentType::Video => 1,
            ContentType::Images => self.image_count,
        }
    }
}
