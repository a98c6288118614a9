//! The host side of the WIT imports `device`, `ui` and `host`: each primitive becomes ADB calls
//! on the run's own phone; selectors are evaluated here against one parsed dump per poll.

use std::time::Duration;

use base64::Engine as _;
use phonefleet_device::adb::{AdbError, Device};
use phonefleet_device::quote::quote;
use phonefleet_device::ui::{self as devui, Dump};
use tokio::time::Instant;

use super::bindings::phonefleet::script::{device, host, types, ui};
use super::bindings::{Bounds, DeviceError, Level, Node, Selector, ShellOutput, TaskInfo};
use super::state::{Binding, RunEvent, RunLevel, RunState};

type HostResult<T> = wasmtime::Result<Result<T, DeviceError>>;

/// Pause between two UI dumps while waiting for a selector.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Where the UI dump is written on the phone.
const DUMP_PATH: &str = "/data/local/tmp/phonefleet-ui.xml";
const ADB_KEYBOARD_IME: &str = "com.android.adbkeyboard/.AdbIME";

fn device_error(e: AdbError) -> DeviceError {
    match e {
        AdbError::Offline { .. } => DeviceError::Offline(e.to_string()),
        AdbError::Timeout { .. } => DeviceError::Timeout(e.to_string()),
        other => DeviceError::Failed(other.to_string()),
    }
}

impl RunState {
    fn bound(&self) -> Result<&Binding, DeviceError> {
        self.binding.as_ref().ok_or_else(|| {
            DeviceError::Denied("no phone is bound while a script describes or plans".into())
        })
    }

    fn device(&self) -> Result<Device, DeviceError> {
        Ok(self.bound()?.device.clone())
    }

    fn log_event(&self, level: RunLevel, message: String) {
        if let Some(b) = &self.binding {
            let _ = b.events.send(RunEvent::Log { level, message });
        }
    }
}

/// Runs a command that must succeed; a non-zero exit becomes `failed` with its stderr.
async fn run_checked(device: &Device, command: &str) -> Result<String, DeviceError> {
    let out = device.shell(command).await.map_err(device_error)?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.exit_code != 0 {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = if stderr.trim().is_empty() {
            stdout.trim()
        } else {
            stderr.trim()
        };
        return Err(DeviceError::Failed(format!(
            "`{command}` exited with {}: {why}",
            out.exit_code
        )));
    }
    Ok(stdout)
}

/// The uiautomator XML of the current screen.
async fn dump_xml(device: &Device) -> Result<String, DeviceError> {
    let text = run_checked(
        device,
        &format!("uiautomator dump {DUMP_PATH} && cat {DUMP_PATH}"),
    )
    .await?;
    match text.find("<?xml").or_else(|| text.find("<hierarchy")) {
        Some(at) => Ok(text[at..].to_string()),
        None => Err(DeviceError::Failed(format!(
            "uiautomator printed no UI hierarchy: {}",
            text.trim()
        ))),
    }
}

async fn dump(device: &Device) -> Result<Dump, DeviceError> {
    Dump::parse(&dump_xml(device).await?).map_err(|e| DeviceError::Failed(e.to_string()))
}

