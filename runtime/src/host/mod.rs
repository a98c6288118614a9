//! The host side of the `phonefleet:script` interfaces: one module and one small context per WIT
//! interface (`device`, `ui`, `host`, `materials`), as wasmtime-wasi splits WASI by capability.
//!
//! A context is *bound* during a run (the task's phone, grants, reporter) and unbound while a
//! plugin only describes itself or plans a request; [`Bound`] is the one place that says so.
//! Guest-visible failures travel as [`HostError`] (bindgen's `trappable_error_type`), so host
//! functions use `?` and decide once, in [`convert`], what the guest sees.

pub(crate) mod device;
#[allow(clippy::module_inception)]
pub(crate) mod host;
pub(crate) mod materials;
pub(crate) mod ui;

use std::sync::{Arc, Mutex, MutexGuard};

use phonefleet_device::adb::{AdbError, Device};

use crate::bindings::DeviceError;
use crate::grants::Grants;
use crate::pace::{CALLS_PER_SECOND, DUMPS_PER_SECOND, Pace};

/// Why a host call failed: a `device-error` the guest handles, or a trap that ends the run.
#[derive(Debug)]
pub enum HostError {
    /// Returned to the guest as the WIT `device-error`.
    Device(DeviceError),
    /// Ends the run (a host bug, never bad input).
    Trap(wasmtime::Error),
}

impl From<DeviceError> for HostError {
    fn from(e: DeviceError) -> HostError {
        HostError::Device(e)
    }
}

impl From<AdbError> for HostError {
    fn from(e: AdbError) -> HostError {
        HostError::Device(match e {
            AdbError::Offline { .. } => DeviceError::Offline(e.to_string()),
            AdbError::Timeout { .. } => DeviceError::Timeout(e.to_string()),
            other => DeviceError::Failed(other.to_string()),
        })
    }
}

/// What the guest sees of a [`HostError`]: the `device-error`, or the trap.
pub(crate) fn convert(err: HostError) -> wasmtime::Result<DeviceError> {
    match err {
        HostError::Device(e) => Ok(e),
        HostError::Trap(trap) => Err(trap),
    }
}

/// What a context holds during a run; nothing while a plugin describes or plans.
pub(crate) struct Bound<T>(Option<T>);

impl<T> Default for Bound<T> {
    fn default() -> Self {
        Bound(None)
    }
}

impl<T> Bound<T> {
    pub fn new(value: T) -> Bound<T> {
        Bound(Some(value))
    }

    /// The bound value, or the guest-visible refusal of a call made outside a run.
    pub fn get(&self) -> Result<&T, HostError> {
        self.0.as_ref().ok_or_else(unbound)
    }

    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

fn unbound() -> HostError {
    HostError::Device(DeviceError::Denied(
        "no phone or task is bound while a script describes itself or plans a request".into(),
    ))
}

/// The run's phone, with the paces its calls keep (see [`crate::pace`]). Clones share the paces.
#[derive(Clone)]
pub(crate) struct Phone {
    device: Device,
    calls: Arc<Pace>,
    dumps: Arc<Pace>,
}

impl Phone {
    pub fn new(device: Device) -> Phone {
        Phone {
            device,
            calls: Arc::new(Pace::per_second(CALLS_PER_SECOND)),
            dumps: Arc::new(Pace::per_second(DUMPS_PER_SECOND)),
        }
    }

    /// The device, once one more call is within the run's pace.
    pub async fn call(&self) -> &Device {
        self.calls.wait().await;
        &self.device
    }

    /// The uiautomator XML of the screen now, within the run's dump pace.
    pub async fn dump_xml(&self) -> Result<String, HostError> {
        self.dumps.wait().await;
        Ok(self.device.dump_ui().await?)
    }
}

/// The run's host-path grants, read by `device.push-file` and extended by `materials` when it hands
/// out library files.
#[derive(Clone, Default)]
pub(crate) struct SharedGrants(Arc<Mutex<Grants>>);

impl SharedGrants {
    pub fn new(grants: Grants) -> SharedGrants {
        SharedGrants(Arc::new(Mutex::new(grants)))
    }

    pub fn lock(&self) -> MutexGuard<'_, Grants> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
