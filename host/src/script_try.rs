//! `phonefleet script try NAME --serial S --config JSON`: runs a script once on one phone from the
//! command line, without a server or a queue, printing its log lines as they come and its result.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use phonefleet_device::adb::AdbServer;
use phonefleet_runtime::report;
use phonefleet_runtime::{
    Cancel, FileRoots, Limits, NoMaterials, Permits, Plugin, PluginDir, Registry, RunError,
    RunRequest, Runtime, TaskInfo,
};
use serde_json::Value;

use crate::apps::App;
use crate::scripts::BUILTINS;
use crate::tasks::create::apps_driven;

/// What to run, where.
#[derive(Debug, clap::Args)]
pub struct TryArgs {
    /// A script name (built in, or in --plugin-dir) or a component file (`plugins/visit.wasm`).
    pub script: String,
    /// The phone, as adb names it.
    #[arg(long)]
    pub serial: String,
    /// The script's config, as JSON (`script_config` of a task).
    #[arg(long, default_value = "{}")]
    pub config: String,
    /// The account the run is for, without '@' (the task's `username`).
    #[arg(long)]
    pub username: Option<String>,
    /// The app the run drives (by default the config's `app`, else tiktok).
    #[arg(long, value_enum)]
    pub app: Option<App>,
    /// The app's package, when it is a clone (by default the app's own).
    #[arg(long)]
    pub package: Option<String>,
    /// A directory of extra script plugins, as `serve` takes it.
    #[arg(long)]
    pub plugin_dir: Option<PathBuf>,
    /// The adb server.
    #[arg(long, default_value = "127.0.0.1:5037")]
    pub adb_server: std::net::SocketAddr,
    /// Wall-clock limit of the run, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
}

/// Why a try did not complete.
#[derive(Debug, thiserror::Error)]
pub enum TryError {
    /// The script could not be found or loaded.
    #[error("{0}")]
    Load(String),
    /// The config is not JSON or not valid for the script.
    #[error("invalid config: {0}")]
    Config(String),
    /// The run failed.
    #[error("{0}")]
    Run(#[from] RunError),
}

/// Loads the script, checks the config against its schema, and runs each part the script splits
/// the config into on the phone, one after the other; log lines go to stdout as they come.
/// Returns each part's result; Ctrl-C stops the run.
pub async fn try_script(args: &TryArgs) -> Result<Vec<Value>, TryError> {
    let cache = tempfile::tempdir().map_err(|e| TryError::Load(format!("no scratch dir: {e}")))?;
    let runtime = Arc::new(
        Runtime::new(cache.path().to_path_buf()).map_err(|e| TryError::Load(e.to_string()))?,
    );
    let plugin = load(&runtime, args).await?;
    let mut config: Value =
        serde_json::from_str(&args.config).map_err(|e| TryError::Config(e.to_string()))?;
    // As a task's app: named here, else in the config, else TikTok.
    let app = match (args.app, config.get("app").and_then(Value::as_str)) {
        (Some(app), _) => app,
        (None, Some(name)) => App::parse(name).map_err(TryError::Config)?,
        (None, None) => App::Tiktok,
    };
    // A script whose schema has an `app` field is told the app in its config.
    if let Some(driven) = apps_driven(&plugin.meta().config_schema) {
        if !driven.contains(&app) {
            return Err(TryError::Config(format!(
                "script {} does not drive {app}",
                plugin.name()
            )));
        }
        if let Some(fields) = config.as_object_mut() {
            fields.insert("app".into(), Value::from(app.as_str()));
        }
    }
    let violations = plugin.validate(&config);
    if !violations.is_empty() {
        let said: Vec<String> = violations
            .iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect();
        return Err(TryError::Config(said.join("; ")));
    }
    let parts = plugin.plan(&config).await.map_err(TryError::Config)?;
    let device = AdbServer::new(args.adb_server).device(&args.serial);
    let roots = FileRoots::new(&[], cache.path());
    let cancel = Cancel::new();
    tokio::spawn({
        let cancel = cancel.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel("stopped by Ctrl-C");
            }
        }
    });
    let mut results = Vec::new();
    for part in parts {
        let (reporter, mut reports) = report::channel();
        let printer = tokio::spawn(async move {
            while let Some(line) = reports.logs.recv().await {
                println!("{:>5} {}", line.level.as_str(), line.message);
            }
        });
        let permits = Permits::for_config(&plugin.meta().config_schema, &part, roots.clone());
        let run = plugin.run(RunRequest {
            task: TaskInfo {
                id: 0,
                serial: args.serial.clone(),
                username: args.username.clone(),
                package: args
                    .package
                    .clone()
                    .unwrap_or_else(|| app.package().to_string()),
            },
            app: app.as_str().to_string(),
            attempt: 1,
            config: part,
            permits,
            materials: Arc::new(NoMaterials),
            device: device.clone(),
            limits: Limits {
                timeout: Duration::from_secs(args.timeout_secs),
                ..Limits::default()
            },
            offline_grace: Duration::from_secs(10),
            cancel: cancel.clone(),
            reporter,
        });
        let result = run.await;
        // Every reporter is gone with the run: the printer ends once it printed what is left.
        let _ = printer.await;
        results.push(result?);
    }
    Ok(results)
}

/// The script: a component file, else a name the registry serves.
async fn load(runtime: &Arc<Runtime>, args: &TryArgs) -> Result<Arc<Plugin>, TryError> {
    if args.script.ends_with(".wasm") {
        let wasm = std::fs::read(&args.script)
            .map_err(|e| TryError::Load(format!("{}: cannot read it: {e}", args.script)))?;
        let plugin = runtime
            .load(&wasm, &args.script)
            .await
            .map_err(|e| TryError::Load(e.to_string()))?;
        return Ok(Arc::new(plugin));
    }
    let plugin_dir = args.plugin_dir.clone().map(|path| PluginDir {
        path,
        may_replace_builtins: false,
    });
    let registry = Registry::load(runtime.clone(), BUILTINS, plugin_dir)
        .await
        .map_err(|e| TryError::Load(e.to_string()))?;
    registry.get(&args.script).ok_or_else(|| {
        let names: Vec<String> = registry
            .all()
            .iter()
            .map(|s| s.plugin.name().to_string())
            .collect();
        TryError::Load(format!(
            "no script {:?}: the scripts are {} (or name a .wasm file)",
            args.script,
            names.join(", ")
        ))
    })
}
