//! Input injection: taps, swipes, key events and ASCII text through `input`, with the vendor ROMs'
//! refusal (MIUI/HyperOS, ColorOS: `SecurityException … INJECT_EVENTS`) turned into what to switch on.

use super::{all_output, command_error, failed, q, text_chunks};
use crate::adb::{AdbError, Device, ShellOutput};

/// What the phone says when it refuses injected input (field case 13: Android 10 and 12+ wordings).
const INJECT_REFUSED: &str = "INJECT_EVENTS";

impl Device {
    /// Taps the screen at (`x`, `y`) pixels (`input tap`).
    ///
    /// Errors: [`AdbError::Command`] naming the Developer option to turn on when the ROM refuses
    /// injected input; the usual transport errors.
    pub async fn tap(&self, x: u32, y: u32) -> Result<(), AdbError> {
        self.input(&format!("input tap {x} {y}")).await
    }

    /// Swipes from (`x1`, `y1`) to (`x2`, `y2`) pixels over `duration_ms` (`input swipe`).
    pub async fn swipe(
        &self,
        (x1, y1): (u32, u32),
        (x2, y2): (u32, u32),
        duration_ms: u32,
    ) -> Result<(), AdbError> {
        self.input(&format!("input swipe {x1} {y1} {x2} {y2} {duration_ms}"))
            .await
    }

    /// Sends one key event by its Android key code (`input keyevent`; 4 is Back, 3 Home, 224 Wake).
    pub async fn key_event(&self, code: u32) -> Result<(), AdbError> {
        self.input(&format!("input keyevent {code}")).await
    }

    /// Types printable ASCII into the focused field (`input text`, spaces sent as `%s`).
    ///
    /// Errors: [`AdbError::Failed`] for text `input text` cannot carry (non-ASCII, control
    /// characters or `%`): type that through the ADBKeyboard IME instead.
    pub async fn type_ascii(&self, text: &str) -> Result<(), AdbError> {
        if !is_input_text(text) {
            return Err(AdbError::Failed(format!(
                "`input text` cannot type {text:?}; use the ADBKeyboard IME for it"
            )));
        }
        for chunk in text_chunks(text) {
            let escaped = chunk.replace(' ', "%s");
            self.input(&format!("input text {}", q(&escaped)?)).await?;
        }
        Ok(())
    }

    /// Runs an `input` command and reads the refusal some ROMs print.
    async fn input(&self, command: &str) -> Result<(), AdbError> {
        let out = self.shell(command).await?;
        check_input(command, &out)
    }
}

/// Whether `input text` can type `text` as is: printable ASCII and spaces, no `%` (its escape).
pub fn is_input_text(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !text.contains('%')
}

/// An `input` command's outcome: the INJECT_EVENTS refusal (exit 255 on Android 12+, sometimes 0
/// on older builds) becomes an error naming the setting; any other non-zero exit is a failure.
fn check_input(command: &str, out: &ShellOutput) -> Result<(), AdbError> {
    let said = all_output(out);
    if said.contains(INJECT_REFUSED) {
        return Err(failed(
            command,
            out.exit_code,
            "the phone refuses injected taps and keys (SecurityException: INJECT_EVENTS). \
             Turn on Developer options → \"USB debugging (Security settings)\" (MIUI/HyperOS) or \
             \"Disable permission monitoring\" (ColorOS), then retry",
        ));
    }
    if out.exit_code != 0 {
        return Err(command_error(command, out));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(stderr: &str, code: i32) -> ShellOutput {
        ShellOutput {
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
            exit_code: code,
        }
    }

    #[test]
    fn an_inject_events_refusal_names_the_setting() {
        let refused = out(
            "Exception occurred while executing 'tap':\njava.lang.SecurityException: Injecting input events requires the caller (or the source of the instrumentation, if any) to have the INJECT_EVENTS permission.\n",
            255,
        );
        let e = check_input("input tap 1 2", &refused)
            .unwrap_err()
            .to_string();
        assert!(e.contains("USB debugging (Security settings)"), "{e}");
    }

    #[test]
    fn a_refusal_with_exit_zero_is_still_a_refusal() {
        let refused = out(
            "java.lang.SecurityException: Injecting to another application requires INJECT_EVENTS permission\n",
            0,
        );
        assert!(check_input("input tap 1 2", &refused).is_err());
    }

    #[test]
    fn input_text_takes_printable_ascii_only() {
        assert!(is_input_text("hello world!"));
        assert!(!is_input_text("100%"));
        assert!(!is_input_text("café"));
        assert!(!is_input_text("a\nb"));
    }
}
