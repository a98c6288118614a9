//! Framing of the adb host protocol: hex4-length requests answered `OKAY`/`FAIL`, framed bodies,
//! and the low-level failure of one exchange before it is given its context (server or device).

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::AdbError;

/// Low-level failure of one exchange, before it is given its context (server or device).
#[derive(Debug)]
pub(super) enum WireError {
    /// The socket broke or closed early.
    Io(io::Error),
    /// The adb server answered `FAIL` with this reason.
    Fail(String),
    /// The device's sync service answered `FAIL` with this message.
    SyncFail(String),
    /// The other side sent something malformed.
    Protocol(String),
    /// A local file could not be read.
    Local(io::Error),
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Io(e)
    }
}

impl WireError {
    /// Context of a host-level request (`host:...`): socket trouble means the server went away.
    pub(super) fn on_server(self, addr: SocketAddr) -> AdbError {
        match self {
            WireError::Io(source) => AdbError::ServerUnavailable { addr, source },
            WireError::Fail(reason) | WireError::SyncFail(reason) => AdbError::Failed(reason),
            WireError::Protocol(what) => AdbError::Protocol(what),
            WireError::Local(e) => AdbError::Io(e),
        }
    }

    /// Context of a device stream: socket trouble or a "not found"/"offline" refusal means the phone
    /// is gone; the server's ambiguity refusal means two phones share the serial.
    pub(super) fn on_device(self, serial: &str) -> AdbError {
        let offline = || AdbError::Offline {
            serial: serial.to_owned(),
        };
        match self {
            WireError::Io(_) => offline(),
            WireError::Fail(reason) if reason.contains("more than one") => AdbError::Ambiguous {
                serial: serial.to_owned(),
            },
            WireError::Fail(reason) if means_offline(&reason) => offline(),
            WireError::Fail(reason) | WireError::SyncFail(reason) => AdbError::Failed(reason),
            WireError::Protocol(what) => AdbError::Protocol(what),
            WireError::Local(e) => AdbError::Io(e),
        }
    }
}

/// Whether a server `FAIL` reason says the device is not there. A bare `closed` is the device's
/// connection closing as the service opens: the phone went away (the other cause, a phone without
/// shell protocol v2, never happens since features are asked first).
pub(super) fn means_offline(reason: &str) -> bool {
    reason.contains("not found")
        || reason.contains("offline")
        || reason.contains("no devices")
        || reason.trim() == "closed"
}

/// Sends a hex4-framed request and reads the bare `OKAY` (or the `FAIL` reason).
pub(super) async fn request<S>(stream: &mut S, payload: &str) -> Result<(), WireError>
where
    S: AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let len = u16::try_from(payload.len()).map_err(|_| {
        WireError::Fail(format!(
            "request of {} bytes exceeds the 65535-byte limit",
            payload.len()
        ))
    })?;
    let mut framed = Vec::with_capacity(4 + payload.len());
    framed.extend_from_slice(format!("{len:04x}").as_bytes());
    framed.extend_from_slice(payload.as_bytes());
    stream.write_all(&framed).await?;
    stream.flush().await?;
    let mut status = [0u8; 4];
    stream.read_exact(&mut status).await?;
    match &status {
        b"OKAY" => Ok(()),
        b"FAIL" => Err(match read_framed(stream).await {
            Ok(reason) => WireError::Fail(reason),
            Err(e) => e,
        }),
        other => Err(WireError::Protocol(format!(
            "expected OKAY or FAIL, got {:?}",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// Reads a hex4 length and that many bytes as text.
pub(super) async fn read_framed<R: AsyncRead + Unpin>(stream: &mut R) -> Result<String, WireError> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await?;
    let len = parse_hex4(&len)?;
    read_string(stream, len).await
}

/// Reads exactly `len` bytes as (lossy) UTF-8 text.
pub(super) async fn read_string<R: AsyncRead + Unpin>(
    stream: &mut R,
    len: usize,
) -> Result<String, WireError> {
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Parses 4 ASCII hex digits.
pub(super) fn parse_hex4(digits: &[u8; 4]) -> Result<usize, WireError> {
    let text = std::str::from_utf8(digits)
        .ok()
        .filter(|t| t.bytes().all(|b| b.is_ascii_hexdigit()));
    text.and_then(|t| usize::from_str_radix(t, 16).ok())
        .ok_or_else(|| {
            WireError::Protocol(format!(
                "bad length prefix {:?}",
                String::from_utf8_lossy(digits)
            ))
        })
}

/// Fills `buf`; `Ok(false)` on a clean EOF before the first byte.
pub(super) async fn read_exact_or_eof<R: AsyncRead + Unpin>(
    stream: &mut R,
    buf: &mut [u8],
) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match stream.read(&mut buf[filled..]).await? {
            0 if filled == 0 => return Ok(false),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    Ok(true)
}

/// Reads the stream to EOF.
pub(super) async fn read_to_eof<R: AsyncRead + Unpin>(
    stream: &mut R,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    Ok(out)
}

/// Little-endian u32 from the first 4 bytes of `bytes`.
pub(super) fn le32(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_hex_length_is_a_protocol_error() {
        assert!(matches!(parse_hex4(b"00g1"), Err(WireError::Protocol(_))));
        assert!(matches!(parse_hex4(b"+0a1"), Err(WireError::Protocol(_))));
        assert_eq!(parse_hex4(b"001A").ok(), Some(26));
    }

    #[test]
    fn not_found_and_offline_refusals_mean_offline() {
        for reason in [
            "device 'x' not found",
            "device offline",
            "no devices/emulators found",
            "closed",
        ] {
            assert!(matches!(
                WireError::Fail(reason.into()).on_device("x"),
                AdbError::Offline { .. }
            ));
        }
    }

    #[test]
    fn more_than_one_device_is_an_ambiguous_serial() {
        assert!(matches!(
            WireError::Fail("more than one device".into()).on_device("0123456789ABCDEF"),
            AdbError::Ambiguous { .. }
        ));
    }

    #[test]
    fn sync_fail_is_refused_even_when_it_says_not_found() {
        let e = WireError::SyncFail("file not found".into()).on_device("x");
        assert!(matches!(e, AdbError::Failed(_)));
    }
}
