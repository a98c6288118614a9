//! The event bus behind `GET /api/v1/events`: task created / started / progress / finished /
//! deleted and device online / offline, fanned out to every subscriber (slow ones skip ahead).

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it skips ahead.
const BACKLOG: usize = 1024;

/// One event: its kind (the SSE event name) and its JSON data.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub kind: &'static str,
    pub data: Value,
}

/// Cheap to clone; publishing with no subscriber is a no-op.
#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<Event>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            tx: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Events {
    pub fn publish(&self, kind: &'static str, data: Value) {
        let _ = self.tx.send(Event { kind, data });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}
