//! The host files a run may push to its phone: exactly those its task's config names in fields
//! the script's schema marks `x-host-path` (plus library files handed out during the run),
//! checked again — canonicalised, so no `..` or symlink escapes — at every use.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::FileRoots;

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

/// Every non-empty host path `config` names in fields (or array items) that `schema` marks with
/// `"x-host-path": "file" | "dir"`, wherever they are nested.
pub fn host_paths(schema: &Value, config: &Value) -> Vec<HostPath> {
    crate::marks::marked(schema, config, "x-host-path")
        .into_iter()
        .filter_map(|m| {
            let kind = match m.mark.as_str()? {
                "file" => HostPathKind::File,
                "dir" => HostPathKind::Dir,
                _ => return None,
            };
            let path = m.value.as_str().filter(|p| !p.is_empty())?;
            Some(HostPath {
                pointer: m.pointer,
                path: path.to_string(),
                kind,
            })
        })
        .collect()
}

/// Host paths granted to one run.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    /// Library files handed out during the run, canonical.
    library: Vec<PathBuf>,
    /// Where granted paths must still lie when used; `None` grants nothing from the config.
    roots: Option<FileRoots>,
}

impl Grants {
    /// The paths a task's config names through its script's `x-host-path` fields, usable while
    /// they lie inside `roots` (checked again at every use, after `..` and symlinks).
    pub fn for_config(schema: &Value, config: &Value, roots: FileRoots) -> Grants {
        let mut grants = Grants {
            roots: Some(roots),
            ..Grants::default()
        };
        for p in host_paths(schema, config) {
            match p.kind {
                HostPathKind::File => grants.files.push(PathBuf::from(p.path)),
                HostPathKind::Dir => grants.dirs.push(PathBuf::from(p.path)),
            }
        }
        grants
    }

    /// Grants one more file (a library file handed to the run; the library lives in the data
    /// dir, whatever the roots).
    pub fn allow_file(&mut self, path: PathBuf) {
        if let Ok(real) = path.canonicalize() {
            self.library.push(real);
        }
    }

    /// Whether `real` lies inside the roots the config's paths must stay in.
    fn in_roots(&self, real: &Path) -> bool {
        self.roots.as_ref().is_some_and(|roots| roots.contain(real))
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
        let library_file = self.library.contains(&canonical);
        if ((granted_file || inside_dir) && self.in_roots(&canonical) || library_file)
            && canonical.is_file()
        {
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
        if granted && self.in_roots(&canonical) && canonical.is_dir() {
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

    fn roots(dir: &Path) -> FileRoots {
        FileRoots::new(&[dir.to_path_buf()], dir)
    }

    #[test]
    fn a_granted_file_swapped_for_a_link_out_of_the_roots_is_denied_at_use() {
        let root = tempfile::tempdir().unwrap();
        let video = root.path().join("v.mp4");
        std::fs::write(&video, b"v").unwrap();
        let grants = Grants::for_config(
            &schema(),
            &json!({"material_list": [video.to_str().unwrap()]}),
            roots(root.path()),
        );
        std::fs::remove_file(&video).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &video).unwrap();
        assert!(grants.check(video.to_str().unwrap()).is_err());
    }

    #[test]
    fn a_config_path_outside_the_roots_is_denied_even_when_named() {
        let root = tempfile::tempdir().unwrap();
        let grants = Grants::for_config(
            &schema(),
            &json!({"material_list": ["/etc/passwd"]}),
            roots(root.path()),
        );
        assert!(grants.check("/etc/passwd").is_err());
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
            roots(dir.path()),
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
            roots(root.path()),
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
