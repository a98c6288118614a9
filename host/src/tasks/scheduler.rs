//! The dispatcher: one task at a time per handset, phones in parallel. It wakes on events — a task
//! created or finished, the phone table changing, the next scheduled start coming due — and on two
//! deadlines of its own: a running phone's offline grace ending, and a second look at a phone adb
//! listed online but did not confirm.
//!
//! It does not trust one signal (field case 09): a phone is confirmed online with a fresh device list
//! before a task starts, a task whose phone turns out to be gone before anything ran goes back to the
//! queue, and a running task survives its phone being away for less than the grace period.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phonefleet_device::adb::Device;
use phonefleet_runtime::report::{self, Level};
use phonefleet_runtime::{
    Cancel, FileRoots, Permits, Registry, RunError, RunRequest, SharedMaterialStore, TaskInfo,
};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::recorder::Recorder;
use crate::artifacts::Artifacts;
use crate::clock::now_ms;
use crate::config::ScriptLimits;
use crate::events::{Event, Events};
use crate::phones::{NotReady, Phone, Phones};
use crate::store::{ErrorKind, NewLog, Outcome, Store, TaskRow, TaskStatus};

/// The error of a task whose phone went away and did not come back within the grace period.
pub const DEVICE_OFFLINE: &str = "device offline";
/// How soon a phone adb listed online but did not confirm is looked at again.
const RECHECK: Duration = Duration::from_secs(2);

/// Handle to the dispatcher; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// This node's name: the tasks it claims are recorded as its.
    node: String,
    registry: Arc<Registry>,
    phones: Arc<Phones>,
    artifacts: Artifacts,
    limits: ScriptLimits,
    /// Most phones running tasks at once; 0 is unlimited (the license's `device_limit`).
    device_limit: usize,
    /// How long a running task's phone may be away before the task fails.
    offline_grace: Duration,
    events: Events,
    materials: SharedMaterialStore,
    file_roots: FileRoots,
    wake: Notify,
    /// Handset → the task running on it.
    running: Mutex<HashMap<String, Running>>,
    /// Phones no task may start on until a moment: those whose task just went back to the queue
    /// (so a phone adb lists but that does not answer is not tried in a tight loop), and those an
    /// operator took over from the dashboard.
    resting: Mutex<HashMap<String, Instant>>,
    /// The host is stopping: no task starts any more.
    draining: AtomicBool,
    /// Held for each pass of the dispatcher, so a graceful stop sees every run a pass started.
    dispatching: tokio::sync::Mutex<()>,
}

struct Running {
    task_id: i64,
    /// The phone's name (as tasks name it).
    phone: String,
    cancel: Cancel,
    /// Since when its phone has been away, if it is.
    away_since: Option<Instant>,
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
    pub phones: Arc<Phones>,
    pub artifacts: Artifacts,
    pub limits: ScriptLimits,
    pub device_limit: usize,
    pub offline_grace: Duration,
    pub events: Events,
    pub materials: SharedMaterialStore,
    /// Where the host files a run may push must lie.
    pub file_roots: FileRoots,
    /// This node's name (see [`crate::fleet`]).
    pub node: String,
}

impl Scheduler {
    /// Starts the dispatch loop on the current tokio runtime.
    pub fn start(store: Store, registry: Arc<Registry>, config: SchedulerConfig) -> Scheduler {
        let SchedulerConfig {
            phones,
            artifacts,
            limits,
            device_limit,
            offline_grace,
            events,
            materials,
            file_roots,
            node,
        } = config;
        let table = phones.subscribe();
        let inner = Arc::new(Inner {
            store,
            node,
            registry,
            phones,
            artifacts,
            limits,
            device_limit,
            offline_grace,
            events,
            materials,
            file_roots,
            wake: Notify::new(),
            running: Mutex::new(HashMap::new()),
            resting: Mutex::new(HashMap::new()),
            draining: AtomicBool::new(false),
            dispatching: tokio::sync::Mutex::new(()),
        });
        tokio::spawn(dispatch_loop(inner.clone(), table));
        Scheduler { inner }
    }

    /// Tells the dispatcher that tasks may have become runnable.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Keeps tasks off the phone named `name` until `until` (an operator took it over); its due
    /// tasks wait, and start once the hold ends or is [released](Scheduler::release).
    pub fn hold(&self, name: &str, until: Instant) {
        rest(&self.inner, name, until);
    }

    /// Ends an operator's hold on a phone: its due tasks may start now.
    pub fn release(&self, name: &str) {
        self.inner
            .resting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        self.wake();
    }

