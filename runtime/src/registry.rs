//! The scripts this host can run: the built-in ones the caller embeds, then every `*.wasm`
//! component in the plugin directory, kept current while the host runs: new and changed files are
//! loaded, broken or clashing ones reported with what served before kept (rules on [`Loaded`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::{Plugin, Runtime, RuntimeError};

/// A built-in script: its name (for messages) and its component bytes.
pub type Builtin = (&'static str, &'static [u8]);

/// The plugin directory and what its files may do.
#[derive(Clone, Debug)]
pub struct PluginDir {
    /// The directory whose `*.wasm` files are loaded (not its subdirectories).
    pub path: PathBuf,
    /// Whether a plugin may serve the name of a built-in script (`follow`, `post`, …) in its
    /// place; refused otherwise, so a stray file cannot silently replace a shipped script.
    pub may_replace_builtins: bool,
}

/// Where a served script comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Shipped inside the host binary.
    Builtin,
    /// A plugin file.
    File(PathBuf),
}

/// A script the registry serves, and where it comes from.
#[derive(Clone)]
pub struct Script {
    /// The loaded plugin.
    pub plugin: Arc<Plugin>,
    /// Built in, or the plugin file.
    pub origin: Origin,
}

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
    /// A file went away and its script with it, or back to the built-in of that name.
    Removed {
        /// The script's name.
        name: String,
        /// The plugin file.
        file: PathBuf,
        /// Whether the built-in of that name serves it again.
        builtin_restored: bool,
    },
}

/// A plugin file's loaded version: the script name it serves, the sha256 of its bytes, and the
/// plugin.
struct FileVersion {
    name: String,
    digest: Vec<u8>,
    plugin: Arc<Plugin>,
}

/// What serves each name. The rule for a name claimed twice: one file serves a script name at a
/// time — the first loaded (at start, the first in file-name order); another file claiming the
/// same name is rejected and waits, and when the serving file goes (or renames its script) the
/// first waiting file in file-name order takes the name, else the built-in of that name, else
/// nothing.
#[derive(Default)]
struct Loaded {
    /// Built-ins by name, to fall back on when a plugin that replaced one goes away.
    builtins: BTreeMap<String, Arc<Plugin>>,
    /// Plugin file → the version of it that serves its name.
    serving: BTreeMap<PathBuf, FileVersion>,
    /// Plugin file → its version refused only because another file serves its name.
    waiting: BTreeMap<PathBuf, FileVersion>,
}

impl Loaded {
    /// The script serving `name`: a plugin file's, else the built-in.
    fn get(&self, name: &str) -> Option<Script> {
        self.serving
            .iter()
            .find(|(_, v)| v.name == name)
            .map(|(file, v)| Script {
                plugin: v.plugin.clone(),
                origin: Origin::File(file.clone()),
            })
            .or_else(|| {
                self.builtins.get(name).map(|plugin| Script {
                    plugin: plugin.clone(),
                    origin: Origin::Builtin,
                })
            })
    }

    /// The file serving `name`, if a file does.
    fn file_serving(&self, name: &str) -> Option<&PathBuf> {
        self.serving
            .iter()
            .find(|(_, v)| v.name == name)
            .map(|(file, _)| file)
    }

    /// `name` lost its file: the first waiting file claiming it takes it over, else the built-in
    /// of that name serves again, else nothing. Returns what changed.
    fn hand_over(&mut self, name: &str) -> Vec<Reload> {
        let Some(file) = self
            .waiting
            .iter()
            .find(|(_, v)| v.name == name)
            .map(|(file, _)| file.clone())
        else {
            return Vec::new();
        };
        let Some(version) = self.waiting.remove(&file) else {
            return Vec::new();
        };
        let mut changes = vec![Reload::Loaded {
            name: name.to_string(),
            version: version.plugin.meta().version.clone(),
            file: file.clone(),
        }];
        changes.extend(self.serve(file, version));
        changes
    }

