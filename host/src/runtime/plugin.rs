//! One loaded script: its pre-linked component, what it says about itself, and its compiled
//! config schema. Every call gets a fresh store; nothing is shared between runs.

use std::sync::Arc;
use std::time::Duration;

use phonefleet_device::adb::Device;
use serde_json::Value;
use tokio::sync::mpsc;
use wasmtime::{Engine, Store};

use super::bindings::{ScriptError, ScriptPre, TaskInfo};
use super::materials::SharedMaterialStore;
use super::state::{Binding, RunEvent, RunState};
use super::{Cancel, Grants, Limits, RunError};

/// Time a plugin gets to describe itself or plan a request.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Memory a plugin gets to describe itself or plan a request.
const CALL_MEMORY: usize = 64 << 20;

/// What a script says about itself.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScriptMeta {
    pub name: String,
    pub version: String,
    pub description: String,
    pub config_schema: Value,
    /// The `phonefleet:script@VERSION` it was built against; none if it imports nothing of ours.
    pub world: Option<String>,
}

/// One schema violation of a config: a JSON Pointer and a sentence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConfigViolation {
    pub path: String,
    pub message: String,
}

/// A loaded script plugin.
pub struct Plugin {
    meta: ScriptMeta,
    validator: jsonschema::Validator,
    engine: Engine,
    pre: ScriptPre<RunState>,
}

impl Plugin {
    /// Instantiates the component once to read its `describe` and compiles its schema.
    pub(super) async fn describe(
        engine: Engine,
        pre: ScriptPre<RunState>,
        world: Option<String>,
    ) -> Result<Plugin, String> {
        let mut store = new_store(&engine, CALL_MEMORY, None);
        let info = bounded(CALL_TIMEOUT, async {
            let script = pre.instantiate_async(&mut store).await?;
            script.call_describe(&mut store).await
        })
        .await
        .map_err(|e| format!("describe failed: {e}"))?;
        let schema: Value = serde_json::from_str(&info.config_schema)
            .map_err(|e| format!("its config schema is not JSON: {e}"))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| format!("its config schema does not compile: {e}"))?;
        let meta = ScriptMeta {
            name: info.name,
            version: info.version,
            description: info.description,
            config_schema: schema,
            world,
        };
        Ok(Plugin {
            meta,
            validator,
            engine,
            pre,
        })
    }

    /// Instantiates the script in a fresh store, as every run does, without calling it: what the
    /// instantiation benchmark times (`phonefleet-bench`, figure 3).
    #[doc(hidden)]
    pub async fn instantiate_only(&self) -> Result<(), String> {
        let mut store = new_store(&self.engine, CALL_MEMORY, None);
        self.pre
            .instantiate_async(&mut store)
            .await
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    }

    pub fn meta(&self) -> &ScriptMeta {
        &self.meta
    }

    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// Every way `config` breaks the script's schema (empty when it is valid).
    pub fn validate(&self, config: &Value) -> Vec<ConfigViolation> {
        self.validator
            .iter_errors(config)
            .map(|e| ConfigViolation {
                path: e.instance_path.to_string(),
                message: e.to_string(),
            })
            .collect()
    }

    /// The script's split of one request's config into one config per task.
    pub async fn plan(&self, config: &Value) -> Result<Vec<Value>, String> {
        let mut store = new_store(&self.engine, CALL_MEMORY, None);
        let text = config.to_string();
        let parts = bounded(CALL_TIMEOUT, async {
            let script = self.pre.instantiate_async(&mut store).await?;
            script.call_plan(&mut store, &text).await
        })
        .await
        .map_err(|e| format!("the script's plan failed: {e}"))??;
        parts
            .iter()
            .map(|p| {
                serde_json::from_str(p)
                    .map_err(|e| format!("the script planned a non-JSON config: {e}"))
            })
            .collect()
    }

    /// Runs one task on its phone until it finishes, fails, times out or is cancelled.
    pub async fn run(self: &Arc<Self>, run: RunRequest) -> Result<Value, RunError> {
        let binding = Binding {
            device: run.device,
            task: run.task,
            grants: run.grants,
            materials: run.materials,
            events: run.events,
        };
        let mut store = new_store(&self.engine, run.limits.memory_bytes, Some(binding));
        let text = run.config.to_string();
        let outcome = {
            let call = async {
                let script = self.pre.instantiate_async(&mut store).await?;
                script.call_run(&mut store, &text).await
            };
            tokio::select! {
                result = call => Some(result),
                () = run.cancel.cancelled() => None,
                () = tokio::time::sleep(run.limits.timeout) => {
                    return finish(&store, Err(RunError::TimedOut(run.limits.timeout)));
                }
            }
        };
        let result = match outcome {
            None => Err(RunError::Cancelled(run.cancel.reason())),
            Some(Err(_)) if store.data().limits.denied => Err(RunError::OutOfMemory {
                limit_mib: store.data().limits.memory_bytes >> 20,
            }),
            Some(Err(trap)) => {
                let stderr = store.data().stderr_text();
                let detail = if stderr.is_empty() {
                    format!("{trap:?}")
                } else {
                    format!("{stderr}\n{trap:?}")
                };
                Err(RunError::Trap(detail))
            }
            Some(Ok(Err(ScriptError::Failed(msg)))) => Err(RunError::Failed(msg)),
            Some(Ok(Err(ScriptError::InvalidConfig(msg)))) => Err(RunError::InvalidConfig(msg)),
            Some(Ok(Ok(json))) => serde_json::from_str(&json).map_err(|e| {
                RunError::Failed(format!(
                    "the script returned a result that is not JSON: {e}"
                ))
            }),
        };
        finish(&store, result)
    }
}

/// Everything one run needs.
pub struct RunRequest {
    pub task: TaskInfo,
    pub config: Value,
    pub device: Device,
    pub grants: Grants,
    pub materials: SharedMaterialStore,
    pub limits: Limits,
    pub cancel: Cancel,
    pub events: mpsc::UnboundedSender<RunEvent>,
}

fn finish(store: &Store<RunState>, result: Result<Value, RunError>) -> Result<Value, RunError> {
    store.data().flush_output();
    result
}

fn new_store(engine: &Engine, memory_bytes: usize, binding: Option<Binding>) -> Store<RunState> {
    let mut store = Store::new(engine, RunState::new(memory_bytes, binding));
    store.limiter(|s| &mut s.limits);
    store.set_epoch_deadline(1);
    store.epoch_deadline_async_yield_and_update(1);
    store
}

/// Runs a describe/plan call with a deadline.
async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = wasmtime::Result<T>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(_) => Err(format!("no answer within {timeout:?}")),
    }
}
