//! A script that misbehaves on request, for tests of the sandbox: `{"mode":"spin"}` busy-loops
//! in guest code, `{"mode":"sleep"}` waits in one endless host `sleep`, `{"mode":"panic"}` panics.

wit_bindgen::generate!({ path: "../../../wit", world: "script" });

use phonefleet::script::host;

struct Misbehave;

impl Guest for Misbehave {
    fn describe() -> ScriptInfo {
        ScriptInfo {
            name: "misbehave".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request: spins, sleeps forever or panics".into(),
            config_schema: r#"{"type":"object","properties":{"mode":{"enum":["spin","sleep","panic"]}},"required":["mode"],"additionalProperties":false}"#.into(),
        }
    }

    fn plan(config: String) -> Result<Vec<String>, String> {
        Ok(vec![config])
    }

    fn run(config: String) -> Result<String, ScriptError> {
        host::log(host::Level::Info, &format!("misbehaving with {config}"));
        if config.contains("panic") {
            panic!("misbehave was told to panic");
        }
        if config.contains("sleep") {
            host::sleep(u32::MAX);
            return Ok("{}".into());
        }
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

export!(Misbehave);
