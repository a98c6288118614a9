//! Start-up and shutdown of the whole host: store, adb server, device tracker, runtime,
//! script registry, scheduler and the HTTP listener, wired in that order.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use phonefleet_device::adb::{AdbError, AdbServer, DeviceInfo};
use phonefleet_device::tracker::DeviceTracker;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::accounts::Accounts;
use crate::api::{self, AppState};
use crate::artifacts::Artifacts;
use crate::config::Config;
use crate::events::Event;
use crate::events::Events;
use crate::fleet::Fleet;
use crate::groups::Groups;
use crate::materials::Library;
use crate::phones::{Phone, Phones};
use crate::scripts::BUILTINS;
use crate::store::{Store, StoreError};
use crate::tasks::{Scheduler, SchedulerConfig, Tasks};
use crate::thumbnails::Thumbnails;
use phonefleet_runtime::FileRoots;
use phonefleet_runtime::{PluginDir, PluginWatcher, Registry, Reload, Runtime, RuntimeError};

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "refusing to bind {0} without an API token: set --api-token (or PHONEFLEET_API_TOKEN), or bind 127.0.0.1"
    )]
    PublicBind(SocketAddr),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("cannot watch the plugin directory {dir}: {source}")]
    Watch { dir: String, source: notify::Error },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no adb server given: set --adb-server HOST:PORT (or leave it out for 127.0.0.1:5037)")]
    NoAdbServer,
}

/// How long a stopping host waits for open HTTP requests to end.
const HTTP_DRAIN: Duration = Duration::from_secs(5);

/// A running host.
pub struct Server {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    serving: JoinHandle<std::io::Result<()>>,
    state: Arc<AppState>,
    shutdown_grace: Duration,
    allocation: phonefleet_runtime::Allocation,
    _trackers: Vec<DeviceTracker>,
    _watcher: Option<PluginWatcher>,
}

impl Server {
    /// Where the API listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How script instances are allocated (pooled when a device limit sized a pool that could be
    /// reserved; see [`Config::allocation`]).
    pub fn allocation(&self) -> phonefleet_runtime::Allocation {
        self.allocation
    }

    /// Serves until the HTTP server stops by itself (it failed).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        (&mut self.serving)
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    /// A graceful stop (SIGTERM, Ctrl-C): no task starts any more, running tasks get
    /// `--shutdown-grace-secs` to finish and the rest fail as "host shutting down" (so none is
    /// found "interrupted" at the next start); then the API closes. Says what happened in the log.
    pub async fn stop(self) -> std::io::Result<()> {
        let grace = self.shutdown_grace;
        tracing::info!(
            "stopping: no task starts any more; running tasks get up to {grace:?} to finish"
        );
        let drained = self.state.tasks.drain(grace).await;
        if drained.stopped > 0 {
            tracing::warn!(
                "stopped {} of {} running task(s) that did not finish within {grace:?}: they failed as \"{}\"",
                drained.stopped,
                drained.waiting,
                crate::tasks::HOST_SHUTTING_DOWN
            );
        } else {
            tracing::info!("all {} running task(s) finished", drained.waiting);
        }
        self.state.tasks.leave_fleet().await;
        self.shutdown().await
    }

    /// Stops accepting requests and waits for open requests to end, at most [`HTTP_DRAIN`]: an
    /// event stream (`GET /api/v1/events`) never ends by itself and is cut then.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let Server {
            shutdown,
            mut serving,
            ..
        } = self;
        let _ = shutdown.send(());
        match tokio::time::timeout(HTTP_DRAIN, &mut serving).await {
            Ok(done) => done.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            Err(_) => {
                serving.abort();
                Ok(())
            }
        }
    }
}

