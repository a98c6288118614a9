//! The server's one typed configuration: command-line flags, each also settable by an
//! environment variable (`PHONEFLEET_*`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use phonefleet_runtime::Limits;

use crate::apps::App;

/// `phonefleet serve` settings.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address the REST API listens on. Any non-loopback address requires --api-token.
    #[arg(long, env = "PHONEFLEET_BIND", default_value = "127.0.0.1:50809")]
    pub bind: SocketAddr,
    /// Where the SQLite database, compile cache and uploads live.
    #[arg(long, env = "PHONEFLEET_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL database to keep tasks, accounts, groups and the library's rows in instead of
    /// SQLite in the data directory (`postgres://user:password@host:port/database`): every host of
    /// a fleet names the same one. See docs/fleet.md.
    #[arg(long, env = "PHONEFLEET_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// This host's name in its fleet: stable across restarts, unique among the hosts sharing a
    /// database. Default: the machine's hostname.
    #[arg(long, env = "PHONEFLEET_NODE_NAME")]
    pub node_name: Option<String>,
    /// Seconds a host of a fleet counts as alive without renewing its lease; once past it, another
    /// host fails its running tasks ("interrupted: host NAME lost"). It renews every third of it.
    #[arg(long, env = "PHONEFLEET_NODE_LEASE_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub node_lease_secs: u64,
    /// The adb servers to talk to, comma-separated or the option repeated; a local one is started
    /// with `adb start-server` when none answers. One adb server holds up to ~900 phones (see
    /// docs/fleet.md); give several to drive more from one host.
    #[arg(
        long = "adb-server",
        env = "PHONEFLEET_ADB_SERVER",
        value_delimiter = ',',
        num_args = 1..,
        default_value = "127.0.0.1:5037"
    )]
    pub adb_servers: Vec<SocketAddr>,
    /// A directory of extra script plugins (`*.wasm` components).
    #[arg(long, env = "PHONEFLEET_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// The app of a task neither its account nor its `script_config.app` names: `tiktok`, or
    /// `instagram` to serve IgMatrix clients, whose requests name no app.
    #[arg(long, env = "PHONEFLEET_DEFAULT_APP", value_enum, default_value_t = App::Tiktok)]
    pub default_app: App,
    /// Let a plugin serve the name of a built-in script (`follow`, `post`) in its place; without
    /// it such a plugin is refused, so a stray file cannot silently replace a shipped script.
    #[arg(long, env = "PHONEFLEET_PLUGINS_REPLACE_BUILTINS")]
    pub plugins_replace_builtins: bool,
    /// Wall-clock limit of one task run, in seconds.
    #[arg(long, env = "PHONEFLEET_RUN_TIMEOUT_SECS", default_value_t = 1800)]
    pub run_timeout_secs: u64,
    /// Memory limit of one task run, in MiB.
    #[arg(long, env = "PHONEFLEET_RUN_MEMORY_MIB", default_value_t = 64)]
    pub run_memory_mib: usize,
    /// Bearer token every request must carry (`Authorization: Bearer TOKEN`).
    #[arg(long, env = "PHONEFLEET_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// License plan: Starter has no API access; Pro, Team and Business do.
    #[arg(
        long,
        env = "PHONEFLEET_LICENSE_PLAN",
        default_value = "pro",
        value_enum,
        ignore_case = true
    )]
    pub license_plan: Plan,
    /// Most phones running tasks at the same moment; 0 is unlimited. A limit also reserves that
    /// many script instances up front (wasmtime's pooling allocator: a run's instantiation reuses a
    /// slot instead of mapping fresh memory); without one, instances are allocated per run.
    #[arg(long, env = "PHONEFLEET_DEVICE_LIMIT", default_value_t = 0)]
    pub device_limit: usize,
    /// Seconds a running task's phone may be away (a USB blip, an adb server restart) before the
    /// task fails as "device offline".
    #[arg(long, env = "PHONEFLEET_OFFLINE_GRACE_SECS", default_value_t = 10)]
    pub offline_grace_secs: u64,
    /// Seconds running tasks get to finish when the host is asked to stop (SIGTERM, Ctrl-C); those
    /// still running then fail as "host shutting down". Keep it below the supervisor's own limit
    /// (`docker stop` kills after 10 s unless given `-t`; systemd after 90 s).
    #[arg(long, env = "PHONEFLEET_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
    /// Milliseconds between two captures of a phone's dashboard thumbnail while someone looks at it.
    #[arg(long, env = "PHONEFLEET_THUMBNAIL_REFRESH_MS", default_value_t = 2000)]
    pub thumbnail_refresh_ms: u64,
    /// Hours a failed task's evidence (last screenshot, UI dump, command log) is kept.
    #[arg(
        long,
        env = "PHONEFLEET_ARTIFACTS_MAX_AGE_HOURS",
        default_value_t = 168
    )]
    pub artifacts_max_age_hours: u64,
    /// MiB all failed tasks' evidence may take together; the oldest goes first.
    #[arg(long, env = "PHONEFLEET_ARTIFACTS_MAX_MIB", default_value_t = 512)]
    pub artifacts_max_mib: u64,
    /// Limits of one script, overriding the defaults: `NAME:timeout=SECS,memory=MIB` (repeatable;
    /// separate several with ';' in the environment variable).
    #[arg(
        long = "script-limit",
        env = "PHONEFLEET_SCRIPT_LIMITS",
        value_delimiter = ';'
    )]
    pub script_limits: Vec<ScriptLimit>,
    /// A directory tasks may name files in (`material_list`, `material_path`); repeat the option
    /// for several (the environment variable names one). None given: the directory the server
    /// was started in (where TikMatrix clients' relative paths such as `C:/Videos/video1.mp4`
    /// land; not when that is `/`) and the data dir.
    #[arg(long = "file-root", env = "PHONEFLEET_FILE_ROOT")]
    pub file_roots: Vec<PathBuf>,
}

