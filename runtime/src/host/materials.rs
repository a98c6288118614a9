//! The host side of the WIT `materials` interface: unused files of a granted directory, picks from
//! the material library, and recording what was posted — through a store the caller injects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use phonefleet_rules::MediaKind;

use super::{Bound, HostError, SharedGrants, convert};
use crate::bindings::DeviceError;
use crate::bindings::phonefleet::script::materials::{self, Material};
use crate::bindings::phonefleet::script::types;

/// A library file the store hands out.
#[derive(Clone, Debug)]
pub struct LibraryFile {
    /// The library's id of the file.
    pub id: i64,
    /// Where the host keeps it.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// What the runtime needs from durable storage to serve `materials`; implemented above it.
/// Errors are sentences for the script's log.
pub trait MaterialStore: Send + Sync + 'static {
    /// Which of these canonical host paths some task has posted.
    fn used(&self, paths: Vec<String>) -> BoxFuture<'static, Result<Vec<String>, String>>;
    /// Takes up to `count` unused library files of `kind` with any of the comma-separated `tags`
    /// (as the script gave them) for this task: a file taken by one task is not handed to another.
    fn library(
        &self,
        tags: String,
        kind: MediaKind,
        count: u32,
        task_id: i64,
    ) -> BoxFuture<'static, Result<Vec<LibraryFile>, String>>;
    /// Records that a task posted these canonical host paths.
    fn mark_used(&self, paths: Vec<String>, task_id: i64)
    -> BoxFuture<'static, Result<(), String>>;
}

/// A material store shared by every run.
pub type SharedMaterialStore = Arc<dyn MaterialStore>;

/// A store with no materials, for runtimes (tests, benchmarks, `script check`) whose scripts
/// never ask for any: every request is refused with a sentence saying so.
pub struct NoMaterials;

impl NoMaterials {
    fn refuse<T: Send + 'static>() -> BoxFuture<'static, Result<T, String>> {
        async { Err("this host has no material store".to_string()) }.boxed()
    }
}

impl MaterialStore for NoMaterials {
    fn used(&self, _: Vec<String>) -> BoxFuture<'static, Result<Vec<String>, String>> {
        NoMaterials::refuse()
    }
    fn library(
        &self,
        _: String,
        _: MediaKind,
        _: u32,
        _: i64,
    ) -> BoxFuture<'static, Result<Vec<LibraryFile>, String>> {
        NoMaterials::refuse()
    }
    fn mark_used(&self, _: Vec<String>, _: i64) -> BoxFuture<'static, Result<(), String>> {
        NoMaterials::refuse()
    }
}

/// The `materials` interface's context: the store, the task and its grants.
#[derive(Default)]
pub(crate) struct MaterialsCtx {
    bound: Bound<(SharedMaterialStore, i64, SharedGrants)>,
}

impl MaterialsCtx {
    pub fn bound(store: SharedMaterialStore, task_id: i64, grants: SharedGrants) -> MaterialsCtx {
        MaterialsCtx {
            bound: Bound::new((store, task_id, grants)),
        }
    }
}

fn failed(e: impl std::fmt::Display) -> HostError {
    DeviceError::Failed(e.to_string()).into()
}

fn media_kind(kind: materials::MediaKind) -> MediaKind {
    match kind {
        materials::MediaKind::Video => MediaKind::Video,
        materials::MediaKind::Image => MediaKind::Image,
    }
}

/// Files of `kind` directly in `dir`, oldest first (then by name).
async fn files_of_kind(dir: &Path, kind: MediaKind) -> std::io::Result<Vec<(PathBuf, u64)>> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        let meta = entry.metadata().await?;
        let path = entry.path();
        if meta.is_file() && MediaKind::of_path(&path.to_string_lossy()) == Some(kind) {
            files.push((meta.modified()?, path, meta.len()));
        }
    }
    files.sort();
    Ok(files
        .into_iter()
        .map(|(_, path, size)| (path, size))
        .collect())
}

impl types::Host for MaterialsCtx {
    fn convert_device_error(&mut self, err: HostError) -> wasmtime::Result<DeviceError> {
        convert(err)
    }
}

impl materials::Host for MaterialsCtx {
    async fn list_unused(
        &mut self,
        dir: String,
        kind: materials::MediaKind,
        count: u32,
    ) -> Result<Vec<Material>, HostError> {
        let (store, _, grants) = self.bound.get()?;
        let dir = grants.lock().check_dir(&dir).map_err(DeviceError::Denied)?;
        let files = files_of_kind(&dir, media_kind(kind))
            .await
            .map_err(failed)?;
        let paths: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        let used = store.used(paths).await.map_err(failed)?;
        Ok(files
            .into_iter()
            .filter(|(p, _)| !used.contains(&p.display().to_string()))
            .take(count as usize)
            .map(|(p, size)| Material {
                path: p.display().to_string(),
                kind,
                size,
                library_id: None,
            })
            .collect())
    }

    async fn from_library(
        &mut self,
        tags: String,
        kind: materials::MediaKind,
        count: u32,
    ) -> Result<Vec<Material>, HostError> {
        let (store, task_id, grants) = self.bound.get()?;
        let files = store
            .library(tags, media_kind(kind), count, *task_id)
            .await
            .map_err(failed)?;
        let mut grants = grants.lock();
        Ok(files
            .into_iter()
            .map(|f| {
                grants.allow_file(f.path.clone());
                Material {
                    path: f.path.display().to_string(),
                    kind,
                    size: f.size,
                    library_id: Some(f.id),
                }
            })
            .collect())
    }

    async fn mark_used(&mut self, paths: Vec<String>) -> Result<(), HostError> {
        let (store, task_id, grants) = self.bound.get()?;
        let canonical = {
            let grants = grants.lock();
            paths
                .iter()
                .map(|p| grants.check(p).map(|c| c.display().to_string()))
                .collect::<Result<Vec<String>, _>>()
                .map_err(DeviceError::Denied)?
        };
        store.mark_used(canonical, *task_id).await.map_err(failed)
    }
}
