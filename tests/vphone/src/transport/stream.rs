//! One multiplexed ADB stream as a service sees it: a byte-stream reader over the host's WRTEs
//! and a writer that keeps exactly one WRTE in flight, waiting for the server's OKAY before the next.

use std::collections::VecDeque;

use thiserror::Error;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::protocol::{A_WRTE, Message};

#[derive(Debug, Error)]
pub enum StreamError {
    #[error("the stream was closed")]
    Closed,
}

/// The service end of a stream. The connection loop feeds `inbound` and `acks` and answers WRTEs itself.
pub struct Stream {
    local_id: u32,
    remote_id: u32,
    max_payload: usize,
    out: UnboundedSender<Message>,
    acks: UnboundedReceiver<()>,
    inbound: UnboundedReceiver<Vec<u8>>,
    buffered: VecDeque<u8>,
}

impl Stream {
    pub fn new(
        local_id: u32,
        remote_id: u32,
        max_payload: usize,
        out: UnboundedSender<Message>,
        acks: UnboundedReceiver<()>,
        inbound: UnboundedReceiver<Vec<u8>>,
    ) -> Self {
        Self {
            local_id,
            remote_id,
            max_payload: max_payload.max(1),
            out,
            acks,
            inbound,
            buffered: VecDeque::new(),
        }
    }

    /// Sends `data` as WRTEs of at most the negotiated payload, each acknowledged before the next.
    pub async fn write(&mut self, data: &[u8]) -> Result<(), StreamError> {
        for chunk in data.chunks(self.max_payload) {
            let msg = Message::new(A_WRTE, self.local_id, self.remote_id, chunk.to_vec());
            self.out.send(msg).map_err(|_| StreamError::Closed)?;
            self.acks.recv().await.ok_or(StreamError::Closed)?;
        }
        Ok(())
    }

    /// Reads exactly `n` bytes, however the host split them into WRTEs.
    pub async fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, StreamError> {
        while self.buffered.len() < n {
            let chunk = self.inbound.recv().await.ok_or(StreamError::Closed)?;
            self.buffered.extend(chunk);
        }
        Ok(self.buffered.drain(..n).collect())
    }
}
