//! phonefleet-sdk: everything a Rust script needs to run on phonefleet as a WebAssembly component.
//! Declare a [`Script`], export it with [`export_script!`], and drive the phone through [`ui`], [`device`] and [`host`].

extern crate self as phonefleet_sdk;

/// Raw guest bindings of the `phonefleet:script` world, generated from `wit/script.wit`.
/// Scripts should not need them; they are public for the [`export_script!`] macro and for escape hatches.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "script",
        pub_export_macro: true,
        export_macro_name: "__export_script_world",
        default_bindings_module: "phonefleet_sdk::bindings",
        runtime_path: "phonefleet_sdk::__private::wit_bindgen::rt",
        additional_derives: [PartialEq, Eq],
    });
}

mod app;
pub mod chatgpt;
pub mod comments;
pub mod device;
mod error;
pub mod follow;
pub mod host;
pub mod http;
pub mod instagram;
pub mod links;
pub mod materials;
pub mod media;
mod notice;
pub mod profile;
pub mod random;
mod selector;
pub mod spintax;
pub mod tiktok;
pub mod ui;
pub mod watching;

pub use app::App;
pub use bindings::phonefleet::script::types::{Bounds, DeviceError, Node, ShellOutput, TaskInfo};
pub use error::{Error, Result};
pub use phonefleet_rules::{QuoteError, quote, resource_id_matches};
pub use selector::Selector;
pub use tiktok::{clear_popups, ensure_account, ensure_task_account};

/// A phonefleet script: its name, its config type, how one request splits into tasks, and how one task runs.
///
/// Export it with [`export_script!`]; the macro wires `describe`, `plan` and `run` of the WIT world to this trait.
///
/// ```no_run
/// use phonefleet_sdk::{Error, Script, Selector, ui, host, info};
/// use std::time::Duration;
///
/// #[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// pub struct Config {
///     /// What to type.
///     #[serde(default)]
///     pub text: String,
/// }
///
/// pub struct Hello;
///
/// impl Script for Hello {
///     type Config = Config;
///     const NAME: &'static str = "hello";
///     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
///     const DESCRIPTION: &'static str = "Types a greeting";
///
///     fn run(config: Config) -> Result<serde_json::Value, Error> {
///         host::progress(10, "typing");
///         info!("typing {:?}", config.text);
///         // Fails naming the selector and what the screen shows when nothing matches.
///         ui::click(&Selector::text("Search"), Duration::from_secs(5))?;
///         phonefleet_sdk::device::input_text(&config.text)?;
///         Ok(serde_json::json!({"typed": config.text}))
///     }
/// }
///
/// phonefleet_sdk::export_script!(Hello);
/// ```
pub trait Script {
    /// The script's config. Its JSON Schema (see [`config_schema`]) is what the host validates requests against,
    /// so use `#[serde(deny_unknown_fields)]` and `#[serde(default)]` where the contract has defaults.
    type Config: serde::de::DeserializeOwned + serde::Serialize + schemars::JsonSchema;
    /// The name clients use as `script_name`.
    const NAME: &'static str;
    /// The script's version (usually `env!("CARGO_PKG_VERSION")`).
    const VERSION: &'static str;
    /// One sentence saying what the script does.
    const DESCRIPTION: &'static str;

    /// Splits one request's config into one config per task. The default is one task with the config as given.
    /// An `Err` rejects the whole request; its message says which key is wrong and why.
    fn plan(config: Self::Config) -> std::result::Result<Vec<Self::Config>, String> {
        Ok(vec![config])
    }

    /// Runs one task on the task's phone and returns the result as JSON.
    fn run(config: Self::Config) -> Result<serde_json::Value>;
}

/// The JSON Schema (draft 2020-12) of a config type, as `describe()` reports it and `schemas/*.json` hold it.
pub fn config_schema<C: schemars::JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    generator.into_root_schema_for::<C>().to_value()
}

/// A script's `plan` on JSON, as the host calls it, for the script's native tests: the task
/// configs it makes of `config`, or its refusal.
pub fn plan_json<S: Script>(
    config: &serde_json::Value,
) -> std::result::Result<Vec<serde_json::Value>, String> {
    __private::plan::<S>(&config.to_string())?
        .iter()
        .map(|task| serde_json::from_str(task).map_err(|e| e.to_string()))
        .collect()
}

/// Checks a checked-in schema file against the schema `schema` generates, for a script's tests:
/// with `UPDATE_SCHEMAS` set it rewrites the file instead. `Err` says how to regenerate it.
pub fn check_schema_file(
    path: &std::path::Path,
    schema: &serde_json::Value,
    package: &str,
) -> Result<(), String> {
    let generated = serde_json::to_string_pretty(schema).map_err(|e| e.to_string())? + "\n";
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        return std::fs::write(path, &generated).map_err(|e| format!("{}: {e}", path.display()));
    }
    if std::fs::read_to_string(path).ok().as_deref() == Some(generated.as_str()) {
        return Ok(());
    }
    Err(format!(
        "{} is stale or missing; regenerate it with `UPDATE_SCHEMAS=1 cargo test -p {package} schema_file_is_up_to_date`",
        path.display()
    ))
}

