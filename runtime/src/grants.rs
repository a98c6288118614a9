//! The host files a run may push to its phone: exactly those its task's config names in fields
//! the script's schema marks `x-host-path` (plus library files handed out during the run),
//! checked again — canonicalised, so no `..` or symlink escapes — at every use.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What an `x-host-path` field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostPathKind {
    File,
    Dir,
}

/// One host path a config names, with its JSON Pointer inside the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPath {
    pub pointer: String,
    pub path: String,
    pub kind: HostPathKind,
}

fn marker(schema: &Value) -> Option<HostPathKind> {
    match schema.get("x-host-path")?.as_str()? {
        "file" => Some(HostPathKind::File),
        "dir" => Some(HostPathKind::Dir),
        _ => None,
    }
}

/// Every non-empty host path `config` names in the top-level properties (or their array items)
/// that `schema` marks with `"x-host-path": "file" | "dir"`.
pub fn host_paths(schema: &Value, config: &Value) -> Vec<HostPath> {
    let mut found = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return found;
    };
    for (key, prop) in props {
        let Some(value) = config.get(key) else {
            continue;
        };
        if let (Some(kind), Some(path)) = (marker(prop), value.as_str())
            && !path.is_empty()
        {
            found.push(HostPath {
                pointer: format!("/{key}"),
                path: path.to_string(),
                kind,
            });
        }
        if let (Some(kind), Some(items)) = (prop.get("items").and_then(marker), value.as_array()) {
            for (i, item) in items.iter().enumerate() {
                if let Some(path) = item.as_str().filter(|p| !p.is_empty()) {
                    found.push(HostPath {
                        pointer: format!("/{key}/{i}"),
                        path: path.to_string(),
                        kind,
                    });
                }
            }
        }
    }
    found
}

/// Host paths granted to one run.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Grants {
    /// The paths a task's config names through its script's `x-host-path` fields.
    pub fn for_config(schema: &Value, config: &Value) -> Grants {
        let mut grants = Grants::default();
        for p in host_paths(schema, config) {
            match p.kind {
                HostPathKind::File => grants.files.push(PathBuf::from(p.path)),
                HostPathKind::Dir => grants.dirs.push(PathBuf::from(p.path)),
            }
        }
        grants
    }

    /// Grants one more file (a library file handed to the run).
    pub fn allow_file(&mut self, path: PathBuf) {
        self.files.push(path);
    }

    /// The canonical path of `requested` if the grant covers it; a sentence saying why not otherwise.
    pub fn check(&self, requested: &str) -> Result<PathBuf, String> {
        let canonical = canonical(requested)?;
        let granted_file = self
            .files
            .iter()
            .any(|f| f.canonicalize().is_ok_and(|f| f == canonical));
        let inside_dir = self.dirs.iter().any(|d| {
            d.canonicalize()
                .is_ok_and(|d| canonical.starts_with(&d) && canonical != d)
        });
        if (granted_file || inside_dir) && canonical.is_file() {
            Ok(canonical)
        } else {
            Err(format!(
                "host path {requested:?} was not granted to this task"
            ))
        }
    }

    /// The canonical path of a granted directory (or one inside it).
    pub fn check_dir(&self, requested: &str) -> Result<PathBuf, String> {
        let canonical = canonical(requested)?;
        let granted = self
            .dirs
            .iter()
            .any(|d| d.canonicalize().is_ok_and(|d| canonical.starts_with(&d)));
        if granted && canonical.is_dir() {
            Ok(canonical)
        } else {
            Err(format!(
                "host directory {requested:?} was not granted to this task"
            ))
        }
    }
}

fn canonical(requested: &str) -> Result<PathBuf, String> {
    Path::new(requested)
        .canonicalize()
        .map_err(|e| format!("host path {requested:?} is not readable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"properties": {
            "material_list": {"type": "array", "items": {"type": "string", "x-host-path": "file"}},
            "material_path": {"type": "string", "x-host-path": "dir"},
            "captions": {"type": "string"}
        }})
    }

    #[test]
    fn host_paths_are_found_in_marked_fields_and_their_items() {
        let config = json!({"material_list": ["/a.mp4", ""], "material_path": "/media", "captions": "/not/a/path"});
        let found = host_paths(&schema(), &config);
        assert_eq!(
            found,
            vec![
                HostPath {
                    pointer: "/material_list/0".into(),
                    path: "/a.mp4".into(),
                    kind: HostPathKind::File
                },
                HostPath {
                    pointer: "/material_path".into(),
                    path: "/media".into(),
                    kind: HostPathKind::Dir
                },
            ]
        );
    }

    #[test]
    fn a_granted_file_passes_and_anything_else_is_denied() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.mp4");
        std::fs::write(&video, b"v").unwrap();
        let other = dir.path().join("secret.txt");
        std::fs::write(&other, b"s").unwrap();
        let grants = Grants::for_config(
            &schema(),
            &json!({"material_list": [video.to_str().unwrap()]}),
        );
        assert!(grants.check(video.to_str().unwrap()).is_ok());
        assert!(grants.check(other.to_str().unwrap()).is_err());
        assert!(grants.check("/etc/passwd").is_err());
    }

    #[test]
    fn dot_dot_and_symlinks_cannot_leave_a_granted_directory() {
        let root = tempfile::tempdir().unwrap();
        let media = root.path().join("media");
        std::fs::create_dir(&media).unwrap();
        std::fs::write(root.path().join("outside.mp4"), b"o").unwrap();
        std::fs::write(media.join("inside.mp4"), b"i").unwrap();
        std::os::unix::fs::symlink(root.path().join("outside.mp4"), media.join("link.mp4"))
            .unwrap();
        let grants = Grants::for_config(
            &schema(),
            &json!({"material_path": media.to_str().unwrap()}),
        );
        assert!(
            grants
                .check(media.join("inside.mp4").to_str().unwrap())
                .is_ok()
        );
        assert!(
            grants
                .check(media.join("../outside.mp4").to_str().unwrap())
                .is_err()
        );
        assert!(
            grants
                .check(media.join("link.mp4").to_str().unwrap())
                .is_err()
        );
    }
}