/// One script's own limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptLimit {
    pub script: String,
    pub timeout_secs: Option<u64>,
    pub memory_mib: Option<usize>,
}

impl std::str::FromStr for ScriptLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<ScriptLimit, String> {
        let usage =
            || format!("{text:?}: expected NAME:timeout=SECS,memory=MIB (either part optional)");
        let (script, settings) = text.split_once(':').ok_or_else(usage)?;
        let mut limit = ScriptLimit {
            script: script.trim().to_string(),
            timeout_secs: None,
            memory_mib: None,
        };
        for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match setting.split_once('=') {
                Some(("timeout", v)) => {
                    limit.timeout_secs = Some(v.trim().parse().map_err(|_| usage())?)
                }
                Some(("memory", v)) => {
                    limit.memory_mib = Some(v.trim().parse().map_err(|_| usage())?)
                }
                _ => return Err(usage()),
            }
        }
        if limit.script.is_empty() {
            Err(usage())
        } else {
            Ok(limit)
        }
    }
}

/// The operator's license plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Plan {
    Starter,
    Pro,
    Team,
    Business,
}

impl Plan {
    pub fn api_enabled(self) -> bool {
        self != Plan::Starter
    }

    pub fn name(self) -> &'static str {
        match self {
            Plan::Starter => "Starter",
            Plan::Pro => "Pro",
            Plan::Team => "Team",
            Plan::Business => "Business",
        }
    }
}

impl Config {
    /// How script instances are allocated: pooled for `device_limit` runs plus the describe and
    /// plan calls beside them when there is a limit, on demand when there is none (an unlimited
    /// fleet cannot be sized in advance, and a pool cannot grow).
    pub fn allocation(&self) -> phonefleet_runtime::Allocation {
        match u32::try_from(self.device_limit) {
            Ok(0) | Err(_) => phonefleet_runtime::Allocation::OnDemand,
            Ok(runs) => phonefleet_runtime::Allocation::Pooling {
                concurrent: runs.saturating_add(phonefleet_runtime::CALL_SLOTS),
                // A slot holds the largest memory any script may have (`--script-limit`s too).
                max_memory_bytes: self
                    .script_limits
                    .iter()
                    .filter_map(|l| l.memory_mib)
                    .fold(self.run_memory_mib, usize::max)
                    << 20,
            },
        }
    }

