//! A failed task's evidence, kept under the data directory: the phone's last screen (PNG), its last
//! UI dump and its recent command log (command, exit status, duration, output). Listed and served
//! by `GET /api/v1/task/{id}/artifacts`; pruned by age and by total size.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use phonefleet_device::adb::Device;

/// The longest the phone gets to show its last screen for the record.
const CAPTURE_LIMIT: Duration = Duration::from_secs(15);

/// The kinds of evidence, by file name, with their content type.
const KINDS: &[(&str, &str)] = &[
    ("screen.png", "image/png"),
    ("ui.xml", "application/xml"),
    ("commands.json", "application/json"),
];

/// One artifact of a task, as the API lists it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Artifact {
    /// `screen.png`, `ui.xml` or `commands.json`.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where to download it.
    pub url: String,
}

/// Where failed tasks' evidence lives, and how much of it is kept.
#[derive(Clone, Debug)]
pub struct Artifacts {
    dir: PathBuf,
    max_age: Duration,
    max_bytes: u64,
}

impl Artifacts {
    /// Evidence in `DATA_DIR/artifacts`, each task's for at most `max_age`, all of it together at
    /// most `max_bytes` (the oldest go first).
    pub fn new(data_dir: &Path, max_age: Duration, max_bytes: u64) -> Artifacts {
        Artifacts {
            dir: data_dir.join("artifacts"),
            max_age,
            max_bytes,
        }
    }

    fn task_dir(&self, task_id: i64) -> PathBuf {
        self.dir.join(task_id.to_string())
    }

    /// Keeps what the phone ran and, with `screen`, what it shows now: best effort (a phone that
    /// is gone leaves only its command log), bounded in time, then prunes old evidence.
    pub async fn keep(&self, task_id: i64, device: &Device, screen: bool) {
        let dir = self.task_dir(task_id);
        // A retried task keeps only its latest failure's evidence.
        let cleared = match tokio::fs::remove_dir_all(&dir).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => tokio::fs::create_dir_all(&dir).await,
        };
        if let Err(e) = cleared {
            tracing::warn!(
                "task {task_id}: cannot keep its evidence in {}: {e}",
                dir.display()
            );
            return;
        }
        let commands: Vec<serde_json::Value> = device
            .recent_commands()
            .into_iter()
            .map(|c| {
                serde_json::json!({
                    "at": crate::clock::rfc3339_millis(i64::try_from(c.at_ms).unwrap_or(i64::MAX)),
                    "command": c.command,
                    "exit_code": c.exit_code,
                    "duration_ms": c.duration_ms,
                    "output": c.output,
                })
            })
            .collect();
        let commands = serde_json::to_vec_pretty(&commands).unwrap_or_default();
        let mut files: Vec<(&str, Vec<u8>)> = vec![("commands.json", commands)];
        if screen {
            // Each on its own clock: a dump that waits for an idle screen must not cost the
            // screenshot.
            let (png, xml) = tokio::join!(
                tokio::time::timeout(CAPTURE_LIMIT, device.screenshot()),
                tokio::time::timeout(CAPTURE_LIMIT, device.dump_ui())
            );
            match png {
                Ok(Ok(png)) => files.push(("screen.png", png)),
                Ok(Err(e)) => tracing::debug!("task {task_id}: no screenshot: {e}"),
                Err(_) => tracing::debug!("task {task_id}: no screenshot within {CAPTURE_LIMIT:?}"),
            }
            match xml {
                Ok(Ok(xml)) => files.push(("ui.xml", xml.into_bytes())),
                Ok(Err(e)) => tracing::debug!("task {task_id}: no UI dump: {e}"),
                Err(_) => tracing::debug!("task {task_id}: no UI dump within {CAPTURE_LIMIT:?}"),
            }
        }
        for (name, bytes) in files {
            if let Err(e) = tokio::fs::write(dir.join(name), bytes).await {
                tracing::warn!("task {task_id}: cannot write {name}: {e}");
            }
        }
        self.prune().await;
    }

    /// The task's artifacts (none if it has none).
    pub async fn list(&self, task_id: i64) -> Vec<Artifact> {
        let dir = self.task_dir(task_id);
        let mut found = Vec::new();
        for (name, _) in KINDS {
            if let Ok(meta) = tokio::fs::metadata(dir.join(name)).await {
                found.push(Artifact {
                    name: (*name).to_owned(),
                    size: meta.len(),
                    url: format!("/api/v1/task/{task_id}/artifacts/{name}"),
                });
            }
        }
        found
    }

    /// One artifact's bytes and content type; `None` for a name that is not an artifact kind or a
    /// file that is not there.
    pub async fn read(&self, task_id: i64, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let (file, content_type) = KINDS.iter().find(|(kind, _)| *kind == name)?;
        let bytes = tokio::fs::read(self.task_dir(task_id).join(file))
            .await
            .ok()?;
        Some((bytes, content_type))
    }

    /// Removes evidence older than the age limit, then the oldest until the rest fits the size limit.
    pub async fn prune(&self) {
        let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await else {
            return;
        };
        let mut tasks: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let path = entry.path();
            let Ok(meta) = entry.metadata().await else {
                continue;
            };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            tasks.push((modified, dir_size(&path).await, path));
        }
        tasks.sort();
        let now = SystemTime::now();
        let mut total: u64 = tasks.iter().map(|(_, size, _)| size).sum();
        for (modified, size, path) in tasks {
            let too_old = now
                .duration_since(modified)
                .is_ok_and(|age| age > self.max_age);
            if too_old || total > self.max_bytes {
                if let Err(e) = tokio::fs::remove_dir_all(&path).await {
                    tracing::warn!("cannot prune {}: {e}", path.display());
                    continue;
                }
                total = total.saturating_sub(size);
            }
        }
    }

    /// Removes a task's evidence (the task is deleted).
    pub async fn forget(&self, task_id: i64) {
        let _ = tokio::fs::remove_dir_all(self.task_dir(task_id)).await;
    }
}