/// Exports a type implementing [`Script`] as the component's `describe`, `plan` and `run`.
///
/// Use it once, at the root of a `cdylib` crate: `phonefleet_sdk::export_script!(MyScript);`.
#[macro_export]
macro_rules! export_script {
    ($script:ty) => {
        #[doc(hidden)]
        type __PhonefleetScriptExport = $crate::__private::Adapter<$script>;
        $crate::bindings::__export_script_world!(
            __PhonefleetScriptExport with_types_in $crate::bindings
        );
    };
}

#[doc(hidden)]
pub mod __private {
    //! Support for [`export_script!`](crate::export_script): the adapter from [`Script`] to the generated `Guest` trait.
    //! Not part of the public API.
    pub use wit_bindgen;

    use crate::bindings::{Guest, ScriptError, ScriptInfo};
    use crate::{Script, config_schema};

    /// Implements the generated `Guest` trait for any [`Script`].
    pub struct Adapter<S>(core::marker::PhantomData<S>);

    /// Parses a config for `plan` and `run`; the message is serde's. JSON Schema (draft 2020-12)
    /// counts `5.0` an integer and serde does not, so whole floats become integers first: a config
    /// the host's schema check accepts is one the script reads.
    pub fn parse_config<C: serde::de::DeserializeOwned>(text: &str) -> Result<C, String> {
        read_config(text).map_err(|e| format!("invalid config: {e}"))
    }

    /// [`parse_config`] without the "invalid config" its callers say themselves.
    fn read_config<C: serde::de::DeserializeOwned>(text: &str) -> Result<C, String> {
        let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        whole_numbers(&mut value);
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// Turns every float with no fraction (`5.0`) into an integer, recursively.
    fn whole_numbers(value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Number(n) => {
                if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                    if f >= 0.0 && f <= u64::MAX as f64 {
                        *value = Value::from(f as u64);
                    } else if f >= i64::MIN as f64 {
                        *value = Value::from(f as i64);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(whole_numbers),
            Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
            _ => {}
        }
    }

    /// `describe()` of a script.
    pub fn describe<S: Script>() -> ScriptInfo {
        ScriptInfo {
            name: S::NAME.to_string(),
            version: S::VERSION.to_string(),
            description: S::DESCRIPTION.to_string(),
            config_schema: config_schema::<S::Config>().to_string(),
        }
    }

    /// `plan()` of a script, on JSON text.
    pub fn plan<S: Script>(config: &str) -> Result<Vec<String>, String> {
        let config: S::Config = parse_config(config)?;
        S::plan(config)?
            .iter()
            .map(|c| {
                serde_json::to_string(c)
                    .map_err(|e| format!("cannot serialise a task's config: {e}"))
            })
            .collect()
    }

    /// `run()` of a script, on JSON text.
    pub fn run<S: Script>(config: &str) -> Result<String, ScriptError> {
        let config: S::Config = read_config(config).map_err(ScriptError::InvalidConfig)?;
        let value = S::run(config).map_err(|e| {
            // `script` is what the host assumes when told nothing.
            let kind = e.kind();
            if kind != crate::host::FailureKind::Script {
                crate::host::set_failure_kind(kind);
            }
            ScriptError::from(e)
        })?;
        Ok(value.to_string())
    }

    impl<S: Script + 'static> Guest for Adapter<S> {
        fn describe() -> ScriptInfo {
            describe::<S>()
        }
        fn plan(config: String) -> Result<Vec<String>, String> {
            plan::<S>(&config)
        }
        fn run(config: String) -> Result<String, ScriptError> {
            run::<S>(&config)
        }
    }
}

/// A node for the SDK's own tests: `text` in a `class` node of `package`, with the short resource-id
/// `id` (none when empty), clickable and enabled, at `(left, top, right, bottom)`.
#[cfg(test)]
pub(crate) fn test_node(
    package: &str,
    class: &str,
    text: &str,
    id: &str,
    (left, top, right, bottom): (i32, i32, i32, i32),
) -> Node {
    Node {
        text: text.into(),
        resource_id: if id.is_empty() {
            String::new()
        } else {
            format!("{package}:id/{id}")
        },
        class_name: class.into(),
        description: String::new(),
        package: package.into(),
        clickable: true,
        enabled: true,
        selected: false,
        checked: false,
        bounds: Bounds {
            left,
            top,
            right,
            bottom,
        },
    }
}
