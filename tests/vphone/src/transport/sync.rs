//! The `sync:` file service (SYNC.TXT v1): STAT, LIST, SEND (DATA chunks reassembled across WRTE
//! boundaries, then DONE → OKAY/FAIL), RECV and QUIT, reading the host's WRTEs as one byte stream.

use thiserror::Error;

use super::stream::{Stream, StreamError};
use crate::fs::{self, Stat};
use crate::state::Shared;

/// Longest path or DATA chunk accepted; adb sends at most 64 KiB of data per DATA.
const MAX_PATH: usize = 4096;
const MAX_DATA: usize = 1024 * 1024;
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Error)]
enum Refusal {
    #[error("path too long")]
    PathTooLong,
    #[error("DATA chunk of {0} bytes is too large")]
    DataTooLarge(usize),
    #[error("unexpected {0:?} during SEND")]
    UnexpectedInSend(String),
    #[error("unknown sync command {0:?}")]
    Unknown(String),
}

fn le(value: u32) -> [u8; 4] {
    value.to_le_bytes()
}

fn packet(id: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut bytes = id.to_vec();
    bytes.extend_from_slice(&le(u32::try_from(payload.len()).unwrap_or(u32::MAX)));
    bytes.extend_from_slice(payload);
    bytes
}

fn fail(message: &str) -> Vec<u8> {
    packet(b"FAIL", message.as_bytes())
}

async fn header(stream: &mut Stream) -> Result<([u8; 4], u32), StreamError> {
    let bytes = stream.read_exact(8).await?;
    let id = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    Ok((id, len))
}

/// Serves sync requests until QUIT, a refusal, or the host closing the stream.
pub async fn serve(stream: &mut Stream, shared: &Shared) -> Result<(), StreamError> {
    loop {
        let (id, len) = match header(stream).await {
            Ok(header) => header,
            Err(StreamError::Closed) => return Ok(()),
        };
        let len = len as usize;
        if &id == b"QUIT" {
            return Ok(());
        }
        if !matches!(&id, b"STAT" | b"LIST" | b"RECV" | b"SEND") {
            let name = String::from_utf8_lossy(&id).into_owned();
            return stream
                .write(&fail(&Refusal::Unknown(name).to_string()))
                .await;
        }
        if len > MAX_PATH {
            return stream.write(&fail(&Refusal::PathTooLong.to_string())).await;
        }
        let path = String::from_utf8_lossy(&stream.read_exact(len).await?).into_owned();
        let reply = match &id {
            b"STAT" => stat(shared, &path),
            b"LIST" => list(shared, &path),
            b"RECV" => recv(shared, &path),
            _ => match send(stream, shared, &path).await? {
                Ok(reply) => reply,
                Err(refusal) => return stream.write(&fail(&refusal.to_string())).await,
            },
        };
        stream.write(&reply).await?;
    }
}

fn stat_bytes(id: &[u8; 4], stat: Stat) -> Vec<u8> {
    let mut bytes = id.to_vec();
    for word in [stat.mode, stat.size, stat.mtime] {
        bytes.extend_from_slice(&le(word));
    }
    bytes
}

fn stat(shared: &Shared, path: &str) -> Vec<u8> {
    let missing = Stat {
        mode: 0,
        size: 0,
        mtime: 0,
    };
    stat_bytes(b"STAT", shared.lock().fs.stat(path).unwrap_or(missing))
}

fn list(shared: &Shared, path: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let entries = shared.lock().fs.list(path).unwrap_or_default();
    for (name, stat) in entries {
        bytes.extend(stat_bytes(b"DENT", stat));
        bytes.extend_from_slice(&le(u32::try_from(name.len()).unwrap_or(u32::MAX)));
        bytes.extend_from_slice(name.as_bytes());
    }
    // DONE carries an all-zero dent.
    bytes.extend_from_slice(b"DONE");
    bytes.extend_from_slice(&[0u8; 16]);
    bytes
}

fn recv(shared: &Shared, path: &str) -> Vec<u8> {
    let phone = shared.lock();
    let data = match phone.fs.read(path) {
        Ok(data) => data,
        Err(err) => return fail(&err.to_string()),
    };
    let mut bytes = Vec::with_capacity(data.len() + data.len() / CHUNK * 8 + 16);
    for chunk in data.chunks(CHUNK) {
        bytes.extend(packet(b"DATA", chunk));
    }
    bytes.extend_from_slice(b"DONE");
    bytes.extend_from_slice(&le(0));
    bytes
}

/// Receives DATA chunks until DONE, then stores the file. The outer result is the stream's, the inner
/// one a protocol violation that ends the sync session with FAIL.
async fn send(
    stream: &mut Stream,
    shared: &Shared,
    spec: &str,
) -> Result<Result<Vec<u8>, Refusal>, StreamError> {
    let (path, mode) = match spec.rsplit_once(',') {
        Some((path, mode)) => (path, mode.parse::<u32>().unwrap_or(fs::MODE_FILE)),
        None => (spec, fs::MODE_FILE),
    };
    let mut data = Vec::new();
    loop {
        let (id, len) = header(stream).await?;
        match &id {
            b"DATA" => {
                let len = len as usize;
                if len > MAX_DATA {
                    return Ok(Err(Refusal::DataTooLarge(len)));
                }
                data.extend(stream.read_exact(len).await?);
            }
            b"DONE" => break,
            other => {
                let name = String::from_utf8_lossy(other).into_owned();
                return Ok(Err(Refusal::UnexpectedInSend(name)));
            }
        }
    }
    let mut phone = shared.lock();
    let path = fs::normalize(path);
    let stored = match path.rfind('/') {
        Some(i) if i > 0 => phone.fs.mkdir(&path[..i], true),
        _ => Ok(()),
    }
    .and_then(|()| phone.fs.write(&path, data, mode));
    Ok(Ok(match stored {
        Ok(()) => packet(b"OKAY", &[]),
        Err(err) => fail(&err.to_string()),
    }))
}
