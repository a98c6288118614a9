//! Thin wrappers over the task's own phone: shell, input, apps, screen.
//! Every call returns the SDK [`Result`], so `?` works in a script's `run`.

use crate::bindings::phonefleet::script::device as wit;
use crate::{Result, ShellOutput};

pub mod keycode {
    //! Android `KEYCODE_*` values for [`key_event`](super::key_event).
    //! Only the few scripts need; any other code can be passed as a number.
    /// KEYCODE_BACK.
    pub const BACK: u32 = 4;
    /// KEYCODE_HOME.
    pub const HOME: u32 = 3;
    /// KEYCODE_ENTER (submits a search field).
    pub const ENTER: u32 = 66;
    /// KEYCODE_DEL (backspace).
    pub const DEL: u32 = 67;
}

/// Runs a shell command on the phone. A non-zero exit code is not an error: check `exit_code`.
pub fn shell(command: &str) -> Result<ShellOutput> {
    Ok(wit::shell(command)?)
}

/// Runs a shell command that must succeed and returns its stdout; a non-zero exit is an error carrying
/// the command's stderr (or stdout). Quote every interpolated word with [`crate::quote`].
pub fn run(command: &str) -> Result<String> {
    let out = shell(command)?;
    if out.exit_code != 0 {
        let said = if out.stderr.trim().is_empty() {
            out.stdout.trim()
        } else {
            out.stderr.trim()
        };
        return Err(crate::Error::failed(format!(
            "`{command}` failed (exit {}): {said}",
            out.exit_code
        )));
    }
    Ok(out.stdout)
}

/// Taps the screen at pixel (x, y).
pub fn tap(x: u32, y: u32) -> Result<()> {
    Ok(wit::tap(x, y)?)
}

/// Swipes from (x1, y1) to (x2, y2) over `duration`.
pub fn swipe(x1: u32, y1: u32, x2: u32, y2: u32, duration: std::time::Duration) -> Result<()> {
    Ok(wit::swipe(x1, y1, x2, y2, crate::ui::millis(duration))?)
}

/// Sends one key event (see [`keycode`]).
pub fn key_event(code: u32) -> Result<()> {
    Ok(wit::key_event(code)?)
}

/// Presses Back.
pub fn back() -> Result<()> {
    key_event(keycode::BACK)
}

/// Types text into the focused field; any Unicode.
pub fn input_text(text: &str) -> Result<()> {
    Ok(wit::input_text(text)?)
}

/// Opens a URL with VIEW, in `package` when given.
pub fn open_url(url: &str, package: Option<&str>) -> Result<()> {
    Ok(wit::open_url(url, package)?)
}

/// Starts (or brings to the front) an app by package.
pub fn start_app(package: &str) -> Result<()> {
    Ok(wit::start_app(package)?)
}

/// Force-stops an app.
pub fn stop_app(package: &str) -> Result<()> {
    Ok(wit::stop_app(package)?)
}

/// Physical screen size as (width, height).
pub fn screen_size() -> Result<(u32, u32)> {
    Ok(wit::screen_size()?)
}

/// PNG bytes of the current screen.
pub fn screenshot() -> Result<Vec<u8>> {
    Ok(wit::screenshot()?)
}

/// The uiautomator XML of the current screen. Most scripts want [`ui::nodes`](crate::ui::nodes) instead.
pub fn dump_ui() -> Result<String> {
    Ok(wit::dump_ui()?)
}

/// Pushes a host file the task was granted (a config field marked `x-host-path`) to the phone; returns bytes written.
pub fn push_file(host_path: &str, device_path: &str) -> Result<u64> {
    Ok(wit::push_file(host_path, device_path)?)
}