    /// The task running on the phone named `name`, if any: under that name, or on the same
    /// handset under another name.
    pub fn running_on(&self, name: &str) -> Option<i64> {
        let handset = self
            .inner
            .phones
            .current()
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.handset.clone());
        self.inner
            .running()
            .iter()
            .find(|(on, r)| r.phone == name || handset.as_ref() == Some(*on))
            .map(|(_, r)| r.task_id)
    }

    /// Interrupts a running task; `None` if it is not running.
    pub fn stop(&self, task_id: i64, reason: &str) -> Option<Stopping> {
        let running = self.inner.running();
        let run = running.values().find(|r| r.task_id == task_id)?;
        run.cancel.cancel(reason);
        Some(Stopping(run.ended.clone()))
    }

    /// Interrupts every running task with `reason`; returns how many were running.
    pub fn stop_all(&self, reason: &str) -> usize {
        let running = self.inner.running();
        for run in running.values() {
            run.cancel.cancel(reason);
        }
        running.len()
    }

    /// For a graceful stop of the host: starts no task from now on, lets the running ones finish
    /// for up to `grace`, then stops the rest with `reason` and waits (briefly) for them to end.
    pub async fn drain(&self, grace: Duration, reason: &str) -> Drained {
        self.inner.draining.store(true, Ordering::Relaxed);
        // A pass under way may still start runs: wait for it, later passes start none.
        drop(self.inner.dispatching.lock().await);
        let running: Vec<(i64, watch::Receiver<bool>)> = self
            .inner
            .running()
            .values()
            .map(|r| (r.task_id, r.ended.clone()))
            .collect();
        let waiting = running.len();
        let all_ended = |runs: Vec<(i64, watch::Receiver<bool>)>| async move {
            for (_, mut ended) in runs {
                // A dropped sender means the run is gone too.
                let _ = ended.wait_for(|e| *e).await;
            }
        };
        let finished = tokio::time::timeout(grace, all_ended(running.clone()))
            .await
            .is_ok();
        if finished {
            return Drained {
                waiting,
                stopped: 0,
            };
        }
        let mut stopped = 0;
        for (id, _) in &running {
            if self.stop(*id, reason).is_some() {
                stopped += 1;
            }
        }
        if tokio::time::timeout(STOP_WAIT, all_ended(running))
            .await
            .is_err()
        {
            tracing::warn!("some runs did not end within {STOP_WAIT:?} of being stopped");
        }
        Drained { waiting, stopped }
    }
}

/// What a graceful stop found: how many tasks were running, and how many of them had to be stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drained {
    pub waiting: usize,
    pub stopped: usize,
}

/// How long stopped runs are waited for during a graceful stop.
const STOP_WAIT: Duration = Duration::from_secs(5);

impl Inner {
    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Frees the handset a run held and wakes the dispatcher.
    fn release(&self, handset: &str, ended: &watch::Sender<bool>) {
        self.running().remove(handset);
        let _ = ended.send(true);
        self.wake.notify_one();
    }
}

