//! A script built against an older revision of the world (`wit/` here, frozen), to prove the
//! host keeps loading and running plugins when it adds to the interface.

wit_bindgen::generate!({ path: "wit", world: "script" });

use phonefleet::script::{device, host};

struct Legacy;

impl Guest for Legacy {
    fn describe() -> ScriptInfo {
        ScriptInfo {
            name: "legacy".into(),
            version: "0.1.0".into(),
            description: "built against the world before materials and screenshot existed".into(),
            config_schema: r#"{"type":"object","additionalProperties":false}"#.into(),
        }
    }

    fn plan(config: String) -> Result<Vec<String>, String> {
        Ok(vec![config])
    }

    fn run(_config: String) -> Result<String, ScriptError> {
        host::log(host::Level::Info, "an old plugin still runs");
        // Importing the old, smaller `device` interface is the point: the host's grew since.
        let answered = match device::shell("true") {
            Ok(_) => "ok",
            Err(_) => "error",
        };
        host::progress(100, "done");
        Ok(format!(r#"{{"ran":true,"device":"{answered}"}}"#))
    }
}

export!(Legacy);
