//! ADB device-protocol framing: the 24-byte message header, its commands and the CNXN banner.
//! Hand-rolled on purpose (no adb crate): this crate plays the real device side against the real adb server.

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt};

pub const A_CNXN: u32 = 0x4e58_4e43;
pub const A_AUTH: u32 = 0x4854_5541;
pub const A_OPEN: u32 = 0x4e45_504f;
pub const A_OKAY: u32 = 0x5941_4b4f;
pub const A_CLSE: u32 = 0x4553_4c43;
pub const A_WRTE: u32 = 0x4554_5257;

/// The protocol version this device speaks (the one that may skip checksums).
pub const A_VERSION: u32 = 0x0100_0001;
/// The largest payload the device accepts once the handshake is done.
pub const MAX_PAYLOAD: u32 = 1024 * 1024;
/// The largest payload allowed before the handshake negotiated one.
pub const MAX_PAYLOAD_LEGACY: u32 = 4096;

const HEADER_LEN: usize = 24;

#[derive(Debug, Error)]
pub enum ProtocolError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad magic {magic:#010x} for command {command:#010x}")]
    BadMagic { command: u32, magic: u32 },
    #[error("payload of {len} bytes exceeds the limit of {limit}")]
    TooLarge { len: u32, limit: u32 },
}

/// One message of the device protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub command: u32,
    pub arg0: u32,
    pub arg1: u32,
    pub payload: Vec<u8>,
}

impl Message {
    pub fn new(command: u32, arg0: u32, arg1: u32, payload: Vec<u8>) -> Self {
        Self {
            command,
            arg0,
            arg1,
            payload,
        }
    }

    /// Header and payload as they go on the wire; `data_check` is the byte sum of the payload.
    pub fn encode(&self) -> Vec<u8> {
        let check = self
            .payload
            .iter()
            .fold(0u32, |sum, b| sum.wrapping_add(u32::from(*b)));
        let len = u32::try_from(self.payload.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        for word in [
            self.command,
            self.arg0,
            self.arg1,
            len,
            check,
            self.command ^ 0xffff_ffff,
        ] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&self.payload);
        out
    }
}

/// Reads one message, refusing payloads larger than `limit`.
/// The checksum is not verified (adb ≥ 29 sends 0).
pub async fn read_message<R: AsyncRead + Unpin>(
    reader: &mut R,
    limit: u32,
) -> Result<Message, ProtocolError> {
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header).await?;
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (command, arg0, arg1, len, magic) = (word(0), word(4), word(8), word(12), word(20));
    if magic != command ^ 0xffff_ffff {
        return Err(ProtocolError::BadMagic { command, magic });
    }
    if len > limit {
        return Err(ProtocolError::TooLarge { len, limit });
    }
    let mut payload = vec![0u8; len as usize];
    reader.read_exact(&mut payload).await?;
    Ok(Message::new(command, arg0, arg1, payload))
}

/// The device's CNXN banner: identity properties and the features the virtual phone supports.
/// Android 6 and older (no shell protocol v2) list no features at all (field case 10).
pub fn banner(model: &str, shell_v2: bool) -> Vec<u8> {
    let features = if shell_v2 {
        ";features=shell_v2,cmd"
    } else {
        ""
    };
    format!(
        "device::ro.product.name=vphone;ro.product.model={model};\
         ro.product.device=vphone{features}"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn encode_then_read_round_trips() {
        let msg = Message::new(A_WRTE, 7, 9, b"hello".to_vec());
        let bytes = msg.encode();
        assert_eq!(bytes.len(), 29);
        assert_eq!(&bytes[16..20], &(532u32).to_le_bytes());
        let read = read_message(&mut bytes.as_slice(), MAX_PAYLOAD).await;
        assert_eq!(read.ok(), Some(msg));
    }

    #[tokio::test]
    async fn bad_magic_is_rejected() {
        let mut bytes = Message::new(A_OKAY, 1, 2, Vec::new()).encode();
        bytes[20] ^= 1;
        let read = read_message(&mut bytes.as_slice(), MAX_PAYLOAD).await;
        assert!(matches!(read, Err(ProtocolError::BadMagic { .. })));
    }
}
