//! One loaded script: its pre-linked component, what it says about itself, and its compiled
//! config schema. Every call gets a fresh store; nothing is shared between runs.

use std::sync::Arc;
use std::time::Duration;

use phonefleet_device::adb::Device;
use serde_json::Value;
use wasmtime::{Engine, Store, Trap, WasmBacktrace};

use crate::Cancel;
use crate::bindings::phonefleet::script::host::FailureKind;
use crate::bindings::{ScriptError, ScriptPre, TaskInfo};
use crate::host::materials::SharedMaterialStore;
use crate::report::{Reporter, cut};
use crate::state::{Binding, RunState};

/// Time a plugin gets to describe itself or plan a request.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Memory a plugin gets to describe itself or plan a request.
const CALL_MEMORY: usize = 64 << 20;
/// Largest result a run may return (JSON text), in bytes.
pub const MAX_RESULT_BYTES: usize = 1 << 20;
/// Longest error text of a run kept, in bytes.
pub const MAX_ERROR_BYTES: usize = 4096;

/// What a script says about itself.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScriptMeta {
    /// The name clients use as `script_name`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// One sentence of what it does.
    pub description: String,
    /// JSON Schema of its config.
    pub config_schema: Value,
    /// The `phonefleet:script@VERSION` it was built against; none if it imports nothing of ours.
    pub world: Option<String>,
    /// The oldest phonefleet version that serves everything it imports; none if it imports
    /// nothing of ours.
    pub oldest_host: Option<String>,
}

/// One schema violation of a config: a JSON Pointer and a sentence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConfigViolation {
    /// Where, as a JSON Pointer (`/script_config/upload_wait_time`).
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

/// Per-run limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall-clock time a run may take before it is stopped.
    pub timeout: Duration,
    /// Linear memory a run may grow to, in bytes.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30 * 60),
            memory_bytes: 64 << 20,
        }
    }
}

/// Why a run ended without a result.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RunError {
    /// Stopped from outside (the reason: "stopped by user", "device offline", ...).
    #[error("stopped: {0}")]
    Cancelled(String),
    /// The run's time limit passed.
    #[error("timed out after {}: the script's time limit (raise it with --script-limit NAME:timeout=SECS)", humantime(*.0))]
    TimedOut(Duration),
    /// The run needed more memory than its limit.
    #[error(
        "out of memory: the script needed more than its {limit_mib} MiB limit (raise it with --script-limit NAME:memory=MIB)"
    )]
    OutOfMemory {
        /// The limit, in MiB.
        limit_mib: usize,
    },
    /// The script gave up; its own words.
    #[error("{0}")]
    Failed(String),
    /// The script gave up because its phone failed it (it said so with `set-failure-kind`).
    #[error("{0}")]
    Device(String),
    /// The script stopped at the app's protection: a rate limit, a captcha, a block (it said so
    /// with `set-failure-kind`).
    #[error("{0}")]
    Protection(String),
    /// The script found its config unusable.
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// The script trapped: a panic, a stack overflow, a table past its limit.
    #[error("plugin crashed: {0}")]
    Trap(String),
}

