//! The WebAssembly runtime: one engine with an epoch ticker, compiled plugins, and a fresh
//! sandboxed store per run whose future is raced against the task's cancel token and deadline.

/// Returns `Ok(Err(e))` from a host import when a step fails: a device error is the guest's to
/// handle, not a trap.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        }
    };
}

pub mod bindings;
mod cache;
mod cancel;
mod grants;
mod imports;
mod materials;
mod plugin;
mod registry;
mod state;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

pub use cancel::Cancel;
pub use grants::{Grants, HostPath, HostPathKind, host_paths};
pub use materials::{LibraryFile, MaterialStore, SharedMaterialStore, kind_of};
pub use plugin::{ConfigViolation, Plugin, RunRequest, ScriptMeta};
pub use registry::{PluginWatcher, Registry, Reload};
pub use state::{RunEvent, RunLevel};

use bindings::Script;
use state::RunState;

/// How often the engine's epoch advances: the granularity of cancellation and timeouts.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Why loading or running a plugin failed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("cannot set up the WebAssembly engine: {0}")]
    Engine(String),
    #[error("{origin} is not a loadable phonefleet script component: {reason}")]
    Load { origin: String, reason: String },
    #[error("compile cache at {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Per-run limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall-clock time a run may take before it is stopped.
    pub timeout: Duration,
    /// Linear memory a run may grow to.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30 * 60),
            memory_bytes: 64 << 20,
        }
    }
}

/// Why a run ended without a result.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RunError {
    #[error("stopped: {0}")]
    Cancelled(String),
    #[error("timed out after {}: the script's time limit (raise it with --script-limit NAME:timeout=SECS)", humantime(*.0))]
    TimedOut(Duration),
    #[error(
        "out of memory: the script needed more than its {limit_mib} MiB limit (raise it with --script-limit NAME:memory=MIB)"
    )]
    OutOfMemory { limit_mib: usize },
    #[error("{0}")]
    Failed(String),
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    #[error("plugin crashed: {0}")]
    Trap(String),
}

/// "90 s", "30 min": how people say a limit.
fn humantime(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// How the engine allocates each run's instances, memories, tables and async stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// Fresh mappings per instantiation, unmapped when the run's store drops (wasmtime's default).
    OnDemand,
    /// Slots reserved once for `concurrent` stores alive at the same time (runs plus describe/plan
    /// calls), each linear memory able to grow to `max_memory_bytes`. An instantiation beyond
    /// `concurrent` live stores fails, so size it for the device count plus headroom.
    Pooling {
        concurrent: u32,
        max_memory_bytes: usize,
    },
}

/// The engine, the linker every plugin is instantiated against, and the compile cache.
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<RunState>>,
    cache: cache::CompileCache,
    allocation: Allocation,
    _ticker: Ticker,
}

impl Runtime {
    /// Creates the engine and starts its epoch ticker; compiled plugins are cached in `cache_dir`.
    /// Instances are allocated on demand.
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
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Enable);
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
        let engine = engine.map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        Script::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
        let cache = cache::CompileCache::new(cache_dir, &engine)?;
        let ticker = Ticker::start(engine.clone());
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            cache,
            allocation,
            _ticker: ticker,
        })
    }

    /// The instance allocation in effect (pooling falls back to on-demand when it cannot reserve).
    pub fn allocation(&self) -> Allocation {
        self.allocation
    }

    /// Compiles (or loads from the cache) a component, links it and asks it to describe itself.
    pub async fn load(&self, wasm: &[u8], origin: &str) -> Result<Plugin, RuntimeError> {
        let load_err = |reason: String| RuntimeError::Load {
            origin: origin.to_string(),
            reason,
        };
        let component: Component = self.cache.component(&self.engine, wasm, origin)?;
        let world = world_of(&self.engine, &component);
        let pre = self.linker.instantiate_pre(&component).map_err(|e| {
            load_err(format!("it needs something this host does not provide ({e:#}); is it built against {WORLD}?"))
        })?;
        let pre = bindings::ScriptPre::new(pre).map_err(|e| {
            load_err(format!(
                "it does not export describe/plan/run of {WORLD} ({e:#})"
            ))
        })?;
        Plugin::describe(self.engine.clone(), pre, world)
            .await
            .map_err(load_err)
    }
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

/// The world this host serves.
pub const WORLD: &str = "phonefleet:script@0.1.0";

/// The `phonefleet:script@VERSION` a component's imports name, if any.
fn world_of(engine: &Engine, component: &Component) -> Option<String> {
    component
        .component_type()
        .imports(engine)
        .find_map(|(name, _)| {
            let (_, version) = name.strip_prefix("phonefleet:script/")?.split_once('@')?;
            Some(format!("phonefleet:script@{version}"))
        })
}

/// The one thread that advances the engine's epoch; stops when dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: Engine) -> Ticker {
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
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!("cannot start the epoch ticker: {e}"));
        Ticker { stop }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
