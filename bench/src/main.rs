//! `phonefleet-bench`: measures phonefleet's hot paths, each against a baseline measured in the same
//! run, and rewrites BENCHMARKS.md. `--smoke` runs tiny sizes and writes nothing (CI runs it so the
//! benchmarks cannot rot); `--only 1,4` runs some figures; `--out FILE` writes elsewhere.
//! Benchmarks are not tests: nothing here fails on a slow figure.

mod env;
mod figures;
mod fleet;
mod flood;
mod wall;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Figure {
    pub id: u8,
    pub name: String,
    pub measured: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    /// None: not measured (the notes say why).
    pub pass: Option<bool>,
    pub notes: Vec<String>,
}

impl Figure {
    pub fn new(id: u8, name: &str, target: &str) -> Figure {
        Figure {
            id,
            name: name.into(),
            measured: "—".into(),
            baseline: "—".into(),
            ratio: "—".into(),
            target: target.into(),
            pass: None,
            notes: Vec::new(),
        }
    }
}

/// Sizes of one run.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub smoke: bool,
    /// Figure 1: requests of `f1_serials` serials each, from `f1_clients` concurrent clients.
    pub f1_requests: usize,
    pub f1_serials: usize,
    pub f1_clients: usize,
    /// Figure 2: idle phones, and samples.
    pub f2_phones: usize,
    pub f2_samples: usize,
    /// Figure 3: runs per allocator; cold/warm loads.
    pub f3_runs: usize,
    pub f3_loads: usize,
    /// Figure 4: round trips with our client, the CLI and adbutils.
    pub f4_ours: usize,
    pub f4_cli: usize,
    pub f4_py: usize,
    /// Figure 5: phones driven at once.
    pub f5_phones: usize,
    /// Figure 6: dump nodes, iterations.
    pub f6_nodes: usize,
    pub f6_iters: usize,
    /// Figure 7: stored tasks, queries per filter.
    pub f7_rows: usize,
    pub f7_queries: usize,
    /// Figure 8: how long the flood lasts (ms), and well-behaved tasks run before it.
    pub f8_flood_ms: u64,
    pub f8_tasks: usize,
    /// Figure 9: phones on the wall, seconds watched, real-size screenshots downscaled.
    pub f9_phones: usize,
    pub f9_window_secs: u64,
    pub f9_decodes: usize,
    /// Figure 10: phones under group control (a leader and followers), taps.
    pub f10_phones: usize,
    pub f10_taps: usize,
    /// Figure 11: requests of `f11_serials` serials from `f11_clients` clients; dispatch samples;
    /// the nodes' lease in seconds.
    pub f11_requests: usize,
    pub f11_serials: usize,
    pub f11_clients: usize,
    pub f11_samples: usize,
    pub f11_lease_secs: u64,
}

impl Sizes {
    fn full() -> Sizes {
        Sizes {
            smoke: false,
            f1_requests: 400,
            f1_serials: 100,
            f1_clients: 4,
            f2_phones: 200,
            f2_samples: 400,
            f3_runs: 3000,
            f3_loads: 3,
            f4_ours: 3000,
            f4_cli: 100,
            f4_py: 1000,
            f5_phones: 1000,
            f6_nodes: 2000,
            f6_iters: 2000,
            f7_rows: 1_000_000,
            f7_queries: 100,
            f8_flood_ms: 60_000,
            f8_tasks: 10,
            f9_phones: 50,
            f9_window_secs: 20,
            f9_decodes: 20,
            f10_phones: 10,
            f10_taps: 50,
            f11_requests: 400,
            f11_serials: 100,
            f11_clients: 6,
            f11_samples: 200,
            f11_lease_secs: 15,
        }
    }

