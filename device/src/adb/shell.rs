//! Running commands on the phone: shell protocol v2 (stdout, stderr and exit status apart), the v1
//! shell of Android ≤ 6 with its exit status recovered and `\r\n` normalised, binary `exec:`, and
//! `reboot:`.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::wire::{WireError, le32, read_to_eof};
use super::{AdbError, Device, brief};

/// Largest single shell v2 packet accepted from the server (adbd sends at most its max payload).
const SHELL_MAX_PACKET: u32 = 16 * 1024 * 1024;
/// Most output bytes (stdout and stderr together) one command may return; more is a protocol error
/// rather than host memory spent on a runaway command.
const SHELL_MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Printed after a v1 command with its exit status, so the status survives a shell without v2.
const V1_STATUS_MARK: &str = ":phonefleet-exit-status:";
/// Commands a device handle remembers.
pub(super) const HISTORY: usize = 50;
/// Bytes of a command's output a record keeps.
const RECORD_OUTPUT: usize = 500;

/// One command a phone ran, as a failed task's forensics show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CommandRecord {
    /// When it started, Unix milliseconds.
    pub at_ms: u64,
    /// The command line (cut to 200 characters).
    pub command: String,
    /// Its exit status; none when it never finished (the phone went away, the time ran out).
    pub exit_code: Option<i32>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The first 500 bytes of what it printed (stdout then stderr), or the error.
    pub output: String,
}

/// Output of one shell command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellOutput {
    /// Bytes the command wrote to stdout (with stderr merged in, on a phone without shell v2).
    pub stdout: Vec<u8>,
    /// Bytes the command wrote to stderr (always empty on a phone without shell v2).
    pub stderr: Vec<u8>,
    /// Exit status (0–255).
    pub exit_code: i32,
}

impl ShellOutput {
    /// stdout as text (invalid UTF-8 replaced with U+FFFD).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr as text (invalid UTF-8 replaced with U+FFFD).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Packet ids of the shell v2 protocol (`shell_protocol.h`).
mod packet {
    /// Output the command wrote to stdout.
    pub const STDOUT: u8 = 1;
    /// Output the command wrote to stderr.
    pub const STDERR: u8 = 2;
    /// One byte: the exit status; the last packet.
    pub const EXIT: u8 = 3;
    /// From the client: no more stdin.
    pub const CLOSE_STDIN: u8 = 4;
}

impl Device {
    /// Runs `command` through the phone's `sh -c`: with shell protocol v2 when the phone offers it
    /// (separate stdout and stderr, the exit status), else with the v1 shell, recovering the exit
    /// status from a marker line and turning the PTY's `\r\n` into `\n`. Stdin is closed at once.
    ///
    /// The command is passed as is; quote every interpolated word with [`phonefleet_rules::quote`].
    /// Errors: [`AdbError::Offline`] when the phone is not there, [`AdbError::Lost`] when it went
    /// away during the command, [`AdbError::Timeout`] past the bound.
    pub async fn shell(&self, command: &str) -> Result<ShellOutput, AdbError> {
        let started = Started::now();
        let result = match self.has_feature("shell_v2").await {
            Ok(true) => self.shell_v2(command).await,
            Ok(false) => self.shell_v1_with_status(command).await,
            Err(e) => Err(e),
        };
        let (exit_code, output) = match &result {
            Ok(out) => {
                let mut text = out.stdout_text();
                text.push_str(&out.stderr_text());
                (Some(out.exit_code), text)
            }
            Err(e) => (None, e.to_string()),
        };
        self.remember(started.record(command, exit_code, output));
        result
    }

    /// Runs `command` with shell protocol v2 (`shell,v2,raw:`), whatever the phone's features say.
    pub async fn shell_v2(&self, command: &str) -> Result<ShellOutput, AdbError> {
        let service = format!("shell,v2,raw:{command}");
        self.bounded_stream(
            || brief("shell", command),
            &service,
            async |stream| {
                // Close stdin first, so commands that read it see EOF instead of waiting forever.
                stream.write_all(&[packet::CLOSE_STDIN, 0, 0, 0, 0]).await?;
                stream.flush().await?;
                read_shell_v2(stream).await
            },
        )
        .await
    }

