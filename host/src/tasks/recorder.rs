//! Writes what a run reports to the store: log lines in batches as they come, a bounded log per run
//! (its first [`HEAD_LINES`] and last [`TAIL_LINES`] lines; the rest are counted in a note between
//! them), progress coalesced to a few writes a second, and once at the end the count of lines the
//! run's report channel dropped. A run that floods its log costs the store a bounded number of
//! writes per second, not one per line.

use std::collections::VecDeque;
use std::time::Duration;

use phonefleet_runtime::report::{LogLine, Progress, Reports};
use tokio::task::JoinHandle;

use crate::clock::now_ms;
use crate::events::{Event, Events};
use crate::store::{NewLog, Store, StoreError};

/// Lines of a run kept from its start.
pub const HEAD_LINES: usize = 500;
/// Lines of a run kept from its end.
pub const TAIL_LINES: u32 = 500;
/// The most log rows one run leaves: its head and tail, the note counting the lines between, the
/// note counting lines the report channel dropped, and the host's closing line ("completed" or
/// "failed: …").
pub const MOST_ROWS_PER_RUN: usize = HEAD_LINES + TAIL_LINES as usize + 3;
/// How often the newest lines of a long run are written.
const TAIL_EVERY: Duration = Duration::from_secs(5);
/// How often progress is written (the latest value).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Lines taken from the channel per batch.
const BATCH: usize = 256;

/// A running recorder; [`Recorder::finish`] waits for it to drain the run's reports.
pub struct Recorder {
    task: JoinHandle<()>,
}

impl Recorder {
    /// Starts recording a run of `task_id` on the current tokio runtime.
    pub fn spawn(store: Store, events: Events, task_id: i64, reports: Reports) -> Recorder {
        Recorder {
            task: tokio::spawn(record(store, events, task_id, reports)),
        }
    }

    /// Waits until every report of the run is stored. Call it once every [`Reporter`] of the run
    /// is dropped (the run has ended).
    ///
    /// [`Reporter`]: phonefleet_runtime::Reporter
    pub async fn finish(self) {
        if let Err(e) = self.task.await {
            tracing::error!("a task's log recorder stopped: {e}");
        }
    }
}

async fn record(store: Store, events: Events, task_id: i64, mut reports: Reports) {
    let mut log = RunLog::new(store.clone(), task_id);
    let mut batch = Vec::with_capacity(BATCH);
    let mut tail_tick = tokio::time::interval(TAIL_EVERY);
    let mut progress_tick = tokio::time::interval(PROGRESS_EVERY);
    let mut progress_dirty = false;
    let mut progress_open = true;
    let mut progress_written = None;
    loop {
        tokio::select! {
            n = reports.logs.recv_many(&mut batch, BATCH) => {
                if n == 0 {
                    break;
                }
                warn_on(task_id, log.add(batch.drain(..)).await);
            }
            changed = reports.progress.changed(), if progress_open && !progress_dirty => {
                match changed {
                    Ok(()) => progress_dirty = true,
                    Err(_) => progress_open = false,
                }
            }
            _ = progress_tick.tick(), if progress_dirty => {
                progress_dirty = false;
                progress_written = write_progress(&store, &events, task_id, &reports).await;
            }
            _ = tail_tick.tick() => warn_on(task_id, log.flush_tail().await),
        }
    }
    // The run is over: whatever progress and tail are left, then what the channel dropped.
    if *reports.progress.borrow() != progress_written {
        write_progress(&store, &events, task_id, &reports).await;
    }
    warn_on(task_id, log.flush_tail().await);
    let dropped = reports.dropped();
    if dropped > 0 {
        let note = NewLog {
            at: now_ms(),
            level: "warn",
            message: format!(
                "{dropped} log lines were dropped: the script logged faster than the host stores \
                 lines (a run may have {} lines in flight)",
                phonefleet_runtime::report::LOG_BACKLOG
            ),
        };
        warn_on(task_id, store.append_logs(task_id, &[note]).await.map(drop));
    }
}

/// Stores and announces the latest progress; returns what it wrote.
async fn write_progress(
    store: &Store,
    events: &Events,
    task_id: i64,
    reports: &Reports,
) -> Option<Progress> {
    let progress = reports.progress.borrow().clone()?;
    warn_on(
        task_id,
        store
            .set_progress(task_id, progress.percent, &progress.message)
            .await,
    );
    events.publish(Event::TaskProgress {
        id: task_id,
        percent: progress.percent,
        message: progress.message.clone(),
    });
    Some(progress)
}

fn warn_on(task_id: i64, written: Result<(), StoreError>) {
    if let Err(e) = written {
        tracing::warn!("task {task_id}: cannot store its log: {e}");
    }
}

/// One run's log as stored: the head written as it comes, the tail kept in memory and written
/// every [`TAIL_EVERY`], trimmed to [`TAIL_LINES`] after the note of omitted lines.
struct RunLog {
    store: Store,
    task_id: i64,
    head: usize,
    /// The note between head and tail, once the head is full: its row id and the lines it counts.
    note: Option<(i64, u64)>,
    tail: VecDeque<NewLog>,
}

