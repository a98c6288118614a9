//! The dispatcher: one task at a time per phone, phones in parallel. It wakes on events only —
//! a task created or finished, the device table changing, or the next scheduled start coming due.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phonefleet_device::adb::{AdbServer, Device, DeviceInfo};
use phonefleet_runtime::report::{self, Level};
use phonefleet_runtime::{
    Cancel, Grants, Registry, RunError, RunRequest, SharedMaterialStore, TaskInfo,
};
use tokio::sync::{Notify, watch};

use super::recorder::Recorder;
use crate::accounts::TIKTOK_PACKAGE;
use crate::clock::now_ms;
use crate::config::ScriptLimits;
use crate::events::{Event, Events};
use crate::store::{NewLog, Outcome, Store, TaskRow, TaskStatus};

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
    /// Waits (at most `limit`) for the run to end; false if it had not ended by then.
    pub async fn ended(mut self, limit: Duration) -> bool {
        matches!(
            tokio::time::timeout(limit, self.0.wait_for(|ended| *ended)).await,
            Ok(Ok(_))
        )
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
            .filter(|d| d.is_online())
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
        inner.events.publish(Event::TaskStarted {
            id: task.id,
            serial: task.serial.clone(),
        });
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
    let (reporter, reports) = report::channel();
    let recorder = Recorder::spawn(inner.store.clone(), inner.events.clone(), task.id, reports);
    reporter.log(Level::Info, format!("started on {}", task.serial));
    let device = inner.adb.device(&task.serial);
    // Marked alongside the run rather than before it, keeping an adb round trip off the dispatch path.
    let start_mark = tokio::spawn({
        let (device, id) = (device.clone(), task.id);
        async move { mark_on_phone(&device, id, "start").await }
    });
    let outcome = run(&inner, &task, device.clone(), cancel, reporter).await;
    // The end mark must follow the start mark in the phone's log.
    let _ = start_mark.await;
    mark_on_phone(&device, task.id, "end").await;
    // Every reporter of the run is gone now: the recorder drains what is left and stops.
    recorder.finish().await;
    let outcome = match outcome {
        Ok(result) => Outcome::Completed {
            result: result.to_string(),
        },
        Err(RunError::Cancelled(reason)) => Outcome::Failed { error: reason },
        Err(e) => Outcome::Failed {
            error: e.to_string(),
        },
    };
    let (status, error, summary) = match &outcome {
        Outcome::Completed { .. } => (TaskStatus::Completed, None, "completed".to_string()),
        Outcome::Failed { error } => (
            TaskStatus::Failed,
            Some(error.clone()),
            format!("failed: {error}"),
        ),
    };
    if let Err(e) = inner
        .store
        .append_logs(task.id, &[NewLog::info(now_ms(), summary)])
        .await
    {
        tracing::warn!("task {}: cannot store its last log line: {e}", task.id);
    }
    if let Err(e) = inner.store.finish(task.id, &outcome, now_ms()).await {
        tracing::error!("cannot record the end of task {}: {e}", task.id);
    }
    inner.events.publish(Event::TaskFinished {
        id: task.id,
        status,
        error,
    });
    inner.running().remove(&task.serial);
    let _ = ended.send(true);
    inner.wake.notify_one();
}

/// The run itself: the task's script, config, grants and limits, on its phone.
async fn run(
    inner: &Inner,
    task: &TaskRow,
    device: Device,
    cancel: Cancel,
    reporter: report::Reporter,
) -> Result<serde_json::Value, RunError> {
    let plugin = inner.registry.get(&task.script_name).ok_or_else(|| {
        RunError::Failed(format!("script {:?} is no longer loaded", task.script_name))
    })?;
    let config: serde_json::Value = serde_json::from_str(&task.script_config)
        .map_err(|e| RunError::InvalidConfig(e.to_string()))?;
    let grants = Grants::for_config(&plugin.meta().config_schema, &config);
    let package = package_for(&inner.store, task.username.as_deref()).await;
    plugin
        .run(RunRequest {
            task: TaskInfo {
                id: task.id,
                serial: task.serial.clone(),
                username: task.username.clone(),
                package,
            },
            config,
            grants,
            materials: inner.materials.clone(),
            device,
            limits: inner.limits.of(&task.script_name),
            cancel,
            reporter,
        })
        .await
}

/// The app package of the task's account (a clone app), or TikTok's.
async fn package_for(store: &Store, username: Option<&str>) -> String {
    let account = match username {
        Some(name) => store.account_by_username(name).await.ok().flatten(),
        None => None,
    };
    account
        .and_then(|a| a.package)
        .unwrap_or_else(|| TIKTOK_PACKAGE.to_string())
}

/// Marks a task's start or end in the phone's own logcat, so whoever reads `adb logcat` on the
/// phone sees which task drove it when. Best effort: a phone that is gone cannot be marked.
async fn mark_on_phone(device: &Device, task_id: i64, what: &str) {
    if let Err(e) = device.log_mark(&format!("task {task_id} {what}")).await {
        tracing::debug!(
            "cannot mark task {task_id} {what} on {}: {e}",
            device.serial()
        );
    }
}