/// Dumps the screen until `check` finds something or the timeout passes.
async fn poll<T>(
    device: &Device,
    timeout_ms: u32,
    mut check: impl FnMut(&Dump) -> Option<T> + Send,
) -> Result<Option<T>, DeviceError> {
    let deadline = Instant::now() + Duration::from_millis(timeout_ms.into());
    loop {
        if let Some(found) = check(&dump(device).await?) {
            return Ok(Some(found));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
    }
}

fn compile(selector: Selector) -> Result<devui::CompiledSelector, DeviceError> {
    let sel = devui::Selector {
        text: selector.text,
        text_contains: selector.text_contains,
        text_regex: selector.text_regex,
        resource_id: selector.resource_id,
        description: selector.description,
        description_contains: selector.description_contains,
        class_name: selector.class_name,
        clickable: selector.clickable,
        instance: selector.instance,
    };
    sel.compile()
        .map_err(|e| DeviceError::Failed(e.to_string()))
}

fn to_wit(node: &devui::Node) -> Node {
    let b = &node.bounds;
    Node {
        text: node.text.clone(),
        resource_id: node.resource_id.clone(),
        class_name: node.class_name.clone(),
        description: node.description.clone(),
        package: node.package.clone(),
        clickable: node.clickable,
        enabled: node.enabled,
        selected: node.selected,
        checked: node.checked,
        bounds: Bounds {
            left: b.left,
            top: b.top,
            right: b.right,
            bottom: b.bottom,
        },
    }
}

impl types::Host for RunState {}

impl device::Host for RunState {
    async fn shell(&mut self, command: String) -> HostResult<ShellOutput> {
        let out = attempt!(
            attempt!(self.device())
                .shell(&command)
                .await
                .map_err(device_error)
        );
        Ok(Ok(ShellOutput {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            exit_code: out.exit_code,
        }))
    }

    async fn tap(&mut self, x: u32, y: u32) -> HostResult<()> {
        let device = attempt!(self.device());
        Ok(run_checked(&device, &format!("input tap {x} {y}"))
            .await
            .map(drop))
    }

    async fn swipe(&mut self, x1: u32, y1: u32, x2: u32, y2: u32, ms: u32) -> HostResult<()> {
        let device = attempt!(self.device());
        Ok(
            run_checked(&device, &format!("input swipe {x1} {y1} {x2} {y2} {ms}"))
                .await
                .map(drop),
        )
    }

    async fn key_event(&mut self, code: u32) -> HostResult<()> {
        let device = attempt!(self.device());
        Ok(run_checked(&device, &format!("input keyevent {code}"))
            .await
            .map(drop))
    }

    async fn input_text(&mut self, text: String) -> HostResult<()> {
        let device = attempt!(self.device());
        let plain = text.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !text.contains('%');
        if plain {
            let escaped = text.replace(' ', "%s");
            return Ok(
                run_checked(&device, &format!("input text {}", quote(&escaped)))
                    .await
                    .map(drop),
            );
        }
        // Anything else goes through the ADBKeyboard IME so any Unicode arrives intact.
        if !self.ime_ready {
            attempt!(run_checked(&device, &format!("ime set {ADB_KEYBOARD_IME}")).await);
            self.ime_ready = true;
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        Ok(run_checked(
            &device,
            &format!("am broadcast -a ADB_INPUT_B64 --es msg {b64}"),
        )
        .await
        .map(drop))
    }

    async fn open_url(&mut self, url: String, package: Option<String>) -> HostResult<()> {
        let device = attempt!(self.device());
        let mut cmd = format!(
            "am start -f 0x10008000 -a android.intent.action.VIEW -d {}",
            quote(&url)
        );
        if let Some(pkg) = package {
            cmd.push_str(&format!(" -p {}", quote(&pkg)));
        }
        Ok(run_checked(&device, &cmd).await.map(drop))
    }

    async fn start_app(&mut self, package: String) -> HostResult<()> {
        let device = attempt!(self.device());
        let cmd = format!(
            "monkey -p {} -c android.intent.category.LAUNCHER 1",
            quote(&package)
        );
        Ok(run_checked(&device, &cmd).await.map(drop))
    }

    async fn stop_app(&mut self, package: String) -> HostResult<()> {
        let device = attempt!(self.device());
        Ok(
            run_checked(&device, &format!("am force-stop {}", quote(&package)))
                .await
                .map(drop),
        )
    }

    async fn screen_size(&mut self) -> HostResult<(u32, u32)> {
        let device = attempt!(self.device());
        let out = attempt!(run_checked(&device, "wm size").await);
        // "Override size" (when set) is what apps see; otherwise the physical size.
        let size = out
            .lines()
            .filter_map(|l| l.split_once("size:").map(|(_, v)| v.trim()))
            .filter_map(|v| v.split_once('x'))
            .rev()
            .find_map(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)));
        Ok(
            size.ok_or_else(|| {
                DeviceError::Failed(format!("unexpected `wm size` output: {out:?}"))
            }),
        )
    }

    async fn screenshot(&mut self) -> HostResult<Vec<u8>> {
        let device = attempt!(self.device());
        Ok(device.exec("screencap -p").await.map_err(device_error))
    }

    async fn dump_ui(&mut self) -> HostResult<String> {
        let device = attempt!(self.device());
        Ok(dump_xml(&device).await)
    }

    async fn push_file(&mut self, host_path: String, device_path: String) -> HostResult<u64> {
        let device = attempt!(self.device());
        let checked = attempt!(self.bound()).grants.check(&host_path);
        let path = match checked {
            Ok(path) => path,
            Err(why) => {
                self.log_event(RunLevel::Warn, format!("denied push: {why}"));
                return Ok(Err(DeviceError::Denied(why)));
            }
        };
        Ok(device
            .push(&path, &device_path, 0o644)
            .await
            .map_err(device_error))
    }
}

