//! The host itself: logging, progress, sleeping, and the task being run.
//! Log with the [`info!`](crate::info)/[`warn!`](crate::warn)/[`debug!`](crate::debug)/[`error!`](crate::error) macros.

use crate::TaskInfo;
use crate::bindings::phonefleet::script::host as wit;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use wit::{FailureKind, Level};

/// Writes one line to the task's log.
pub fn log(level: Level, message: &str) {
    wit::log(level, message);
}

/// Reports the task's progress, 0..=100 (larger values are clamped), with a short note of what is happening.
pub fn progress(percent: u8, message: &str) {
    wit::progress(percent.min(100), message);
}

/// Sleeps without blocking the host; cancelling the task interrupts it.
pub fn sleep(duration: Duration) {
    wit::sleep(crate::ui::millis(duration));
}

/// Says what kind of failure the error `run` is about to return is (the SDK's adapter does it for
/// an [`Error`](crate::Error) from [`Script::run`](crate::Script::run); the last call counts).
pub fn set_failure_kind(kind: FailureKind) {
    wit::set_failure_kind(kind);
}

/// The app the task drives: `"tiktok"` or `"instagram"` (its account's, else its config's `app`,
/// else the server's default).
pub fn app() -> String {
    wit::app()
}

/// Which run of the task this is: 1 for the first, 2 after one retry, and so on.
pub fn attempt() -> u32 {
    wit::attempt()
}

/// Who the script runs for: task id, phone serial, account (without '@') and app package.
pub fn task() -> TaskInfo {
    static TASK: OnceLock<TaskInfo> = OnceLock::new();
    TASK.get_or_init(wit::task).clone()
}

/// The app package this task drives (TikTok global unless the account names a clone).
pub fn package() -> String {
    task().package
}

/// Calls `check` until it returns `Some`, sleeping `interval` between calls, for at most `timeout`
/// (at least one call is made). Returns `None` if the time ran out.
pub fn poll<T>(
    timeout: Duration,
    interval: Duration,
    mut check: impl FnMut() -> crate::Result<Option<T>>,
) -> crate::Result<Option<T>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check()? {
            return Ok(Some(v));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        sleep(interval.min(deadline - now));
    }
}

#[doc(hidden)]
pub fn __log(level: Level, args: core::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(s) => log(level, s),
        None => log(level, &args.to_string()),
    }
}

/// Logs at level info, `format!`-style: `info!("opening @{}", user)`.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::host::__log($crate::host::Level::Info, format_args!($($arg)+)) };
}

/// Logs at level warn, `format!`-style.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::host::__log($crate::host::Level::Warn, format_args!($($arg)+)) };
}

/// Logs at level debug, `format!`-style.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::host::__log($crate::host::Level::Debug, format_args!($($arg)+)) };
}

/// Logs at level error, `format!`-style.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::host::__log($crate::host::Level::Error, format_args!($($arg)+)) };
}

/// Logs at level trace, `format!`-style.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::host::__log($crate::host::Level::Trace, format_args!($($arg)+)) };
}
