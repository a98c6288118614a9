//! The server's one typed configuration: command-line flags, each also settable by an
//! environment variable (`PHONEFLEET_*`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::runtime::Limits;

/// `phonefleet serve` settings.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address the REST API listens on. Any non-loopback address requires --api-token.
    #[arg(long, env = "PHONEFLEET_BIND", default_value = "127.0.0.1:50809")]
    pub bind: SocketAddr,
    /// Where the SQLite database, compile cache and uploads live.
    #[arg(long, env = "PHONEFLEET_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The adb server to talk to; started with `adb start-server` when none answers.
    #[arg(long, env = "PHONEFLEET_ADB_SERVER", default_value = "127.0.0.1:5037")]
    pub adb_server: SocketAddr,
    /// A directory of extra script plugins (`*.wasm` components).
    #[arg(long, env = "PHONEFLEET_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,
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
    #[arg(long, env = "PHONEFLEET_LICENSE_PLAN", default_value = "pro", value_enum, ignore_case = true)]
    pub license_plan: Plan,
    /// Most phones running tasks at the same moment; 0 is unlimited.
    #[arg(long, env = "PHONEFLEET_DEVICE_LIMIT", default_value_t = 0)]
    pub device_limit: usize,
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
    /// Defaults for everything but the data directory, binding to a free loopback port.
    pub fn for_data_dir(data_dir: PathBuf) -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            adb_server: SocketAddr::from(([127, 0, 0, 1], 5037)),
            plugin_dir: None,
            run_timeout_secs: 1800,
            run_memory_mib: 64,
            api_token: None,
            license_plan: Plan::Pro,
            device_limit: 0,
        }
    }

    pub fn limits(&self) -> Limits {
        Limits { timeout: Duration::from_secs(self.run_timeout_secs), memory_bytes: self.run_memory_mib << 20 }
    }
}
