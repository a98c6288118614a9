//! Where on the host tasks may name files: the operator's `--file-root` directories (by default the
//! server's working directory and its data dir). A path is judged by where it really is, after
//! `..` and symlinks are resolved, so neither can lead out — when a task is created and again at
//! every use during its run (see [`crate::Grants`]).

use std::path::{Path, PathBuf};

/// The directories host paths must lie in, canonical.
#[derive(Clone, Debug)]
pub struct FileRoots {
    dirs: Vec<PathBuf>,
}

impl FileRoots {
    /// `configured` (or, when empty, the working directory and `data_dir`), each resolved now; a
    /// root that does not exist is left out with a warning.
    pub fn new(configured: &[PathBuf], data_dir: &Path) -> FileRoots {
        let wanted: Vec<PathBuf> = if configured.is_empty() {
            let cwd = std::env::current_dir()
                .ok()
                .filter(|dir| dir.parent().is_some());
            if cwd.is_none() {
                tracing::warn!(
                    "the working directory is / (or unknown): files are served from the data dir \
                     only; name directories with --file-root"
                );
            }
            cwd.into_iter().chain([data_dir.to_path_buf()]).collect()
        } else {
            configured.to_vec()
        };
        let dirs = wanted
            .iter()
            .filter_map(|dir| match dir.canonicalize() {
                Ok(dir) => Some(dir),
                Err(e) => {
                    tracing::warn!("file root {} is left out: {e}", dir.display());
                    None
                }
            })
            .collect();
        FileRoots { dirs }
    }

    /// Whether the real (canonical) path `real` lies inside a root.
    pub fn contain(&self, real: &Path) -> bool {
        self.dirs.iter().any(|root| real.starts_with(root))
    }

    /// Where `requested` really is, if that is inside a root.
    ///
    /// Errors: a sentence for the user — the path does not exist, or it lies outside every root
    /// (naming them and the option that adds one).
    pub fn confine(&self, requested: &str) -> Result<PathBuf, String> {
        let real = Path::new(requested)
            .canonicalize()
            .map_err(|_| format!("{requested:?} does not exist on this host"))?;
        if self.contain(&real) {
            Ok(real)
        } else {
            let roots: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
            Err(format!(
                "{requested:?} is outside the directories this host serves files from ({}); \
                 the operator can add one with --file-root",
                roots.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_inside_a_root_is_allowed_and_dot_dot_cannot_leave_it() {
        let root = tempfile::tempdir().expect("tempdir");
        let inside = root.path().join("v.mp4");
        std::fs::write(&inside, b"x").expect("write");
        let roots = FileRoots::new(&[root.path().to_path_buf()], root.path());
        assert!(roots.confine(&inside.display().to_string()).is_ok());
        let escape = format!("{}/../../../../../../etc/passwd", root.path().display());
        let refused = roots.confine(&escape).unwrap_err();
        assert!(refused.contains("outside"), "{refused}");
        assert!(
            roots
                .confine("/etc/passwd")
                .unwrap_err()
                .contains("--file-root")
        );
    }

    #[test]
    fn a_symlink_out_of_a_root_is_judged_by_its_target() {
        let root = tempfile::tempdir().expect("tempdir");
        let link = root.path().join("passwd");
        std::os::unix::fs::symlink("/etc/passwd", &link).expect("symlink");
        let roots = FileRoots::new(&[root.path().to_path_buf()], root.path());
        assert!(roots.confine(&link.display().to_string()).is_err());
    }
}