    /// Runs `command` with the v1 shell (`shell:`): stdout and stderr merged, no exit status, the
    /// text as the phone sent it. Invalid UTF-8 is replaced with U+FFFD.
    pub async fn shell_v1(&self, command: &str) -> Result<String, AdbError> {
        let bytes = self.shell_v1_bytes(command).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn shell_v1_bytes(&self, command: &str) -> Result<Vec<u8>, AdbError> {
        let service = format!("shell:{command}");
        self.bounded_stream(
            || brief("shell", command),
            &service,
            async |stream| read_to_eof(stream).await,
        )
        .await
    }

    /// The v1 shell with the exit status printed after the command (in a subshell, so `exit`
    /// inside it cannot skip the marker) and `\r\n` turned into `\n`.
    async fn shell_v1_with_status(&self, command: &str) -> Result<ShellOutput, AdbError> {
        let wrapped = format!("(\n{command}\n); echo \"{V1_STATUS_MARK}$?\"");
        let raw = self.shell_v1_bytes(&wrapped).await?;
        parse_v1_status(&raw).ok_or_else(|| AdbError::Lost {
            serial: self.serial.clone(),
        })
    }

    /// Runs `command` with `exec:` and returns its raw stdout (binary-safe, e.g. `screencap -p`).
    pub async fn exec(&self, command: &str) -> Result<Vec<u8>, AdbError> {
        let started = Started::now();
        let service = format!("exec:{command}");
        let result = self
            .bounded_stream(
                || brief("exec", command),
                &service,
                async |stream| read_to_eof(stream).await,
            )
            .await;
        let output = match &result {
            Ok(bytes) => format!("({} bytes)", bytes.len()),
            Err(e) => e.to_string(),
        };
        // `exec:` reports no exit status: a stream read to its end counts as 0.
        let exit_code = result.as_ref().ok().map(|_| 0);
        self.remember(started.record(command, exit_code, output));
        result
    }
}

/// When a command started, to record it once it ends.
struct Started {
    at: std::time::Instant,
    at_ms: u64,
}

impl Started {
    fn now() -> Started {
        Started {
            at: std::time::Instant::now(),
            at_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        }
    }

