//! The host side of the `phonefleet:script` interfaces: one module and one small context per WIT
//! interface (`device`, `ui`, `host`, `materials`, `http`), as wasmtime-wasi splits WASI by capability.
//!
//! A context is *bound* during a run (the task's phone, grants, reporter) and unbound while a
//! plugin only describes itself or plans a request; [`Bound`] is the one place that says so.
//! Guest-visible failures travel as [`HostError`] (bindgen's `trappable_error_type`), so host
//! functions use `?` and decide once, in [`convert`], what the guest sees.

pub(crate) mod device;
#[allow(clippy::module_inception)]
pub(crate) mod host;
pub(crate) mod http;
pub(crate) mod materials;
pub(crate) mod ui;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use phonefleet_device::adb::{AdbError, Device};
use phonefleet_device::android::DUMP_TIMEOUT;

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
        // The guest's error type says "device offline" itself: it gets what happened only.
        HostError::Device(match (e.gone(), e) {
            (Some(gone), _) => DeviceError::Offline(gone),
            (None, e @ AdbError::Timeout { .. }) => DeviceError::Timeout(e.to_string()),
            (None, other) => DeviceError::Failed(other.to_string()),
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

/// How often a phone that went away is asked about while a call waits for it.
const AWAY_POLL: Duration = Duration::from_millis(500);

/// The run's phone, with the paces its calls keep (see [`crate::pace`]) and the grace a call
/// gives it when it goes away. Clones share the paces.
#[derive(Clone)]
pub(crate) struct Phone {
    device: Device,
    calls: Arc<Pace>,
    dumps: Arc<Pace>,
    grace: Duration,
}

impl Phone {
    pub fn new(device: Device, grace: Duration) -> Phone {
        Phone {
            device,
            calls: Arc::new(Pace::per_second(CALLS_PER_SECOND)),
            dumps: Arc::new(Pace::per_second(DUMPS_PER_SECOND)),
            grace,
        }
    }

    /// Runs `op`, which may change the phone, once it is within the run's pace. When the phone
    /// (or its adb server) was not there to take it, waits up to the grace period for it to come
    /// back and sends it once more: a USB blip or an adb server restarted by another tool does not
    /// fail the task (case 09). When the phone went away while `op` ran, `op` is not sent again
    /// (a second tap on Follow would unfollow).
    pub async fn call<T, Op, Fut>(&self, op: Op) -> Result<T, HostError>
    where
        Op: Fn(Device) -> Fut,
        Fut: Future<Output = Result<T, AdbError>>,
    {
        self.calls.wait().await;
        self.with_grace(op, Resend::IfNotSent).await
    }

    /// Like [`Phone::call`] for an `op` that only reads the phone: it is sent again however it
    /// was lost.
    pub async fn read<T, Op, Fut>(&self, op: Op) -> Result<T, HostError>
    where
        Op: Fn(Device) -> Fut,
        Fut: Future<Output = Result<T, AdbError>>,
    {
        self.calls.wait().await;
        self.with_grace(op, Resend::Always).await
    }

    /// The uiautomator XML of the screen now, within the run's dump pace, the dump bounded by
    /// `limit` (at most [`DUMP_TIMEOUT`]).
    pub async fn dump_xml(&self, limit: Duration) -> Result<String, HostError> {
        self.dumps.wait().await;
        let limit = limit.min(DUMP_TIMEOUT);
        self.with_grace(
            |d| async move { d.dump_ui_within(limit).await },
            Resend::Always,
        )
        .await
    }

    async fn with_grace<T, Op, Fut>(&self, op: Op, resend: Resend) -> Result<T, HostError>
    where
        Op: Fn(Device) -> Fut,
        Fut: Future<Output = Result<T, AdbError>>,
    {
        match op(self.device.clone()).await {
            Err(e) if resend.covers(&e) && self.back_within_grace().await => {
                Ok(op(self.device.clone()).await?)
            }
            other => Ok(other?),
        }
    }

    /// Waits for the phone to be listed online again; false if the grace passed first.
    async fn back_within_grace(&self) -> bool {
        let deadline = tokio::time::Instant::now() + self.grace;
        while tokio::time::Instant::now() < deadline {
            if self.device.state().await.is_ok_and(|s| s.is_online()) {
                return true;
            }
            tokio::time::sleep(AWAY_POLL).await;
        }
        false
    }
}

/// When a call whose phone went away is sent again once the phone is back.
#[derive(Clone, Copy)]
enum Resend {
    /// Only when the phone or its adb server was not there to take it.
    IfNotSent,
    /// Also when the phone went away while it ran (it only reads).
    Always,
}

impl Resend {
    fn covers(self, e: &AdbError) -> bool {
        match e {
            AdbError::Offline { .. } | AdbError::ServerUnavailable { .. } => true,
            AdbError::Lost { .. } => matches!(self, Resend::Always),
            _ => false,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gone_phone_says_device_offline_once() {
        let HostError::Device(DeviceError::Offline(detail)) = HostError::from(AdbError::Offline {
            serial: "R58M00000A".into(),
        }) else {
            panic!("not an offline device error");
        };
        assert_eq!(detail, "R58M00000A is not connected");
    }
}
