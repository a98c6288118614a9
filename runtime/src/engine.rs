//! The engine: one wasmtime `Engine` with its epoch ticker and its compilation cache, and the one
//! `Linker` every plugin is instantiated against (WASI p2 plus each phonefleet interface).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Cache, CacheConfig, Config, Engine};

use crate::bindings::ScriptPre;
use crate::bindings::phonefleet::script::{device, host, http, materials, types, ui};
use crate::plugin::Plugin;
use crate::state::RunState;

/// How often the engine's epoch advances: the granularity of cancellation and timeouts.
const EPOCH_TICK: Duration = Duration::from_millis(10);

pub use crate::world::WORLD;

/// Why the engine could not start or a plugin could not load.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the configuration.
    #[error("cannot set up the WebAssembly engine: {0}")]
    Engine(String),
    /// The component is not a phonefleet script this host can run.
    #[error("{origin} is not a loadable phonefleet script component: {reason}")]
    Load {
        /// Where the bytes came from (a file path, "built-in script follow").
        origin: String,
        /// What is wrong, in words.
        reason: String,
    },
}

/// Stores reserved beside the runs for describe and plan calls (loading scripts, creating tasks):
/// with pooling, at most this many such calls run at once and the rest wait for a slot, so calls
/// never take a run's slot. Size a pool as the most runs at once plus this.
pub const CALL_SLOTS: u32 = 32;

/// How the engine allocates each run's instances, memories, tables and async stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// Fresh mappings per instantiation, unmapped when the run's store drops (wasmtime's default).
    OnDemand,
    /// Slots reserved once for `concurrent` stores alive at the same time (runs plus describe/plan
    /// calls), each linear memory able to grow to `max_memory_bytes`. An instantiation beyond
    /// `concurrent` live stores fails, so size it for the device count plus headroom.
    Pooling {
        /// Stores alive at once.
        concurrent: u32,
        /// Largest linear memory of one store, in bytes.
        max_memory_bytes: usize,
    },
}

/// The engine, the linker every plugin is instantiated against, and the epoch ticker.
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<RunState>>,
    allocation: Allocation,
    /// Slots of describe and plan calls: [`CALL_SLOTS`] with pooling, unbounded on demand.
    calls: Arc<tokio::sync::Semaphore>,
    _ticker: Ticker,
}

impl Runtime {
    /// Creates the engine and starts its epoch ticker; compiled plugins are cached in `cache_dir`
    /// by wasmtime's own compilation cache (keyed by the bytes, the engine settings and the
    /// wasmtime version), so a restart loads instead of recompiling. Instances are allocated on demand.
    pub fn new(cache_dir: PathBuf) -> Result<Runtime, RuntimeError> {
        Runtime::with_allocation(cache_dir, Allocation::OnDemand)
    }