impl ui::Host for RunState {
    async fn find(&mut self, selector: Selector) -> HostResult<Option<Node>> {
        let (device, sel) = (attempt!(self.device()), attempt!(compile(selector)));
        Ok(dump(&device).await.map(|d| d.find(&sel).map(to_wit)))
    }

    async fn find_all(&mut self, selector: Selector) -> HostResult<Vec<Node>> {
        let (device, sel) = (attempt!(self.device()), attempt!(compile(selector)));
        Ok(dump(&device)
            .await
            .map(|d| d.find_all(&sel).into_iter().map(to_wit).collect()))
    }

    async fn wait_for(&mut self, selector: Selector, timeout_ms: u32) -> HostResult<Option<Node>> {
        let (device, sel) = (attempt!(self.device()), attempt!(compile(selector)));
        Ok(poll(&device, timeout_ms, |d| d.find(&sel).map(to_wit)).await)
    }

    async fn wait_any(
        &mut self,
        selectors: Vec<Selector>,
        timeout_ms: u32,
    ) -> HostResult<Option<(u32, Node)>> {
        let device = attempt!(self.device());
        let sels = attempt!(
            selectors
                .into_iter()
                .map(compile)
                .collect::<Result<Vec<_>, _>>()
        );
        let found = poll(&device, timeout_ms, |d| {
            sels.iter()
                .zip(0u32..)
                .find_map(|(s, i)| d.find(s).map(|n| (i, to_wit(n))))
        });
        Ok(found.await)
    }

    async fn wait_gone(&mut self, selector: Selector, timeout_ms: u32) -> HostResult<bool> {
        let (device, sel) = (attempt!(self.device()), attempt!(compile(selector)));
        let gone = poll(&device, timeout_ms, |d| {
            d.find(&sel).is_none().then_some(())
        });
        Ok(gone.await.map(|g| g.is_some()))
    }

    async fn click(&mut self, selector: Selector, timeout_ms: u32) -> HostResult<bool> {
        let (device, sel) = (attempt!(self.device()), attempt!(compile(selector)));
        let found = attempt!(
            poll(&device, timeout_ms, |d| d
                .find(&sel)
                .map(|n| n.bounds.center()))
            .await
        );
        let Some((x, y)) = found else {
            return Ok(Ok(false));
        };
        Ok(run_checked(&device, &format!("input tap {x} {y}"))
            .await
            .map(|_| true))
    }
}

impl host::Host for RunState {
    async fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            Level::Trace => RunLevel::Trace,
            Level::Debug => RunLevel::Debug,
            Level::Info => RunLevel::Info,
            Level::Warn => RunLevel::Warn,
            Level::Error => RunLevel::Error,
        };
        self.log_event(level, message);
        Ok(())
    }

    async fn progress(&mut self, percent: u8, message: String) -> wasmtime::Result<()> {
        if let Some(b) = &self.binding {
            let _ = b.events.send(RunEvent::Progress {
                percent: percent.min(100),
                message,
            });
        }
        Ok(())
    }

    async fn sleep(&mut self, ms: u32) -> wasmtime::Result<()> {
        // Cancelling the task drops the whole run future, and with it this sleep.
        tokio::time::sleep(Duration::from_millis(ms.into())).await;
        Ok(())
    }

    async fn task(&mut self) -> wasmtime::Result<TaskInfo> {
        Ok(match &self.binding {
            Some(b) => b.task.clone(),
            None => TaskInfo {
                id: 0,
                serial: String::new(),
                username: None,
                package: String::new(),
            },
        })
    }
}
