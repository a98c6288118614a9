//! The phone's in-memory filesystem: files pushed over sync, dumps written by uiautomator, `ls`/`cat`/`rm`.
//! Paths are absolute (relative ones are taken from `/`, adb shell's working directory).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

pub const MODE_DIR: u32 = 0o040_771;
pub const MODE_FILE: u32 = 0o100_660;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FsError {
    #[error("{0}: No such file or directory")]
    NotFound(String),
    #[error("{0}: Is a directory")]
    IsDir(String),
    #[error("{0}: Not a directory")]
    NotDir(String),
    #[error("{0}: File exists")]
    Exists(String),
}

/// What `stat` reports about an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub mode: u32,
    pub size: u32,
    pub mtime: u32,
}

#[derive(Debug, Clone)]
enum Entry {
    Dir {
        mtime: u32,
    },
    File {
        data: Vec<u8>,
        mode: u32,
        mtime: u32,
    },
}

impl Entry {
    fn stat(&self) -> Stat {
        match self {
            Entry::Dir { mtime } => Stat {
                mode: MODE_DIR,
                size: 4096,
                mtime: *mtime,
            },
            Entry::File { data, mode, mtime } => Stat {
                mode: *mode,
                size: u32::try_from(data.len()).unwrap_or(u32::MAX),
                mtime: *mtime,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fs {
    entries: BTreeMap<String, Entry>,
}

pub fn now_secs() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// Makes `path` absolute and canonical: no `.`/`..`, no repeated or trailing slashes.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&path[..i]),
        None => None,
    }
}

fn child_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    }
}

impl Default for Fs {
    fn default() -> Self {
        let mut fs = Fs {
            entries: BTreeMap::new(),
        };
        for dir in [
            "/",
            "/data/local/tmp",
            "/dev",
            "/sdcard/DCIM/Camera",
            "/sdcard/Download",
            "/sdcard/Movies",
            "/sdcard/Pictures",
            "/system/bin",
        ] {
            // The tree starts empty, so creating these cannot fail.
            let _ = fs.mkdir(dir, true);
        }
        fs
    }
}

impl Fs {
    pub fn stat(&self, path: &str) -> Option<Stat> {
        self.entries.get(&normalize(path)).map(Entry::stat)
    }

    pub fn read(&self, path: &str) -> Result<&[u8], FsError> {
        let path = normalize(path);
        match self.entries.get(&path) {
            Some(Entry::File { data, .. }) => Ok(data),
            Some(Entry::Dir { .. }) => Err(FsError::IsDir(path)),
            None => Err(FsError::NotFound(path)),
        }
    }

    /// Creates or replaces a file; its directory must exist. `/dev/null` swallows everything.
    pub fn write(&mut self, path: &str, data: Vec<u8>, mode: u32) -> Result<(), FsError> {
        let path = normalize(path);
        if path == "/dev/null" {
            return Ok(());
        }
        let dir = parent(&path).ok_or_else(|| FsError::IsDir(path.clone()))?;
        match self.entries.get(dir) {
            Some(Entry::Dir { .. }) => {}
            Some(Entry::File { .. }) => return Err(FsError::NotDir(dir.to_string())),
            None => return Err(FsError::NotFound(path)),
        }
        if let Some(Entry::Dir { .. }) = self.entries.get(&path) {
            return Err(FsError::IsDir(path));
        }
        let mode = if mode & 0o170_000 == 0 {
            mode | 0o100_000
        } else {
            mode
        };
        self.entries.insert(
            path,
            Entry::File {
                data,
                mode,
                mtime: now_secs(),
            },
        );
        Ok(())
    }

    /// Appends to a file, creating it if needed.
    pub fn append(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        let mut content = match self.read(path) {
            Ok(existing) => existing.to_vec(),
            Err(FsError::NotFound(_)) => Vec::new(),
            Err(err) => return Err(err),
        };
        content.extend_from_slice(data);
        self.write(path, content, MODE_FILE)
    }

    pub fn mkdir(&mut self, path: &str, parents: bool) -> Result<(), FsError> {
        let path = normalize(path);
        match self.entries.get(&path) {
            Some(Entry::Dir { .. }) if parents => return Ok(()),
            Some(_) => return Err(FsError::Exists(path)),
            None => {}
        }
        if let Some(dir) = parent(&path) {
            match self.entries.get(dir) {
                Some(Entry::Dir { .. }) => {}
                Some(Entry::File { .. }) => return Err(FsError::NotDir(dir.to_string())),
                None if parents => self.mkdir(dir, true)?,
                None => return Err(FsError::NotFound(path)),
            }
        }
        self.entries.insert(path, Entry::Dir { mtime: now_secs() });
        Ok(())
    }

    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let path = normalize(path);
        match self.entries.get(&path) {
            None => Err(FsError::NotFound(path)),
            Some(Entry::File { .. }) => {
                self.entries.remove(&path);
                Ok(())
            }
            Some(Entry::Dir { .. }) => {
                if !recursive {
                    return Err(FsError::IsDir(path));
                }
                let prefix = child_prefix(&path);
                self.entries
                    .retain(|key, _| key != &path && !key.starts_with(&prefix));
                if path == "/" {
                    self.entries.insert(path, Entry::Dir { mtime: now_secs() });
                }
                Ok(())
            }
        }
    }

    /// The direct children of a directory (name, stat), sorted by name; a file lists itself.
    pub fn list(&self, path: &str) -> Result<Vec<(String, Stat)>, FsError> {
        let path = normalize(path);
        match self.entries.get(&path) {
            None => Err(FsError::NotFound(path)),
            Some(entry @ Entry::File { .. }) => Ok(vec![(path.clone(), entry.stat())]),
            Some(Entry::Dir { .. }) => {
                let prefix = child_prefix(&path);
                Ok(self
                    .entries
                    .range(prefix.clone()..)
                    .take_while(|(key, _)| key.starts_with(&prefix))
                    .filter(|(key, _)| {
                        key.len() > prefix.len() && !key[prefix.len()..].contains('/')
                    })
                    .map(|(key, entry)| (key[prefix.len()..].to_string(), entry.stat()))
                    .collect())
            }
        }
    }

    pub fn file_count(&self) -> usize {
        self.entries
            .values()
            .filter(|entry| matches!(entry, Entry::File { .. }))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_needs_a_parent_directory() {
        let mut fs = Fs::default();
        assert!(matches!(
            fs.write("/nope/x", vec![1], MODE_FILE),
            Err(FsError::NotFound(_))
        ));
        fs.mkdir("/nope", false).ok();
        assert_eq!(fs.write("/nope//./x", vec![1], MODE_FILE), Ok(()));
        assert_eq!(fs.read("/nope/x"), Ok(&[1u8][..]));
    }

    #[test]
    fn list_shows_direct_children_only() {
        let mut fs = Fs::default();
        fs.write("/sdcard/a.txt", b"a".to_vec(), MODE_FILE).ok();
        let names: Vec<String> = fs
            .list("/sdcard")
            .unwrap_or_default()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["DCIM", "Download", "Movies", "Pictures", "a.txt"]);
    }

    #[test]
    fn recursive_remove_takes_the_subtree() {
        let mut fs = Fs::default();
        assert_eq!(fs.remove("/sdcard", true), Ok(()));
        assert_eq!(fs.stat("/sdcard/DCIM"), None);
        assert!(fs.stat("/data").is_some());
    }
}