    /// Like [`Runtime::new`], with the given instance allocation. Pooling is probed: when its
    /// address space cannot be reserved (e.g. under `ulimit -v`), the engine falls back to
    /// on-demand allocation and says so; [`Runtime::allocation`] tells which is in effect.
    pub fn with_allocation(
        cache_dir: PathBuf,
        allocation: Allocation,
    ) -> Result<Runtime, RuntimeError> {
        let engine_err = |e: wasmtime::Error| RuntimeError::Engine(format!("{e:#}"));
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Enable);
        // wasmtime's cache wants an absolute directory; a data dir may be given relative.
        let cache_dir = std::path::absolute(&cache_dir).map_err(|e| {
            RuntimeError::Engine(format!("compile cache {}: {e}", cache_dir.display()))
        })?;
        let mut cache = CacheConfig::new();
        cache.with_directory(cache_dir);
        config.cache(Some(Cache::new(cache).map_err(engine_err)?));
        let (engine, allocation) = match allocation {
            Allocation::OnDemand => (Engine::new(&config), allocation),
            Allocation::Pooling {
                concurrent,
                max_memory_bytes,
            } => {
                let mut pooled = config.clone();
                pooled.allocation_strategy(pooling(concurrent, max_memory_bytes));
                match Engine::new(&pooled) {
                    Ok(engine) => (Ok(engine), allocation),
                    Err(e) => {
                        tracing::warn!(
                            "pooling allocator unavailable ({e:#}); allocating instances on demand"
                        );
                        (Engine::new(&config), Allocation::OnDemand)
                    }
                }
            }
        };
        let engine = engine.map_err(engine_err)?;
        let linker = link(&engine).map_err(engine_err)?;
        let ticker = Ticker::start(engine.clone())?;
        let calls = match allocation {
            Allocation::Pooling { .. } => CALL_SLOTS as usize,
            Allocation::OnDemand => tokio::sync::Semaphore::MAX_PERMITS,
        };
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            allocation,
            calls: Arc::new(tokio::sync::Semaphore::new(calls)),
            _ticker: ticker,
        })
    }

    /// The instance allocation in effect (pooling falls back to on-demand when it cannot reserve).
    pub fn allocation(&self) -> Allocation {
        self.allocation
    }

    /// Compiles (or loads from the cache) a component, links it and asks it to describe itself.
    ///
    /// Errors: [`RuntimeError::Load`] saying what is wrong — not WebAssembly, a core module
    /// rather than a component, an import this host lacks, missing exports, a schema that does
    /// not compile.
    pub async fn load(&self, wasm: &[u8], origin: &str) -> Result<Plugin, RuntimeError> {
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
        let component =
            Component::new(&self.engine, wasm).map_err(|e| load_err(format!("{e:#}")))?;
        let needs = crate::world::needs(&self.engine, &component);
        if let Some(needs) = needs.as_ref().filter(|n| crate::world::is_newer(&n.world)) {
            return Err(load_err(format!(
                "it is built for {}, newer than the {WORLD} this host serves: update phonefleet \
                 (or build the script against {WORLD})",
                needs.world
            )));
        }
        let pre = self.linker.instantiate_pre(&component).map_err(|e| {
            load_err(format!("it needs something this host does not provide ({e:#}); is it built against {WORLD}?"))
        })?;
        let pre = ScriptPre::new(pre).map_err(|e| {
            load_err(format!(
                "it does not export describe/plan/run of {WORLD} ({e:#})"
            ))
        })?;
        Plugin::describe(self.engine.clone(), pre, needs, self.calls.clone())
            .await
            .map_err(load_err)
    }
}

/// The linker: WASI p2 (no preopens, no sockets, no environment are given to a store, so only
/// stdout/stderr and clocks do anything) and each phonefleet interface on its own context.
fn link(engine: &Engine) -> wasmtime::Result<Linker<RunState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    types::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.host)?;
    device::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.device)?;
    ui::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.ui)?;
    host::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.host)?;
    materials::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.materials)?;
    http::add_to_linker::<_, HasSelf<_>>(&mut linker, |s: &mut RunState| &mut s.http)?;
    Ok(linker)
}

/// Pool sizes for `concurrent` live stores. A phonefleet script is one component of a few core
/// instances (the guest and wit-component shims) with one memory; a store allows at most 16.
fn pooling(concurrent: u32, max_memory_bytes: usize) -> wasmtime::InstanceAllocationStrategy {
    let concurrent = concurrent.max(1);
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(concurrent)
        .total_core_instances(concurrent.saturating_mul(8))
        .total_memories(concurrent.saturating_mul(2))
        .total_tables(concurrent.saturating_mul(4))
        .total_stacks(concurrent)
        .max_memory_size(max_memory_bytes)
        // Reset a reused memory's first MiB with memset rather than madvise: cheaper for scripts.
        .linear_memory_keep_resident(1 << 20)
        .table_keep_resident(64 << 10);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// The one thread that advances the engine's epoch; stops when dropped. Without it no deadline
/// could interrupt a guest busy loop, so failing to start it is an error, not a warning.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: Engine) -> Result<Ticker, RuntimeError> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("wasm-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .map_err(|e| RuntimeError::Engine(format!("cannot start the epoch ticker: {e}")))?;
        Ok(Ticker { stop })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