async fn dir_size(dir: &Path) -> u64 {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return 0;
    };
    let mut size = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        size += entry.metadata().await.map_or(0, |m| m.len());
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A task's evidence of `bytes` bytes, kept `age` ago.
    async fn evidence(artifacts: &Artifacts, task: i64, bytes: usize, age: Duration) {
        let dir = artifacts.task_dir(task);
        tokio::fs::create_dir_all(&dir).await.unwrap();
        tokio::fs::write(dir.join("commands.json"), vec![b'x'; bytes])
            .await
            .unwrap();
        std::fs::File::open(&dir)
            .and_then(|d| d.set_modified(SystemTime::now() - age))
            .unwrap();
    }

    #[tokio::test]
    async fn the_oldest_evidence_goes_first_when_over_the_size_limit() {
        let data = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::new(data.path(), Duration::from_secs(3600), 2500);
        for task in 1..=3 {
            evidence(
                &artifacts,
                task,
                1000,
                Duration::from_secs(100 - task as u64),
            )
            .await;
        }
        artifacts.prune().await;
        assert!(artifacts.list(1).await.is_empty(), "the oldest went");
        assert_eq!(artifacts.list(3).await.len(), 1);
    }

    #[tokio::test]
    async fn evidence_past_its_age_goes() {
        let data = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::new(data.path(), Duration::from_secs(60), u64::MAX);
        evidence(&artifacts, 7, 10, Duration::from_secs(61)).await;
        evidence(&artifacts, 8, 10, Duration::from_secs(1)).await;
        artifacts.prune().await;
        assert_eq!(artifacts.list(8).await.len(), 1);
        assert!(artifacts.list(7).await.is_empty());
    }

    #[tokio::test]
    async fn only_known_artifact_names_are_served() {
        let data = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::new(data.path(), Duration::from_secs(60), u64::MAX);
        evidence(&artifacts, 7, 10, Duration::ZERO).await;
        assert!(artifacts.read(7, "commands.json").await.is_some());
        assert!(artifacts.read(7, "../../phonefleet.db").await.is_none());
    }
}
