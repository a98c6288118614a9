//! Marks in the phone's own log (`log -t phonefleet`), so whoever reads `adb logcat` on the phone
//! sees which task drove it when.

use super::q;
use crate::adb::{AdbError, Device};

/// The logcat tag under which phonefleet marks the phone's log.
pub const LOGCAT_TAG: &str = "phonefleet";

impl Device {
    /// Writes `message` to the phone's logcat under [`LOGCAT_TAG`].
    pub async fn log_mark(&self, message: &str) -> Result<(), AdbError> {
        self.run(&format!("log -t {LOGCAT_TAG} {}", q(message)?))
            .await
            .map(drop)
    }
}
