//! The host side of the WIT `host` interface: the run's log and progress (through its bounded
//! [`Reporter`]), sleeping without blocking the host, and who the run is for.

use std::time::Duration;

use super::{Bound, HostError, convert};
use crate::bindings::phonefleet::script::{host, types};
use crate::bindings::{DeviceError, TaskInfo};
use crate::report::{Level, Reporter};

/// The `host` interface's context: the task and where its reports go.
#[derive(Default)]
pub(crate) struct HostCtx {
    task: Bound<TaskInfo>,
    app: Bound<String>,
    attempt: u32,
    reporter: Bound<Reporter>,
    /// What the script said its failure is, if it said.
    failure_kind: Option<host::FailureKind>,
}

impl HostCtx {
    pub fn bound(task: TaskInfo, app: String, attempt: u32, reporter: Reporter) -> HostCtx {
        HostCtx {
            task: Bound::new(task),
            app: Bound::new(app),
            attempt,
            reporter: Bound::new(reporter),
            failure_kind: None,
        }
    }

    /// The kind the script gave its failure (`set-failure-kind`); `None` when it said nothing.
    pub fn failure_kind(&self) -> Option<host::FailureKind> {
        self.failure_kind
    }

    /// Reports a log line of the run; nothing outside a run.
    pub fn log(&self, level: Level, message: &str) {
        if let Some(reporter) = self.reporter.as_ref() {
            reporter.log(level, message);
        }
    }
}

impl types::Host for HostCtx {
    fn convert_device_error(&mut self, err: HostError) -> wasmtime::Result<DeviceError> {
        convert(err)
    }
}

impl host::Host for HostCtx {
    async fn log(&mut self, level: host::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            host::Level::Trace => Level::Trace,
            host::Level::Debug => Level::Debug,
            host::Level::Info => Level::Info,
            host::Level::Warn => Level::Warn,
            host::Level::Error => Level::Error,
        };
        HostCtx::log(self, level, &message);
        Ok(())
    }

    async fn progress(&mut self, percent: u8, message: String) -> wasmtime::Result<()> {
        if let Some(reporter) = self.reporter.as_ref() {
            reporter.progress(percent, message);
        }
        Ok(())
    }

    async fn sleep(&mut self, ms: u32) -> wasmtime::Result<()> {
        // Cancelling the task drops the whole run future, and with it this sleep.
        tokio::time::sleep(Duration::from_millis(ms.into())).await;
        Ok(())
    }

    async fn task(&mut self) -> wasmtime::Result<TaskInfo> {
        Ok(self.task.as_ref().cloned().unwrap_or(TaskInfo {
            id: 0,
            serial: String::new(),
            username: None,
            package: String::new(),
        }))
    }

    async fn app(&mut self) -> wasmtime::Result<String> {
        Ok(self.app.as_ref().cloned().unwrap_or_default())
    }

    async fn attempt(&mut self) -> wasmtime::Result<u32> {
        Ok(self.attempt.max(1))
    }

    async fn set_failure_kind(&mut self, kind: host::FailureKind) -> wasmtime::Result<()> {
        self.failure_kind = Some(kind);
        Ok(())
    }
}