    /// This host as a node of its fleet: `--node-name` (else the hostname) and its lease.
    pub fn node(&self) -> crate::fleet::NodeConfig {
        let name = self
            .node_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|h| h.trim().to_owned())
                    .ok()
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| "phonefleet".to_owned())
            });
        crate::fleet::NodeConfig {
            name,
            lease: Duration::from_secs(self.node_lease_secs),
        }
    }

    /// Defaults for everything but the data directory, binding to a free loopback port.
    pub fn for_data_dir(data_dir: PathBuf) -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: None,
            node_name: None,
            node_lease_secs: 15,
            adb_servers: vec![SocketAddr::from(([127, 0, 0, 1], 5037))],
            plugin_dir: None,
            plugins_replace_builtins: false,
            default_app: App::Tiktok,
            run_timeout_secs: 1800,
            run_memory_mib: 64,
            api_token: None,
            license_plan: Plan::Pro,
            device_limit: 0,
            offline_grace_secs: 10,
            shutdown_grace_secs: 30,
            thumbnail_refresh_ms: 2000,
            artifacts_max_age_hours: 168,
            artifacts_max_mib: 512,
            script_limits: Vec::new(),
            file_roots: Vec::new(),
        }
    }

    /// Each script's limits: the defaults, overridden by `--script-limit`.
    pub fn limits(&self) -> ScriptLimits {
        let default = Limits {
            timeout: Duration::from_secs(self.run_timeout_secs),
            memory_bytes: self.run_memory_mib << 20,
        };
        let by_script = self
            .script_limits
            .iter()
            .map(|l| {
                let limits = Limits {
                    timeout: l.timeout_secs.map_or(default.timeout, Duration::from_secs),
                    memory_bytes: l.memory_mib.map_or(default.memory_bytes, |m| m << 20),
                };
                (l.script.clone(), limits)
            })
            .collect();
        ScriptLimits { default, by_script }
    }
}

/// Run limits by script name, with a default for the rest.
#[derive(Clone, Debug)]
pub struct ScriptLimits {
    pub default: Limits,
    pub by_script: std::collections::HashMap<String, Limits>,
}

impl ScriptLimits {
    pub fn of(&self, script: &str) -> Limits {
        self.by_script.get(script).copied().unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_limit_pools_that_many_runs_and_the_calls_beside_them() {
        let mut config = Config::for_data_dir("d".into());
        assert_eq!(
            config.allocation(),
            phonefleet_runtime::Allocation::OnDemand
        );
        config.device_limit = 1000;
        assert_eq!(
            config.allocation(),
            phonefleet_runtime::Allocation::Pooling {
                concurrent: 1000 + phonefleet_runtime::CALL_SLOTS,
                max_memory_bytes: 64 << 20,
            }
        );
        config.script_limits = vec!["post:memory=256".parse().unwrap()];
        let phonefleet_runtime::Allocation::Pooling {
            max_memory_bytes, ..
        } = config.allocation()
        else {
            panic!("not pooled");
        };
        assert_eq!(
            max_memory_bytes,
            256 << 20,
            "a slot holds the largest script memory"
        );
    }

    #[test]
    fn a_script_limit_names_the_script_and_either_limit() {
        let limit: ScriptLimit = "post:timeout=3600,memory=256".parse().unwrap();
        assert_eq!(
            limit,
            ScriptLimit {
                script: "post".into(),
                timeout_secs: Some(3600),
                memory_mib: Some(256)
            }
        );
        let only_memory: ScriptLimit = "follow:memory=32".parse().unwrap();
        assert_eq!(only_memory.timeout_secs, None);
        assert!("follow".parse::<ScriptLimit>().is_err());
        assert!("follow:speed=9".parse::<ScriptLimit>().is_err());
    }

    #[test]
    fn unnamed_scripts_get_the_default_limits() {
        let mut config = Config::for_data_dir("d".into());
        config.script_limits = vec!["post:timeout=60".parse().unwrap()];
        let limits = config.limits();
        assert_eq!(limits.of("post").timeout, Duration::from_secs(60));
        assert_eq!(limits.of("post").memory_bytes, 64 << 20);
        assert_eq!(limits.of("follow").timeout, Duration::from_secs(1800));
    }
}
