//! `phonefleet script check FILE.wasm`: loads a component the way the server would and reports
//! the world it targets, the oldest phonefleet it loads on, what it says about itself, and whether
//! its config schema compiles.

use std::path::Path;

use phonefleet_runtime::{Runtime, WORLD};

/// A human report on success; the reason it cannot be loaded otherwise.
pub async fn check(file: &Path) -> Result<String, String> {
    let wasm =
        std::fs::read(file).map_err(|e| format!("{}: cannot read it: {e}", file.display()))?;
    let cache =
        tempfile::tempdir().map_err(|e| format!("cannot create a scratch directory: {e}"))?;
    let runtime = Runtime::new(cache.path().to_path_buf()).map_err(|e| e.to_string())?;
    let plugin = runtime
        .load(&wasm, &file.display().to_string())
        .await
        .map_err(|e| e.to_string())?;
    let meta = plugin.meta();
    let properties = meta
        .config_schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map_or(0, |p| p.len());
    let world = meta
        .world
        .clone()
        .unwrap_or_else(|| format!("none of {WORLD} (it cannot drive a phone)"));
    let loads_on = meta.oldest_host.as_deref().map_or_else(
        || "any phonefleet".to_string(),
        |v| format!("phonefleet {v} and later"),
    );
    Ok(format!(
        "{file}: ok\n  world:       {world}\n  loads on:    {loads_on}\n  name:        {}\n  version:     {}\n  description: {}\n  schema:      compiles ({properties} top-level properties)",
        meta.name,
        meta.version,
        meta.description,
        file = file.display(),
    ))
}
