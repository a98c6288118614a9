//! `vphone --count N`: starts N virtual phones on consecutive ports and `adb connect`s each through
//! the adb server (host protocol, no CLI), printing one `serial … connected` line per phone.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use vphone::{PhoneConfig, VPhone, adb_connect};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Virtual Android phones speaking the real ADB device protocol"
)]
struct Args {
    /// How many phones to start.
    #[arg(long, default_value_t = 1)]
    count: u16,
    /// Port of the first phone; the others follow. 0 picks free ports.
    #[arg(long, default_value_t = 25555)]
    port_base: u16,
    /// The adb server to connect the phones to.
    #[arg(long, default_value = "127.0.0.1:5037", env = "VPHONE_ADB_SERVER")]
    adb_server: SocketAddr,
    /// Signed-in TikTok accounts, comma-separated ('@' optional).
    #[arg(long, value_delimiter = ',', default_value = "vphone_user")]
    accounts: Vec<String>,
    /// Users that do not exist, comma-separated.
    #[arg(long, value_delimiter = ',')]
    missing_users: Vec<String>,
    /// Users who follow the accounts back, comma-separated.
    #[arg(long, value_delimiter = ',')]
    followers_of_me: Vec<String>,
    /// ro.product.model.
    #[arg(long, default_value = "VPhone")]
    model: String,
    /// Milliseconds added to every shell command.
    #[arg(long, default_value_t = 0)]
    command_delay_ms: u64,
    /// Milliseconds added to every `uiautomator dump`.
    #[arg(long, default_value_t = 0)]
    dump_delay_ms: u64,
    /// Milliseconds a post's upload takes (its "NN%" progress shows meanwhile).
    #[arg(long, default_value_t = 1000)]
    upload_duration_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    let config = PhoneConfig {
        model: args.model.clone(),
        accounts: args.accounts.clone(),
        missing_users: args.missing_users.clone(),
        followers_of_me: args.followers_of_me.clone(),
        command_delay: Duration::from_millis(args.command_delay_ms),
        dump_delay: Duration::from_millis(args.dump_delay_ms),
        upload_duration: Duration::from_millis(args.upload_duration_ms),
        ..PhoneConfig::default()
    };
    let mut phones = Vec::new();
    for i in 0..args.count {
        let port = match args.port_base {
            0 => 0,
            base => base.checked_add(i).context("port range runs past 65535")?,
        };
        let phone = VPhone::start_on(port, config.clone())
            .await
            .with_context(|| format!("starting a phone on port {port}"))?;
        let message = adb_connect(args.adb_server, &phone.serial())
            .await
            .with_context(|| format!("adb connect {} via {}", phone.serial(), args.adb_server))?;
        tracing::debug!(%message, "adb answered");
        println!("serial {} connected", phone.serial());
        phones.push(phone);
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    for phone in phones {
        phone.shutdown().await;
    }
    Ok(())
}
