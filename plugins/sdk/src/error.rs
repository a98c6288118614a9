//! The error type of scripts: what went wrong and where, as a sentence the task's `error` field can show.
//! Device errors convert with `?`; every error converts into the WIT `script-error`.

use crate::DeviceError;
use crate::bindings::ScriptError;
use crate::host::FailureKind;
use core::fmt;

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why a script failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The config passed the schema but cannot be used; the message says which key and why.
    InvalidConfig(String),
    /// The script gave up; the message says what the phone showed and where.
    Failed(String),
    /// The app refused: a captcha or a rate-limit notice is a protection to stop at and report,
    /// never a popup to close or a step to retry; the message quotes what the app showed.
    Refused(String),
    /// A device primitive failed (phone offline, timeout, host refusal, command failure).
    Device(DeviceError),
    /// The phone failed the script, in the script's words: a screen that could not be read for a
    /// whole wait, say. Reported as a `device` failure, like [`Error::Device`].
    Phone(String),
}

impl Error {
    /// A [`Error::Failed`] with this message.
    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed(message.into())
    }

    /// A [`Error::InvalidConfig`] with this message.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Error::InvalidConfig(message.into())
    }
}

/// A device error as a sentence.
fn fmt_device_error(e: &DeviceError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        DeviceError::Offline(m) => write!(f, "device offline: {m}"),
        DeviceError::Timeout(m) => write!(f, "device timed out: {m}"),
        DeviceError::Denied(m) => write!(f, "denied by the host: {m}"),
        DeviceError::Failed(m) => write!(f, "device command failed: {m}"),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(m) => write!(f, "invalid config: {m}"),
            Error::Failed(m) | Error::Refused(m) | Error::Phone(m) => f.write_str(m),
            Error::Device(e) => fmt_device_error(e, f),
        }
    }
}

impl std::error::Error for Error {}

impl From<DeviceError> for Error {
    fn from(e: DeviceError) -> Self {
        Error::Device(e)
    }
}

impl From<phonefleet_rules::QuoteError> for Error {
    /// A word with a NUL byte cannot be sent to the phone's shell.
    fn from(e: phonefleet_rules::QuoteError) -> Self {
        Error::Failed(e.to_string())
    }
}

impl From<String> for Error {
    /// A plain message is a [`Error::Failed`].
    fn from(message: String) -> Self {
        Error::Failed(message)
    }
}

impl From<&str> for Error {
    /// A plain message is a [`Error::Failed`].
    fn from(message: &str) -> Self {
        Error::Failed(message.to_string())
    }
}

impl Error {
    /// The kind of failure this is, as the host reports it to clients (the task's `error_kind`).
    pub fn kind(&self) -> FailureKind {
        match self {
            Error::Device(_) | Error::Phone(_) => FailureKind::Device,
            Error::Refused(_) => FailureKind::Protection,
            Error::InvalidConfig(_) | Error::Failed(_) => FailureKind::Script,
        }
    }
}

impl From<Error> for ScriptError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidConfig(m) => ScriptError::InvalidConfig(m),
            other => ScriptError::Failed(other.to_string()),
        }
    }
}
