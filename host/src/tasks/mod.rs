//! Tasks: creation (validation against the script's schema, fan-out), queries, and the
//! scheduler that runs one task at a time per phone, phones in parallel.

pub mod create;
pub mod model;
pub mod scheduler;

use std::sync::Arc;

use chrono::Local;
use phonefleet_device::adb::DeviceInfo;
use tokio::sync::watch;

use serde_json::json;

use crate::accounts::normalize;
use crate::events::Events;
use crate::runtime::{ConfigViolation, HostPathKind, Registry, host_paths};
use crate::store::{LogRow, Stats, Store, StoreError, TaskFilter, status};
pub use create::CreateTask;
use create::{Target, check_request, fan_out, in_config, invalid};
pub use model::{TaskView, now_ms};
pub use scheduler::{Scheduler, SchedulerConfig};

/// How long stop and delete wait for a running plugin to be gone.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The error of a task stopped through the API.
pub const STOPPED_BY_USER: &str = "stopped by user";

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

/// Host paths a config names (through `x-host-path` fields) that do not exist as what they should be.
fn missing_host_paths(
    schema: &serde_json::Value,
    config: &serde_json::Value,
) -> Vec<ConfigViolation> {
    host_paths(schema, config)
        .into_iter()
        .filter(|p| {
            let meta = std::fs::metadata(&p.path);
            match p.kind {
                HostPathKind::File => !meta.is_ok_and(|m| m.is_file()),
                HostPathKind::Dir => !meta.is_ok_and(|m| m.is_dir()),
            }
        })
        .map(|p| {
            let what = if p.kind == HostPathKind::File {
                "file"
            } else {
                "directory"
            };
            ConfigViolation {
                path: p.pointer,
                message: format!("host {what} {:?} does not exist on this host", p.path),
            }
        })
        .collect()
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
    devices: watch::Receiver<Arc<Vec<DeviceInfo>>>,
    scheduler: Scheduler,
    events: Events,
}

impl Tasks {
    pub fn new(
        store: Store,
        registry: Arc<Registry>,
        devices: watch::Receiver<Arc<Vec<DeviceInfo>>>,
        scheduler: Scheduler,
        events: Events,
    ) -> Tasks {
        Tasks {
            store,
            registry,
            devices,
            scheduler,
            events,
        }
    }

    /// Validates a request, plans it with its script and inserts every task, or none.
    pub async fn create(&self, req: CreateTask) -> Result<Vec<i64>, TaskError> {
        let name = req
            .script_name
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if name.is_empty() {
            return Err(TaskError::MissingScriptName);
        }
        let plugin = self
            .registry
            .get(name)
            .ok_or_else(|| TaskError::UnknownScript {
                name: name.to_string(),
                available: self
                    .registry
                    .all()
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect(),
            })?;
        let mut errors = Vec::new();
        let start = check_request(&req, Local::now()).unwrap_or_else(|e| {
            errors.extend(e);
            None
        });
        if let Some(config) = &req.script_config
            && config.is_object()
        {
            errors.extend(in_config(plugin.validate(config)));
            errors.extend(in_config(missing_host_paths(
                &plugin.meta().config_schema,
                config,
            )));
        }
        let targets = self.targets(&req).await?.unwrap_or_else(|e| {
            errors.extend(e);
            Vec::new()
        });
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let config = req.script_config.as_ref().cloned().unwrap_or_default();
        let parts = plugin.plan(&config).await.map_err(|e| {
            invalid(vec![ConfigViolation {
                path: "/script_config".into(),
                message: e,
            }])
        })?;
        let now = now_ms();
        let intervals = (req.min_interval.unwrap_or(0), req.max_interval.unwrap_or(0));
        let rows = fan_out(
            plugin.name(),
            &targets,
            &parts,
            start.unwrap_or(now),
            intervals,
        );
        let ids = self.store.insert_tasks(&rows, now).await?;
        self.events
            .publish("task_created", json!({"task_ids": ids}));
        self.scheduler.wake();
        Ok(ids)
    }

