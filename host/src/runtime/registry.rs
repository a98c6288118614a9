//! The scripts this host can run: the built-in ones embedded in the binary, then every
//! `*.wasm` component in the plugin directory (which may replace a built-in by name).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use super::{Plugin, Runtime, RuntimeError};

/// Built-in scripts, compiled for wasm32-wasip2 by build.rs from `plugins/`.
const BUILTIN: &[(&str, &[u8])] =
    &[("follow", include_bytes!(concat!(env!("OUT_DIR"), "/plugins/phonefleet_follow.wasm")))];

/// Loaded plugins by script name.
pub struct Registry {
    /// Kept alive with the registry: its epoch ticker is what interrupts runs.
    _runtime: Arc<Runtime>,
    plugins: RwLock<BTreeMap<String, Arc<Plugin>>>,
}

impl Registry {
    /// Loads the built-in scripts and those in `plugin_dir`. A broken plugin file is reported
    /// and skipped; a broken built-in is an error.
    pub async fn load(runtime: Arc<Runtime>, plugin_dir: Option<&Path>) -> Result<Registry, RuntimeError> {
        let registry = Registry { _runtime: runtime.clone(), plugins: RwLock::default() };
        for (name, wasm) in BUILTIN {
            let plugin = runtime.load(wasm, &format!("built-in script {name}")).await?;
            registry.insert(plugin);
        }
        if let Some(dir) = plugin_dir {
            for path in wasm_files(dir) {
                let origin = path.display().to_string();
                let loaded = match std::fs::read(&path) {
                    Ok(wasm) => runtime.load(&wasm, &origin).await,
                    Err(e) => {
                        tracing::error!("cannot read plugin {origin}: {e}");
                        continue;
                    }
                };
                match loaded {
                    Ok(plugin) => {
                        tracing::info!("loaded script {} {} from {origin}", plugin.name(), plugin.meta().version);
                        registry.insert(plugin);
                    }
                    Err(e) => tracing::error!("skipping plugin: {e}"),
                }
            }
        }
        Ok(registry)
    }

    fn insert(&self, plugin: Plugin) {
        let mut plugins = self.plugins.write().unwrap_or_else(|p| p.into_inner());
        plugins.insert(plugin.name().to_string(), Arc::new(plugin));
    }

    /// The plugin for a script name.
    pub fn get(&self, name: &str) -> Option<Arc<Plugin>> {
        self.plugins.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    /// Every loaded plugin, by name.
    pub fn all(&self) -> Vec<Arc<Plugin>> {
        self.plugins.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}

/// The `*.wasm` files directly in `dir`, sorted; a missing directory has none.
fn wasm_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!("plugin directory {} is not readable; no extra scripts loaded", dir.display());
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    files
}
