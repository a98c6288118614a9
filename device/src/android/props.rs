//! What a phone is: its Android version (`getprop`), its own hardware identity — the one thing two
//! transports of one handset share (`ro.serialno`, else the `android_id` setting; field case 07) —
//! and its screen density (`wm density`).

use super::q;
use crate::adb::{AdbError, Device};

/// The Android version a phone runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AndroidVersion {
    /// `ro.build.version.release`, e.g. "11".
    pub release: String,
    /// `ro.build.version.sdk`, e.g. 30.
    pub sdk: u32,
}

impl Device {
    /// One system property (`getprop NAME`), trimmed; empty when unset.
    pub async fn property(&self, name: &str) -> Result<String, AdbError> {
        Ok(self
            .run(&format!("getprop {}", q(name)?))
            .await?
            .stdout_text()
            .trim()
            .to_owned())
    }

    /// The Android version.
    pub async fn android_version(&self) -> Result<AndroidVersion, AdbError> {
        let (release, sdk) = tokio::try_join!(
            self.property("ro.build.version.release"),
            self.property("ro.build.version.sdk")
        )?;
        Ok(AndroidVersion {
            release,
            sdk: sdk.parse().unwrap_or(0),
        })
    }

    /// The handset's own identity: `ro.serialno` when it is a real serial, else the `android_id`
    /// setting (junk serials such as `0123456789ABCDEF` are shared by many cheap phones).
    pub async fn hardware_id(&self) -> Result<String, AdbError> {
        let serial = self.property("ro.serialno").await?;
        if !serial.is_empty() && !is_junk_serial(&serial) {
            return Ok(serial);
        }
        let id = self
            .run("settings get secure android_id")
            .await?
            .stdout_text()
            .trim()
            .to_owned();
        Ok(if id.is_empty() || id == "null" {
            serial
        } else {
            format!("android_id:{id}")
        })
    }

    /// The screen density in dpi (`wm density`: the override when set, else the physical one).
    pub async fn density(&self) -> Result<u32, AdbError> {
        let out = self.run("wm density").await?.stdout_text();
        out.lines()
            .rev()
            .filter_map(|l| l.split_once("density:").map(|(_, v)| v.trim()))
            .find_map(|v| v.parse().ok())
            .ok_or_else(|| AdbError::Protocol(format!("unexpected `wm density` output: {out:?}")))
    }
}

/// Serials that factories put on many phones at once (field case 08).
fn is_junk_serial(serial: &str) -> bool {
    const JUNK: &[&str] = &[
        "0123456789ABCDEF",
        "1234567890ABCDEF",
        "unknown",
        "0000000000000000",
    ];
    JUNK.iter().any(|j| serial.eq_ignore_ascii_case(j)) || serial.chars().all(|c| c == '?')
}

#[cfg(test)]
mod tests {
    use super::is_junk_serial;

    #[test]
    fn factory_serials_are_junk() {
        assert!(is_junk_serial("0123456789ABCDEF"));
        assert!(is_junk_serial("????????????"));
        assert!(!is_junk_serial("R58M00000A"));
    }
}
