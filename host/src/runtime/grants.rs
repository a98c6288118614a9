//! The host files a run may push to its phone: exactly those its task's config names in fields
//! the script's schema marks `x-host-path`, checked again (canonicalised) at every use.

use std::path::{Path, PathBuf};

/// Host paths granted to one run.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Grants {
    /// Grants exactly these files and the files inside these directories.
    pub fn new(files: Vec<PathBuf>, dirs: Vec<PathBuf>) -> Grants {
        Grants { files, dirs }
    }

    /// The canonical path of `requested` if the grant covers it; a sentence saying why not otherwise.
    pub fn check(&self, requested: &str) -> Result<PathBuf, String> {
        let canonical = Path::new(requested)
            .canonicalize()
            .map_err(|e| format!("host path {requested:?} is not readable: {e}"))?;
        let granted_file = self.files.iter().any(|f| f.canonicalize().is_ok_and(|f| f == canonical));
        let inside_dir = self
            .dirs
            .iter()
            .any(|d| d.canonicalize().is_ok_and(|d| canonical.starts_with(&d) && canonical != d));
        if granted_file || inside_dir {
            Ok(canonical)
        } else {
            Err(format!("host path {requested:?} was not granted to this task"))
        }
    }
}