/// "90 s", "30 min": how people say a limit.
fn humantime(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Everything one run needs.
pub struct RunRequest {
    /// Who the run is for.
    pub task: TaskInfo,
    /// The app the task drives (`tiktok`, `instagram`), as `host.app` answers it.
    pub app: String,
    /// Which run of the task this is (1 for the first), as `host.attempt` answers it.
    pub attempt: u32,
    /// The task's config (already valid against the script's schema).
    pub config: Value,
    /// The task's phone.
    pub device: Device,
    /// Host files, HTTP origins and secrets of the run (see [`crate::Permits`]).
    pub permits: crate::permits::Permits,
    /// The material library.
    pub materials: SharedMaterialStore,
    /// Time and memory.
    pub limits: Limits,
    /// How long a call waits for the phone to come back when it (or its adb server) goes away.
    pub offline_grace: Duration,
    /// Stops the run from outside.
    pub cancel: Cancel,
    /// Where its logs and progress go.
    pub reporter: Reporter,
}

/// A loaded script plugin: the component file that provides one script.
pub struct Plugin {
    meta: ScriptMeta,
    validator: jsonschema::Validator,
    engine: Engine,
    pre: ScriptPre<RunState>,
    /// Stores a describe or plan call may take beside the runs (see [`crate::engine::CALL_SLOTS`]).
    calls: Arc<tokio::sync::Semaphore>,
}

impl Plugin {
    /// Instantiates the component once to read its `describe` and compiles its schema.
    pub(crate) async fn describe(
        engine: Engine,
        pre: ScriptPre<RunState>,
        needs: Option<crate::Needs>,
        calls: Arc<tokio::sync::Semaphore>,
    ) -> Result<Plugin, String> {
        let slot = calls.acquire().await.map_err(|e| e.to_string())?;
        let mut store = new_store(&engine, CALL_MEMORY, None);
        let info = bounded(CALL_TIMEOUT, async {
            let script = pre.instantiate_async(&mut store).await?;
            script.call_describe(&mut store).await
        })
        .await
        .map_err(|e| format!("describe failed: {e}"))?;
        phonefleet_rules::script_name::check(&info.name).map_err(|e| e.to_string())?;
        let schema: Value = serde_json::from_str(&info.config_schema)
            .map_err(|e| format!("its config schema is not JSON: {e}"))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| format!("its config schema does not compile: {e}"))?;
        let meta = ScriptMeta {
            name: info.name,
            version: info.version,
            description: info.description,
            config_schema: schema,
            world: needs.as_ref().map(|n| n.world.clone()),
            oldest_host: needs.map(|n| n.oldest_host),
        };
        drop(slot);
        Ok(Plugin {
            meta,
            validator,
            engine,
            pre,
            calls,
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

    /// What the script says about itself.
    pub fn meta(&self) -> &ScriptMeta {
        &self.meta
    }

    /// The script's name.
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// Every way `config` breaks the script's schema (empty when it is valid).
    pub fn validate(&self, config: &Value) -> Vec<ConfigViolation> {
        self.validator
            .iter_errors(config)
            .map(|e| ConfigViolation {
                path: e.instance_path.to_string(),
                message: violation_words(&e),
            })
            .collect()
    }

    /// The script's split of one request's config into one config per task.
    pub async fn plan(&self, config: &Value) -> Result<Vec<Value>, String> {
        let _slot = self.calls.acquire().await.map_err(|e| e.to_string())?;
        let mut store = new_store(&self.engine, CALL_MEMORY, None);
        let text = config.to_string();
        let parts = bounded(CALL_TIMEOUT, async {
            let script = self.pre.instantiate_async(&mut store).await?;
            script.call_plan(&mut store, &text).await
        })
        .await
        .map_err(|e| format!("the script's plan failed: {e}"))?
        .map_err(|e| cut(e, MAX_ERROR_BYTES))?;
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
            offline_grace: run.offline_grace,
            task: run.task,
            app: run.app,
            attempt: run.attempt,
            grants: run.permits.grants,
            materials: run.materials,
            reporter: run.reporter,
            http: run.permits.http,
            redactor: run.permits.redactor.clone(),
        };
        let redactor = run.permits.redactor;
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
                    return finish(store, Err(RunError::TimedOut(run.limits.timeout))).await;
                }
            }
        };
        let data = store.data();
        let result = match outcome {
            None => Err(RunError::Cancelled(run.cancel.reason())),
            Some(Err(_)) if data.limits.memory_denied => Err(RunError::OutOfMemory {
                limit_mib: data.limits.memory_bytes >> 20,
            }),
            Some(Err(trap)) => Err(RunError::Trap(trap_text(&trap, data, &redactor))),
            Some(Ok(Err(ScriptError::Failed(msg)))) => {
                // Redacted before it is cut, so no piece of a secret is left at the cut.
                let msg = cut(redactor.redact(&msg), MAX_ERROR_BYTES);
                Err(match data.host.failure_kind() {
                    Some(FailureKind::Device) => RunError::Device(msg),
                    Some(FailureKind::Protection) => RunError::Protection(msg),
                    Some(FailureKind::Script) | None => RunError::Failed(msg),
                })
            }
            Some(Ok(Err(ScriptError::InvalidConfig(msg)))) => Err(RunError::InvalidConfig(cut(
                redactor.redact(&msg),
                MAX_ERROR_BYTES,
            ))),
            Some(Ok(Ok(json))) if json.len() > MAX_RESULT_BYTES => Err(RunError::Failed(format!(
                "the script's result is {} KiB of JSON; a result may be at most {} KiB",
                json.len() >> 10,
                MAX_RESULT_BYTES >> 10
            ))),
            Some(Ok(Ok(json))) => serde_json::from_str(&json).map_err(|e| {
                RunError::Failed(format!(
                    "the script returned a result that is not JSON: {e}"
                ))
            }),
        };
        let result = match result {
            Ok(mut value) => {
                redactor.redact_json(&mut value);
                Ok(value)
            }
            Err(e) => Err(e.redacted(&redactor)),
        };
        finish(store, result).await
    }
}

impl RunError {
    /// The error with the run's secrets cut out of its words.
    fn redacted(self, redactor: &crate::secrets::Redactor) -> RunError {
        let r = |text: String| redactor.redact(&text);
        match self {
            RunError::Cancelled(m) => RunError::Cancelled(r(m)),
            RunError::Failed(m) => RunError::Failed(r(m)),
            RunError::Device(m) => RunError::Device(r(m)),
            RunError::Protection(m) => RunError::Protection(r(m)),
            RunError::InvalidConfig(m) => RunError::InvalidConfig(r(m)),
            RunError::Trap(m) => RunError::Trap(r(m)),
            other @ (RunError::TimedOut(_) | RunError::OutOfMemory { .. }) => other,
        }
    }
}

