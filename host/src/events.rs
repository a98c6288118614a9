//! The event bus behind `GET /api/v1/events`: every event the host announces, defined once —
//! the variant gives the SSE event name, its fields the JSON data, and its doc the documentation
//! (the OpenAPI document lists them as the `Event` schema). Slow subscribers skip ahead.

use std::path::PathBuf;

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

use crate::store::{ErrorKind, TaskStatus};

/// How many events a slow subscriber may fall behind before it skips ahead.
const BACKLOG: usize = 1024;

/// One event. Serialised as `{"kind": "task_created", "data": {...}}`; on the SSE stream the kind
/// is the event name and `data` the event's data.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// A request created tasks (all of them, in order).
    TaskCreated { task_ids: Vec<i64> },
    /// A task started on its phone.
    TaskStarted { id: i64, serial: String },
    /// A running task reported progress (coalesced: the latest value, at most a few per second).
    TaskProgress {
        id: i64,
        percent: u8,
        message: String,
    },
    /// A started task went back to the queue (status 0) before its script ran: its phone was
    /// found offline or silent; it runs when the phone is back.
    TaskRequeued {
        id: i64,
        serial: String,
        reason: String,
    },
    /// A task ended: `status` 2 completed or 3 failed, with the error when it failed.
    TaskFinished {
        id: i64,
        #[schema(value_type = i64)]
        status: TaskStatus,
        error: Option<String>,
        /// Why it failed in one word (see the task's `error_kind`).
        error_kind: Option<ErrorKind>,
    },
    /// Tasks were deleted.
    TaskDeleted { task_ids: Vec<i64> },
    /// A phone came online (state `device`).
    DeviceOnline { serial: String },
    /// A phone went away or left state `device`.
    DeviceOffline { serial: String },
    /// A plugin file was loaded (hot reload) and serves `name`.
    ScriptLoaded {
        name: String,
        version: String,
        #[schema(value_type = String)]
        file: PathBuf,
    },
    /// A plugin file could not be loaded; the previous version keeps serving.
    ScriptRejected {
        #[schema(value_type = String)]
        file: PathBuf,
        reason: String,
    },
    /// A plugin file went away and its script with it.
    ScriptRemoved {
        name: String,
        #[schema(value_type = String)]
        file: PathBuf,
    },
    /// Only on the SSE stream: this subscriber fell behind and `missed` events were skipped.
    Lagged { missed: u64 },
}

impl Event {
    /// The SSE event name (`task_created`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Event::TaskCreated { .. } => "task_created",
            Event::TaskStarted { .. } => "task_started",
            Event::TaskProgress { .. } => "task_progress",
            Event::TaskRequeued { .. } => "task_requeued",
            Event::TaskFinished { .. } => "task_finished",
            Event::TaskDeleted { .. } => "task_deleted",
            Event::DeviceOnline { .. } => "device_online",
            Event::DeviceOffline { .. } => "device_offline",
            Event::ScriptLoaded { .. } => "script_loaded",
            Event::ScriptRejected { .. } => "script_rejected",
            Event::ScriptRemoved { .. } => "script_removed",
            Event::Lagged { .. } => "lagged",
        }
    }

    /// The event's data as JSON (the SSE data line).
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(mut tagged) => tagged["data"].take(),
            Err(_) => serde_json::Value::Null,
        }
    }
}

/// Cheap to clone; publishing with no subscriber is a no-op.
#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<Event>,
    /// Where this host's own events also go to reach the fleet's other nodes (set on PostgreSQL).
    fleet: Arc<OnceLock<mpsc::UnboundedSender<Event>>>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            tx: broadcast::channel(BACKLOG).0,
            fleet: Arc::default(),
        }
    }
}

impl Events {
    /// Announces an event of this host to every subscriber, and to the other nodes of its fleet.
    pub fn publish(&self, event: Event) {
        if let Some(fleet) = self.fleet.get() {
            let _ = fleet.send(event.clone());
        }
        let _ = self.tx.send(event);
    }

    /// Announces an event another node published, to this host's subscribers only.
    pub fn deliver(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// From now on, this host's events also go to `fleet` (once; later calls are ignored).
    pub fn forward_to(&self, fleet: mpsc::UnboundedSender<Event>) {
        let _ = self.fleet.set(fleet);
    }

    /// A new subscriber, seeing events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sse_name_is_the_serialised_kind() {
        let events = [
            Event::TaskCreated { task_ids: vec![1] },
            Event::TaskFinished {
                id: 1,
                status: TaskStatus::Failed,
                error: Some("x".into()),
                error_kind: Some(ErrorKind::Script),
            },
            Event::Lagged { missed: 3 },
        ];
        for event in events {
            let tagged = serde_json::to_value(&event).unwrap();
            assert_eq!(tagged["kind"], event.name());
        }
    }

    #[test]
    fn a_finished_task_carries_its_status_number() {
        let event = Event::TaskFinished {
            id: 7,
            status: TaskStatus::Completed,
            error: None,
            error_kind: None,
        };
        assert_eq!(
            event.data(),
            serde_json::json!({"id": 7, "status": 2, "error": null, "error_kind": null})
        );
    }
}
