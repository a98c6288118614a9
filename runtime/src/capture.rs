//! A guest's stdout or stderr: the first [`CAPTURE_BYTES`] kept for the task log, the rest counted
//! and discarded. Writes always succeed, so a script that prints a lot is not crashed by its own
//! output (a full pipe would answer "broken pipe" and make Rust's `println!` panic).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Most bytes of one output stream kept per run.
pub const CAPTURE_BYTES: usize = 256 << 10;

/// One captured output stream; clones share it.
#[derive(Clone, Default)]
pub(crate) struct Capture(Arc<Mutex<Captured>>);

#[derive(Default)]
struct Captured {
    kept: Vec<u8>,
    discarded: u64,
}

impl Capture {
    fn lock(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What was kept, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock().kept).into_owned()
    }

    /// How many bytes went past the cap.
    pub fn discarded(&self) -> u64 {
        self.lock().discarded
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for Capture {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let mut captured = self.lock();
        let room = CAPTURE_BYTES.saturating_sub(captured.kept.len());
        let keep = room.min(buf.len());
        captured.kept.extend_from_slice(&buf[..keep]);
        captured.discarded += (buf.len() - keep) as u64;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