    fn smoke() -> Sizes {
        Sizes {
            smoke: true,
            f1_requests: 6,
            f1_serials: 3,
            f1_clients: 2,
            f2_phones: 3,
            f2_samples: 5,
            f3_runs: 20,
            f3_loads: 1,
            f4_ours: 20,
            f4_cli: 3,
            f4_py: 10,
            f5_phones: 2,
            f6_nodes: 2000,
            f6_iters: 10,
            f7_rows: 5_000,
            f7_queries: 5,
            f8_flood_ms: 2_000,
            f8_tasks: 2,
            f9_phones: 2,
            f9_window_secs: 2,
            f9_decodes: 1,
            f10_phones: 3,
            f10_taps: 3,
            f11_requests: 6,
            f11_serials: 3,
            f11_clients: 3,
            f11_samples: 5,
            f11_lease_secs: 2,
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__phones") {
        let count: usize = args.get(1).context("count")?.parse()?;
        let adb = args.get(2).context("adb address")?.parse()?;
        let real = args.get(3).is_some_and(|a| a == "real");
        return tokio::runtime::Runtime::new()?.block_on(env::serve_phones(count, adb, real));
    }
    if args.first().map(String::as_str) == Some("__node") {
        return tokio::runtime::Runtime::new()?.block_on(fleet::serve_node(args[1..].to_vec()));
    }
    let mut smoke = false;
    let mut only: Option<Vec<u8>> = None;
    let mut out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../BENCHMARKS.md"));
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--smoke" => smoke = true,
            "--only" => {
                only = Some(
                    it.next()
                        .context("--only 1,2,...")?
                        .split(',')
                        .map(|s| s.trim().parse())
                        .collect::<Result<_, _>>()?,
                )
            }
            "--out" => out = PathBuf::from(it.next().context("--out FILE")?),
            "-h" | "--help" => {
                println!("phonefleet-bench [--smoke] [--only 1,2,..] [--out BENCHMARKS.md]");
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other:?} (try --help)"),
        }
    }
    raise_fd_limit();
    let sizes = if smoke { Sizes::smoke() } else { Sizes::full() };
    let started = Instant::now();
    let figures = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(figures::run_all(sizes, only.as_deref()))?;
    let elapsed = started.elapsed();
    let report = render(&figures, sizes, elapsed);
    println!("{report}");
    if smoke {
        println!("(smoke mode: {} not written)", out.display());
    } else if only.is_some() {
        let partial = out.with_extension("partial.md");
        std::fs::write(&partial, &report)?;
        println!(
            "(--only: wrote {} instead of {})",
            partial.display(),
            out.display()
        );
    } else {
        std::fs::write(&out, &report)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// Raises the soft open-files limit to the hard limit: 500 phones through one adb server need
/// thousands of sockets (the adb server started from here inherits it).
fn raise_fd_limit() {
    let Ok(out) = std::process::Command::new("sh")
        .args(["-c", "ulimit -Hn"])
        .output()
    else {
        return;
    };
    let hard = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let hard: u64 = if hard == "unlimited" {
        1 << 20
    } else {
        hard.parse().unwrap_or(0)
    };
    // No libc dependency: use prlimit(1) on ourselves when it exists; otherwise keep the limit.
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("prlimit")
        .args(["--pid", &pid, &format!("--nofile={hard}:{hard}")])
        .stderr(std::process::Stdio::null())
        .status();
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kib| format!("{:.0} GiB RAM", kib as f64 / 1048576.0))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{model}, {cores} cores, {mem}, Linux {}", kernel.trim())
}

fn render(figures: &[figures::Result], sizes: Sizes, elapsed: Duration) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmarks\n");
    let _ = writeln!(
        s,
        "Written by `cargo run --release -p phonefleet-bench` (see the README). Each figure is measured \
         with its baseline in the same run, so ratios stay meaningful on a noisy machine. Benchmarks are \
         not tests: nothing fails on a slow figure.\n"
    );
    let _ = writeln!(s, "- Machine: {}", machine());
    let _ = writeln!(
        s,
        "- Date: {}",
        chrono::Local::now().format("%Y-%m-%d %H:%M %Z")
    );
    let _ = writeln!(
        s,
        "- Mode: {}; the whole run took {:.0} s\n",
        if sizes.smoke {
            "smoke (tiny sizes)"
        } else {
            "full"
        },
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        s,
        "| # | figure | measured | baseline | ratio | target | pass |"
    );
    let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- | --- |");
    for r in figures {
        let f = &r.figure;
        let pass = match f.pass {
            Some(true) => "pass",
            Some(false) => "**fail**",
            None => "not measured",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.id, f.name, f.measured, f.baseline, f.ratio, f.target, pass
        );
    }
    let _ = writeln!(s, "\n## Notes per figure\n");
    for r in figures {
        let f = &r.figure;
        let _ = writeln!(s, "### {}. {}\n", f.id, f.name);
        for n in &f.notes {
            let _ = writeln!(s, "- {n}");
        }
        let _ = writeln!(s);
    }
    let history = include_str!("../HISTORY.md");
    s.push_str(history);
    s
}