    /// Who the tasks run for: each serial (or each of its accounts with `enable_multi_account`),
    /// or each username's account. Unknown phones and accounts are named.
    async fn targets(
        &self,
        req: &CreateTask,
    ) -> Result<Result<Vec<Target>, Vec<ConfigViolation>>, TaskError> {
        let mut errors = Vec::new();
        let mut targets = Vec::new();
        let violation = |path: String, message: String| ConfigViolation { path, message };
        if let Some(usernames) = req.usernames.as_ref().filter(|u| !u.is_empty()) {
            for (i, name) in usernames.iter().enumerate() {
                match self.store.account_by_username(normalize(name)).await? {
                    Some(account) => targets.push(Target {
                        serial: account.serial,
                        username: Some(account.username),
                    }),
                    None => errors.push(violation(
                        format!("/usernames/{i}"),
                        format!("no account {name:?} is registered (see GET /api/v1/account)"),
                    )),
                }
            }
            return Ok(if errors.is_empty() {
                Ok(targets)
            } else {
                Err(errors)
            });
        }
        let devices = self.devices.borrow().clone();
        let accounts = if req.enable_multi_account {
            self.store.accounts().await?
        } else {
            Vec::new()
        };
        for (i, serial) in req.serials.iter().flatten().enumerate() {
            if !devices.iter().any(|d| &d.serial == serial) {
                errors.push(violation(
                    format!("/serials/{i}"),
                    format!(
                        "unknown device {serial:?}: ADB does not list it (see GET /api/v1/device)"
                    ),
                ));
            } else if req.enable_multi_account {
                let on_phone: Vec<_> = accounts.iter().filter(|a| &a.serial == serial).collect();
                if on_phone.is_empty() {
                    errors.push(violation(
                        format!("/serials/{i}"),
                        format!(
                            "phone {serial:?} has no registered accounts for enable_multi_account"
                        ),
                    ));
                }
                targets.extend(on_phone.into_iter().map(|a| Target {
                    serial: serial.clone(),
                    username: Some(a.username.clone()),
                }));
            } else {
                targets.push(Target {
                    serial: serial.clone(),
                    username: None,
                });
            }
        }
        Ok(if errors.is_empty() {
            Ok(targets)
        } else {
            Err(errors)
        })
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

    /// Stops a pending or running task: it becomes failed with "stopped by user". A running
    /// plugin is gone when this returns.
    pub async fn stop(&self, id: i64) -> Result<(), TaskError> {
        let task = self.store.task(id).await?.ok_or(TaskError::NotFound(id))?;
        if let Some(stopping) = self.scheduler.stop(id, STOPPED_BY_USER) {
            stopping.ended(STOP_WAIT).await;
            return Ok(());
        }
        if task.status == status::PENDING
            && self
                .store
                .fail_pending(id, STOPPED_BY_USER, now_ms())
                .await?
        {
            self.events.publish(
                "task_finished",
                json!({"id": id, "status": status::FAILED, "error": STOPPED_BY_USER}),
            );
            return Ok(());
        }
        let state =
            model::status_text(self.store.task(id).await?.map_or(task.status, |t| t.status));
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
            let state = model::status_text(task.status);
            return Err(TaskError::BadState {
                id,
                state,
                action: "only failed tasks can be retried",
            });
        }
        self.scheduler.wake();
        Ok(())
    }

    /// Every failed task back to pending; returns how many.
    pub async fn retry_all(&self) -> Result<u64, TaskError> {
        let n = self.store.retry(None, now_ms()).await?;
        self.scheduler.wake();
        Ok(n)
    }

    /// Deletes tasks, stopping running ones first (their plugins are gone before this returns).
    /// Returns how many existed.
    pub async fn delete(&self, ids: &[i64]) -> Result<u64, TaskError> {
        // Rows first, so the dispatcher cannot start a task of the batch meanwhile; then the runs.
        let deleted = self.store.delete_tasks(ids).await?;
        let mut stopped = false;
        for &id in ids {
            if let Some(stopping) = self.scheduler.stop(id, "deleted") {
                stopping.ended(STOP_WAIT).await;
                stopped = true;
            }
        }
        if stopped {
            // What the stopped runs logged on their way out.
            self.store.delete_tasks(ids).await?;
        }
        if deleted > 0 {
            self.events
                .publish("task_deleted", json!({"task_ids": ids}));
        }
        Ok(deleted)
    }

    /// The task's log lines; 40401 for an unknown task.
    pub async fn logs(&self, id: i64) -> Result<Vec<LogRow>, TaskError> {
        self.store.task(id).await?.ok_or(TaskError::NotFound(id))?;
        Ok(self.store.task_logs(id).await?)
    }

    /// The phone currently running a task, by serial → task id.
    pub fn running_on(&self, serial: &str) -> Option<i64> {
        self.scheduler.running_on(serial)
    }
}
