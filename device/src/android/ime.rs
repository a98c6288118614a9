//! The ADBKeyboard input method, through which any Unicode text is typed: made the current IME
//! (installed? `ime enable`, `ime set`, confirmed in settings) and the phone's own one put back after.

use base64::Engine as _;

use super::{all_output, failed, q, text_chunks};
use crate::adb::{AdbError, Device};

/// ADBKeyboard's input method id (github.com/senzhk/ADBKeyBoard).
pub const ADB_KEYBOARD_IME: &str = "com.android.adbkeyboard/.AdbIME";
/// ADBKeyboard's package.
const ADB_KEYBOARD_PACKAGE: &str = "com.android.adbkeyboard";
/// Where Android keeps the current input method.
const DEFAULT_IME_SETTING: &str = "settings get secure default_input_method";
/// How often `ime set` is re-checked in settings: right after `ime enable` the write can race
/// (field case 12, cloud phones).
const CONFIRM_ATTEMPTS: usize = 3;

/// ADBKeyboard on a phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Keyboard {
    /// Not installed: text that is not plain ASCII cannot be typed.
    Missing,
    /// Installed but not enabled: enabled (`ime enable`) the first time a run types such text.
    Disabled,
    /// Installed and enabled.
    Enabled,
}

impl Device {
    /// ADBKeyboard's state: installed (`ime list -a -s`) and enabled (`ime list -s`).
    pub async fn keyboard(&self) -> Result<Keyboard, AdbError> {
        let (all, enabled) = tokio::try_join!(self.run("ime list -a -s"), self.run("ime list -s"))?;
        let listed = |out: &crate::adb::ShellOutput| {
            out.stdout_text()
                .lines()
                .any(|l| l.trim() == ADB_KEYBOARD_IME)
        };
        Ok(match (listed(&all), listed(&enabled)) {
            (_, true) => Keyboard::Enabled,
            (true, false) => Keyboard::Disabled,
            (false, false) => Keyboard::Missing,
        })
    }

    /// The phone's current input method id (`settings get secure default_input_method`).
    pub async fn current_ime(&self) -> Result<String, AdbError> {
        Ok(self
            .run(DEFAULT_IME_SETTING)
            .await?
            .stdout_text()
            .trim()
            .to_owned())
    }

    /// Makes ADBKeyboard the current input method and returns the one it replaced (`None` when it
    /// already was current). Checks the package, enables the IME, selects it and confirms it in
    /// settings.
    ///
    /// Errors: [`AdbError::Command`] saying ADBKeyboard is not installed, or that the phone did not
    /// switch to it (with the phone's own words).
    pub async fn use_adb_keyboard(&self) -> Result<Option<String>, AdbError> {
        let previous = self.current_ime().await?;
        if previous == ADB_KEYBOARD_IME {
            return Ok(None);
        }
        if !self.is_installed(ADB_KEYBOARD_PACKAGE).await? {
            return Err(failed(
                "pm path com.android.adbkeyboard",
                1,
                "ADBKeyboard is not installed: install ADBKeyboard.apk (github.com/senzhk/ADBKeyBoard) \
                 so phonefleet can type text that is not plain ASCII",
            ));
        }
        self.enable_adb_keyboard().await?;
        let set = format!("ime set {}", q(ADB_KEYBOARD_IME)?);
        let mut said = String::new();
        for _ in 0..CONFIRM_ATTEMPTS {
            let out = self.shell(&set).await?;
            said = all_output(&out).trim().to_owned();
            if self.current_ime().await? == ADB_KEYBOARD_IME {
                return Ok(Some(previous));
            }
        }
        Err(failed(
            &set,
            1,
            &format!("the phone did not switch to ADBKeyboard: {said}"),
        ))
    }

    /// Enables ADBKeyboard as an input method (`ime enable`), without selecting it; a no-op when it
    /// already is (field case 12).
    pub async fn enable_adb_keyboard(&self) -> Result<(), AdbError> {
        self.run(&format!("ime enable {}", q(ADB_KEYBOARD_IME)?))
            .await
            .map(drop)
    }

    /// Types any text into the focused field, as an operator does once: printable ASCII with
    /// `input text`, anything else through ADBKeyboard, after which the phone's own keyboard is put
    /// back. (A script's run keeps ADBKeyboard selected for all its text and restores at the end.)
    ///
    /// Errors: those of [`Device::type_ascii`], [`Device::use_adb_keyboard`] and
    /// [`Device::type_unicode`].
    pub async fn type_text(&self, text: &str) -> Result<(), AdbError> {
        if super::input::is_input_text(text) {
            return self.type_ascii(text).await;
        }
        let previous = self.use_adb_keyboard().await?;
        let typed = self.type_unicode(text).await;
        if let Some(previous) = previous {
            self.set_ime(&previous).await?;
        }
        typed
    }

    /// Selects `ime` as the current input method (to put the phone's own keyboard back).
    pub async fn set_ime(&self, ime: &str) -> Result<(), AdbError> {
        self.run(&format!("ime set {}", q(ime)?)).await.map(drop)
    }

    /// Types `text` (any Unicode) into the focused field through ADBKeyboard's `ADB_INPUT_B64`
    /// broadcast. ADBKeyboard must be the current input method ([`Device::use_adb_keyboard`]):
    /// otherwise nothing receives the broadcast, which still "completes".
    ///
    /// Errors: [`AdbError::Command`] when ADBKeyboard is no longer the current input method (the
    /// user or the system switched back: the text would reach nobody), or when `am broadcast`
    /// did not say the broadcast completed.
    pub async fn type_unicode(&self, text: &str) -> Result<(), AdbError> {
        let current = self.current_ime().await?;
        if current != ADB_KEYBOARD_IME {
            return Err(failed(
                DEFAULT_IME_SETTING,
                0,
                &format!(
                    "ADBKeyboard is not the current input method ({current} is): the text would reach \
                     nothing; something switched the keyboard back during the task"
                ),
            ));
        }
        for chunk in text_chunks(text) {
            let b64 = base64::engine::general_purpose::STANDARD.encode(chunk.as_bytes());
            let command = format!("am broadcast -a ADB_INPUT_B64 --es msg {b64}");
            let out = self.run(&command).await?;
            if !all_output(&out).contains("Broadcast completed") {
                return Err(failed(
                    &command,
                    out.exit_code,
                    &format!(
                        "the broadcast to ADBKeyboard did not complete: {}",
                        all_output(&out).trim()
                    ),
                ));
            }
        }
        Ok(())
    }
}
