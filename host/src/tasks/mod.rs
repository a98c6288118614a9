//! Tasks: creation (`create`), the task as clients see it (`model`), the scheduler that runs one
//! task at a time per phone, phones in parallel, the recorder of each run's reports, and the
//! operations on existing tasks (here).

pub mod create;
pub mod model;
mod recorder;
pub mod scheduler;

use std::sync::Arc;

use phonefleet_runtime::{ConfigViolation, Registry};

use crate::artifacts::Artifacts;
use crate::phones::Phones;
use phonefleet_runtime::FileRoots;

use crate::apps::App;
use crate::clock::now_ms;
use crate::events::{Event, Events};
use crate::fleet::Fleet;
use crate::store::{ErrorKind, LogPage, Stats, Store, StoreError, TaskFilter, TaskStatus};
pub use create::CreateTask;
pub use model::{Source, TaskView};
pub use recorder::MOST_ROWS_PER_RUN;
pub use scheduler::{Drained, Scheduler, SchedulerConfig};

/// How long stop and delete wait for a running plugin to be gone.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The error of a task stopped through the API.
pub const STOPPED_BY_USER: &str = "stopped by user";
/// The error of a task still running when a graceful stop's grace ran out.
pub const HOST_SHUTTING_DOWN: &str = "host shutting down";

