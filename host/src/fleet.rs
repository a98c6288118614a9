//! This host as one node of a fleet: its name and lease in the database, the phones its adb server
//! lists in the fleet's device table, and the messages nodes send each other through PostgreSQL's
//! `LISTEN`/`NOTIFY` (events for every node's SSE, wake-ups of a dispatcher, stops of a run).
//!
//! On SQLite the host is the fleet's only node: it registers and records its phones, and sends nothing.
//! On PostgreSQL each node renews its lease every third of it; a node whose lease has run out is
//! declared lost by the first surviving node that notices, which fails its running tasks with
//! "interrupted: host NAME lost" and forgets its phones (their pending tasks wait for them to appear
//! on any node). A node that finds itself declared lost stops its runs (it no longer owns them) and
//! registers again. See docs/fleet.md.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::clock::now_ms;
use crate::events::{Event, Events};
use crate::phones::Phone;
use crate::store::{ErrorKind, Store, StoreError, TaskStatus};
use crate::tasks::Scheduler;

/// The `NOTIFY` channel every node listens on.
const CHANNEL: &str = "phonefleet";
/// PostgreSQL's limit on a notification's payload is 8000 bytes; messages stay under it.
const MAX_PAYLOAD: usize = 7900;
/// Messages sent in one statement at most.
const BATCH: usize = 256;

/// A node's name and lease.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The node's stable name (`--node-name`).
    pub name: String,
    /// How long the node counts as alive without renewing (`--node-lease-secs`).
    pub lease: Duration,
}

/// What one node tells the others.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
enum Message {
    /// An event of the sender, for every node's subscribers.
    Event { from: String, event: Event },
    /// Stop the run of a task, if it runs here.
    Stop {
        from: String,
        task_id: i64,
        reason: String,
    },
    /// Tasks may have become runnable: look at the queue.
    Wake { from: String },
}

/// This host's place in the fleet; cheap to clone.
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<Inner>,
}

struct Inner {
    node: NodeConfig,
    store: Store,
    /// Wakes the device recorder when this node registers again after being declared lost (the
    /// survivor that declared it removed its phones from the device table).
    rejoined: tokio::sync::Notify,
    /// Set by a graceful stop: the lease is given up and no longer renewed.
    leaving: std::sync::atomic::AtomicBool,
    /// Messages to the other nodes (PostgreSQL only).
    outbox: Option<mpsc::UnboundedSender<Message>>,
}

/// The error of a task whose node was declared lost.
pub fn lost_error(node: &str) -> String {
    format!("interrupted: host {node} lost")
}

/// Registers `node` in the database, and fails the tasks it left running when it last stopped
/// (`reason`); returns their ids. Called once, before the node's dispatcher starts.
pub async fn join(store: &Store, node: &NodeConfig, reason: &str) -> Result<Vec<i64>, StoreError> {
    store.register_node(&node.name, millis(node.lease)).await?;
    store.fail_running(&node.name, reason, now_ms()).await
}

impl Fleet {
    /// The handle of node `node` on `store`; on PostgreSQL it starts sending messages to the other
    /// nodes. See [`join`] and [`Fleet::serve`].
    pub fn new(store: Store, node: NodeConfig) -> Fleet {
        let on_postgres = store.postgres_pool().is_some();
        let (outbox, inbox) = mpsc::unbounded_channel();
        let fleet = Fleet {
            inner: Arc::new(Inner {
                node,
                store,
                rejoined: tokio::sync::Notify::new(),
                leaving: std::sync::atomic::AtomicBool::new(false),
                outbox: on_postgres.then_some(outbox),
            }),
        };
        if on_postgres {
            tokio::spawn(send_messages(fleet.clone(), inbox));
        }
        fleet
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.inner.node.name
    }

