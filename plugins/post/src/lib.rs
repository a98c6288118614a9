//! The `post` script: publishes one video or one image carousel on TikTok per task, from host files or the
//! material library, through the share intent, the Create button or a sound. Config contract: SPEC §5 "post".

pub mod config;
mod flow;
pub mod instagram;

pub use config::{
    AddSound, ContentType, MaterialSource, Placement, PostApp, PostConfig, PostWay, ProductLink,
};

use phonefleet_sdk::materials::{self, Material, MediaKind, kind_name};
use phonefleet_sdk::{Error, Result, Script, device, host, info, media, spintax, tiktok};

/// The post script. `run` returns `{"caption": "...", "files": ["/sdcard/DCIM/phonefleet/v1.mp4"],
/// "post_way": "share"}`.
pub struct Post;

impl Script for Post {
    type Config = PostConfig;
    const NAME: &'static str = "post";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str =
        "Publish a video or an image carousel on TikTok or Instagram, one post per task";

    fn plan(config: PostConfig) -> std::result::Result<Vec<PostConfig>, String> {
        config.check()?;
        // A list that cannot give this post its media is refused now, not on the phone.
        if config.material_list.iter().any(|p| !p.trim().is_empty()) {
            from_list(&config.material_list, kind(&config), config.media_count())?;
        }
        Ok(vec![config])
    }

    fn run(config: PostConfig) -> Result<serde_json::Value> {
        config.check().map_err(Error::invalid_config)?;
        run(&config)
    }
}

phonefleet_sdk::export_script!(Post);

/// The caption of one task: the spintax resolved with the task id as seed, trimmed.
pub fn pick_caption(captions: &str, task_id: i64) -> String {
    spintax::resolve(captions, task_id as u64)
        .trim()
        .to_string()
}

/// The media kind a config posts.
pub fn kind(config: &PostConfig) -> MediaKind {
    match config.content_type {
        ContentType::Video => MediaKind::Video,
        ContentType::Images => MediaKind::Image,
    }
}

fn plural(kind: MediaKind, n: usize) -> String {
    let name = kind_name(kind);
    if n == 1 {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// The first `count` entries of `material_list` of the wanted kind, or why there are not enough.
pub fn from_list(
    list: &[String],
    kind: MediaKind,
    count: u32,
) -> std::result::Result<Vec<String>, String> {
    let mut picked = Vec::new();
    for path in list.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        match materials::kind_of(path) {
            Some(k) if k == kind => picked.push(path.to_string()),
            Some(_) => {}
            None => {
                return Err(format!(
                    "material_list entry {path} is neither a video nor an image (by its extension)"
                ));
            }
        }
        if picked.len() == count as usize {
            return Ok(picked);
        }
    }
    Err(format!(
        "material_list has {} {}, {} needed",
        picked.len(),
        plural(kind, picked.len()),
        count
    ))
}

/// The host files to post: material_list wins; else unused files of the folder or the library.
fn pick_materials(config: &PostConfig, kind: MediaKind) -> Result<Vec<String>> {
    let count = config.media_count();
    if config.material_list.iter().any(|p| !p.trim().is_empty()) {
        return from_list(&config.material_list, kind, count).map_err(Error::invalid_config);
    }
    let (found, source): (Vec<Material>, String) = match config.material_source {
        MaterialSource::LocalFolder => {
            let dir = config.material_path.trim();
            (materials::list_unused(dir, kind, count)?, dir.to_string())
        }
        MaterialSource::MaterialLibrary => {
            let tags = config.materials_tags.trim();
            let source = if tags.is_empty() {
                "the material library".to_string()
            } else {
                format!("the material library tagged '{tags}'")
            };
            (materials::from_library(tags, kind, count)?, source)
        }
    };
    if found.is_empty() {
        return Err(Error::failed(format!(
            "no unused {} in {source}",
            kind_name(kind)
        )));
    }
    if found.len() < count as usize {
        return Err(Error::failed(format!(
            "only {} unused {} in {source}, image_count is {count}",
            found.len(),
            plural(kind, found.len())
        )));
    }
    Ok(found.into_iter().map(|m| m.path).collect())
}

/// Device paths for host files: `/sdcard/DCIM/phonefleet/<safe name>`, made distinct within the task.
pub fn device_paths(host_paths: &[String]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for (i, host_path) in host_paths.iter().enumerate() {
        let name = media::safe_file_name(host_path);
        let mut path = format!("{}/{name}", media::DEVICE_DIR);
        if paths.contains(&path) {
            path = format!("{}/{}_{name}", media::DEVICE_DIR, i + 1);
        }
        paths.push(path);
    }
    paths
}

fn run(config: &PostConfig) -> Result<serde_json::Value> {
    host::progress(2, "checking the account");
    let task = match config.app {
        PostApp::Tiktok => tiktok::ensure_task_account()?,
        PostApp::Instagram => phonefleet_sdk::instagram::ensure_task_account()?,
    };
    let caption = pick_caption(&config.captions, task.id);
    info!("caption for task {}: {caption:?}", task.id);
    if config.placement == Placement::Story && config.app == PostApp::Tiktok {
        info!("placement 'story' is for Instagram; TikTok has no placement and ignores it");
    }
    let kind = kind(config);

    host::progress(8, "picking materials");
    let host_paths = pick_materials(config, kind)?;
    info!("posting {}", host_paths.join(", "));
    let device_paths = device_paths(&host_paths);
    for (i, (host_path, device_path)) in host_paths.iter().zip(&device_paths).enumerate() {
        let percent = 10 + (20 * i / host_paths.len()) as u8;
        host::progress(percent, &format!("pushing {device_path}"));
        // A file of the same name from an earlier task goes first, so the gallery lists the new one as newest.
        media::remove(device_path)?;
        let written = device::push_file(host_path, device_path)?;
        info!("pushed {host_path} → {device_path} ({written} bytes)");
        media::scan(device_path)?;
    }

    if config.app == PostApp::Instagram {
        let posted = instagram::publish(config, kind, &task.package, &device_paths, &caption)?;
        materials::mark_used(&host_paths)?;
        host::progress(100, if posted { "posted" } else { "already posted" });
        return Ok(
            serde_json::json!({"caption": caption, "files": device_paths,
            "post_way": config.post_way.name(), "already_posted": !posted}),
        );
    }
    let flow = flow::Flow {
        config,
        kind,
        package: &task.package,
        files: &device_paths,
    };
    flow.publish(&caption, &host_paths)?;

    host::progress(100, "posted");
    Ok(
        serde_json::json!({"caption": caption, "files": device_paths, "post_way": config.post_way.name()}),
    )
}
