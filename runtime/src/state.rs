//! What one run's store holds: the sandboxed WASI context, the memory and table limits, one context
//! per phonefleet interface, and the captured stdout/stderr of the guest.

use phonefleet_device::adb::Device;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::TaskInfo;
use crate::capture::Capture;
use crate::grants::Grants;
use crate::host::device::DeviceCtx;
use crate::host::host::HostCtx;
use crate::host::http::HttpCtx;
use crate::host::materials::{MaterialsCtx, SharedMaterialStore};
use crate::host::ui::UiCtx;
use crate::host::{Phone, SharedGrants};
use crate::report::{Level, Reporter};

/// Most component and core instances one store may create (a script is a handful).
const MAX_INSTANCES: usize = 16;
/// Most elements a run's tables may grow to: far above any real script's function table, and
/// ~1.6 MiB of host memory at most.
pub(crate) const MAX_TABLE_ELEMENTS: usize = 100_000;

/// The phone and task a run is bound to; absent while a plugin only describes or plans.
pub(crate) struct Binding {
    pub device: Device,
    pub offline_grace: std::time::Duration,
    pub task: TaskInfo,
    pub app: String,
    pub attempt: u32,
    pub grants: Grants,
    pub materials: SharedMaterialStore,
    pub reporter: Reporter,
    pub http: crate::net::HttpGrant,
    pub redactor: crate::secrets::Redactor,
}

/// The store's data for one run (or one describe/plan call).
pub struct RunState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: Limiter,
    pub(crate) device: DeviceCtx,
    pub(crate) ui: UiCtx,
    pub(crate) host: HostCtx,
    pub(crate) materials: MaterialsCtx,
    pub(crate) http: HttpCtx,
    stdout: Capture,
    stderr: Capture,
}

impl RunState {
    /// A sandbox with no preopened directories, no network, no environment: only our WIT imports.
    pub(crate) fn new(memory_bytes: usize, binding: Option<Binding>) -> RunState {
        let (stdout, stderr) = (Capture::default(), Capture::default());
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        let limits = Limiter {
            inner: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .table_elements(MAX_TABLE_ELEMENTS)
                .instances(MAX_INSTANCES)
                .build(),
            memory_bytes,
            memory_denied: false,
            table_denied: false,
        };
        let (device, ui, host, materials, http) = match binding {
            None => Default::default(),
            Some(b) => {
                // Every report of the run, from any interface, goes out redacted.
                let b = Binding {
                    reporter: b.reporter.clone().redacting(b.redactor.clone()),
                    ..b
                };
                let phone = Phone::new(b.device, b.offline_grace);
                let grants = SharedGrants::new(b.grants);
                (
                    DeviceCtx::bound(phone.clone(), grants.clone(), b.reporter.clone()),
                    UiCtx::bound(phone),
                    HostCtx::bound(b.task.clone(), b.app, b.attempt, b.reporter),
                    MaterialsCtx::bound(b.materials, b.task.id, grants),
                    HttpCtx::bound(b.http, b.redactor),
                )
            }
        };
        RunState {
            wasi,
            table: ResourceTable::new(),
            limits,
            device,
            ui,
            host,
            materials,
            http,
            stdout,
            stderr,
        }
    }

    /// Sends what the guest wrote to stdout/stderr (panic messages!) to the task log, and says
    /// how much went past the capture's cap.
    pub(crate) fn flush_output(&self) {
        for (name, capture, level) in [
            ("stdout", &self.stdout, Level::Info),
            ("stderr", &self.stderr, Level::Warn),
        ] {
            for line in capture.text().lines().filter(|l| !l.trim().is_empty()) {
                self.host.log(level, line);
            }
            let discarded = capture.discarded();
            if discarded > 0 {
                self.host.log(
                    Level::Warn,
                    &format!(
                        "{discarded} more bytes of {name} were discarded: a run keeps its first {} KiB",
                        crate::capture::CAPTURE_BYTES >> 10
                    ),
                );
            }
        }
    }

    /// The guest's stderr so far, for error messages when a run traps.
    pub(crate) fn stderr_text(&self) -> String {
        self.stderr.text().trim().to_string()
    }
}

/// The store's memory and table caps, remembering whether either ever refused to grow — so a
/// trap that follows can be reported as "out of memory" rather than as a bare crash.
pub(crate) struct Limiter {
    inner: StoreLimits,
    pub memory_bytes: usize,
    pub memory_denied: bool,
    pub table_denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        self.memory_denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.table_growing(current, desired, maximum)?;
        self.table_denied |= !allowed;
        Ok(allowed)
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
