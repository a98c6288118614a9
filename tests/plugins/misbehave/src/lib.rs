//! A script that misbehaves on request, for tests of the sandbox. Each `mode` is one hostile
//! pattern the host must contain:
//! - `spin` busy-loops in guest code; `sleep` waits in one endless host `sleep`; `panic` panics;
//!   `hog` allocates until memory runs out; `grow` calls `memory.grow` until refused;
//!   `recurse` recurses until the stack overflows;
//! - `log-flood`, `progress-flood`, `stdout-flood` and `flood` (all three) report as fast as they
//!   can for `ms` milliseconds, lines of `bytes` bytes;
//! - `huge-result` returns, and `huge-error` fails with, `bytes` bytes of text;
//! - `hammer` calls the phone (`shell`, then a UI dump) in a tight loop for `ms` milliseconds and
//!   returns how many calls it made;
//! - `wait` sleeps `ms` then returns its own version; `push` pushes the host file `path` to the
//!   phone (its `media` directory is the task's only grant);
//! - `fetch` GETs `url` over the host's HTTP (its `origin` is the task's only granted origin; a
//!   `host_header` is sent as its Host header) and returns the status and body.

wit_bindgen::generate!({ path: "../../../wit", world: "script" });

use std::time::{Duration, Instant};

use phonefleet::script::{device, host, http, types, ui};
use serde_json::Value;

/// The `v2` feature builds the same script as version 0.2.0, for hot-reload tests.
const VERSION: &str = if cfg!(feature = "v2") {
    "0.2.0"
} else {
    "0.1.0"
};

const MODES: &[&str] = &[
    "spin",
    "sleep",
    "panic",
    "hog",
    "grow",
    "recurse",
    "log-flood",
    "progress-flood",
    "stdout-flood",
    "flood",
    "huge-result",
    "huge-error",
    "hammer",
    "wait",
    "push",
    "fetch",
];

struct Misbehave;

impl Guest for Misbehave {
    fn describe() -> ScriptInfo {
        let modes: Vec<String> = MODES.iter().map(|m| format!("\"{m}\"")).collect();
        ScriptInfo {
            name: "misbehave".into(),
            version: VERSION.into(),
            description: "misbehaves on request: every hostile pattern the sandbox must contain"
                .into(),
            config_schema: format!(
                r#"{{"type":"object","properties":{{"mode":{{"enum":[{}]}},"ms":{{"type":"integer","minimum":0}},"bytes":{{"type":"integer","minimum":0}},"media":{{"type":"string","x-host-path":"dir"}},"path":{{"type":"string"}},"origin":{{"type":"string","x-http-origin":true}},"url":{{"type":"string"}},"host_header":{{"type":"string"}}}},"required":["mode"],"additionalProperties":false}}"#,
                modes.join(",")
            ),
        }
    }

    fn plan(config: String) -> Result<Vec<String>, String> {
        Ok(vec![config])
    }