impl RunLog {
    fn new(store: Store, task_id: i64) -> RunLog {
        RunLog {
            store,
            task_id,
            head: 0,
            note: None,
            tail: VecDeque::new(),
        }
    }

    async fn add(&mut self, lines: impl Iterator<Item = LogLine>) -> Result<(), StoreError> {
        let mut head = Vec::new();
        for line in lines {
            let line = NewLog {
                at: now_ms(),
                level: line.level.as_str(),
                message: line.message,
            };
            if self.head < HEAD_LINES {
                self.head += 1;
                head.push(line);
            } else {
                self.tail.push_back(line);
                if self.tail.len() > TAIL_LINES as usize {
                    self.tail.pop_front();
                    self.count_omitted(1);
                }
            }
        }
        if !head.is_empty() {
            self.store.append_logs(self.task_id, &head).await?;
        }
        if !self.tail.is_empty() && self.note.is_none() {
            let note = NewLog::info(now_ms(), omitted_note(0));
            let id = self.store.append_logs(self.task_id, &[note]).await?;
            self.note = Some((id, 0));
        }
        Ok(())
    }

    fn count_omitted(&mut self, n: u64) {
        if let Some((_, omitted)) = &mut self.note {
            *omitted += n;
        }
    }

    async fn flush_tail(&mut self) -> Result<(), StoreError> {
        let Some((note_id, _)) = self.note else {
            return Ok(());
        };
        if self.tail.is_empty() {
            return Ok(());
        }
        let lines: Vec<NewLog> = self.tail.drain(..).collect();
        self.store.append_logs(self.task_id, &lines).await?;
        let trimmed = self
            .store
            .trim_log_tail(self.task_id, note_id, TAIL_LINES)
            .await?;
        self.count_omitted(trimmed);
        if let Some((id, omitted)) = self.note {
            self.store.rewrite_log(id, &omitted_note(omitted)).await?;
        }
        Ok(())
    }
}

fn omitted_note(omitted: u64) -> String {
    format!(
        "… {omitted} log lines omitted here: a run keeps its first {HEAD_LINES} and last {TAIL_LINES} lines …"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonefleet_runtime::report::{self, Level, LogLine};

    #[tokio::test]
    async fn a_flood_keeps_the_first_and_last_lines_and_counts_the_rest() {
        let store = Store::in_memory().await.unwrap();
        let mut log = RunLog::new(store.clone(), 1);
        let total = 3000;
        for chunk in (0..total).collect::<Vec<_>>().chunks(100) {
            let lines = chunk.iter().map(|i| LogLine {
                level: Level::Info,
                message: format!("line {i}"),
            });
            log.add(lines).await.unwrap();
            log.flush_tail().await.unwrap();
        }
        let page = store.task_logs(1, 1, 5000).await.unwrap();
        let texts: Vec<&str> = page.lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(texts.len(), HEAD_LINES + 1 + TAIL_LINES as usize);
        assert_eq!(texts[0], "line 0");
        assert_eq!(texts[HEAD_LINES - 1], format!("line {}", HEAD_LINES - 1));
        assert!(
            texts[HEAD_LINES].contains("… 2000 log lines omitted"),
            "{}",
            texts[HEAD_LINES]
        );
        assert_eq!(texts.last(), Some(&"line 2999"));
    }

    #[tokio::test]
    async fn dropped_lines_are_said_once_at_the_end() {
        let store = Store::in_memory().await.unwrap();
        let (reporter, reports) = report::channel();
        // Fill the channel before the recorder reads anything: the overflow is dropped.
        for i in 0..report::LOG_BACKLOG + 7 {
            reporter.log(Level::Info, format!("line {i}"));
        }
        drop(reporter);
        Recorder::spawn(store.clone(), Events::default(), 1, reports)
            .finish()
            .await;
        let page = store.task_logs(1, 1, 5000).await.unwrap();
        let last = &page.lines.last().unwrap().message;
        assert!(last.starts_with("7 log lines were dropped"), "{last}");
    }

    #[tokio::test]
    async fn progress_is_stored_and_announced() {
        let store = Store::in_memory().await.unwrap();
        let id = store
            .insert_tasks(
                &[crate::store::NewTask {
                    serial: "a".into(),
                    username: None,
                    app: crate::apps::App::Tiktok,
                    script_name: "x".into(),
                    script_config: "{}".into(),
                    source: "api".into(),
                    start_at: 0,
                    secrets: Vec::new(),
                    pinned_node: None,
                }],
                0,
            )
            .await
            .unwrap()[0];
        let events = Events::default();
        let mut seen = events.subscribe();
        let (reporter, reports) = report::channel();
        let recorder = Recorder::spawn(store.clone(), events, id, reports);
        for p in 0..=80 {
            reporter.progress(p, "working");
        }
        drop(reporter);
        recorder.finish().await;
        let row = store.task(id).await.unwrap().unwrap();
        assert_eq!(row.progress_percent, Some(80));
        let mut last = None;
        while let Ok(event) = seen.try_recv() {
            last = Some(event);
        }
        assert!(
            matches!(last, Some(Event::TaskProgress { percent: 80, .. })),
            "{last:?}"
        );
    }
}