    /// Whether other nodes may share the database (it is PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.inner.outbox.is_some()
    }

    /// Leaves the fleet on a graceful stop (its runs are over): the lease is given up, so the other
    /// nodes forget this node's phones at their next look and its name is free for its restart.
    pub async fn leave(&self) {
        self.inner
            .leaving
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = self.inner.store.release_node(self.node()).await {
            tracing::warn!("cannot give this node's lease up: {e}");
        }
    }

    /// Asks every other node to look at its queue (a task became runnable: a retry).
    pub fn wake_others(&self) {
        self.send(Message::Wake {
            from: self.node().to_owned(),
        });
    }

    /// Asks the node running task `task_id` to stop it with `reason`.
    pub fn stop_elsewhere(&self, task_id: i64, reason: &str) {
        self.send(Message::Stop {
            from: self.node().to_owned(),
            task_id,
            reason: reason.to_owned(),
        });
    }

    fn send(&self, message: Message) {
        if let Some(outbox) = &self.inner.outbox {
            let _ = outbox.send(message);
        }
    }

    /// Starts the node's work beside the scheduler: recording its phones in the device table; on
    /// PostgreSQL also forwarding its events, listening to the other nodes, and the lease.
    pub fn serve(
        &self,
        scheduler: Scheduler,
        events: Events,
        phones: tokio::sync::watch::Receiver<Arc<Vec<Phone>>>,
    ) {
        tokio::spawn(record_devices(self.clone(), phones));
        let Some(outbox) = self.inner.outbox.clone() else {
            return;
        };
        let (forward, mut forwarded) = mpsc::unbounded_channel();
        events.forward_to(forward);
        let from = self.node().to_owned();
        tokio::spawn(async move {
            while let Some(event) = forwarded.recv().await {
                for message in fit(&from, event) {
                    let _ = outbox.send(message);
                }
            }
        });
        tokio::spawn(listen(self.clone(), scheduler.clone(), events.clone()));
        tokio::spawn(keep_lease(self.clone(), scheduler, events));
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Keeps the device table in step with the phones this node's adb servers list, and writes them
/// again when the node registers again after being declared lost. The table changes for more than
/// the device table records (a handset identified, a readiness check): only a change of the
/// phones, their states or models is written.
async fn record_devices(fleet: Fleet, mut phones: tokio::sync::watch::Receiver<Arc<Vec<Phone>>>) {
    let mut written: Option<Vec<(String, String, Option<String>)>> = None;
    loop {
        let listed: Vec<(String, String, Option<String>)> = phones
            .borrow_and_update()
            .iter()
            .map(|p| (p.name.clone(), p.state.as_str().to_owned(), p.model.clone()))
            .collect();
        if written.as_ref() != Some(&listed) {
            match fleet
                .inner
                .store
                .set_node_devices(fleet.node(), &listed, now_ms())
                .await
            {
                Ok(()) => written = Some(listed),
                Err(e) => {
                    tracing::warn!("cannot record this node's phones in the device table: {e}")
                }
            }
        }
        tokio::select! {
            changed = phones.changed() => if changed.is_err() { return },
            // Written whole again: the survivor that declared this node lost removed its phones.
            () = fleet.inner.rejoined.notified() => written = None,
        }
    }
}

/// The notification size of `message`, in bytes of its JSON.
fn size(message: &Message) -> usize {
    serde_json::to_string(message).map_or(usize::MAX, |s| s.len())
}

/// Event `event` of node `from` as messages of at most [`MAX_PAYLOAD`] bytes: a long list of task
/// ids is split, a long error or progress text shortened (the database keeps it whole).
fn fit(from: &str, event: Event) -> Vec<Message> {
    let message = |event| Message::Event {
        from: from.to_owned(),
        event,
    };
    let whole = message(event.clone());
    if size(&whole) <= MAX_PAYLOAD {
        return vec![whole];
    }
    let halves = |ids: Vec<i64>, make: fn(Vec<i64>) -> Event| {
        let (a, b) = ids.split_at(ids.len() / 2);
        let mut out = fit(from, make(a.to_vec()));
        out.extend(fit(from, make(b.to_vec())));
        out
    };
    let shorten = |text: &mut String| {
        let mut cut = MAX_PAYLOAD / 2;
        while !text.is_char_boundary(cut.min(text.len())) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    };
    let shortened = match event {
        Event::TaskCreated { task_ids } if task_ids.len() > 1 => {
            return halves(task_ids, |task_ids| Event::TaskCreated { task_ids });
        }
        Event::TaskDeleted { task_ids } if task_ids.len() > 1 => {
            return halves(task_ids, |task_ids| Event::TaskDeleted { task_ids });
        }
        Event::TaskFinished {
            id,
            status,
            error: Some(mut error),
            error_kind,
        } => {
            shorten(&mut error);
            Event::TaskFinished {
                id,
                status,
                error: Some(error),
                error_kind,
            }
        }
        Event::TaskProgress {
            id,
            percent,
            mut message,
        } => {
            shorten(&mut message);
            Event::TaskProgress {
                id,
                percent,
                message,
            }
        }
        Event::TaskRequeued {
            id,
            serial,
            mut reason,
        } => {
            shorten(&mut reason);
            Event::TaskRequeued { id, serial, reason }
        }
        other => other,
    };
    let fitted = message(shortened);
    if size(&fitted) <= MAX_PAYLOAD {
        vec![fitted]
    } else {
        tracing::warn!(
            "event {} is too large for the other nodes; not sent",
            match &fitted {
                Message::Event { event, .. } => event.name(),
                _ => "?",
            }
        );
        Vec::new()
    }
}

/// Sends queued messages with `pg_notify`, many per statement, in the order they were queued.
async fn send_messages(fleet: Fleet, mut inbox: mpsc::UnboundedReceiver<Message>) {
    let Some(pool) = fleet.inner.store.postgres_pool().cloned() else {
        return;
    };
    let mut batch = Vec::with_capacity(BATCH);
    while inbox.recv_many(&mut batch, BATCH).await > 0 {
        let payloads: Vec<String> = batch
            .drain(..)
            .filter_map(|m| serde_json::to_string(&m).ok())
            .filter(|p| {
                let fits = p.len() <= MAX_PAYLOAD;
                if !fits {
                    tracing::warn!("a fleet message of {} bytes is too large to send", p.len());
                }
                fits
            })
            .collect();
        // One statement: its notifications are delivered in this order.
        let sent = sqlx::query(
            "SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS u(m, i) ORDER BY i",
        )
        .bind(CHANNEL)
        .bind(&payloads)
        .execute(&pool)
        .await;
        if let Err(e) = sent {
            tracing::warn!(
                "cannot notify the fleet's other nodes ({} messages lost): {e}",
                payloads.len()
            );
        }
    }
}

/// Acts on the other nodes' messages: their events reach this node's subscribers, a created task
/// or a wake-up wakes the dispatcher, a stop stops a run here.
async fn listen(fleet: Fleet, scheduler: Scheduler, events: Events) {
    let Some(pool) = fleet.inner.store.postgres_pool().cloned() else {
        return;
    };
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => break listener,
                Err(e) => tracing::warn!("cannot listen to the fleet: {e}; retrying"),
            },
            Err(e) => tracing::warn!("cannot listen to the fleet: {e}; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    loop {
        let notification = match listener.try_recv().await {
            Ok(Some(n)) => n,
            Ok(None) => {
                // The connection was lost and is back: messages may have been missed meanwhile.
                tracing::warn!("the fleet's notifications were interrupted; looking at the queue");
                scheduler.wake();
                continue;
            }
            Err(e) => {
                tracing::warn!("the fleet's notifications failed: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let message: Message = match serde_json::from_str(notification.payload()) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("a fleet message this node does not read: {e}");
                continue;
            }
        };
        match message {
            Message::Event { from, .. } | Message::Stop { from, .. } | Message::Wake { from }
                if from == fleet.node() => {}
            Message::Event { event, .. } => {
                if matches!(event, Event::TaskCreated { .. }) {
                    scheduler.wake();
                }
                events.deliver(event);
            }
            Message::Stop {
                task_id, reason, ..
            } => {
                scheduler.stop(task_id, &reason);
            }
            Message::Wake { .. } => scheduler.wake(),
        }
    }
}

/// Renews this node's lease every third of it, and declares lost the nodes whose lease ran out.
async fn keep_lease(fleet: Fleet, scheduler: Scheduler, events: Events) {
    let lease = fleet.inner.node.lease;
    // A connection of its own: a busy API must not make a live node miss its renewals.
    let store = &fleet.inner.store.with_own_connection();
    let me = fleet.node();
    let mut every = tokio::time::interval(lease / 3);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if fleet
            .inner
            .leaving
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        let now = now_ms();
        match store.renew_lease(me, millis(lease)).await {
            Ok(true) => {}
            Ok(false) => {
                // Another node declared this one lost and failed its running tasks.
                let reason = lost_error(me);
                let stopped = scheduler.stop_all(&reason);
                tracing::warn!(
                    "this node was declared lost (its lease ran out); stopped {stopped} run(s) it no longer owns"
                );
                match store.register_node(me, millis(lease)).await {
                    Ok(()) => fleet.inner.rejoined.notify_one(),
                    Err(e) => tracing::warn!("cannot register this node again: {e}"),
                }
            }
            Err(e) => tracing::warn!("cannot renew this node's lease: {e}"),
        }
        let lost = match store.claim_lost_nodes(me).await {
            Ok(lost) => lost,
            Err(e) => {
                tracing::warn!("cannot look for lost nodes: {e}");
                continue;
            }
        };
        for node in lost {
            let error = lost_error(&node);
            let failed = store.fail_lost_node_runs(&node, &error, now).await;
            if let Err(e) = store.forget_node_devices(&node).await {
                tracing::warn!("cannot forget the phones of lost node {node}: {e}");
            }
            match failed {
                Ok(ids) => {
                    tracing::warn!(
                        "node {node} lost (no lease renewal for {lease:?}): failed its {} running task(s)",
                        ids.len()
                    );
                    for id in ids {
                        events.publish(Event::TaskFinished {
                            id,
                            status: TaskStatus::Failed,
                            error: Some(error.clone()),
                            error_kind: Some(ErrorKind::Stopped),
                        });
                    }
                }
                Err(e) => tracing::error!("cannot fail the running tasks of lost node {node}: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_created_tasks_is_split_under_the_notification_limit() {
        let event = Event::TaskCreated {
            task_ids: (1_000_000_000..1_000_002_000).collect(),
        };
        let parts = fit("a-node-with-a-long-name", event);
        assert!(parts.len() > 1);
        let mut ids = Vec::new();
        for part in parts {
            assert!(size(&part) <= MAX_PAYLOAD);
            let Message::Event {
                event: Event::TaskCreated { task_ids },
                ..
            } = part
            else {
                panic!("not a task_created part");
            };
            ids.extend(task_ids);
        }
        assert_eq!(ids, (1_000_000_000..1_000_002_000).collect::<Vec<_>>());
    }

    #[test]
    fn a_long_error_is_shortened_not_dropped() {
        let event = Event::TaskFinished {
            id: 9,
            status: TaskStatus::Failed,
            error: Some("é".repeat(10_000)),
            error_kind: Some(ErrorKind::Script),
        };
        let parts = fit("a", event);
        assert_eq!(parts.len(), 1);
        assert!(size(&parts[0]) <= MAX_PAYLOAD);
    }

    #[test]
    fn a_message_reads_back_as_sent() {
        let message = Message::Event {
            from: "a".into(),
            event: Event::TaskFinished {
                id: 3,
                status: TaskStatus::Failed,
                error: Some(lost_error("b")),
                error_kind: Some(ErrorKind::Stopped),
            },
        };
        let back: Message =
            serde_json::from_str(&serde_json::to_string(&message).unwrap()).unwrap();
        let Message::Event {
            event: Event::TaskFinished { status, error, .. },
            ..
        } = back
        else {
            panic!("{back:?}");
        };
        assert_eq!(
            (status, error.as_deref()),
            (TaskStatus::Failed, Some("interrupted: host b lost"))
        );
    }
}
