//! hello: the phonefleet script template. It asks the phone for its model and greets someone from it.
//! Copy this crate to start a new script; docs/writing-a-script.md walks through every step.

use phonefleet_sdk::{Result, Script, device, host, info};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The config a task of this script receives. Its JSON Schema is what the server validates requests against.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who to greet.
    #[serde(default = "world")]
    pub name: String,
}

fn world() -> String {
    "world".to_string()
}

/// The script. `run` returns `{"greeting": "Hello world, from Pixel 7"}`.
pub struct Hello;

impl Script for Hello {
    type Config = Config;
    const NAME: &'static str = "hello";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Greets someone from the phone's model";

    fn run(config: Config) -> Result<serde_json::Value> {
        host::progress(50, "asking the phone for its model");
        let model = device::shell("getprop ro.product.model")?
            .stdout
            .trim()
            .to_string();
        info!("greeting {} from a {model}", config.name);
        Ok(serde_json::json!({ "greeting": format!("Hello {}, from {model}", config.name) }))
    }
}

phonefleet_sdk::export_script!(Hello);
