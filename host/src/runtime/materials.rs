//! The host side of the WIT `materials` interface: unused files of a granted directory, picks
//! from the material library, and recording what was posted — through a store the caller injects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::future::BoxFuture;

use super::bindings::DeviceError;
use super::bindings::phonefleet::script::materials::{self, Material, MediaKind};
use super::state::RunState;

/// A library file the store hands out.
#[derive(Clone, Debug)]
pub struct LibraryFile {
    pub id: i64,
    pub path: PathBuf,
    pub size: u64,
}

/// What the runtime needs from durable storage to serve `materials`; implemented above it.
pub trait MaterialStore: Send + Sync + 'static {
    /// Which of these canonical host paths some task has posted.
    fn used(&self, paths: Vec<String>) -> BoxFuture<'static, Result<Vec<String>, String>>;
    /// Up to `count` unused library files of `kind` ("video" / "image") with any of `tags`.
    fn library(
        &self,
        tags: Vec<String>,
        kind: &'static str,
        count: u32,
    ) -> BoxFuture<'static, Result<Vec<LibraryFile>, String>>;
    /// Records that a task posted these canonical host paths.
    fn mark_used(&self, paths: Vec<String>, task_id: i64)
    -> BoxFuture<'static, Result<(), String>>;
}

pub type SharedMaterialStore = Arc<dyn MaterialStore>;

const VIDEO: &[&str] = &["mp4", "mov", "m4v", "webm", "3gp", "mkv"];
const IMAGE: &[&str] = &["jpg", "jpeg", "png", "webp", "heic", "heif"];

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "video",
        MediaKind::Image => "image",
    }
}

/// The media kind of a file name, by its extension.
pub fn kind_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if VIDEO.contains(&ext.as_str()) {
        Some("video")
    } else if IMAGE.contains(&ext.as_str()) {
        Some("image")
    } else {
        None
    }
}

fn failed(e: impl std::fmt::Display) -> DeviceError {
    DeviceError::Failed(e.to_string())
}

impl RunState {
    fn material_store(&self) -> Result<(SharedMaterialStore, i64), DeviceError> {
        let b = self
            .binding
            .as_ref()
            .ok_or_else(|| DeviceError::Denied("no task is bound".into()))?;
        Ok((b.materials.clone(), b.task.id))
    }
}

/// Files of `kind` directly in `dir`, oldest first (then by name).
async fn files_of_kind(dir: &Path, kind: &str) -> std::io::Result<Vec<(PathBuf, u64)>> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        let meta = entry.metadata().await?;
        let path = entry.path();
        if meta.is_file() && kind_of(&path) == Some(kind) {
            files.push((meta.modified()?, path, meta.len()));
        }
    }
    files.sort();
    Ok(files
        .into_iter()
        .map(|(_, path, size)| (path, size))
        .collect())
}

impl materials::Host for RunState {
    async fn list_unused(
        &mut self,
        dir: String,
        kind: MediaKind,
        count: u32,
    ) -> wasmtime::Result<Result<Vec<Material>, DeviceError>> {
        let (store, _) = attempt!(self.material_store());
        let grants = &attempt!(
            self.binding
                .as_ref()
                .ok_or_else(|| DeviceError::Denied("no task is bound".into()))
        )
        .grants;
        let dir = attempt!(grants.check_dir(&dir).map_err(DeviceError::Denied));
        let files = attempt!(files_of_kind(&dir, kind_name(kind)).await.map_err(failed));
        let paths: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        let used = attempt!(store.used(paths).await.map_err(failed));
        let unused = files
            .into_iter()
            .filter(|(p, _)| !used.contains(&p.display().to_string()))
            .take(count as usize)
            .map(|(p, size)| Material {
                path: p.display().to_string(),
                kind,
                size,
                library_id: None,
            })
            .collect();
        Ok(Ok(unused))
    }

    async fn from_library(
        &mut self,
        tags: String,
        kind: MediaKind,
        count: u32,
    ) -> wasmtime::Result<Result<Vec<Material>, DeviceError>> {
        let (store, _) = attempt!(self.material_store());
        let tags: Vec<String> = tags
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let files = attempt!(
            store
                .library(tags, kind_name(kind), count)
                .await
                .map_err(failed)
        );
        let Some(binding) = self.binding.as_mut() else {
            return Ok(Err(DeviceError::Denied("no task is bound".into())));
        };
        let mut picked = Vec::with_capacity(files.len());
        for f in files {
            binding.grants.allow_file(f.path.clone());
            picked.push(Material {
                path: f.path.display().to_string(),
                kind,
                size: f.size,
                library_id: Some(f.id),
            });
        }
        Ok(Ok(picked))
    }

    async fn mark_used(&mut self, paths: Vec<String>) -> wasmtime::Result<Result<(), DeviceError>> {
        let (store, task_id) = attempt!(self.material_store());
        let grants = &attempt!(
            self.binding
                .as_ref()
                .ok_or_else(|| DeviceError::Denied("no task is bound".into()))
        )
        .grants;
        let canonical: Result<Vec<String>, _> = paths
            .iter()
            .map(|p| grants.check(p).map(|c| c.display().to_string()))
            .collect();
        let canonical = attempt!(canonical.map_err(DeviceError::Denied));
        Ok(store.mark_used(canonical, task_id).await.map_err(failed))
    }
}
