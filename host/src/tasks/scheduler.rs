//! The dispatcher: one task at a time per phone, phones in parallel. It wakes on events only —
//! a task created or finished, the device table changing, or the next scheduled start coming due.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phonefleet_device::adb::{AdbServer, DeviceInfo};
use phonefleet_device::quote::quote;
use serde_json::json;
use tokio::sync::{Notify, mpsc, watch};

use super::model::now_ms;
use crate::config::ScriptLimits;
use crate::events::Events;
use crate::runtime::bindings::TaskInfo;
use crate::runtime::{
    Cancel, Grants, Registry, RunError, RunEvent, RunRequest, SharedMaterialStore,
};
use crate::store::{Outcome, Store, TaskRow};

/// The app a task drives unless its account names a clone.
pub const DEFAULT_PACKAGE: &str = "com.zhiliaoapp.musically";
/// The logcat tag under which the host marks each task's start and end on its phone.
pub const LOGCAT_TAG: &str = "phonefleet";

/// Handle to the dispatcher; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    registry: Arc<Registry>,
    adb: AdbServer,
    limits: ScriptLimits,
    /// Most phones running tasks at once; 0 is unlimited (the license's `device_limit`).
    device_limit: usize,
    events: Events,
    materials: SharedMaterialStore,
    wake: Notify,
    /// Phone serial → the task running on it.
    running: Mutex<HashMap<String, Running>>,
}

struct Running {
    task_id: i64,
    cancel: Cancel,
    /// Turns true once the run has ended and its outcome is stored.
    ended: watch::Receiver<bool>,
}

/// Resolves once a stopped run has ended and its outcome is stored.
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Waits (at most `limit`) for the run to end.
    pub async fn ended(mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.0.wait_for(|ended| *ended)).await;
    }
}

/// What the scheduler needs besides the store and scripts.
pub struct SchedulerConfig {
    pub adb: AdbServer,
    pub limits: ScriptLimits,
    pub device_limit: usize,
    pub events: Events,
    pub materials: SharedMaterialStore,
}

impl Scheduler {
    /// Starts the dispatch loop on the current tokio runtime.
    pub fn start(
        store: Store,
        registry: Arc<Registry>,
        devices: watch::Receiver<Arc<Vec<DeviceInfo>>>,
        config: SchedulerConfig,
    ) -> Scheduler {
        let SchedulerConfig {
            adb,
            limits,
            device_limit,
            events,
            materials,
        } = config;
        let inner = Arc::new(Inner {
            store,
            registry,
            adb,
            limits,
            device_limit,
            events,
            materials,
            wake: Notify::new(),
            running: Mutex::new(HashMap::new()),
        });
        tokio::spawn(dispatch_loop(inner.clone(), devices));
        Scheduler { inner }
    }

    /// Tells the dispatcher that tasks may have become runnable.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// The task running on a phone, if any.
    pub fn running_on(&self, serial: &str) -> Option<i64> {
        self.inner.running().get(serial).map(|r| r.task_id)
    }

    /// Interrupts a running task; `None` if it is not running.
    pub fn stop(&self, task_id: i64, reason: &str) -> Option<Stopping> {
        let running = self.inner.running();
        let run = running.values().find(|r| r.task_id == task_id)?;
        run.cancel.cancel(reason);
        Some(Stopping(run.ended.clone()))
    }
}

impl Inner {
    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn dispatch_loop(inner: Arc<Inner>, mut devices: watch::Receiver<Arc<Vec<DeviceInfo>>>) {
    loop {
        let online: HashSet<String> = devices
            .borrow_and_update()
            .iter()
            .filter(|d| d.state == "device")
            .map(|d| d.serial.clone())
            .collect();
        let next = match dispatch(&inner, &online).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("dispatch failed: {e}; retrying on the next event");
                None
            }
        };
        let until_next = next.map(|at| Duration::from_millis((at - now_ms()).max(0) as u64));
        tokio::select! {
            () = inner.wake.notified() => {}
            changed = devices.changed() => if changed.is_err() { return },
            () = sleep_or_forever(until_next) => {}
        }
    }
}