    /// `file` now serves `version`; the name its older version served, if another, is freed.
    fn serve(&mut self, file: PathBuf, version: FileVersion) -> Vec<Reload> {
        let name = version.name.clone();
        match self.serving.insert(file.clone(), version) {
            Some(old) if old.name != name => self.freed(old.name, file),
            _ => Vec::new(),
        }
    }

    /// `file` no longer serves `name`: it goes to a waiting file or back to the built-in.
    fn freed(&mut self, name: String, file: PathBuf) -> Vec<Reload> {
        let handed = self.hand_over(&name);
        let builtin_restored = handed.is_empty() && self.builtins.contains_key(&name);
        let mut changes = vec![Reload::Removed {
            name,
            file,
            builtin_restored,
        }];
        changes.extend(handed);
        changes
    }
}

/// Loaded plugins by script name. Runs hold their own `Arc<Plugin>`, so a reload never changes
/// the version a running task started with.
pub struct Registry {
    runtime: Arc<Runtime>,
    plugin_dir: Option<PluginDir>,
    loaded: RwLock<Loaded>,
}

impl Registry {
    /// Loads the built-in scripts and those in the plugin directory. A plugin file that is broken,
    /// claims a built-in's name (unless allowed) or a name another file serves is reported and
    /// skipped; a broken built-in is an error.
    pub async fn load(
        runtime: Arc<Runtime>,
        builtins: &[Builtin],
        plugin_dir: Option<PluginDir>,
    ) -> Result<Registry, RuntimeError> {
        let mut loaded = Loaded::default();
        for (name, wasm) in builtins {
            let plugin = runtime
                .load(wasm, &format!("built-in script {name}"))
                .await?;
            loaded
                .builtins
                .insert(plugin.name().to_string(), Arc::new(plugin));
        }
        let registry = Registry {
            runtime,
            plugin_dir,
            loaded: RwLock::new(loaded),
        };
        let files = registry
            .plugin_dir
            .as_ref()
            .map(|dir| wasm_files(&dir.path))
            .unwrap_or_default();
        for path in files {
            for change in registry.reload_file(&path).await {
                log(&change);
            }
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
        self.read().get(name).map(|s| s.plugin)
    }

    /// The script serving a name, with its origin.
    pub fn script(&self, name: &str) -> Option<Script> {
        self.read().get(name)
    }

    /// Every served script, by name.
    pub fn all(&self) -> Vec<Script> {
        let loaded = self.read();
        let mut names: Vec<&String> = loaded
            .builtins
            .keys()
            .chain(loaded.serving.values().map(|v| &v.name))
            .collect();
        names.sort();
        names.dedup();
        names.iter().filter_map(|name| loaded.get(name)).collect()
    }

    /// (Re)loads one plugin file; nothing when its bytes are what is already loaded from it.
    async fn reload_file(&self, path: &Path) -> Vec<Reload> {
        let file = path.to_path_buf();
        let rejected = |reason: String| {
            vec![Reload::Rejected {
                file: file.clone(),
                reason,
            }]
        };
        let wasm = match tokio::fs::read(path).await {
            Ok(wasm) => wasm,
            Err(e) => return rejected(format!("cannot read it: {e}")),
        };
        let digest = Sha256::digest(&wasm).to_vec();
        {
            let loaded = self.read();
            let same = |v: Option<&FileVersion>| v.is_some_and(|v| v.digest == digest);
            if same(loaded.serving.get(path)) || same(loaded.waiting.get(path)) {
                return Vec::new();
            }
        }
        let plugin = match self.runtime.load(&wasm, &path.display().to_string()).await {
            Ok(plugin) => Arc::new(plugin),
            Err(e) => {
                self.write().waiting.remove(path);
                return rejected(e.to_string());
            }
        };
        let name = plugin.name().to_string();
        let version = FileVersion {
            name: name.clone(),
            digest,
            plugin: plugin.clone(),
        };
        let may_replace_builtins = self
            .plugin_dir
            .as_ref()
            .is_some_and(|d| d.may_replace_builtins);
        let mut loaded = self.write();
        if loaded.builtins.contains_key(&name) && !may_replace_builtins {
            loaded.waiting.remove(path);
            return rejected(format!(
                "script {name} is built in; a plugin serves a built-in's name only when the server \
                 runs with --plugins-replace-builtins (or give the plugin's script another name)"
            ));
        }
        if let Some(other) = loaded.file_serving(&name).filter(|f| *f != path) {
            let reason = format!(
                "script {name} is already served by {}: one file serves a name, so this one waits \
                 and takes over when that one goes (remove or rename one of them)",
                other.display()
            );
            loaded.waiting.insert(file.clone(), version);
            return rejected(reason);
        }
        loaded.waiting.remove(path);
        let mut changes = vec![Reload::Loaded {
            name: name.clone(),
            version: plugin.meta().version.clone(),
            file: file.clone(),
        }];
        changes.extend(loaded.serve(file, version));
        changes
    }

    /// A plugin file went away: its script goes too, to a file waiting for its name or back to the
    /// built-in of that name.
    fn remove_file(&self, path: &Path) -> Vec<Reload> {
        let mut loaded = self.write();
        loaded.waiting.remove(path);
        let Some(gone) = loaded.serving.remove(path) else {
            return Vec::new();
        };
        loaded.freed(gone.name, path.to_path_buf())
    }

    /// Keeps the registry in step with the plugin directory until the returned watcher is dropped
    /// (`None` without a plugin directory); every change is passed to `on_change` (and logged).
    /// Only events that can change a file's content count (written and closed, renamed, removed):
    /// the registry's own reads open the files too.
    pub fn watch(
        self: &Arc<Self>,
        on_change: impl Fn(Reload) + Send + 'static,
    ) -> Result<Option<PluginWatcher>, notify::Error> {
        let Some(dir) = &self.plugin_dir else {
            return Ok(None);
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && changes_content(&event.kind)
                {
                    for path in event.paths {
                        let _ = tx.send(path);
                    }
                }
            })?;
        watcher.watch(&dir.path, RecursiveMode::NonRecursive)?;
        let registry = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            while let Some(path) = rx.recv().await {
                let Some(registry) = registry.upgrade() else {
                    return;
                };
                if path.extension().is_none_or(|e| e != "wasm") {
                    continue;
                }
                let changes = if path.is_file() {
                    registry.reload_file(&path).await
                } else {
                    registry.remove_file(&path)
                };
                for change in changes {
                    log(&change);
                    on_change(change);
                }
            }
        });
        Ok(Some(PluginWatcher {
            _watcher: watcher,
            task,
        }))
    }
}

/// Whether a watch event can have changed what a plugin file holds: written and closed, renamed
/// in or out, removed. Opening or reading a file cannot, and the registry reads every file it
/// loads: reacting to that would reload forever. A file's creation is followed by its close.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(_))
        | EventKind::Remove(_) => true,
        // Watchers that never report a close (FSEvents, Windows, polling): a write or creation is
        // all there is to go by (a half-written file is rejected, then loaded once complete).
        EventKind::Create(_) | EventKind::Modify(_) => !cfg!(target_os = "linux"),
        _ => false,
    }
}

fn log(change: &Reload) {
    match change {
        Reload::Loaded {
            name,
            version,
            file,
        } => tracing::info!("loaded script {name} {version} from {}", file.display()),
        Reload::Rejected { file, reason } => tracing::warn!(
            "plugin {} not loaded (whatever served before still serves): {reason}",
            file.display()
        ),
        Reload::Removed {
            name,
            file,
            builtin_restored: true,
        } => tracing::info!(
            "{} is gone: the built-in script {name} serves again",
            file.display()
        ),
        Reload::Removed { name, file, .. } => {
            tracing::info!("script {name} unloaded: {} is gone", file.display())
        }
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