/// Starts every part of the host and begins serving.
pub async fn start(config: Config) -> Result<Server, StartError> {
    let token = config.api_token.clone().filter(|t| !t.is_empty());
    if !config.bind.ip().is_loopback() && token.is_none() {
        return Err(StartError::PublicBind(config.bind));
    }
    let store = match &config.database_url {
        Some(url) => Store::connect(url, &config.data_dir).await?,
        None => Store::open(&config.data_dir).await?,
    };
    let node = config.node();
    let interrupted = crate::fleet::join(&store, &node, "interrupted: host restarted")
        .await?
        .len();
    if interrupted > 0 {
        tracing::warn!("{interrupted} task(s) were running when the host stopped; marked failed");
    }
    let mut sources = Vec::new();
    let mut trackers = Vec::new();
    for addr in &config.adb_servers {
        let adb = AdbServer::new(*addr);
        ensure_adb_server(&adb).await;
        let tracker = DeviceTracker::spawn(adb.clone());
        sources.push((adb, tracker.subscribe()));
        trackers.push(tracker);
    }
    if sources.is_empty() {
        return Err(StartError::NoAdbServer);
    }
    let events = Events::default();
    let runtime = Arc::new(Runtime::with_allocation(
        config.data_dir.join("compiled"),
        config.allocation(),
    )?);
    let allocation = runtime.allocation();
    let plugin_dir = config.plugin_dir.clone().map(|path| PluginDir {
        path,
        may_replace_builtins: config.plugins_replace_builtins,
    });
    let registry = Arc::new(Registry::load(runtime, BUILTINS, plugin_dir).await?);
    let watcher = watch_plugins(&registry, config.plugin_dir.as_deref(), events.clone())?;
    let scripts: Vec<String> = registry
        .all()
        .iter()
        .map(|s| format!("{} {}", s.plugin.meta().name, s.plugin.meta().version))
        .collect();
    let state = assemble(&config, store, registry, sources, events);
    tokio::spawn(publish_device_changes(
        state.phones.subscribe(),
        state.events.clone(),
    ));
    state.artifacts.prune().await;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.bind,
        source,
    })?;
    let (shutdown, stop) = oneshot::channel::<()>();
    let api_state = state.clone();
    let app = api::router(state);
    let serving = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop.await;
            })
            .await
    });
    tracing::info!(
        data_dir = %config.data_dir.display(),
        adb_servers = ?config.adb_servers,
        node = %node.name,
        database = if config.database_url.is_some() { "postgresql" } else { "sqlite" },
        plugin_dir = ?config.plugin_dir,
        allocation = ?allocation,
        scripts = %scripts.join(", "),
        "phonefleet listening on http://{addr}/api/v1"
    );
    Ok(Server {
        addr,
        shutdown,
        serving,
        state: api_state,
        shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        allocation,
        _trackers: trackers,
        _watcher: watcher,
    })
}

/// Wires the host's services — library, scheduler, tasks, accounts — onto a store, the loaded
/// scripts, and adb servers each with a live device table, and returns what the API serves.
/// `start` calls it with the real trackers; in-process tests with a device table of their own.
pub fn assemble(
    config: &Config,
    store: Store,
    registry: Arc<Registry>,
    sources: Vec<(AdbServer, watch::Receiver<Arc<Vec<DeviceInfo>>>)>,
    events: Events,
) -> Arc<AppState> {
    let fleet = Fleet::new(store.clone(), config.node());
    let library = Library::new(store.clone(), &config.data_dir, fleet.node());
    let phones = Phones::spawn(sources);
    let artifacts = Artifacts::new(
        &config.data_dir,
        Duration::from_secs(config.artifacts_max_age_hours * 3600),
        config.artifacts_max_mib << 20,
    );
    let file_roots = FileRoots::new(&config.file_roots, &config.data_dir);
    let scheduler = Scheduler::start(
        store.clone(),
        registry.clone(),
        SchedulerConfig {
            phones: phones.clone(),
            artifacts: artifacts.clone(),
            limits: config.limits(),
            device_limit: config.device_limit,
            offline_grace: Duration::from_secs(config.offline_grace_secs),
            events: events.clone(),
            materials: Arc::new(library.clone()),
            file_roots: file_roots.clone(),
            node: fleet.node().to_owned(),
        },
    );
    fleet.serve(scheduler.clone(), events.clone(), phones.subscribe());
    let tasks = Tasks::new(
        store.clone(),
        registry.clone(),
        phones.clone(),
        scheduler,
        events.clone(),
        artifacts.clone(),
        file_roots.clone(),
        config.default_app,
        fleet.clone(),
    );
    Arc::new(AppState {
        tasks,
        library,
        accounts: Accounts::new(store.clone()),
        groups: Groups::new(store),
        registry,
        thumbnails: Thumbnails::new(
            phones.clone(),
            Duration::from_millis(config.thumbnail_refresh_ms),
        ),
        phones,
        file_roots,
        artifacts,
        events,
        api_token: config.api_token.clone().filter(|t| !t.is_empty()),
        plan: config.license_plan,
        device_limit: config.device_limit,
    })
}

