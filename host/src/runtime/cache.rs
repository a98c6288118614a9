//! On-disk cache of compiled components, keyed by the wasm bytes' sha256 and the engine's
//! compatibility hash, so a restart deserialises instead of recompiling.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::RuntimeError;

pub(super) struct CompileCache {
    dir: PathBuf,
    engine_key: u64,
}

impl CompileCache {
    pub(super) fn new(dir: PathBuf, engine: &Engine) -> Result<CompileCache, RuntimeError> {
        std::fs::create_dir_all(&dir).map_err(|source| RuntimeError::Cache {
            path: dir.clone(),
            source,
        })?;
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        Ok(CompileCache {
            dir,
            engine_key: hasher.finish(),
        })
    }

    /// The compiled component for `wasm`, from the cache when present, compiled and stored otherwise.
    pub(super) fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        origin: &str,
    ) -> Result<Component, RuntimeError> {
        let load_err = |reason: String| RuntimeError::Load {
            origin: origin.to_string(),
            reason,
        };
        match wasm.get(..8) {
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => {
                return Err(load_err(
                    "it is a core WebAssembly module, not a component: build it for wasm32-wasip2"
                        .into(),
                ));
            }
            Some([0, b'a', b's', b'm', ..]) => {}
            _ => return Err(load_err("it is not a WebAssembly file".into())),
        }
        let digest = Sha256::digest(wasm);
        let name = format!("{:x}-{:016x}.cwasm", digest, self.engine_key);
        let path = self.dir.join(name);
        if path.exists() {
            // SAFETY: the file was written by `precompile_component` of an engine with the same
            // compatibility hash (it is in the file name), into our own data directory.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!("ignoring unreadable compile cache entry {path:?}: {e:#}"),
            }
        }
        let compiled = engine
            .precompile_component(wasm)
            .map_err(|e| load_err(format!("{e:#}")))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &compiled)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|source| RuntimeError::Cache {
                path: path.clone(),
                source,
            })?;
        // SAFETY: as above; we have just written these bytes ourselves.
        unsafe { Component::deserialize(engine, &compiled) }.map_err(|e| load_err(format!("{e:#}")))
    }
}