/// Why a task request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<ConfigViolation>,
    },
    #[error("script_name is required")]
    MissingScriptName,
    #[error("no script named {name:?} is loaded; available: {}", available.join(", "))]
    UnknownScript {
        name: String,
        available: Vec<String>,
    },
    #[error("task {0} not found")]
    NotFound(i64),
    #[error("task {id} is {state}; {action}")]
    BadState {
        id: i64,
        state: &'static str,
        action: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page of tasks.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TaskPage {
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    pub tasks: Vec<TaskView>,
}

/// The task operations the API exposes.
pub struct Tasks {
    store: Store,
    registry: Arc<Registry>,
    phones: Arc<Phones>,
    scheduler: Scheduler,
    events: Events,
    artifacts: Artifacts,
    /// Where tasks may name host files.
    file_roots: FileRoots,
    /// The app of a task neither its account nor its config names (`--default-app`).
    default_app: App,
    /// The other nodes, which run the tasks of their phones.
    fleet: Fleet,
}

impl Tasks {
    #[allow(clippy::too_many_arguments)] // the parts a task touches, each shared with the server
    pub fn new(
        store: Store,
        registry: Arc<Registry>,
        phones: Arc<Phones>,
        scheduler: Scheduler,
        events: Events,
        artifacts: Artifacts,
        file_roots: FileRoots,
        default_app: App,
        fleet: Fleet,
    ) -> Tasks {
        Tasks {
            store,
            registry,
            phones,
            scheduler,
            events,
            artifacts,
            file_roots,
            default_app,
            fleet,
        }
    }

    pub async fn get(&self, id: i64) -> Result<TaskView, TaskError> {
        self.store
            .task(id)
            .await?
            .map(TaskView::from)
            .ok_or(TaskError::NotFound(id))
    }

    pub async fn list(
        &self,
        filter: &TaskFilter,
        page: u32,
        page_size: u32,
    ) -> Result<TaskPage, TaskError> {
        let (total, rows) = self.store.list_tasks(filter, page, page_size).await?;
        Ok(TaskPage {
            total,
            page,
            page_size,
            tasks: rows.into_iter().map(TaskView::from).collect(),
        })
    }

    pub async fn stats(&self) -> Result<Stats, TaskError> {
        Ok(self.store.stats().await?)
    }

    /// How many tasks wait on each phone that has any.
    pub async fn pending_by_phone(&self) -> Result<Vec<(String, i64)>, TaskError> {
        Ok(self.store.pending_by_serial().await?)
    }

    /// For a graceful stop of the host: no task starts any more; running ones get `grace` to finish,
    /// then fail with [`HOST_SHUTTING_DOWN`].
    pub async fn drain(&self, grace: std::time::Duration) -> Drained {
        self.scheduler.drain(grace, HOST_SHUTTING_DOWN).await
    }

    /// Stops a pending or running task: it becomes failed with "stopped by user". A running
    /// plugin is gone when this returns.
    pub async fn stop(&self, id: i64) -> Result<(), TaskError> {
        let task = self.store.task(id).await?.ok_or(TaskError::NotFound(id))?;
        if let Some(stopping) = self.scheduler.stop(id, STOPPED_BY_USER) {
            if !stopping.ended(STOP_WAIT).await {
                tracing::warn!("task {id}: its run had not ended {STOP_WAIT:?} after stop");
            }
            return Ok(());
        }
        if task.status == TaskStatus::Running {
            // Subscribed before looking, so an end announced in between is not missed.
            let mut events = self.events.subscribe();
            if self.runs_elsewhere(id).await? {
                self.stop_elsewhere(id, STOPPED_BY_USER, &mut events).await;
                return Ok(());
            }
        }
        if task.status == TaskStatus::Pending
            && self
                .store
                .fail_pending(id, STOPPED_BY_USER, now_ms())
                .await?
        {
            self.events.publish(Event::TaskFinished {
                id,
                status: TaskStatus::Failed,
                error: Some(STOPPED_BY_USER.to_string()),
                error_kind: Some(ErrorKind::Stopped),
            });
            return Ok(());
        }
        let state = self
            .store
            .task(id)
            .await?
            .map_or(task.status, |t| t.status)
            .as_str();
        Err(TaskError::BadState {
            id,
            state,
            action: "only pending or running tasks can be stopped",
        })
    }

    /// A failed task back to pending, due now.
    pub async fn retry(&self, id: i64) -> Result<(), TaskError> {
        let task = self.store.task(id).await?.ok_or(TaskError::NotFound(id))?;
        if self.store.retry(Some(id), now_ms()).await? == 0 {
            let state = task.status.as_str();
            return Err(TaskError::BadState {
                id,
                state,
                action: "only failed tasks can be retried",
            });
        }
        self.scheduler.wake();
        self.fleet.wake_others();
        Ok(())
    }

    /// Every failed task back to pending; returns how many.
    pub async fn retry_all(&self) -> Result<u64, TaskError> {
        let n = self.store.retry(None, now_ms()).await?;
        self.scheduler.wake();
        self.fleet.wake_others();
        Ok(n)
    }

    /// Deletes tasks, stopping running ones first (their plugins are gone before this returns).
    /// Returns how many existed.
    pub async fn delete(&self, ids: &[i64]) -> Result<u64, TaskError> {
        // Rows first, so the dispatcher cannot start a task of the batch meanwhile; then the runs.
        let mut events = self.events.subscribe();
        let deleted = self.store.delete_tasks(ids).await?;
        let elsewhere: Vec<i64> = deleted
            .iter()
            .filter(|(_, node)| node.as_deref().is_some_and(|n| n != self.fleet.node()))
            .map(|(id, _)| *id)
            .collect();
        let mut stopped = !elsewhere.is_empty();
        for &id in &elsewhere {
            self.stop_elsewhere(id, "deleted", &mut events).await;
        }
        for &id in ids {
            if let Some(stopping) = self.scheduler.stop(id, "deleted") {
                if !stopping.ended(STOP_WAIT).await {
                    tracing::warn!("task {id}: its run had not ended {STOP_WAIT:?} after delete");
                }
                stopped = true;
            }
        }
        if stopped {
            // What the stopped runs logged on their way out.
            self.store.delete_tasks(ids).await?;
        }
        for &id in ids {
            self.artifacts.forget(id).await;
        }
        if !deleted.is_empty() {
            self.events.publish(Event::TaskDeleted {
                task_ids: ids.to_vec(),
            });
        }
        Ok(deleted.len() as u64)
    }

    /// The names of the phones the fleet's other nodes list (none on SQLite).
    pub async fn phones_elsewhere(&self) -> Result<Vec<String>, TaskError> {
        Ok(self
            .devices_elsewhere()
            .await?
            .into_iter()
            .map(|d| d.serial)
            .collect())
    }

    /// The device table's rows of the phones the fleet's other nodes list (none on SQLite).
    pub async fn devices_elsewhere(&self) -> Result<Vec<crate::store::DeviceRow>, TaskError> {
        if !self.fleet.is_shared() {
            return Ok(Vec::new());
        }
        Ok(self.store.devices_of_other_nodes(self.fleet.node()).await?)
    }

    /// The task running on each phone of the fleet, by phone name.
    pub async fn running_by_phone(&self) -> Result<Vec<(String, i64)>, TaskError> {
        Ok(self.store.running_by_serial().await?)
    }

    /// Leaves the fleet (after a graceful drain): see [`Fleet::leave`].
    pub async fn leave_fleet(&self) {
        self.fleet.leave().await;
    }

    /// This host's name in its fleet.
    pub fn node(&self) -> &str {
        self.fleet.node()
    }

    /// Whether another node of the fleet runs task `id`.
    async fn runs_elsewhere(&self, id: i64) -> Result<bool, TaskError> {
        if !self.fleet.is_shared() {
            return Ok(false);
        }
        let node = self.store.running_node(id).await?;
        Ok(node.is_some_and(|node| node != self.fleet.node()))
    }

    /// Asks the node running task `id` to stop it, and waits (at most [`STOP_WAIT`]) for that node
    /// to announce its end on `events` (subscribed before the run was found elsewhere).
    async fn stop_elsewhere(
        &self,
        id: i64,
        reason: &str,
        events: &mut tokio::sync::broadcast::Receiver<Event>,
    ) {
        self.fleet.stop_elsewhere(id, reason);
        let ended = async {
            loop {
                match events.recv().await {
                    Ok(Event::TaskFinished { id: ended, .. }) if ended == id => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    _ => {}
                }
            }
        };
        if tokio::time::timeout(STOP_WAIT, ended).await.is_err() {
            tracing::warn!(
                "task {id}: its node had not ended the run {STOP_WAIT:?} after the stop"
            );
        }
    }

    /// One page of the task's log, oldest line first; 40401 for an unknown task.
    pub async fn logs(&self, id: i64, page: u32, page_size: u32) -> Result<LogPage, TaskError> {
        self.store.task(id).await?.ok_or(TaskError::NotFound(id))?;
        Ok(self.store.task_logs(id, page, page_size).await?)
    }

    /// The phone currently running a task, by serial → task id.
    pub fn running_on(&self, serial: &str) -> Option<i64> {
        self.scheduler.running_on(serial)
    }

    /// Keeps tasks off a phone an operator took over for `hold` from now (see [`Scheduler::hold`]).
    pub fn hold_phone(&self, serial: &str, hold: std::time::Duration) {
        self.scheduler
            .hold(serial, tokio::time::Instant::now() + hold);
    }

    /// Gives a phone an operator held back to the queue.
    pub fn release_phone(&self, serial: &str) {
        self.scheduler.release(serial);
    }
}
