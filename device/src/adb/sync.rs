//! The sync protocol (`sync:`): pushing host files and bytes to the phone with their mode and
//! mtime, and `STAT` of a remote path; every answer the device sends is bounded before it is read.

use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::wire::{WireError, le32, read_string};
use super::{AdbError, Device};

/// Largest `DATA` chunk of the sync protocol.
const SYNC_CHUNK: usize = 64 * 1024;
/// Longest remote path the sync protocol accepts.
const SYNC_MAX_PATH: usize = 1024;
/// Longest sync `FAIL` message read from the device (adbd's are a line of text).
const SYNC_MAX_FAIL: u32 = 64 * 1024;
/// File type bits of a regular file, as `adb push` sends them.
const S_IFREG: u32 = 0o100_000;
/// Mask of the file type bits.
const S_IFMT: u32 = 0o170_000;

/// What sync `STAT` reports about a remote path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteStat {
    /// `st_mode`, file type bits included.
    pub mode: u32,
    /// Size in bytes (truncated to 32 bits by the protocol).
    pub size: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u32,
}

impl Device {
    /// Copies the local file to `remote` with permissions `mode` (e.g. `0o644`); returns bytes sent.
    ///
    /// The file is streamed in chunks of at most 64 KiB; its modification time is kept.
    pub async fn push(&self, local: &Path, remote: &str, mode: u32) -> Result<u64, AdbError> {
        let target = send_target(remote, mode)?;
        let mut file = tokio::fs::File::open(local).await?;
        let mtime = file
            .metadata()
            .await?
            .modified()
            .map(unix_seconds)
            .unwrap_or_else(|_| now_seconds());
        self.bounded_stream(
            || format!("push to {remote}"),
            "sync:",
            async |stream| sync_send(stream, &mut file, &target, mtime).await,
        )
        .await
    }

    /// Writes `data` to `remote` with permissions `mode`; returns bytes sent.
    pub async fn push_bytes(&self, data: &[u8], remote: &str, mode: u32) -> Result<u64, AdbError> {
        let target = send_target(remote, mode)?;
        let mut source = data;
        self.bounded_stream(
            || format!("push to {remote}"),
            "sync:",
            async |stream| sync_send(stream, &mut source, &target, now_seconds()).await,
        )
        .await
    }

    /// Stats `remote` with sync `STAT`; `None` when it does not exist (all-zero answer).
    pub async fn stat(&self, remote: &str) -> Result<Option<RemoteStat>, AdbError> {
        check_sync_path(remote)?;
        self.bounded_stream(
            || format!("stat {remote}"),
            "sync:",
            async |stream| {
                write_sync_header(stream, b"STAT", remote.len()).await?;
                stream.write_all(remote.as_bytes()).await?;
                stream.flush().await?;
                let mut reply = [0u8; 16];
                stream.read_exact(&mut reply[..8]).await?;
                match &reply[..4] {
                    b"STAT" => {}
                    b"FAIL" => return Err(read_sync_fail(stream, le32(&reply[4..8])).await),
                    other => {
                        return Err(WireError::Protocol(format!(
                            "sync STAT answered {:?}",
                            String::from_utf8_lossy(other)
                        )));
                    }
                }
                stream.read_exact(&mut reply[8..]).await?;
                quit_sync(stream).await;
                let stat = RemoteStat {
                    mode: le32(&reply[4..8]),
                    size: le32(&reply[8..12]),
                    mtime: le32(&reply[12..16]),
                };
                let missing = stat.mode == 0 && stat.size == 0 && stat.mtime == 0;
                Ok((!missing).then_some(stat))
            },
        )
        .await
    }
}

/// Sends the sync `SEND` sequence from `source`; returns the bytes sent.
async fn sync_send<R: AsyncRead + Unpin>(
    stream: &mut BufReader<TcpStream>,
    source: &mut R,
    target: &str,
    mtime: u32,
) -> Result<u64, WireError> {
    let sent = match send_file_data(stream, source, target, mtime).await {
        Ok(sent) => sent,
        // The device may refuse early and close; its FAIL, if any, explains why better than EPIPE.
        Err(WireError::Io(e)) => {
            return Err(match read_sync_status(stream).await {
                Err(fail @ WireError::SyncFail(_)) => fail,
                _ => WireError::Io(e),
            });
        }
        Err(other) => return Err(other),
    };
    read_sync_status(stream).await?;
    quit_sync(stream).await;
    Ok(sent)
}

