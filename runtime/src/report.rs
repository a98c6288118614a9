//! What a run reports to the host — log lines and progress — through a bounded path, so a script
//! that logs or reports in a loop cannot grow the host's memory (Spin's bounded tables, applied to
//! a run's output).
//!
//! Log lines go through a channel of [`LOG_BACKLOG`] lines; when the host's reader falls behind,
//! new lines are dropped and counted ([`Reports::dropped`]), never queued without bound. Each line
//! is cut to [`MAX_MESSAGE_BYTES`]. Progress is coalesced: only the latest value is kept, so a
//! progress flood costs the host one overwrite per call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, watch};

use crate::secrets::Redactor;

/// Log lines in flight from one run to the host's reader before new lines are dropped.
pub const LOG_BACKLOG: usize = 1024;
/// Longest log message kept, in bytes; the rest is cut and the cut said.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Longest progress message kept, in bytes.
pub const MAX_PROGRESS_BYTES: usize = 256;

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Step-by-step detail.
    Trace,
    /// Detail for whoever debugs the script.
    Debug,
    /// What the script is doing.
    Info,
    /// Something went wrong but the run goes on.
    Warn,
    /// Something failed.
    Error,
}

impl Level {
    /// The level's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// One log line of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Its severity.
    pub level: Level,
    /// The text, at most [`MAX_MESSAGE_BYTES`] (plus the note of a cut).
    pub message: String,
}

/// A run's progress: 0..=100 and a short note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Percent done, 0..=100.
    pub percent: u8,
    /// What is happening, at most [`MAX_PROGRESS_BYTES`].
    pub message: String,
}

/// The sending side, held by the run; cheap to clone. Never blocks and never grows.
#[derive(Clone, Debug)]
pub struct Reporter {
    logs: mpsc::Sender<LogLine>,
    progress: Arc<watch::Sender<Option<Progress>>>,
    dropped: Arc<AtomicU64>,
    /// Cuts the run's secrets out of every line and note, before they are cut to size.
    redactor: Redactor,
}

/// The receiving side, read by the host while the run lasts and drained after it.
#[derive(Debug)]
pub struct Reports {
    /// Log lines in the order they were reported (minus the dropped ones).
    pub logs: mpsc::Receiver<LogLine>,
    /// The latest progress; `changed()` wakes once per new value, however many were reported.
    pub progress: watch::Receiver<Option<Progress>>,
    dropped: Arc<AtomicU64>,
}

/// A new bounded report path for one run.
pub fn channel() -> (Reporter, Reports) {
    let (logs_tx, logs) = mpsc::channel(LOG_BACKLOG);
    let (progress_tx, progress) = watch::channel(None);
    let dropped = Arc::new(AtomicU64::new(0));
    let reporter = Reporter {
        logs: logs_tx,
        progress: Arc::new(progress_tx),
        dropped: dropped.clone(),
        redactor: Redactor::default(),
    };
    (
        reporter,
        Reports {
            logs,
            progress,
            dropped,
        },
    )
}

impl Reporter {
    /// This reporter, cutting `redactor`'s secrets out of everything it reports.
    pub fn redacting(self, redactor: Redactor) -> Reporter {
        Reporter { redactor, ..self }
    }

    /// Reports a log line, its secrets redacted; cut to [`MAX_MESSAGE_BYTES`], dropped (and
    /// counted) when the backlog is full.
    pub fn log(&self, level: Level, message: impl Into<String>) {
        let line = LogLine {
            level,
            message: cut(self.redactor.redact(&message.into()), MAX_MESSAGE_BYTES),
        };
        if self.logs.try_send(line).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Reports progress (clamped to 100), its secrets redacted; replaces any value not yet read.
    pub fn progress(&self, percent: u8, message: impl Into<String>) {
        self.progress.send_replace(Some(Progress {
            percent: percent.min(100),
            message: cut(self.redactor.redact(&message.into()), MAX_PROGRESS_BYTES),
        }));
    }
}

impl Reports {
    /// How many log lines were dropped because the reader fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// `text` cut to at most `max` bytes on a character boundary, saying how much was cut.
pub fn cut(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut_bytes = text.len() - end;
    text.truncate(end);
    text.push_str(&format!(" … ({cut_bytes} bytes cut)"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let text = "é".repeat(3000);
        let cut_text = cut(text, 4095);
        assert!(cut_text.starts_with(&"é".repeat(2047)));
        assert!(!cut_text.starts_with(&"é".repeat(2048)));
        assert!(cut_text.ends_with(" … (1906 bytes cut)"));
    }

    #[test]
    fn lines_beyond_the_backlog_are_dropped_and_counted() {
        let (reporter, mut reports) = channel();
        for i in 0..LOG_BACKLOG + 10 {
            reporter.log(Level::Info, format!("line {i}"));
        }
        assert_eq!(reports.dropped(), 10);
        let first = reports.logs.try_recv().expect("a line");
        assert_eq!(first.message, "line 0");
    }

    #[test]
    fn progress_keeps_only_the_latest_value() {
        let (reporter, reports) = channel();
        for p in 0..=250u8 {
            reporter.progress(p, "step");
        }
        let latest = reports.progress.borrow().clone().expect("progress");
        assert_eq!(latest.percent, 100);
    }
}
