//! The benchmark probe: `run` reads the wall clock (WASI `wall-clock`) as its very first action and
//! returns it as `{"entered_ns": N}` (nanoseconds since the Unix epoch), so the dispatch benchmark can
//! time "task committed → plugin `run` entered" without adding host instrumentation. It does nothing
//! else, which also makes it the smallest possible run for the instantiation benchmark.

wit_bindgen::generate!({ path: "../../wit", world: "script" });

struct Probe;

impl Guest for Probe {
    fn describe() -> ScriptInfo {
        ScriptInfo {
            name: "bench-probe".into(),
            version: "0.1.0".into(),
            description: "benchmark probe: returns the time run was entered".into(),
            config_schema: r#"{"type":"object"}"#.into(),
        }
    }

    fn plan(config: String) -> Result<Vec<String>, String> {
        Ok(vec![config])
    }

    fn run(_config: String) -> Result<String, ScriptError> {
        let entered = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Ok(format!("{{\"entered_ns\":{entered}}}"))
    }
}

export!(Probe);
