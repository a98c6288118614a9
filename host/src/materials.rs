//! The material library: uploaded videos and images with tags, kept under the data directory;
//! scripts pick unused ones by tag, and every file a task posts is remembered as used.
//!
//! On PostgreSQL the database also keeps each file's content, so any node of a fleet can post it: a
//! node that lacks the uploader's copy fetches it once into its own `DATA_DIR/materials`, and maps
//! that copy back to the library's row when a script marks it used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::BoxFuture;

use phonefleet_rules::MediaKind;
use phonefleet_runtime::{LibraryFile, MaterialStore};

use crate::clock::now_ms;
use crate::store::{MaterialRow, NewMaterial, Store, StoreError};

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
    /// This node's name: it keeps the files uploaded to it at their `path`.
    node: String,
    /// This node's copies of library files another node uploaded: copy path → the row's `path`.
    copies: Arc<Mutex<HashMap<String, String>>>,
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
    /// The library of node `node`, keeping its files in `DATA_DIR/materials`.
    pub fn new(store: Store, data_dir: &std::path::Path, node: &str) -> Library {
        Library {
            store,
            dir: data_dir.join("materials"),
            node: node.to_owned(),
            copies: Arc::default(),
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
                &NewMaterial {
                    path: &path.display().to_string(),
                    original_name,
                    kind: kind.as_str(),
                    size,
                    tags: &tag_list(tags).join(","),
                    node: &self.node,
                },
                bytes,
                now_ms(),
            )
            .await;
        match row {
            Ok(row) => Ok(row),
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e.into())
            }
        }
    }

    /// Where this node has material `row`'s file: the uploaded file when this node is the uploader
    /// and still has it, else this node's own copy, fetched from the database (PostgreSQL) the
    /// first time.
    ///
    /// Errors: [`MaterialError::NotFound`] when neither this node nor the database has the file.
    pub async fn local_file(&self, row: &MaterialRow) -> Result<PathBuf, MaterialError> {
        let copy = self.local_path(row);
        if copy == Path::new(&row.path) && tokio::fs::try_exists(&copy).await.unwrap_or(false) {
            return Ok(copy);
        }
        // Another node's upload, or this node's whose file is gone (a rebuilt data directory).
        let copy = self.copy_path(row);
        if !tokio::fs::try_exists(&copy).await.unwrap_or(false) {
            let content = self
                .store
                .material_content(row.id)
                .await?
                .ok_or(MaterialError::NotFound(row.id))?;
            let io = |source| MaterialError::Io {
                path: self.dir.clone(),
                source,
            };
            tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
            // Written aside and renamed: a run never sees half a file.
            let partial = self.dir.join(format!(
                ".partial-{}-{}",
                row.id,
                UPLOADS.fetch_add(1, Ordering::Relaxed)
            ));
            tokio::fs::write(&partial, &content).await.map_err(io)?;
            tokio::fs::rename(&partial, &copy).await.map_err(io)?;
        }
        let copy = copy.canonicalize().map_err(|source| MaterialError::Io {
            path: copy.clone(),
            source,
        })?;
        self.copies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(copy.display().to_string(), row.path.clone());
        Ok(copy)
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
        // The uploader's file and this node's copy (other nodes' copies stay on their disks).
        for path in [self.local_path(&row), self.copy_path(&row)] {
            if let Err(e) = tokio::fs::remove_file(&path).await
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("material {id}: cannot remove {}: {e}", path.display());
            }
        }
        Ok(())
    }
}

impl Library {
    /// The file of `row` on this node, whether or not it exists: the uploaded file's path when
    /// this node is the uploader, else where this node's copy is kept.
    fn local_path(&self, row: &MaterialRow) -> PathBuf {
        // Rows from before nodes existed were uploaded here.
        if row.node.as_deref().is_none_or(|node| node == self.node) {
            return PathBuf::from(&row.path);
        }
        self.copy_path(row)
    }

    /// Where this node keeps its copy of `row`'s file, fetched from the database.
    fn copy_path(&self, row: &MaterialRow) -> PathBuf {
        let name = Path::new(&row.path).file_name().map_or_else(
            || format!("material-{}", row.id),
            |n| n.to_string_lossy().into_owned(),
        );
        self.dir.join(format!("copy-{}-{name}", row.id))
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
        let library = self.clone();
        async move {
            let rows = library
                .store
                .take_materials(kind.as_str(), &tag_list(&tags), count, task_id)
                .await
                .map_err(|e| e.to_string())?;
            let mut files = Vec::with_capacity(rows.len());
            for row in rows {
                files.push(LibraryFile {
                    id: row.id,
                    path: library.local_file(&row).await.map_err(|e| e.to_string())?,
                    size: u64::try_from(row.size).unwrap_or(0),
                });
            }
            Ok(files)
        }
        .boxed()
    }

    fn mark_used(
        &self,
        paths: Vec<String>,
        task_id: i64,
    ) -> BoxFuture<'static, Result<(), String>> {
        let store = self.store.clone();
        // This node's copies are marked as the library rows they are copies of.
        let paths: Vec<String> = {
            let copies = self.copies.lock().unwrap_or_else(|p| p.into_inner());
            paths
                .into_iter()
                .map(|p| copies.get(&p).cloned().unwrap_or(p))
                .collect()
        };
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