    /// The record of `command`, its output cut to [`RECORD_OUTPUT`] bytes.
    fn record(self, command: &str, exit_code: Option<i32>, mut output: String) -> CommandRecord {
        if output.len() > RECORD_OUTPUT {
            let mut end = RECORD_OUTPUT;
            while !output.is_char_boundary(end) {
                end -= 1;
            }
            output.truncate(end);
            output.push('…');
        }
        CommandRecord {
            at_ms: self.at_ms,
            command: command.chars().take(200).collect(),
            exit_code,
            duration_ms: self.at.elapsed().as_millis() as u64,
            output,
        }
    }
}

/// Splits v1 output into the command's own output (`\r\n` → `\n`) and the status after the last
/// marker; `None` when the marker never came (the stream was cut).
fn parse_v1_status(raw: &[u8]) -> Option<ShellOutput> {
    let text = normalize_newlines(raw);
    let mark = V1_STATUS_MARK.as_bytes();
    let at = text.windows(mark.len()).rposition(|w| w == mark)?;
    let status: String = text[at + mark.len()..]
        .iter()
        .map(|&b| b as char)
        .take_while(char::is_ascii_digit)
        .collect();
    let mut stdout = text[..at].to_vec();
    // The marker is printed on a line of its own; a command whose output ended without a newline
    // leaves the marker on its last line, so only an added newline would be ours — none is.
    if stdout.ends_with(b"\n\n") {
        stdout.pop();
    }
    Some(ShellOutput {
        stdout,
        stderr: Vec::new(),
        exit_code: status.parse().ok()?,
    })
}

/// `\r\n` → `\n`: the PTY behind the v1 shell of old Android turns every `\n` into `\r\n`.
fn normalize_newlines(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Reads shell v2 packets until the exit packet; EOF before it means the phone went away.
async fn read_shell_v2<R: AsyncRead + Unpin>(stream: &mut R) -> Result<ShellOutput, WireError> {
    let mut out = ShellOutput {
        stdout: Vec::new(),
        stderr: Vec::new(),
        exit_code: 0,
    };
    loop {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).await?;
        let len = le32(&header[1..5]);
        if len > SHELL_MAX_PACKET {
            return Err(WireError::Protocol(format!("shell packet of {len} bytes")));
        }
        if out.stdout.len() + out.stderr.len() + len as usize > SHELL_MAX_OUTPUT {
            return Err(WireError::Protocol(format!(
                "the command printed more than {} MiB",
                SHELL_MAX_OUTPUT >> 20
            )));
        }
        let mut body = (&mut *stream).take(u64::from(len));
        let target = match header[0] {
            packet::STDOUT => &mut out.stdout,
            packet::STDERR => &mut out.stderr,
            packet::EXIT => {
                let mut code = Vec::with_capacity(len as usize);
                body.read_to_end(&mut code).await?;
                let Some(&status) = code.first() else {
                    return Err(WireError::Protocol("empty shell exit packet".to_owned()));
                };
                out.exit_code = i32::from(status);
                return Ok(out);
            }
            _ => {
                // Window size or stdin echo: not ours, skip the payload.
                let skipped = tokio::io::copy(&mut body, &mut tokio::io::sink()).await?;
                check_complete(skipped, len)?;
                continue;
            }
        };
        let got = body.read_to_end(target).await?;
        check_complete(got as u64, len)?;
    }
}

/// A short read inside a length-framed packet means the stream ended early.
fn check_complete(got: u64, len: u32) -> Result<(), WireError> {
    if got < u64::from(len) {
        Err(WireError::Io(io::ErrorKind::UnexpectedEof.into()))
    } else {
        Ok(())
    }
}

impl Device {
    /// Restarts the phone (adb's `reboot:` service, what `adb reboot` sends). The phone closes the
    /// stream as it goes down; it is offline until it has booted, then adb lists it again (a
    /// network phone once the adb server reconnects).
    ///
    /// Errors: the usual transport errors when the phone could not be asked; a stream cut as the
    /// phone goes down is not one.
    pub async fn reboot(&self) -> Result<(), AdbError> {
        let asked = self
            .bounded_stream(
                || "reboot".to_string(),
                "reboot:",
                async |stream| read_to_eof(stream).await,
            )
            .await;
        match asked {
            Ok(_) | Err(AdbError::Lost { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shell_v2_packets_are_split_into_streams_and_exit_code() {
        let mut wire: Vec<u8> = Vec::new();
        wire.extend([1, 3, 0, 0, 0]);
        wire.extend(b"hi\n");
        wire.extend([2, 4, 0, 0, 0]);
        wire.extend(b"oops");
        wire.extend([5, 2, 0, 0, 0, 9, 9]);
        wire.extend([3, 1, 0, 0, 0, 7]);
        let out = read_shell_v2(&mut wire.as_slice()).await.expect("parsed");
        assert_eq!(out.stdout, b"hi\n");
        assert_eq!(out.stderr, b"oops");
        assert_eq!(out.exit_code, 7);
    }

    #[tokio::test]
    async fn shell_v2_eof_before_exit_is_a_broken_stream() {
        let wire: Vec<u8> = vec![1, 3, 0, 0, 0, b'h'];
        assert!(matches!(
            read_shell_v2(&mut wire.as_slice()).await,
            Err(WireError::Io(_))
        ));
    }

    #[test]
    fn v1_output_gives_back_status_and_lf_lines() {
        let raw = b"line one\r\nline two\r\n:phonefleet-exit-status:3\r\n";
        let out = parse_v1_status(raw).expect("marker");
        assert_eq!(out.stdout, b"line one\nline two\n");
        assert_eq!(out.exit_code, 3);
    }

    #[test]
    fn v1_output_without_trailing_newline_keeps_its_bytes() {
        let out = parse_v1_status(b"no newline:phonefleet-exit-status:0\n").expect("marker");
        assert_eq!(out.stdout, b"no newline");
        assert_eq!(out.exit_code, 0);
    }

    #[test]
    fn v1_output_cut_before_the_marker_is_no_answer() {
        assert!(parse_v1_status(b"partial output\r\n").is_none());
    }
}
