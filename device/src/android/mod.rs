//! The Android commands phonefleet sends through `adb shell`, as typed methods on [`Device`]:
//! input, activities, the screen, UI dumps, the ADBKeyboard IME and logcat marks.
//!
//! This is the one place that knows Android's command syntax and how each command reports failure:
//! every interpolated word is quoted here, and outputs that say "error" with exit status 0 (`am
//! start`, `monkey`, `uiautomator dump`, `ime set`) are read, not trusted (`reference/adb.md` §3
//! and the field cases name each one).

mod activity;
mod ime;
mod input;
mod logcat;
mod power;
mod props;
mod screen;
mod uiautomator;

use phonefleet_rules::quote;

pub use ime::{ADB_KEYBOARD_IME, Keyboard};
pub use input::is_input_text;
pub use logcat::LOGCAT_TAG;
pub use power::{Keyguard, ScreenState};
pub use props::AndroidVersion;
pub use uiautomator::DUMP_TIMEOUT;

use crate::adb::{AdbError, Device, ShellOutput};

/// Longest command text an error message repeats.
const COMMAND_IN_ERROR: usize = 200;

impl Device {
    /// Runs `command`; a non-zero exit status is [`AdbError::Command`] with the command's own words.
    /// Returns the output for the caller to read further.
    pub(crate) async fn run(&self, command: &str) -> Result<ShellOutput, AdbError> {
        let out = self.shell(command).await?;
        if out.exit_code != 0 {
            return Err(command_error(command, &out));
        }
        Ok(out)
    }
}

/// The error for a command that failed: its status and what it printed (stderr, else stdout).
pub(crate) fn command_error(command: &str, out: &ShellOutput) -> AdbError {
    let stderr = out.stderr_text();
    let stdout = out.stdout_text();
    let said = if stderr.trim().is_empty() {
        stdout.trim()
    } else {
        stderr.trim()
    };
    failed(command, out.exit_code, said)
}

/// An [`AdbError::Command`] for `command` with the given words.
pub(crate) fn failed(command: &str, status: i32, output: &str) -> AdbError {
    let command = match command.char_indices().nth(COMMAND_IN_ERROR) {
        Some((end, _)) => format!("{}…", &command[..end]),
        None => command.to_owned(),
    };
    AdbError::Command {
        command,
        status,
        output: output.to_owned(),
    }
}

/// Quotes a word for the phone's shell; a NUL byte (which no command can carry) is refused.
pub(crate) fn q(word: &str) -> Result<String, AdbError> {
    quote(word)
        .map(|w| w.into_owned())
        .map_err(|e| AdbError::Failed(format!("{e}: {word:?}")))
}

/// Both output streams as one text (old phones merge them anyway).
pub(crate) fn all_output(out: &ShellOutput) -> String {
    let mut text = out.stdout_text();
    let stderr = out.stderr_text();
    if !stderr.is_empty() {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&stderr);
    }
    text
}

/// Most bytes of text one typing command carries: adb's service request is at most 64 KiB, and
/// base64 (ADBKeyboard) or `%s` escapes (`input text`) grow it.
pub const TEXT_CHUNK_BYTES: usize = 4096;

/// `text` cut into pieces of at most [`TEXT_CHUNK_BYTES`] bytes, each ending on a character
/// boundary, so text of any length reaches the phone in several commands.
pub fn text_chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len().min(TEXT_CHUNK_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_character_boundaries_and_nothing_is_lost() {
        let text = "é🎉a".repeat(2000);
        let chunks: Vec<&str> = text_chunks(&text).collect();
        assert!(chunks.len() > 1);
        assert!(chunks.iter().all(|c| c.len() <= TEXT_CHUNK_BYTES));
        assert_eq!(chunks.concat(), text);
        assert_eq!(text_chunks("").count(), 0);
    }
}
