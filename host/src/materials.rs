//! The material library: uploaded videos and images with tags, kept under the data directory;
//! scripts pick unused ones by tag, and every file a task posts is remembered as used.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::FutureExt;
use futures::future::BoxFuture;

use phonefleet_rules::MediaKind;
use phonefleet_runtime::{LibraryFile, MaterialStore};

use crate::clock::now_ms;
use crate::store::{MaterialRow, Store, StoreError};

/// Why a library request was refused.
#[derive(Debug, thiserror::Error)]
pub enum MaterialError {
    #[error("{0}")]
    Invalid(String),
    #[error("material {0} not found")]
    NotFound(i64),
    #[error("cannot write to the material library at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Library {
    store: Store,
    dir: PathBuf,
}

/// Makes stored file names unique within one process even when uploads share a millisecond.
static UPLOADS: AtomicU64 = AtomicU64::new(0);

/// Tags as stored and matched: trimmed, lowercase, no empties.
fn tag_list(tags: &str) -> Vec<String> {
    tags.split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// A file name safe to keep: its last path component, with anything unusual replaced.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "upload".to_string()
    } else {
        trimmed.to_string()
    }
}

impl Library {
    /// The library in `DATA_DIR/materials`.
    pub fn new(store: Store, data_dir: &std::path::Path) -> Library {
        Library {
            store,
            dir: data_dir.join("materials"),
        }
    }

    pub async fn list(&self) -> Result<Vec<MaterialRow>, MaterialError> {
        Ok(self.store.materials().await?)
    }

    /// Stores an uploaded file with its tags.
    pub async fn add(
        &self,
        original_name: &str,
        bytes: &[u8],
        tags: &str,
    ) -> Result<MaterialRow, MaterialError> {
        let name = safe_name(original_name);
        let kind = MediaKind::of_path(&name).ok_or_else(|| {
            MaterialError::Invalid(format!(
                "{original_name:?} is neither a video (mp4, mov, ...) nor an image (jpg, png, ...)"
            ))
        })?;
        if bytes.is_empty() {
            return Err(MaterialError::Invalid(format!(
                "{original_name:?} is empty"
            )));
        }
        let io = |source| MaterialError::Io {
            path: self.dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let unique = UPLOADS.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("{}-{unique}-{name}", now_ms()));
        tokio::fs::write(&path, bytes).await.map_err(io)?;
        let path = path.canonicalize().map_err(io)?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let row = self
            .store
            .insert_material(
                &path.display().to_string(),
                original_name,
                kind.as_str(),
                size,
                &tag_list(tags).join(","),
                now_ms(),
            )
            .await?;
        Ok(row)
    }

    /// A material's row (its `path` is where the host keeps the file).
    ///
    /// Errors: [`MaterialError::NotFound`].
    pub async fn get(&self, id: i64) -> Result<MaterialRow, MaterialError> {
        self.store
            .material(id)
            .await?
            .ok_or(MaterialError::NotFound(id))
    }

    /// Removes a material and its file.
    pub async fn delete(&self, id: i64) -> Result<(), MaterialError> {
        let row = self
            .store
            .material(id)
            .await?
            .ok_or(MaterialError::NotFound(id))?;
        self.store.delete_material(id).await?;
        if let Err(e) = tokio::fs::remove_file(&row.path).await {
            tracing::warn!("material {id}: cannot remove {}: {e}", row.path);
        }
        Ok(())
    }
}

impl MaterialStore for Library {
    fn used(&self, paths: Vec<String>) -> BoxFuture<'static, Result<Vec<String>, String>> {
        let store = self.store.clone();
        async move { store.used_paths(&paths).await.map_err(|e| e.to_string()) }.boxed()
    }

    fn library(
        &self,
        tags: String,
        kind: MediaKind,
        count: u32,
        task_id: i64,
    ) -> BoxFuture<'static, Result<Vec<LibraryFile>, String>> {
        let store = self.store.clone();
        async move {
            let rows = store
                .take_materials(kind.as_str(), &tag_list(&tags), count, task_id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(rows
                .into_iter()
                .map(|m| LibraryFile {
                    id: m.id,
                    path: PathBuf::from(m.path),
                    size: u64::try_from(m.size).unwrap_or(0),
                })
                .collect())
        }
        .boxed()
    }

    fn mark_used(
        &self,
        paths: Vec<String>,
        task_id: i64,
    ) -> BoxFuture<'static, Result<(), String>> {
        let store = self.store.clone();
        async move {
            store
                .mark_used(&paths, task_id, now_ms())
                .await
                .map_err(|e| e.to_string())
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_cannot_escape_the_library() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Videos\\clip 1.mp4"), "clip_1.mp4");
        assert_eq!(safe_name(".hidden.mp4"), "hidden.mp4");
        assert_eq!(safe_name(""), "upload");
    }

    #[test]
    fn tags_are_trimmed_lowercased_and_comma_separated() {
        assert_eq!(tag_list(" Dance, ,fyp ,"), ["dance", "fyp"]);
    }
}
