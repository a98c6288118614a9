//! What one run's store holds: the sandboxed WASI context, memory limits, the task's phone and
//! grants, and the channel through which the plugin's logs and progress leave the sandbox.

use phonefleet_device::adb::Device;
use tokio::sync::mpsc;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::Grants;
use super::bindings::TaskInfo;
use super::materials::SharedMaterialStore;

/// Most bytes of guest stdout/stderr kept per run.
const CAPTURE_BYTES: usize = 256 << 10;

/// Severity of a run's log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl RunLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RunLevel::Trace => "trace",
            RunLevel::Debug => "debug",
            RunLevel::Info => "info",
            RunLevel::Warn => "warn",
            RunLevel::Error => "error",
        }
    }
}

/// Something a running plugin reported.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEvent {
    Log { level: RunLevel, message: String },
    Progress { percent: u8, message: String },
}

/// The phone and task a run is bound to; absent while a plugin only describes or plans.
pub(super) struct Binding {
    pub device: Device,
    pub task: TaskInfo,
    pub grants: Grants,
    pub materials: SharedMaterialStore,
    pub events: mpsc::UnboundedSender<RunEvent>,
}

pub struct RunState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limits: Limiter,
    pub(super) binding: Option<Binding>,
    /// Whether the ADBKeyboard IME was switched on during this run.
    pub(super) ime_ready: bool,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl RunState {
    /// A sandbox with no preopened directories, no network, no environment: only our WIT imports.
    pub(super) fn new(memory_bytes: usize, binding: Option<Binding>) -> RunState {
        let stdout = MemoryOutputPipe::new(CAPTURE_BYTES);
        let stderr = MemoryOutputPipe::new(CAPTURE_BYTES);
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        let limits = Limiter {
            inner: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .instances(16)
                .build(),
            memory_bytes,
            denied: false,
        };
        RunState {
            wasi,
            table: ResourceTable::new(),
            limits,
            binding,
            ime_ready: false,
            stdout,
            stderr,
        }
    }

    /// Sends what the guest wrote to stdout/stderr (panic messages!) to the task log.
    pub(super) fn flush_output(&self) {
        let Some(binding) = &self.binding else { return };
        for (pipe, level) in [
            (&self.stdout, RunLevel::Info),
            (&self.stderr, RunLevel::Warn),
        ] {
            let bytes = pipe.contents();
            for line in String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let _ = binding.events.send(RunEvent::Log {
                    level,
                    message: line.to_string(),
                });
            }
        }
    }

    /// The guest's stderr so far, for error messages when a run traps.
    pub(super) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents())
            .trim()
            .to_string()
    }
}

/// The store's memory cap, remembering whether it ever refused to grow — so a trap that follows
/// can be reported as "out of memory" rather than as a bare crash.
pub(super) struct Limiter {
    inner: StoreLimits,
    pub memory_bytes: usize,
    pub denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        self.denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

impl WasiView for RunState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