/// Writes `SEND`, the `DATA` chunks and `DONE`.
async fn send_file_data<R: AsyncRead + Unpin>(
    stream: &mut BufReader<TcpStream>,
    source: &mut R,
    target: &str,
    mtime: u32,
) -> Result<u64, WireError> {
    write_sync_header(stream, b"SEND", target.len()).await?;
    stream.write_all(target.as_bytes()).await?;
    let mut buf = vec![0u8; SYNC_CHUNK];
    let mut sent = 0u64;
    loop {
        let n = fill(source, &mut buf).await.map_err(WireError::Local)?;
        if n == 0 {
            break;
        }
        write_sync_header(stream, b"DATA", n).await?;
        stream.write_all(&buf[..n]).await?;
        sent += n as u64;
    }
    stream.write_all(b"DONE").await?;
    stream.write_all(&mtime.to_le_bytes()).await?;
    stream.flush().await?;
    Ok(sent)
}

/// Reads as much as fits in `buf` (less only at EOF), so `DATA` chunks stay full-sized.
async fn fill<R: AsyncRead + Unpin>(source: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = source.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Reads the `OKAY` / `FAIL` that ends a sync `SEND`.
async fn read_sync_status<R: AsyncRead + Unpin>(stream: &mut R) -> Result<(), WireError> {
    let mut reply = [0u8; 8];
    stream.read_exact(&mut reply).await?;
    match &reply[..4] {
        b"OKAY" => Ok(()),
        b"FAIL" => Err(read_sync_fail(stream, le32(&reply[4..8])).await),
        other => Err(WireError::Protocol(format!(
            "sync SEND answered {:?}",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// Reads the message of a sync `FAIL` of `len` bytes.
async fn read_sync_fail<R: AsyncRead + Unpin>(stream: &mut R, len: u32) -> WireError {
    if len > SYNC_MAX_FAIL {
        return WireError::Protocol(format!("sync FAIL message of {len} bytes"));
    }
    match read_string(stream, len as usize).await {
        Ok(message) => WireError::SyncFail(message),
        Err(e) => e,
    }
}

/// Ends a sync session politely; the connection closes right after, so errors do not matter.
async fn quit_sync(stream: &mut BufReader<TcpStream>) {
    let quit = [b'Q', b'U', b'I', b'T', 0, 0, 0, 0];
    if stream.write_all(&quit).await.is_ok() {
        let _ = stream.flush().await;
    }
}

/// The `SEND` argument `path,<decimal mode>`; a mode without file type bits is a regular file, as `adb push` sends it.
fn send_target(remote: &str, mode: u32) -> Result<String, AdbError> {
    let mode = if mode & S_IFMT == 0 {
        mode | S_IFREG
    } else {
        mode
    };
    let target = format!("{remote},{mode}");
    check_sync_path(&target)?;
    Ok(target)
}

/// Rejects remote paths the sync protocol cannot carry.
fn check_sync_path(path: &str) -> Result<(), AdbError> {
    if path.len() > SYNC_MAX_PATH {
        return Err(AdbError::Failed(format!(
            "remote path of {} bytes exceeds the sync limit of {SYNC_MAX_PATH}",
            path.len()
        )));
    }
    Ok(())
}

/// Writes a sync request header: 4-byte id + u32 LE length.
async fn write_sync_header(
    stream: &mut BufReader<TcpStream>,
    id: &[u8; 4],
    len: usize,
) -> Result<(), WireError> {
    let len = u32::try_from(len)
        .map_err(|_| WireError::Protocol(format!("sync payload of {len} bytes")))?;
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(id);
    header[4..].copy_from_slice(&len.to_le_bytes());
    stream.write_all(&header).await?;
    Ok(())
}

/// Seconds since the epoch, saturated into the sync protocol's u32.
fn unix_seconds(t: SystemTime) -> u32 {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// Now, in sync protocol seconds.
fn now_seconds() -> u32 {
    unix_seconds(SystemTime::now())
}
