//! `vphone --count N`: starts N virtual phones on consecutive ports and `adb connect`s each through
//! the adb server (host protocol, no CLI), printing one `serial … connected` line per phone.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use vphone::{
    DumpFault, InstagramConfig, Keyboard, Lock, PhoneConfig, Popups, Screen, System, VPhone,
    adb_connect,
};

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
    /// Give `uiautomator dump`, `input` and `am start` a real phone's latencies (1.5 s, 0.3 s,
    /// 0.5 s).
    #[arg(long)]
    real_latencies: bool,
    /// Milliseconds a reboot keeps the phone away before adbd listens again.
    #[arg(long, default_value_t = 2000)]
    boot_time_ms: u64,
    /// Screen size as WxH or WxH@DPI (720x1600, 1080x2400, 1440x3200).
    #[arg(long, default_value = "1080x2400@420", value_parser = parse_screen)]
    screen: Screen,
    /// Android SDK level (23 is Android 6: no shell protocol v2, CR LF output).
    #[arg(long, default_value_t = 30)]
    sdk: u32,
    /// Start with the screen off.
    #[arg(long)]
    asleep: bool,
    /// Keyguard: none, swipe or pin.
    #[arg(long, default_value = "none", value_parser = parse_lock)]
    lock: Lock,
    /// ADBKeyboard: enabled, disabled (installed, `ime enable` needed) or missing.
    #[arg(long, default_value = "enabled", value_parser = parse_keyboard)]
    adb_keyboard: Keyboard,
    /// `input` refuses injected events, as MIUI does without "USB debugging (Security settings)".
    #[arg(long)]
    inject_refused: bool,
    /// TikTok is not installed.
    #[arg(long)]
    no_tiktok: bool,
    /// Instagram is installed, signed in as `vphone_ig`.
    #[arg(long)]
    instagram: bool,
    /// `ro.serialno` (several phones may share one, as cheap handsets do).
    #[arg(long)]
    serialno: Option<String>,
    /// The feed's video never lets the screen go idle: dumps of it fail after the idle wait.
    #[arg(long)]
    never_idle_feed: bool,
    /// Successful follows before the app rate-limits (its notice in --rate-limit-text).
    #[arg(long)]
    rate_limit_after: Option<usize>,
    /// The rate-limit notice's wording.
    #[arg(long)]
    rate_limit_text: Option<String>,
    /// Successful follows before a captcha (its wording in --captcha-text).
    #[arg(long)]
    captcha_after: Option<usize>,
    /// The captcha's wording.
    #[arg(long)]
    captcha_text: Option<String>,
    /// Successful follows before a follow shows "Following" and turns back a second later.
    #[arg(long)]
    follow_reverts_after: Option<usize>,
    /// The first dump after every tap fails: null-root, idle-timeout or already-registered.
    #[arg(long, value_parser = parse_dump_fault)]
    dump_fault_after_tap: Option<DumpFault>,
    /// How long uiautomator waits for an idle screen, in ms (10 s on real phones).
    #[arg(long, default_value_t = 10_000)]
    idle_wait_ms: u64,
    /// Every this many seconds each phone's process dies (a network or cloud phone blinking
    /// offline) for --offline-for-ms, then comes back on the same port.
    #[arg(long)]
    offline_every_secs: Option<u64>,
    /// How long each blink lasts, in ms.
    #[arg(long, default_value_t = 3_000)]
    offline_for_ms: u64,
    /// Show "Turn on notifications?" when the app first comes to the front.
    #[arg(long)]
    notifications_prompt: bool,
    /// Comments allowed before every further one is refused as too fast.
    #[arg(long)]
    comments_allowed: Option<usize>,
    /// Posts (TikTok video ids or Instagram codes, comma-separated) whose comments are off.
    #[arg(long, value_delimiter = ',')]
    comments_off: Vec<String>,
    /// Posts (TikTok video ids or Instagram codes, comma-separated) that were deleted.
    #[arg(long, value_delimiter = ',')]
    deleted_posts: Vec<String>,
}

