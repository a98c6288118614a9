//! `GET /api/v1/events`: the event bus as Server-Sent Events, one SSE event per bus event,
//! named by its kind, with its JSON as data.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use super::AppState;

/// Server-Sent Events, one per host event: the event name is the `kind` of the `Event` schema
/// (task_created, task_started, task_progress, task_requeued, task_finished, task_deleted, device_online,
/// device_offline, script_loaded, script_rejected, script_removed, lagged), the data its `data`.
#[utoipa::path(get, path = "/api/v1/events",
    responses((status = 200, description = "an endless text/event-stream of `Event`s", content_type = "text/event-stream", body = crate::events::Event)))]
pub async fn stream(State(app): State<Arc<AppState>>) -> impl IntoResponse {
    Sse::new(events(app.events.subscribe()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn events(
    rx: tokio::sync::broadcast::Receiver<crate::events::Event>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(rx, |mut rx| async move {
        let event = match rx.recv().await {
            Ok(event) => event,
            // A subscriber too slow to keep up is told how much it missed, then goes on.
            Err(RecvError::Lagged(missed)) => crate::events::Event::Lagged { missed },
            Err(RecvError::Closed) => return None,
        };
        let sse = Event::default()
            .event(event.name())
            .data(event.data().to_string());
        Some((Ok(sse), rx))
    })
}