async fn sleep_or_forever(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Starts every due task whose phone is online and idle; fails runs whose phone went away.
/// Returns when the next not-yet-due task becomes due.
async fn dispatch(
    inner: &Arc<Inner>,
    online: &HashSet<String>,
) -> Result<Option<i64>, crate::store::StoreError> {
    for (serial, run) in inner.running().iter() {
        if !online.contains(serial) {
            run.cancel.cancel("device offline");
        }
    }
    let now = now_ms();
    for task in inner.store.due_tasks(now).await? {
        if !online.contains(&task.serial) || inner.running().contains_key(&task.serial) {
            continue;
        }
        if inner.device_limit > 0 && inner.running().len() >= inner.device_limit {
            break;
        }
        if !inner.store.mark_running(task.id, now).await? {
            continue;
        }
        let cancel = Cancel::new();
        let (ended_tx, ended) = watch::channel(false);
        let run = Running {
            task_id: task.id,
            cancel: cancel.clone(),
            ended,
        };
        inner.running().insert(task.serial.clone(), run);
        inner.events.publish(
            "task_started",
            json!({"id": task.id, "serial": task.serial}),
        );
        tokio::spawn(execute(inner.clone(), task, cancel, ended_tx));
    }
    inner.store.next_start_after(now).await
}

/// Runs one task to its end and records the outcome; then frees its phone.
async fn execute(inner: Arc<Inner>, task: TaskRow, cancel: Cancel, ended: watch::Sender<bool>) {
    // A delete may have removed the row between the dispatcher marking it running and this run
    // being registered; then there is nothing to run.
    if !matches!(inner.store.task(task.id).await, Ok(Some(_))) {
        inner.running().remove(&task.serial);
        let _ = ended.send(true);
        inner.wake.notify_one();
        return;
    }
    let (events, rx) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record(
        inner.store.clone(),
        inner.events.clone(),
        task.id,
        rx,
    ));
    let package = package_for(&inner.store, task.username.as_deref()).await;
    let _ = events.send(RunEvent::Log {
        level: crate::runtime::RunLevel::Info,
        message: format!("started on {}", task.serial),
    });
    let device = inner.adb.device(&task.serial);
    // Marked alongside the run rather than before it, keeping an adb round trip off the dispatch path.
    let start_mark = tokio::spawn({
        let (device, id) = (device.clone(), task.id);
        async move { mark_on_phone(&device, id, "start").await }
    });
    let outcome = match inner.registry.get(&task.script_name) {
        None => Err(RunError::Failed(format!(
            "script {:?} is no longer loaded",
            task.script_name
        ))),
        Some(plugin) => match serde_json::from_str(&task.script_config) {
            Err(e) => Err(RunError::InvalidConfig(e.to_string())),
            Ok(config) => {
                let grants = Grants::for_config(&plugin.meta().config_schema, &config);
                let run = RunRequest {
                    task: TaskInfo {
                        id: task.id,
                        serial: task.serial.clone(),
                        username: task.username.clone(),
                        package,
                    },
                    config,
                    grants,
                    materials: inner.materials.clone(),
                    device: device.clone(),
                    limits: inner.limits.of(&task.script_name),
                    cancel,
                    events: events.clone(),
                };
                plugin.run(run).await
            }
        },
    };
    // The end mark must follow the start mark in the phone's log.
    let _ = start_mark.await;
    mark_on_phone(&device, task.id, "end").await;
    let outcome = match outcome {
        Ok(result) => Outcome::Completed {
            result: result.to_string(),
        },
        Err(RunError::Cancelled(reason)) => Outcome::Failed { error: reason },
        Err(e) => Outcome::Failed {
            error: e.to_string(),
        },
    };
    let summary = match &outcome {
        Outcome::Completed { .. } => "completed".to_string(),
        Outcome::Failed { error } => format!("failed: {error}"),
    };
    let _ = events.send(RunEvent::Log {
        level: crate::runtime::RunLevel::Info,
        message: summary,
    });
    drop(events);
    if let Err(e) = recorder.await {
        tracing::error!("task {} log recorder stopped: {e}", task.id);
    }
    if let Err(e) = inner.store.finish(task.id, &outcome, now_ms()).await {
        tracing::error!("cannot record the end of task {}: {e}", task.id);
    }
    let (status, error) = match &outcome {
        Outcome::Completed { .. } => (crate::store::status::COMPLETED, None),
        Outcome::Failed { error } => (crate::store::status::FAILED, Some(error.clone())),
    };
    inner.events.publish(
        "task_finished",
        json!({"id": task.id, "status": status, "error": error}),
    );
    inner.running().remove(&task.serial);
    let _ = ended.send(true);
    inner.wake.notify_one();
}

/// The app package of the task's account (a clone app), or TikTok's.
async fn package_for(store: &Store, username: Option<&str>) -> String {
    let account = match username {
        Some(name) => store.account_by_username(name).await.ok().flatten(),
        None => None,
    };
    account
        .and_then(|a| a.package)
        .unwrap_or_else(|| DEFAULT_PACKAGE.to_string())
}

/// Writes a run's logs and progress to the store, in order, until the run drops its sender.
async fn record(
    store: Store,
    bus: Events,
    task_id: i64,
    mut rx: mpsc::UnboundedReceiver<RunEvent>,
) {
    while let Some(event) = rx.recv().await {
        let written = match &event {
            RunEvent::Log { level, message } => {
                store
                    .append_log(task_id, level.as_str(), message, now_ms())
                    .await
            }
            RunEvent::Progress { percent, message } => {
                bus.publish(
                    "task_progress",
                    json!({"id": task_id, "percent": percent, "message": message}),
                );
                store.set_progress(task_id, *percent, message).await
            }
        };
        if let Err(e) = written {
            tracing::warn!("task {task_id}: cannot store {event:?}: {e}");
        }
    }
}

/// Marks a task's start or end in the phone's own logcat, so whoever reads `adb logcat` on the
/// phone sees which task drove it when. Best effort: a phone that is gone cannot be marked.
async fn mark_on_phone(device: &phonefleet_device::adb::Device, task_id: i64, what: &str) {
    let cmd = format!(
        "log -t {LOGCAT_TAG} {}",
        quote(&format!("task {task_id} {what}"))
    );
    if let Err(e) = device.shell(&cmd).await {
        tracing::debug!(
            "cannot mark task {task_id} {what} on {}: {e}",
            device.serial()
        );
    }
}