fn parse_screen(text: &str) -> Result<Screen, String> {
    Screen::parse(text).ok_or_else(|| format!("{text:?}: expected WxH or WxH@DPI"))
}

fn parse_lock(text: &str) -> Result<Lock, String> {
    match text {
        "none" => Ok(Lock::None),
        "swipe" => Ok(Lock::Swipe),
        "pin" => Ok(Lock::Pin),
        other => Err(format!("{other:?}: expected none, swipe or pin")),
    }
}

fn parse_dump_fault(text: &str) -> Result<DumpFault, String> {
    DumpFault::parse(text)
        .ok_or_else(|| format!("{text:?}: expected null-root, idle-timeout or already-registered"))
}

fn parse_keyboard(text: &str) -> Result<Keyboard, String> {
    match text {
        "enabled" => Ok(Keyboard::Enabled),
        "disabled" => Ok(Keyboard::Disabled),
        "missing" => Ok(Keyboard::Missing),
        other => Err(format!("{other:?}: expected enabled, disabled or missing")),
    }
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
        following: Vec::new(),
        social: vphone::SocialConfig {
            comments_allowed: args.comments_allowed,
            comments_off: args.comments_off.clone(),
            deleted: args.deleted_posts.clone(),
            comments: Vec::new(),
        },
        missing_users: args.missing_users.clone(),
        followers_of_me: args.followers_of_me.clone(),
        command_delay: Duration::from_millis(args.command_delay_ms),
        dump_delay: Duration::from_millis(args.dump_delay_ms),
        upload_duration: Duration::from_millis(args.upload_duration_ms),
        boot_time: Duration::from_millis(args.boot_time_ms),
        latencies: if args.real_latencies {
            vphone::Latencies::REAL_PHONE
        } else {
            vphone::Latencies::default()
        },
        popups: Popups {
            notifications_prompt: args.notifications_prompt,
            rate_limit_after: args.rate_limit_after,
            rate_limit_text: args.rate_limit_text.clone(),
            captcha_after: args.captcha_after,
            captcha_text: args.captcha_text.clone(),
            follow_reverts_after: args.follow_reverts_after,
            ..Popups::default()
        },
        system: System {
            sdk: args.sdk,
            screen: args.screen,
            lock: args.lock,
            asleep: args.asleep,
            inject_refused: args.inject_refused,
            keyboard: args.adb_keyboard,
            tiktok_installed: !args.no_tiktok,
            serialno: args.serialno.clone(),
            never_idle_feed: args.never_idle_feed,
            idle_wait: Duration::from_millis(args.idle_wait_ms),
            dump_fault_after_tap: args.dump_fault_after_tap,
        },
        instagram: args.instagram.then(InstagramConfig::default),
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
    let blinking = args.offline_every_secs.map(|every| {
        let (every, away) = (
            Duration::from_secs(every),
            Duration::from_millis(args.offline_for_ms),
        );
        phones
            .drain(..)
            .map(|phone| tokio::spawn(blink(phone, every, away)))
            .collect::<Vec<_>>()
    });
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    for phone in phones {
        phone.shutdown().await;
    }
    for task in blinking.into_iter().flatten() {
        task.abort();
    }
    Ok(())
}

/// Takes the phone away for `away` every `every`, until the process ends.
async fn blink(mut phone: VPhone, every: Duration, away: Duration) {
    loop {
        tokio::time::sleep(every).await;
        tracing::info!(serial = %phone.serial(), "going offline");
        phone.go_offline().await;
        tokio::time::sleep(away).await;
        if let Err(e) = phone.come_back().await {
            tracing::warn!(serial = %phone.serial(), "cannot come back: {e}");
            return;
        }
        tracing::info!(serial = %phone.serial(), "back");
    }
}
