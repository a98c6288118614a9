//! Activities and packages: launching an app (`monkey`), stopping it (`am force-stop`), opening a
//! link (`am start -a VIEW`), whether a package is installed (`pm path`), installing an APK
//! (`pm install`) — reading the text these print with exit status 0 when they did nothing (field
//! case 11).

use super::{all_output, command_error, failed, q};
use crate::adb::{AdbError, Device};

/// `am start` flags for a link: NEW_TASK | CLEAR_TASK, so the app opens on the link, not on
/// whatever screen it was left on.
const VIEW_FLAGS: &str = "0x10008000";

impl Device {
    /// Starts `package`'s launcher activity (`monkey -p PKG -c android.intent.category.LAUNCHER 1`).
    ///
    /// Errors: [`AdbError::Command`] "PKG is not installed" when monkey finds no activity.
    pub async fn start_app(&self, package: &str) -> Result<(), AdbError> {
        let command = format!(
            "monkey -p {} -c android.intent.category.LAUNCHER 1",
            q(package)?
        );
        let out = self.shell(&command).await?;
        let said = all_output(&out);
        if said.contains("No activities found") || said.contains("monkey aborted") {
            return Err(failed(
                &command,
                out.exit_code,
                &format!("{package} is not installed on this phone (or has no launcher activity)"),
            ));
        }
        if out.exit_code != 0 {
            return Err(command_error(&command, &out));
        }
        Ok(())
    }

    /// Installs the APK at `local` on this host: pushed to `/data/local/tmp`, `pm install -r -g`
    /// (replacing an installed version, granting its runtime permissions), the pushed copy removed.
    ///
    /// Errors: [`AdbError::Command`] with pm's own words (`Failure [INSTALL_FAILED_…]`) unless it
    /// said `Success`; the push's errors (the file unreadable, the phone's storage full).
    pub async fn install_apk(&self, local: &std::path::Path) -> Result<(), AdbError> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let remote = format!("/data/local/tmp/phonefleet-{stamp}.apk");
        let command = format!("pm install -r -g {}", q(&remote)?);
        let installed = match self.push(local, &remote, 0o644).await {
            Ok(_) => self.shell(&command).await,
            Err(e) => Err(e),
        };
        // Whatever happened, no copy (whole or half pushed) stays on the phone.
        let removed = self.shell(&format!("rm -f {}", q(&remote)?)).await;
        let out = installed?;
        if !all_output(&out).contains("Success") {
            return Err(command_error(&command, &out));
        }
        removed.map(drop)
    }

    /// Force-stops `package` (`am force-stop`).
    pub async fn stop_app(&self, package: &str) -> Result<(), AdbError> {
        self.run(&format!("am force-stop {}", q(package)?))
            .await
            .map(drop)
    }

    /// Opens `url` with a VIEW intent, in `package` when given (`am start -a android.intent.action.VIEW`).
    ///
    /// Errors: [`AdbError::Command`] when `am start` prints `Error:` / "unable to resolve" /
    /// "does not exist" — with exit status 0 as often as not — saying which app could not open what.
    pub async fn open_url(&self, url: &str, package: Option<&str>) -> Result<(), AdbError> {
        let mut command = format!(
            "am start -f {VIEW_FLAGS} -a android.intent.action.VIEW -d {}",
            q(url)?
        );
        if let Some(package) = package {
            command.push_str(&format!(" -p {}", q(package)?));
        }
        let out = self.shell(&command).await?;
        if let Some(why) = am_start_refusal(&all_output(&out)) {
            let app = package.unwrap_or("no app");
            return Err(failed(
                &command,
                out.exit_code,
                &format!("{app} cannot open {url} ({why}); is it installed?"),
            ));
        }
        if out.exit_code != 0 {
            return Err(command_error(&command, &out));
        }
        Ok(())
    }

    /// Whether `package` is installed (`pm path PKG` prints `package:/data/app/…` for it).
    pub async fn is_installed(&self, package: &str) -> Result<bool, AdbError> {
        let out = self.shell(&format!("pm path {}", q(package)?)).await?;
        Ok(out.exit_code == 0 && out.stdout_text().contains("package:"))
    }
}

/// The line of `am start`'s output that says nothing was started, if any: `Error: …`, "unable to
/// resolve", "does not exist", or "Warning: Activity not started" unless the intent was delivered.
pub fn am_start_refusal(output: &str) -> Option<&str> {
    output.lines().map(str::trim).find(|line| {
        line.starts_with("Error")
            || line.contains("unable to resolve")
            || line.contains("does not exist")
            // "…its current task has been brought to the front": the old screen, not the link.
            // "…intent has been delivered to currently running top-most instance" did deliver it.
            || (line.starts_with("Warning: Activity not started") && !line.contains("delivered"))
    })
}

#[cfg(test)]
mod tests {
    use super::am_start_refusal;

    #[test]
    fn an_unresolved_intent_is_a_refusal_whatever_the_exit_status() {
        let out = "Starting: Intent { act=android.intent.action.VIEW dat=https://www.tiktok.com/... flg=0x10008000 pkg=com.zhiliaoapp.musically }\n\
                   Error: Activity not started, unable to resolve Intent { act=android.intent.action.VIEW }\n";
        assert!(
            am_start_refusal(out).is_some_and(|l| l.starts_with("Error: Activity not started"))
        );
    }

    #[test]
    fn a_started_activity_is_no_refusal() {
        assert_eq!(
            am_start_refusal("Starting: Intent { act=android.intent.action.VIEW }\n"),
            None
        );
    }
}
