//! The scripts this host can run: the built-in ones the caller embeds, then every `*.wasm`
//! component in the plugin directory (which may replace a built-in by name), kept current while
//! the host runs: new and changed files are loaded, broken ones reported with the old version kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use notify::{RecursiveMode, Watcher};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::{Plugin, Runtime, RuntimeError};

/// A built-in script: its name (for messages) and its component bytes.
pub type Builtin = (&'static str, &'static [u8]);

/// What a change in the plugin directory did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reload {
    /// A file was (re)loaded and now serves `name`.
    Loaded {
        /// The script's name.
        name: String,
        /// Its version.
        version: String,
        /// The plugin file.
        file: PathBuf,
    },
    /// A file could not be loaded; whatever served before keeps serving.
    Rejected {
        /// The plugin file.
        file: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// A file went away and its script with it (or back to the built-in of that name).
    Removed {
        /// The script's name.
        name: String,
        /// The plugin file.
        file: PathBuf,
    },
}

#[derive(Default)]
struct Loaded {
    /// Script name → the plugin serving it.
    plugins: BTreeMap<String, Arc<Plugin>>,
    /// Built-ins, to fall back on when a plugin file that replaced one goes away.
    builtins: BTreeMap<String, Arc<Plugin>>,
    /// Plugin file → (script name, sha256 of the bytes loaded).
    files: BTreeMap<PathBuf, (String, Vec<u8>)>,
}

/// Loaded plugins by script name. Runs hold their own `Arc<Plugin>`, so a reload never changes
/// the version a running task started with.
pub struct Registry {
    runtime: Arc<Runtime>,
    loaded: RwLock<Loaded>,
}

impl Registry {
    /// Loads the built-in scripts and those in `plugin_dir`. A broken plugin file is reported
    /// and skipped; a broken built-in is an error.
    pub async fn load(
        runtime: Arc<Runtime>,
        builtins: &[Builtin],
        plugin_dir: Option<&Path>,
    ) -> Result<Registry, RuntimeError> {
        let registry = Registry {
            runtime: runtime.clone(),
            loaded: RwLock::default(),
        };
        for (name, wasm) in builtins {
            let plugin = Arc::new(
                runtime
                    .load(wasm, &format!("built-in script {name}"))
                    .await?,
            );
            let mut loaded = registry.write();
            loaded
                .builtins
                .insert(plugin.name().to_string(), plugin.clone());
            loaded.plugins.insert(plugin.name().to_string(), plugin);
        }
        for path in plugin_dir.map(wasm_files).unwrap_or_default() {
            log(&registry.reload_file(&path).await);
        }
        Ok(registry)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Loaded> {
        self.loaded.write().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.loaded.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The plugin for a script name.
    pub fn get(&self, name: &str) -> Option<Arc<Plugin>> {
        self.read().plugins.get(name).cloned()
    }

    /// Every loaded plugin, by name.
    pub fn all(&self) -> Vec<Arc<Plugin>> {
        self.read().plugins.values().cloned().collect()
    }

    /// (Re)loads one plugin file; `None` when its bytes are what is already loaded.
    async fn reload_file(&self, path: &Path) -> Option<Reload> {
        let wasm = match tokio::fs::read(path).await {
            Ok(wasm) => wasm,
            Err(e) => {
                return Some(Reload::Rejected {
                    file: path.to_path_buf(),
                    reason: format!("cannot read it: {e}"),
                });
            }
        };
        let digest = Sha256::digest(&wasm).to_vec();
        if self
            .read()
            .files
            .get(path)
            .is_some_and(|(_, d)| *d == digest)
        {
            return None;
        }
        let plugin = match self.runtime.load(&wasm, &path.display().to_string()).await {
            Ok(plugin) => Arc::new(plugin),
            Err(e) => {
                return Some(Reload::Rejected {
                    file: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        let (name, version) = (plugin.name().to_string(), plugin.meta().version.clone());
        let mut loaded = self.write();
        if let Some((old, _)) = loaded
            .files
            .insert(path.to_path_buf(), (name.clone(), digest))
            && old != name
        {
            forget(&mut loaded, &old);
        }
        loaded.plugins.insert(name.clone(), plugin);
        Some(Reload::Loaded {
            name,
            version,
            file: path.to_path_buf(),
        })
    }

    /// A plugin file went away: its script goes too (or falls back to the built-in of that name).
    fn remove_file(&self, path: &Path) -> Option<Reload> {
        let mut loaded = self.write();
        let (name, _) = loaded.files.remove(path)?;
        forget(&mut loaded, &name);
        Some(Reload::Removed {
            name,
            file: path.to_path_buf(),
        })
    }

    /// Keeps the registry in step with `dir` until the returned watcher is dropped; every change
    /// is passed to `on_change` (and logged).
    pub fn watch(
        self: &Arc<Self>,
        dir: &Path,
        on_change: impl Fn(Reload) + Send + 'static,
    ) -> Result<PluginWatcher, notify::Error> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    for path in event.paths {
                        let _ = tx.send(path);
                    }
                }
            })?;
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
        let registry = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            while let Some(path) = rx.recv().await {
                let Some(registry) = registry.upgrade() else {
                    return;
                };
                if path.extension().is_none_or(|e| e != "wasm") {
                    continue;
                }
                let change = if path.is_file() {
                    registry.reload_file(&path).await
                } else {
                    registry.remove_file(&path)
                };
                if let Some(change) = change {
                    log(&Some(change.clone()));
                    on_change(change);
                }
            }
        });
        Ok(PluginWatcher {
            _watcher: watcher,
            task,
        })
    }
}

/// Drops a script name, restoring the built-in of that name if there is one.
fn forget(loaded: &mut Loaded, name: &str) {
    let still_served = loaded.files.values().any(|(n, _)| n == name);
    if still_served {
        return;
    }
    match loaded.builtins.get(name).cloned() {
        Some(builtin) => loaded.plugins.insert(name.to_string(), builtin),
        None => loaded.plugins.remove(name),
    };
}

fn log(change: &Option<Reload>) {
    match change {
        Some(Reload::Loaded {
            name,
            version,
            file,
        }) => tracing::info!("loaded script {name} {version} from {}", file.display()),
        Some(Reload::Rejected { file, reason }) => {
            tracing::error!(
                "plugin {} rejected, previous version kept: {reason}",
                file.display()
            )
        }
        Some(Reload::Removed { name, file }) => {
            tracing::info!("script {name} unloaded: {} is gone", file.display())
        }
        None => {}
    }
}

/// Stops watching the plugin directory when dropped.
pub struct PluginWatcher {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PluginWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The `*.wasm` files directly in `dir`, sorted; a missing directory has none.
fn wasm_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!(
            "plugin directory {} is not readable; no extra scripts loaded",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    files
}