async fn dispatch_loop(inner: Arc<Inner>, mut table: watch::Receiver<Arc<Vec<Phone>>>) {
    loop {
        let phones = table.borrow_and_update().clone();
        let pass = inner.dispatching.lock().await;
        let dispatched = dispatch(&inner, &phones).await;
        drop(pass);
        let next = match dispatched {
            Ok(next) => next,
            Err(e) => {
                // A database that blinked: look again soon rather than wait for an event.
                tracing::error!("dispatch failed: {e}; looking again in {RECHECK:?}");
                Some(Instant::now() + RECHECK)
            }
        };
        tokio::select! {
            () = inner.wake.notified() => {}
            changed = table.changed() => if changed.is_err() { return },
            () = sleep_until(next) => {}
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Watches running tasks' phones (failing those away past the grace), then starts every due task
/// whose phone is online, confirmed and idle. Returns when it next needs to look again.
async fn dispatch(
    inner: &Arc<Inner>,
    phones: &[Phone],
) -> Result<Option<Instant>, crate::store::StoreError> {
    let online: HashMap<&str, &Phone> = phones
        .iter()
        .filter(|p| p.is_online())
        .map(|p| (p.name.as_str(), p))
        .collect();
    let mut next: Option<Instant> = None;
    let mut soonest = |at: Instant| next = Some(next.map_or(at, |n: Instant| n.min(at)));
    for run in inner.running().values_mut() {
        if online.contains_key(run.phone.as_str()) {
            run.away_since = None;
            continue;
        }
        let since = *run.away_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= inner.offline_grace {
            run.cancel.cancel(DEVICE_OFFLINE);
        } else {
            soonest(since + inner.offline_grace);
        }
    }
    if inner.draining.load(Ordering::Relaxed) {
        return Ok(next);
    }
    let now = now_ms();
    // A phone is busy while a task runs on it by name or on its handset under another name.
    let busy: HashSet<String> = inner
        .running()
        .iter()
        .flat_map(|(handset, run)| [handset.clone(), run.phone.clone()])
        .collect();
    let resting: HashMap<String, Instant> = {
        let mut resting = inner.resting.lock().unwrap_or_else(|p| p.into_inner());
        resting.retain(|_, until| *until > Instant::now());
        resting.clone()
    };
    for until in resting.values() {
        soonest(*until);
    }
    let mut candidates: Vec<(TaskRow, String)> = Vec::new();
    for task in inner.store.due_tasks(now, &inner.node).await? {
        if resting.contains_key(&task.serial) {
            continue;
        }
        // Not before the phone is known to be which handset: two names of one handset must
        // never run two tasks.
        let Some(handset) = online
            .get(task.serial.as_str())
            .and_then(|p| p.handset.clone())
        else {
            continue;
        };
        if busy.contains(&handset)
            || busy.contains(&task.serial)
            || candidates.iter().any(|(_, h)| *h == handset)
        {
            continue;
        }
        candidates.push((task, handset));
    }
    if !candidates.is_empty() {
        let names: Vec<String> = candidates.iter().map(|(t, _)| t.serial.clone()).collect();
        match inner.phones.confirm_online(&names).await {
            Ok(confirmed) => {
                if confirmed.len() < names.len() {
                    soonest(Instant::now() + RECHECK);
                }
                candidates.retain(|(t, _)| confirmed.contains(&t.serial));
            }
            Err(e) => {
                tracing::warn!("cannot confirm phones with adb ({e}); looking again soon");
                candidates.clear();
                soonest(Instant::now() + RECHECK);
            }
        }
    }
    for (task, handset) in candidates {
        if inner.device_limit > 0 && inner.running().len() >= inner.device_limit {
            break;
        }
        if !inner.store.mark_running(task.id, now, &inner.node).await? {
            continue;
        }
        let cancel = Cancel::new();
        let (ended_tx, ended) = watch::channel(false);
        let run = Running {
            task_id: task.id,
            phone: task.serial.clone(),
            cancel: cancel.clone(),
            away_since: None,
            ended,
        };
        inner.running().insert(handset.clone(), run);
        inner.events.publish(Event::TaskStarted {
            id: task.id,
            serial: task.serial.clone(),
        });
        tokio::spawn(execute(inner.clone(), task, handset, cancel, ended_tx));
    }
    if let Some(at) = inner.store.next_start_after(now).await? {
        soonest(Instant::now() + Duration::from_millis((at - now_ms()).max(0) as u64));
    }
    Ok(next)
}

/// Runs one task to its end and records the outcome; then frees its handset.
async fn execute(
    inner: Arc<Inner>,
    task: TaskRow,
    handset: String,
    cancel: Cancel,
    ended: watch::Sender<bool>,
) {
    // A delete may have removed the row between the dispatcher marking it running and this run
    // being registered; then there is nothing to run.
    let Some(device) = inner.phones.device(&task.serial) else {
        return_to_queue(&inner, &task, "its phone left before the task started").await;
        return inner.release(&handset, &ended);
    };
    if !matches!(inner.store.task(task.id).await, Ok(Some(_))) {
        return inner.release(&handset, &ended);
    }
    let package = package_for(&inner.store, &task).await;
    // The app is checked when it is known to be the one the script drives: the account's own
    // package, or its app's for the shipped scripts. A third party's script may drive any app.
    let shipped = inner
        .registry
        .script(&task.script_name)
        .is_some_and(|s| s.origin == phonefleet_runtime::Origin::Builtin);
    let app = (task.username.is_some() || shipped).then_some(package.as_str());
    match inner.phones.prepare(&task.serial, app).await {
        Ok(()) => {}
        Err(NotReady::Offline(why)) => {
            return_to_queue(&inner, &task, &why).await;
            return inner.release(&handset, &ended);
        }
        Err(NotReady::Refused(why)) => {
            let outcome = Outcome::Failed {
                error: why,
                kind: ErrorKind::Device,
            };
            finish(&inner, &task, &device, outcome, Evidence::Screen).await;
            return inner.release(&handset, &ended);
        }
    }
    let (reporter, reports) = report::channel();
    let recorder = Recorder::spawn(inner.store.clone(), inner.events.clone(), task.id, reports);
    reporter.log(Level::Info, format!("started on {}", task.serial));
    // Marked alongside the run rather than before it, keeping an adb round trip off the dispatch path.
    let start_mark = tokio::spawn({
        let (device, id) = (device.clone(), task.id);
        async move { mark_on_phone(&device, id, "start").await }
    });
    let outcome = run(&inner, &task, device.clone(), package, cancel, reporter).await;
    // The end mark must follow the start mark in the phone's log.
    let _ = start_mark.await;
    mark_on_phone(&device, task.id, "end").await;
    // Every reporter of the run is gone now: the recorder drains what is left and stops.
    recorder.finish().await;
    let (outcome, evidence) = match outcome {
        Ok(result) => (
            Outcome::Completed {
                result: result.to_string(),
            },
            Evidence::Screen,
        ),
        Err(e) => failure(e),
    };
    finish(&inner, &task, &device, outcome, evidence).await;
    inner.release(&handset, &ended);
}

/// Keeps tasks off the phone named `name` until `until`, never shortening a longer rest (an
/// operator's hold outlasts a recheck).
fn rest(inner: &Inner, name: &str, until: Instant) {
    let mut resting = inner.resting.lock().unwrap_or_else(|p| p.into_inner());
    let rest = resting.entry(name.to_string()).or_insert(until);
    *rest = (*rest).max(until);
}

/// A task that never reached its phone goes back to the queue, as if it had not been started.
/// Its phone rests for [`RECHECK`] before it is tried again.
async fn return_to_queue(inner: &Inner, task: &TaskRow, why: &str) {
    tracing::info!("task {} back in the queue: {why}", task.id);
    rest(inner, &task.serial, Instant::now() + RECHECK);
    match inner.store.return_to_pending(task.id, &inner.node).await {
        // Deleted meanwhile, or no longer this node's (it was declared lost).
        Ok(false) => {}
        Ok(true) => {
            let note = NewLog::info(now_ms(), format!("not started, back in the queue: {why}"));
            if let Err(e) = inner.store.append_logs(task.id, &[note]).await {
                tracing::warn!("task {}: cannot store its log: {e}", task.id);
            }
            inner.events.publish(Event::TaskRequeued {
                id: task.id,
                serial: task.serial.clone(),
                reason: why.to_owned(),
            });
        }
        Err(e) => tracing::error!("cannot put task {} back in the queue: {e}", task.id),
    }
}

/// What a failed task keeps of its phone (see [`Artifacts::keep`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// The screenshot and UI dump of the phone now, and its recent commands.
    Screen,
    /// Its recent commands only.
    CommandsOnly,
}

/// Records how a task ended and announces it; then, when it failed, keeps the phone's evidence
/// (before the phone is released to its next task, after the outcome is visible).
async fn finish(
    inner: &Inner,
    task: &TaskRow,
    device: &Device,
    outcome: Outcome,
    evidence: Evidence,
) {
    let (status, error, kind, summary) = match &outcome {
        Outcome::Completed { .. } => (TaskStatus::Completed, None, None, "completed".to_string()),
        Outcome::Failed { error, kind } => (
            TaskStatus::Failed,
            Some(error.clone()),
            Some(*kind),
            format!("failed: {error}"),
        ),
    };
    // The last log line goes in before the end is recorded (a client that sees the task end finds
    // it), unless the run is no longer this node's.
    let ours =
        matches!(inner.store.running_node(task.id).await, Ok(Some(node)) if node == inner.node);
    if ours
        && let Err(e) = inner
            .store
            .append_logs(task.id, &[NewLog::info(now_ms(), summary)])
            .await
    {
        tracing::warn!("task {}: cannot store its last log line: {e}", task.id);
    }
    let recorded = match inner
        .store
        .finish(task.id, &outcome, now_ms(), &inner.node)
        .await
    {
        Ok(recorded) => recorded,
        Err(e) => {
            tracing::error!("cannot record the end of task {}: {e}", task.id);
            false
        }
    };
    if !recorded && matches!(inner.store.task(task.id).await, Ok(Some(_))) {
        // Another node failed it when this one was declared lost (its verdict stands), or the
        // database refused the end: this run's end is not announced as the task's.
        tracing::info!(
            "task {}: this run's end is not recorded (another node failed the task as this \
             node's, or the database refused it)",
            task.id
        );
        return;
    }
    // Announced when recorded, and for a task deleted meanwhile (whoever deleted it waits for it).
    inner.events.publish(Event::TaskFinished {
        id: task.id,
        status,
        error: error.clone(),
        error_kind: kind,
    });
    if let (Some(error), Some(kind)) = (&error, kind) {
        tracing::warn!(task = task.id, phone = %task.serial, ?kind, "task failed: {error}");
        inner
            .artifacts
            .keep(task.id, device, evidence == Evidence::Screen)
            .await;
    }
}

/// How a failed run is recorded: its error, the kind clients branch on, and the evidence kept.
fn failure(e: RunError) -> (Outcome, Evidence) {
    let kind = match &e {
        RunError::Cancelled(reason) if reason == DEVICE_OFFLINE => ErrorKind::Device,
        RunError::Cancelled(_) => ErrorKind::Stopped,
        RunError::TimedOut(_) => ErrorKind::Timeout,
        RunError::OutOfMemory { .. } | RunError::Trap(_) => ErrorKind::Crash,
        RunError::InvalidConfig(_) => ErrorKind::Config,
        RunError::Device(_) => ErrorKind::Device,
        RunError::Protection(_) => ErrorKind::Protection,
        RunError::Failed(_) => ErrorKind::Script,
    };
    // Stopped by a person, or its phone gone: nothing on the screen to explain, and no reason to
    // keep the one who stopped it waiting for a capture.
    let (error, evidence) = match e {
        RunError::Cancelled(reason) => (reason, Evidence::CommandsOnly),
        other => (other.to_string(), Evidence::Screen),
    };
    (Outcome::Failed { error, kind }, evidence)
}

/// The run itself: the task's script, config, grants and limits, on its phone.
async fn run(
    inner: &Inner,
    task: &TaskRow,
    device: Device,
    package: String,
    cancel: Cancel,
    reporter: report::Reporter,
) -> Result<serde_json::Value, RunError> {
    let plugin = inner.registry.get(&task.script_name).ok_or_else(|| {
        RunError::Failed(format!("script {:?} is no longer loaded", task.script_name))
    })?;
    let mut config: serde_json::Value = serde_json::from_str(&task.script_config)
        .map_err(|e| RunError::InvalidConfig(e.to_string()))?;
    // The stored config shows its secrets redacted: the run gets them back.
    let secrets = inner
        .store
        .open_secrets(task)
        .map_err(|e| RunError::Failed(e.to_string()))?;
    for (pointer, plain) in secrets {
        if let Some(slot) = config.pointer_mut(&pointer) {
            *slot = plain.into();
        }
    }
    let permits = Permits::for_config(
        &plugin.meta().config_schema,
        &config,
        inner.file_roots.clone(),
    );
    plugin
        .run(RunRequest {
            task: TaskInfo {
                id: task.id,
                serial: task.serial.clone(),
                username: task.username.clone(),
                package,
            },
            app: task.app.as_str().to_string(),
            attempt: u32::try_from(task.retry_count).unwrap_or(u32::MAX - 1) + 1,
            config,
            permits,
            materials: inner.materials.clone(),
            device,
            limits: inner.limits.of(&task.script_name),
            offline_grace: inner.offline_grace,
            cancel,
            reporter,
        })
        .await
}

/// The app package of the task's account (a clone app), or its app's own.
async fn package_for(store: &Store, task: &TaskRow) -> String {
    let account = match task.username.as_deref() {
        Some(name) => store.account_by_username(name).await.ok().flatten(),
        None => None,
    };
    account
        .and_then(|a| a.package)
        .unwrap_or_else(|| task.app.package().to_string())
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn kind_of(e: RunError) -> ErrorKind {
        match failure(e).0 {
            Outcome::Failed { kind, .. } => kind,
            Outcome::Completed { .. } => unreachable!("failure() always fails"),
        }
    }

    #[test]
    fn every_run_error_has_the_kind_clients_branch_on() {
        let cases = [
            (RunError::InvalidConfig("x".into()), ErrorKind::Config),
            (RunError::Device("x".into()), ErrorKind::Device),
            (
                RunError::Cancelled(DEVICE_OFFLINE.into()),
                ErrorKind::Device,
            ),
            (RunError::Protection("x".into()), ErrorKind::Protection),
            (
                RunError::TimedOut(Duration::from_secs(1)),
                ErrorKind::Timeout,
            ),
            (RunError::Trap("x".into()), ErrorKind::Crash),
            (RunError::OutOfMemory { limit_mib: 64 }, ErrorKind::Crash),
            (
                RunError::Cancelled(crate::tasks::STOPPED_BY_USER.into()),
                ErrorKind::Stopped,
            ),
            (
                RunError::Cancelled(crate::tasks::HOST_SHUTTING_DOWN.into()),
                ErrorKind::Stopped,
            ),
            (RunError::Failed("x".into()), ErrorKind::Script),
        ];
        for (error, kind) in cases {
            let text = error.to_string();
            assert_eq!(kind_of(error), kind, "{text}");
        }
    }
}