    fn run(config: String) -> Result<String, ScriptError> {
        host::log(
            host::Level::Info,
            &format!("misbehave {VERSION} running {config}"),
        );
        let config: Value =
            serde_json::from_str(&config).map_err(|e| ScriptError::InvalidConfig(e.to_string()))?;
        let number = |key: &str, default: u64| config[key].as_u64().unwrap_or(default);
        let ms = number("ms", 0);
        let bytes = usize::try_from(number("bytes", 1024)).unwrap_or(usize::MAX);
        let until = Instant::now() + Duration::from_millis(ms);
        match config["mode"].as_str().unwrap_or_default() {
            "push" => {
                let path = config["path"].as_str().unwrap_or_default();
                match device::push_file(path, "/sdcard/Download/pushed") {
                    Ok(bytes) => Ok(format!("{{\"pushed\":{bytes}}}")),
                    Err(e) => Err(ScriptError::Failed(format!("could not push {path}: {e:?}"))),
                }
            }
            "fetch" => {
                let url = config["url"].as_str().unwrap_or_default();
                let headers = config["host_header"]
                    .as_str()
                    .map(|host| http::Header {
                        name: "Host".into(),
                        value: host.into(),
                    })
                    .into_iter()
                    .collect();
                let request = http::Request {
                    method: "GET".into(),
                    url: url.into(),
                    headers,
                    body: Vec::new(),
                };
                match http::send(&request) {
                    Ok(r) => Ok(serde_json::json!({
                        "status": r.status,
                        "body": String::from_utf8_lossy(&r.body),
                    })
                    .to_string()),
                    Err(e) => Err(ScriptError::Failed(format!("could not fetch {url}: {e:?}"))),
                }
            }
            "panic" => panic!("misbehave was told to panic"),
            "sleep" => {
                host::sleep(u32::MAX);
                Ok("{}".into())
            }
            "hog" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "grow" => Ok(format!("{{\"pages\":{}}}", grow())),
            "recurse" => Ok(format!("{{\"depth\":{}}}", recurse(0))),
            "wait" => {
                host::sleep(u32::try_from(ms).unwrap_or(u32::MAX));
                Ok(format!("{{\"version\":\"{VERSION}\"}}"))
            }
            "log-flood" => Ok(flood(until, bytes, true, false, false)),
            "progress-flood" => Ok(flood(until, bytes, false, true, false)),
            "stdout-flood" => Ok(flood(until, bytes, false, false, true)),
            "flood" => Ok(flood(until, bytes, true, true, true)),
            "huge-result" => Ok(format!("\"{}\"", "r".repeat(bytes))),
            "huge-error" => Err(ScriptError::Failed("e".repeat(bytes))),
            "hammer" => Ok(hammer(until)),
            _ => spin(),
        }
    }
}

/// Reports as fast as it can until `until`; returns how many rounds it made.
fn flood(until: Instant, bytes: usize, log: bool, progress: bool, stdout: bool) -> String {
    let line = "x".repeat(bytes);
    let mut rounds: u64 = 0;
    // At least one round, however late the run started: a loaded machine may pass `until` before.
    loop {
        if log {
            host::log(host::Level::Info, &line);
        }
        if progress {
            host::progress((rounds % 100) as u8, &line);
        }
        if stdout {
            println!("{line}");
        }
        rounds += 1;
        if Instant::now() >= until {
            break;
        }
    }
    format!("{{\"rounds\":{rounds}}}")
}

/// Calls the phone in a tight loop until `until`: a shell command, then a UI dump.
fn hammer(until: Instant) -> String {
    let (mut shells, mut dumps) = (0u64, 0u64);
    let any = types::Selector {
        text: None,
        text_contains: None,
        text_regex: None,
        resource_id: None,
        description: None,
        description_contains: None,
        class_name: None,
        clickable: None,
        instance: None,
    };
    while Instant::now() < until {
        if device::shell("true").is_ok() {
            shells += 1;
        }
        if ui::find(&any).is_ok() {
            dumps += 1;
        }
    }
    format!("{{\"shells\":{shells},\"dumps\":{dumps}}}")
}

/// Grows linear memory a page at a time until the host refuses; returns the pages it got.
#[cfg(target_arch = "wasm32")]
fn grow() -> usize {
    let mut pages = 0;
    while core::arch::wasm32::memory_grow(0, 1) != usize::MAX {
        pages += 1;
    }
    pages
}

/// The plugin only means something as WebAssembly; a native build (`cargo test --workspace`) has
/// no linear memory to grow.
#[cfg(not(target_arch = "wasm32"))]
fn grow() -> usize {
    0
}

/// Recurses without end (the frame is kept alive by `black_box`): a stack overflow.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 16]);
    recurse(depth + 1) + frame[0]
}

/// Burns guest CPU forever; only epoch interruption can stop it.
#[inline(never)]
fn spin() -> ! {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

export!(Misbehave);