/// A schema violation in words a client can act on: a value outside an enum written as `oneOf`
/// or `anyOf` of constants (what schemars makes of an enum whose variants have doc comments) lists
/// the allowed values instead of "not valid under any of the schemas listed in the 'oneOf'".
fn violation_words(e: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let (Kind::OneOfNotValid { context } | Kind::AnyOf { context }) = &e.kind else {
        return e.to_string();
    };
    let mut allowed = Vec::new();
    for branch in context {
        let before = allowed.len();
        for error in branch {
            match &error.kind {
                Kind::Constant { expected_value } => allowed.push(expected_value.to_string()),
                Kind::Enum { options } => allowed.extend(
                    options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(Value::to_string),
                ),
                _ => {}
            }
        }
        if allowed.len() == before {
            // A branch that is not a constant: the generic words are all there is.
            return e.to_string();
        }
    }
    format!("{} is not one of {}", e.instance, allowed.join(", "))
}

/// Identical frames on top of a trap's backtrace that make an out-of-bounds access a stack
/// overflow: a Rust guest keeps its stack in linear memory, so recursing too deep runs off the
/// bottom of memory instead of exhausting wasm's call stack. (wasmtime captures 20 frames.)
const RECURSION_FRAMES: usize = 10;
/// Named frames of a trap's backtrace that go in the task's error (the whole one goes to the log).
const ERROR_FRAMES: usize = 5;

/// What a trap says, cause first: a panic's message (from stderr), "stack overflow", the table
/// limit, else wasmtime's own words; then at most a few named frames. The whole account, with
/// every frame, goes to the task log.
fn trap_text(
    trap: &wasmtime::Error,
    data: &RunState,
    redactor: &crate::secrets::Redactor,
) -> String {
    let frames: Vec<String> = trap
        .downcast_ref::<WasmBacktrace>()
        .map(|bt| {
            bt.frames()
                .iter()
                .map(|f| {
                    f.func_name().map_or_else(
                        || "<unnamed>".to_string(),
                        |name| format!("{:#}", rustc_demangle::demangle(name)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // The script's own frames, not the panic and abort machinery of its standard library.
    let own: Vec<&String> = frames
        .iter()
        .filter(|name| {
            !["std", "core", "alloc", "__rust", "rust_", "abort", "<"]
                .iter()
                .any(|p| name.starts_with(p))
        })
        .collect();
    let cause = match trap.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => "stack overflow: the script recursed too deep".to_string(),
        Some(Trap::MemoryOutOfBounds)
            if frames.len() >= RECURSION_FRAMES && frames.iter().all(|f| *f == frames[0]) =>
        {
            format!(
                "stack overflow: {} called itself until it ran off the script's stack",
                frames[0]
            )
        }
        _ if data.limits.table_denied => format!(
            "a table grew past its limit of {} elements",
            crate::state::MAX_TABLE_ELEMENTS
        ),
        _ => {
            let stderr = data.stderr_text();
            let panic = stderr.lines().find(|l| l.contains("panicked at"));
            match panic {
                // "panicked at src/lib.rs:41:5:" is followed by the message on the next line.
                Some(line) => {
                    let message = stderr
                        .lines()
                        .skip_while(|l| *l != line)
                        .nth(1)
                        .unwrap_or_default();
                    let at = line.find("panicked at").unwrap_or(0);
                    format!("{} {}", line[at..].trim(), message.trim())
                }
                None => trap.root_cause().to_string(),
            }
        }
    };
    data.host
        .log(crate::report::Level::Error, &format!("{cause}\n{trap:?}"));
    let mut text = redactor.redact(&cause);
    for name in own.iter().take(ERROR_FRAMES) {
        text.push_str("\n  in ");
        text.push_str(name);
    }
    if frames.len() > ERROR_FRAMES.min(own.len()) {
        text.push_str("\n  (the whole backtrace is in the task log)");
    }
    cut(text, MAX_ERROR_BYTES)
}

/// Ends a run: the guest's captured output goes to the log, the phone's keyboard is put back.
async fn finish(
    mut store: Store<RunState>,
    result: Result<Value, RunError>,
) -> Result<Value, RunError> {
    store.data().flush_output();
    store.data_mut().device.restore().await;
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
        Ok(Err(e)) => Err(cut(format!("{e:#}"), MAX_ERROR_BYTES)),
        Err(_) => Err(format!("no answer within {timeout:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(schema: Value, instance: Value) -> Vec<String> {
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        validator
            .iter_errors(&instance)
            .map(|e| violation_words(&e))
            .collect()
    }

    #[test]
    fn a_value_outside_an_enum_of_described_constants_lists_the_allowed_values() {
        // What schemars makes of an enum whose variants have doc comments.
        let schema = json!({"oneOf": [
            {"type": "string", "const": "direct", "description": "Open the profile URL."},
            {"type": "string", "const": "search", "description": "Search for the name."},
        ]});
        assert_eq!(
            words(schema.clone(), json!("browse")),
            [r#""browse" is not one of "direct", "search""#]
        );
        assert_eq!(
            words(schema, json!(7)),
            [r#"7 is not one of "direct", "search""#]
        );
    }

    #[test]
    fn a_one_of_that_is_not_all_constants_keeps_the_validators_words() {
        let schema = json!({"oneOf": [{"type": "string"}, {"const": 1}]});
        assert_eq!(
            words(schema, json!(true)),
            ["true is not valid under any of the schemas listed in the 'oneOf' keyword"]
        );
    }
}
