//! UI dumps with `uiautomator dump`: either this moment's screen or an error, never an old file.
//!
//! uiautomator reports its failures as text and exits 0 (field cases 01–03, decompiled
//! `DumpCommand.java`): "ERROR: null root node…", "ERROR: could not get idle state." (after waiting
//! up to 10 s for an idle screen), or a crash when another tool holds UiAutomation. So each dump
//! writes a fresh file that is removed first and afterwards, and only uiautomator's own success
//! line ("UI hierchary dumped to:", sic) lets the XML through.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::adb::{AdbError, Device, ShellOutput};

/// The dump's own time limit: uiautomator waits up to 10 s for an idle screen before it starts,
/// then needs 0.5–2 s to start its Java process and write the file (field case 02).
pub const DUMP_TIMEOUT: Duration = Duration::from_secs(25);
/// Where dumps are written on the phone (a fresh name per call).
const DUMP_DIR: &str = "/data/local/tmp";
/// uiautomator's success line (its own spelling).
const DUMPED: &str = "dumped to";

impl Device {
    /// The uiautomator XML of the screen now, bounded by [`DUMP_TIMEOUT`].
    ///
    /// Errors: [`AdbError::DumpFailed`] with uiautomator's own words when it could not dump (a
    /// null root, a screen that never went idle, another UiAutomation client); [`AdbError::Timeout`]
    /// past the limit; the usual transport errors.
    pub async fn dump_ui(&self) -> Result<String, AdbError> {
        self.dump_ui_within(DUMP_TIMEOUT).await
    }

    /// [`Device::dump_ui`] bounded by `limit` instead (a poll with less time left than
    /// [`DUMP_TIMEOUT`]).
    pub async fn dump_ui_within(&self, limit: Duration) -> Result<String, AdbError> {
        let path = fresh_path();
        let command =
            format!("rm -f {path} && uiautomator dump {path} && cat {path}; rm -f {path}");
        let out = self.with_timeout(limit).shell(&command).await?;
        parse_dump(&out)
    }
}

/// A dump file name no other dump uses, so two dumps of one phone (a task and an operator) cannot
/// read each other's file.
fn fresh_path() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{DUMP_DIR}/phonefleet-ui-{}-{n}.xml", std::process::id())
}

/// The XML of a dump whose output carries uiautomator's success line and no `ERROR:`.
fn parse_dump(out: &ShellOutput) -> Result<String, AdbError> {
    let stdout = out.stdout_text();
    let xml_at = stdout.find("<?xml").or_else(|| stdout.find("<hierarchy"));
    // What uiautomator itself printed: stdout before the XML, and stderr (merged into stdout on
    // phones without shell v2).
    let said = format!(
        "{}\n{}",
        &stdout[..xml_at.unwrap_or(stdout.len())],
        out.stderr_text()
    );
    if said.contains("already registered") {
        return Err(AdbError::DumpFailed(
            "another UI automation tool holds this phone's UiAutomation (\"UiAutomationService … already registered\"): \
             stop it — uiautomator2's agent (am force-stop com.github.uiautomator), Appium's server \
             (am force-stop io.appium.uiautomator2.server) or a test run"
                .to_owned(),
        ));
    }
    if let Some(error) = said.lines().map(str::trim).find(|l| l.starts_with("ERROR")) {
        return Err(AdbError::DumpFailed(format!("uiautomator said {error:?}")));
    }
    if !said.contains(DUMPED) {
        let words = said.trim();
        return Err(AdbError::DumpFailed(if words.is_empty() {
            "uiautomator did not say it dumped the screen".to_owned()
        } else {
            format!("uiautomator did not say it dumped the screen: {words:?}")
        }));
    }
    match xml_at {
        Some(at) => Ok(stdout[at..].to_owned()),
        None => Err(AdbError::DumpFailed(format!(
            "uiautomator printed no UI hierarchy: {:?}",
            said.trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"></hierarchy>";

    fn out(stdout: &str, stderr: &str, code: i32) -> ShellOutput {
        ShellOutput {
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
            exit_code: code,
        }
    }

    #[test]
    fn a_dump_with_the_success_line_gives_its_xml() {
        let ok = out(
            &format!("UI hierchary dumped to: /data/local/tmp/x.xml\n{XML}"),
            "",
            0,
        );
        assert_eq!(parse_dump(&ok).unwrap(), XML);
    }

    #[test]
    fn an_error_on_stderr_fails_the_dump_even_with_exit_zero_and_old_xml() {
        let stale = out(
            XML,
            "ERROR: null root node returned by UiTestAutomationBridge.\n",
            0,
        );
        let e = parse_dump(&stale).unwrap_err().to_string();
        assert!(e.contains("null root node"), "{e}");
    }

    #[test]
    fn xml_without_the_success_line_is_not_trusted() {
        assert!(parse_dump(&out(XML, "", 0)).is_err());
    }

    #[test]
    fn could_not_get_idle_state_is_a_failed_dump() {
        let e = parse_dump(&out("", "ERROR: could not get idle state.\n", 0)).unwrap_err();
        assert!(matches!(e, AdbError::DumpFailed(m) if m.contains("could not get idle state")));
    }

    #[test]
    fn already_registered_names_the_other_tool() {
        let e = parse_dump(&out(
            "",
            "java.lang.IllegalStateException: UiAutomationService android.accessibilityservice.IAccessibilityServiceClient$Stub$Proxy@5f3a2c1already registered!\n",
            1,
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("uiautomator2"), "{e}");
    }

    #[test]
    fn on_a_v1_shell_the_merged_error_is_still_seen() {
        let merged = out("ERROR: could not get idle state.\n", "", 0);
        assert!(parse_dump(&merged).is_err());
    }

    #[test]
    fn fresh_paths_differ() {
        assert_ne!(fresh_path(), fresh_path());
    }
}
