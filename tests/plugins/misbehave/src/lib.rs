//! A script that misbehaves on request, for tests of the sandbox: `{"mode":"spin"}` busy-loops
//! in guest code, `"sleep"` waits in one endless host `sleep`, `"panic"` panics, `"hog"` allocates
//! until memory runs out, `"wait"` sleeps `ms` then returns its own version, `"push"` pushes the
//! host file `path` to the phone (its `media` directory is the task's only grant).

wit_bindgen::generate!({ path: "../../../wit", world: "script" });

use phonefleet::script::{device, host};
use serde_json::Value;

/// The `v2` feature builds the same script as version 0.2.0, for hot-reload tests.
const VERSION: &str = if cfg!(feature = "v2") {
    "0.2.0"
} else {
    "0.1.0"
};

struct Misbehave;

impl Guest for Misbehave {
    fn describe() -> ScriptInfo {
        ScriptInfo {
            name: "misbehave".into(),
            version: VERSION.into(),
            description: "misbehaves on request: spins, sleeps forever, panics, hogs memory".into(),
            config_schema: r#"{"type":"object","properties":{"mode":{"enum":["spin","sleep","panic","hog","wait","push"]},"ms":{"type":"integer","minimum":0},"media":{"type":"string","x-host-path":"dir"},"path":{"type":"string"}},"required":["mode"],"additionalProperties":false}"#.into(),
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
        let mode = |m: &str| config["mode"] == m;
        if mode("push") {
            let path = config["path"].as_str().unwrap_or_default();
            return match device::push_file(path, "/sdcard/Download/pushed") {
                Ok(bytes) => Ok(format!("{{\"pushed\":{bytes}}}")),
                Err(e) => Err(ScriptError::Failed(format!("could not push {path}: {e:?}"))),
            };
        }
        if mode("panic") {
            panic!("misbehave was told to panic");
        }
        if mode("sleep") {
            host::sleep(u32::MAX);
        }
        if mode("hog") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        if mode("wait") {
            let ms = config["ms"].as_u64().and_then(|ms| u32::try_from(ms).ok());
            host::sleep(ms.unwrap_or(0));
            return Ok(format!("{{\"version\":\"{VERSION}\"}}"));
        }
        spin()
    }
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
