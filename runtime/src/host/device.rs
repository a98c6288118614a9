//! The host side of the WIT `device` interface: each primitive is one typed call on the run's own
//! phone (`phonefleet_device`'s Android commands), within the run's pace; file pushes pass the grants.

use phonefleet_device::android::{DUMP_TIMEOUT, is_input_text, text_chunks};

use super::{Bound, HostError, Phone, SharedGrants, convert};
use crate::bindings::phonefleet::script::{device, types};
use crate::bindings::{DeviceError, ShellOutput};
use crate::report::{Level, Reporter};

/// The `device` interface's context: the phone, the grants, and the keyboard state of this run.
#[derive(Default)]
pub(crate) struct DeviceCtx {
    phone: Bound<Phone>,
    grants: Bound<SharedGrants>,
    reporter: Bound<Reporter>,
    /// Whether ADBKeyboard is the current input method in this run.
    ime_ready: bool,
    /// The input method ADBKeyboard replaced, put back when the run ends.
    previous_ime: Option<String>,
}

impl DeviceCtx {
    pub fn bound(phone: Phone, grants: SharedGrants, reporter: Reporter) -> DeviceCtx {
        DeviceCtx {
            phone: Bound::new(phone),
            grants: Bound::new(grants),
            reporter: Bound::new(reporter),
            ..DeviceCtx::default()
        }
    }

    /// Puts back the phone's own keyboard if this run switched to ADBKeyboard. Best effort: the
    /// phone may be gone; then there is nothing to put back.
    pub async fn restore(&mut self) {
        let (Some(previous), Some(phone)) = (self.previous_ime.take(), self.phone.as_ref()) else {
            return;
        };
        let ime = previous.as_str();
        if let Err(e) = phone.call(|d| async move { d.set_ime(ime).await }).await {
            tracing::debug!("cannot restore the input method {previous}: {e:?}");
        }
    }
}

impl types::Host for DeviceCtx {
    fn convert_device_error(&mut self, err: HostError) -> wasmtime::Result<DeviceError> {
        convert(err)
    }
}

impl device::Host for DeviceCtx {
    async fn shell(&mut self, command: String) -> Result<ShellOutput, HostError> {
        let command = command.as_str();
        let out = self
            .phone
            .get()?
            .call(|d| async move { d.shell(command).await })
            .await?;
        Ok(ShellOutput {
            stdout: out.stdout_text(),
            stderr: out.stderr_text(),
            exit_code: out.exit_code,
        })
    }

    async fn tap(&mut self, x: u32, y: u32) -> Result<(), HostError> {
        self.phone
            .get()?
            .call(|d| async move { d.tap(x, y).await })
            .await
    }

    async fn swipe(
        &mut self,
        x1: u32,
        y1: u32,
        x2: u32,
        y2: u32,
        duration_ms: u32,
    ) -> Result<(), HostError> {
        let phone = self.phone.get()?;
        phone
            .call(|d| async move { d.swipe((x1, y1), (x2, y2), duration_ms).await })
            .await
    }

    async fn key_event(&mut self, code: u32) -> Result<(), HostError> {
        self.phone
            .get()?
            .call(|d| async move { d.key_event(code).await })
            .await
    }

    async fn input_text(&mut self, text: String) -> Result<(), HostError> {
        let phone = self.phone.get()?.clone();
        let ascii = is_input_text(&text);
        // Anything but plain ASCII goes through the ADBKeyboard IME so any Unicode arrives intact.
        if !ascii && !self.ime_ready {
            let replaced = phone
                .call(|d| async move { d.use_adb_keyboard().await })
                .await?;
            self.previous_ime = self.previous_ime.take().or(replaced);
            self.ime_ready = true;
        }
        // A piece at a time, each its own call: a phone that blinks is sent again only the piece
        // it never got, not what it already typed.
        for chunk in text_chunks(&text) {
            if ascii {
                phone
                    .call(|d| async move { d.type_ascii(chunk).await })
                    .await?;
            } else {
                phone
                    .call(|d| async move { d.type_unicode(chunk).await })
                    .await?;
            }
        }
        Ok(())
    }

    async fn open_url(&mut self, url: String, package: Option<String>) -> Result<(), HostError> {
        let (url, package) = (url.as_str(), package.as_deref());
        let phone = self.phone.get()?;
        phone
            .call(|d| async move { d.open_url(url, package).await })
            .await
    }

    async fn start_app(&mut self, package: String) -> Result<(), HostError> {
        let package = package.as_str();
        self.phone
            .get()?
            .call(|d| async move { d.start_app(package).await })
            .await
    }

    async fn stop_app(&mut self, package: String) -> Result<(), HostError> {
        let package = package.as_str();
        self.phone
            .get()?
            .call(|d| async move { d.stop_app(package).await })
            .await
    }

    async fn screen_size(&mut self) -> Result<(u32, u32), HostError> {
        self.phone
            .get()?
            .read(|d| async move { d.screen_size().await })
            .await
    }

    async fn screenshot(&mut self) -> Result<Vec<u8>, HostError> {
        self.phone
            .get()?
            .read(|d| async move { d.screenshot().await })
            .await
    }

    async fn dump_ui(&mut self) -> Result<String, HostError> {
        self.phone.get()?.dump_xml(DUMP_TIMEOUT).await
    }

    async fn push_file(
        &mut self,
        host_path: String,
        device_path: String,
    ) -> Result<u64, HostError> {
        let grants = self.grants.get()?.lock().clone();
        let requested = host_path.clone();
        let checked = tokio::task::spawn_blocking(move || grants.check(&requested))
            .await
            .map_err(|e| HostError::Trap(wasmtime::Error::msg(format!("grant check: {e}"))))?;
        let path = match checked {
            Ok(path) => path,
            Err(why) => {
                self.reporter
                    .get()?
                    .log(Level::Warn, format!("denied push: {why}"));
                return Err(DeviceError::Denied(why).into());
            }
        };
        let (path, device_path) = (path.as_path(), device_path.as_str());
        let phone = self.phone.get()?;
        phone
            .call(|d| async move { d.push(path, device_path, 0o644).await })
            .await
    }
}