/// Hot reload: keeps the registry in step with the plugin directory and announces each change
/// as `script_loaded` / `script_rejected` / `script_removed` events.
fn watch_plugins(
    registry: &Arc<Registry>,
    dir: Option<&std::path::Path>,
    events: Events,
) -> Result<Option<PluginWatcher>, StartError> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let watch_err = |source| StartError::Watch {
        dir: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| watch_err(notify::Error::io(e)))?;
    registry
        .watch(move |change| {
            events.publish(match change {
                Reload::Loaded {
                    name,
                    version,
                    file,
                } => Event::ScriptLoaded {
                    name,
                    version,
                    file,
                },
                Reload::Rejected { file, reason } => Event::ScriptRejected { file, reason },
                Reload::Removed { name, file, .. } => Event::ScriptRemoved { name, file },
            })
        })
        .map_err(watch_err)
}

/// Publishes `device_online` / `device_offline` whenever a phone's state changes, and logs every
/// change of state (`unauthorized`, `no permissions`, … with what to do).
async fn publish_device_changes(mut phones: watch::Receiver<Arc<Vec<Phone>>>, events: Events) {
    let mut online = std::collections::BTreeSet::new();
    let mut states: std::collections::BTreeMap<String, String> = Default::default();
    loop {
        let table = phones.borrow_and_update().clone();
        for phone in table.iter().filter(|p| !p.is_online()) {
            let state = phone.state.as_str();
            // A phone that was online is logged below as going offline.
            if states.get(&phone.name).map(String::as_str) != Some(state)
                && !online.contains(&phone.name)
            {
                tracing::warn!(
                    phone = %phone.name,
                    "phone is {state}{}",
                    phone.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
                );
            }
        }
        states = table
            .iter()
            .map(|p| (p.name.clone(), p.state.as_str().to_owned()))
            .collect();
        let now: std::collections::BTreeSet<String> = table
            .iter()
            .filter(|p| p.is_online())
            .map(|p| p.name.clone())
            .collect();
        for serial in now.difference(&online) {
            tracing::info!(phone = %serial, "phone online");
            events.publish(Event::DeviceOnline {
                serial: serial.clone(),
            });
        }
        for serial in online.difference(&now) {
            tracing::warn!(phone = %serial, "phone offline");
            events.publish(Event::DeviceOffline {
                serial: serial.clone(),
            });
        }
        online = now;
        if phones.changed().await.is_err() {
            return;
        }
    }
}

/// Makes sure an adb server answers: starts one with `adb start-server` if it is local and
/// silent; when `adb` is not installed the host keeps serving and says so once.
async fn ensure_adb_server(adb: &AdbServer) {
    match adb.version().await {
        Ok(_) => return,
        Err(AdbError::ServerUnavailable { .. }) if adb.addr().ip().is_loopback() => {}
        Err(e) => {
            tracing::warn!("adb server at {} does not answer: {e}", adb.addr());
            return;
        }
    }
    let started = tokio::process::Command::new("adb")
        .args(["-P", &adb.addr().port().to_string(), "start-server"])
        .stdin(std::process::Stdio::null())
        .output()
        .await;
    match started {
        Ok(out) if out.status.success() => {
            tracing::info!("started an adb server on {}", adb.addr())
        }
        Ok(out) => tracing::warn!(
            "`adb start-server` failed: {}; phones will appear once an adb server runs on {}",
            String::from_utf8_lossy(&out.stderr).trim(),
            adb.addr()
        ),
        Err(e) => tracing::warn!(
            "no adb server on {} and `adb` cannot be run ({e}); install it (apt-get install adb) — serving without phones",
            adb.addr()
        ),
    }
}
