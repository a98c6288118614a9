//! Native tests of the account_warmup config: TikMatrix's documented fields and defaults, the
//! seed filled in by the plan, the secret and the granted origin of the model's settings.

use phonefleet_account_warmup::{Warmup, WarmupConfig};
use serde_json::{Value, json};

fn schema() -> Value {
    phonefleet_sdk::config_schema::<WarmupConfig>()
}

fn plan(v: Value) -> Result<Vec<Value>, String> {
    phonefleet_sdk::plan_json::<Warmup>(&v)
}

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/account_warmup.json"
    );
    if let Err(stale) =
        phonefleet_sdk::check_schema_file(path.as_ref(), &schema(), "phonefleet-account-warmup")
    {
        panic!("{stale}");
    }
}

#[test]
fn tikmatrix_fields_and_defaults_are_the_contract() {
    let tasks = plan(json!({})).expect("an empty config is a session of defaults");
    let t = &tasks[0];
    assert_eq!(
        (&t["task_duration"], &t["min_duration"], &t["max_duration"]),
        (&json!(600), &json!(15), &json!(30))
    );
    for key in [
        "like_probable",
        "floow_probable",
        "collect_probable",
        "comment_probable",
    ] {
        assert_eq!(t[key], 0, "{key}");
    }
    assert_eq!(t["chatgpt_settings"]["model"], "gpt-3.5-turbo");
    assert_eq!(t["chatgpt_settings"]["max_tokens"], 100);
}

#[test]
fn the_seed_is_marked_for_the_host_to_fill_per_task_and_a_given_one_is_kept() {
    assert_eq!(schema()["properties"]["seed"]["x-task-seed"], true);
    assert!(plan(json!({})).unwrap()[0].get("seed").is_none());
    assert_eq!(plan(json!({"seed": 42})).unwrap()[0]["seed"], 42);
}

#[test]
fn the_model_endpoint_is_granted_only_when_generating() {
    assert_eq!(
        plan(json!({})).unwrap()[0]["chatgpt_settings"]["base_url"],
        ""
    );
    let generating =
        plan(json!({"generate_by_chatgpt": true, "chatgpt_settings": {"api_key": "k"}}));
    assert_eq!(
        generating.unwrap()[0]["chatgpt_settings"]["base_url"],
        "https://api.openai.com/v1"
    );
}

#[test]
fn the_key_is_a_secret_and_the_base_url_the_granted_origin() {
    let s = schema();
    let settings = &s["$defs"]["ChatgptSettings"]["properties"];
    assert_eq!(settings["api_key"]["writeOnly"], true);
    assert_eq!(settings["base_url"]["x-http-origin"], true);
}

#[test]
fn probabilities_past_100_are_refused_by_the_schema() {
    let validator = jsonschema::draft202012::new(&schema()).expect("compiles");
    assert!(validator.is_valid(&json!({"like_probable": 100, "floow_probable": 0})));
    assert!(!validator.is_valid(&json!({"like_probable": 101})));
    assert!(
        !validator.is_valid(&json!({"follow_probable": 10})),
        "the contract's spelling only"
    );
}

#[test]
fn sessions_that_cannot_work_are_refused() {
    let upside_down = plan(json!({"min_duration": 30, "max_duration": 15})).unwrap_err();
    assert!(upside_down.contains("min_duration"), "{upside_down}");
    let mute = plan(json!({"comment_probable": 50})).unwrap_err();
    assert!(mute.contains("no template"), "{mute}");
    let keyless = plan(json!({"generate_by_chatgpt": true})).unwrap_err();
    assert!(keyless.contains("api_key"), "{keyless}");
}
