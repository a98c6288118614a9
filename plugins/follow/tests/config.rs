//! Native tests of the follow script's pure logic: config parsing, plan, and the generated JSON Schema.
//! The phone-driving part needs the host's imports and is tested against the virtual phone elsewhere.

use phonefleet_follow::{AccessMethod, Action, Follow, FollowConfig, NO_TARGET};
use phonefleet_sdk::Script;
use serde_json::{Value, json};

fn schema() -> Value {
    phonefleet_sdk::config_schema::<FollowConfig>()
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema compiles")
}

fn parse(v: Value) -> FollowConfig {
    serde_json::from_value(v).expect("config parses")
}

fn plan(v: Value) -> Result<Vec<Value>, String> {
    phonefleet_sdk::plan_json::<Follow>(&v)
}

fn targets(tasks: &[Value]) -> Vec<String> {
    tasks
        .iter()
        .map(|t| {
            let users = t["target_users"].as_array().unwrap();
            assert_eq!(users.len(), 1, "one target per task: {t}");
            users[0].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/follow.json");
    if let Err(stale) =
        phonefleet_sdk::check_schema_file(path.as_ref(), &schema(), "phonefleet-follow")
    {
        panic!("{stale}");
    }
}

#[test]
fn schema_is_2020_12_and_closed() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["type"], "object");
    for key in [
        "target_users",
        "target_user",
        "target_username",
        "access_method",
        "action",
    ] {
        assert!(
            s["properties"].get(key).is_some(),
            "schema lacks {key}: {s:#}"
        );
    }
    assert!(
        s.get("required")
            .is_none_or(|r| r.as_array().unwrap().is_empty()),
        "no key is required: {s:#}"
    );
}

#[test]
fn describe_names_the_script() {
    let info = phonefleet_sdk::__private::describe::<Follow>();
    assert_eq!(info.name, "follow");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let s: Value = serde_json::from_str(&info.config_schema).unwrap();
    assert_eq!(s, schema());
}

#[test]
fn schema_accepts_the_contract() {
    let v = validator();
    for ok in [
        json!({}),
        json!({"target_users": ["@nasa", "bbc"]}),
        json!({"target_user": "nasa\nbbc"}),
        json!({"target_username": "nasa"}),
        json!({"target_users": ["nasa"], "access_method": "search", "action": "unfollow"}),
        json!({"target_users": ["@nasa"], "target_user": "", "access_method": "direct", "action": "follow"}),
    ] {
        let errors: Vec<String> = v.iter_errors(&ok).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{ok} rejected: {errors:?}");
    }
}

#[test]
fn schema_rejects_unknown_keys_and_bad_values() {
    let v = validator();
    for bad in [
        json!({"target_users": ["nasa"], "unknown": 1}),
        json!({"target_users": "nasa"}),
        json!({"target_users": ["nasa"], "access_method": "teleport"}),
        json!({"target_users": ["nasa"], "action": "like"}),
        json!({"target_user": 5}),
    ] {
        assert!(!v.is_valid(&bad), "{bad} accepted");
    }
    let errors: Vec<String> = v
        .iter_errors(&json!({"target_users": ["nasa"], "unknown": 1}))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.iter().any(|e| e.contains("unknown")), "{errors:?}");
}

#[test]
fn serde_rejects_unknown_keys() {
    let err =
        serde_json::from_value::<FollowConfig>(json!({"target_users": ["nasa"], "bogus": true}))
            .unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
}

#[test]
fn defaults() {
    let c = parse(json!({}));
    assert_eq!(c, FollowConfig::default());
    assert!(c.target_users.is_empty());
    assert_eq!(c.target_user, "");
    assert_eq!(c.access_method, AccessMethod::Direct);
    assert_eq!(c.action, Action::Follow);
    let s = schema();
    let defaults: Vec<Value> = ["target_users", "target_user", "access_method", "action"]
        .iter()
        .map(|k| s["properties"][k]["default"].clone())
        .collect();
    assert_eq!(
        defaults,
        vec![json!([]), json!(""), json!("direct"), json!("follow")]
    );
}

#[test]
fn plan_splits_target_users() {
    let tasks =
        plan(json!({"target_users": ["@nasa", " bbc ", "", "  "], "action": "unfollow"})).unwrap();
    assert_eq!(targets(&tasks), ["@nasa", "bbc"]);
    assert_eq!(
        tasks[0],
        json!({"target_users": ["@nasa"], "target_user": "", "access_method": "direct", "action": "unfollow", "app": "tiktok"})
    );
    // Each per-task config is valid against the schema and plans to itself.
    let v = validator();
    for t in &tasks {
        assert!(v.is_valid(t), "{t}");
        assert_eq!(plan(t.clone()).unwrap(), vec![t.clone()]);
    }
}

#[test]
fn plan_splits_target_user_on_newlines_and_commas() {
    let tasks =
        plan(json!({"target_user": "@nasa, bbc\r\ncnn\n\n,  ,natgeo", "access_method": "search"}))
            .unwrap();
    assert_eq!(targets(&tasks), ["@nasa", "bbc", "cnn", "natgeo"]);
    assert!(
        tasks
            .iter()
            .all(|t| t["access_method"] == "search" && t["target_user"] == "")
    );
}

#[test]
fn target_users_wins_over_target_user() {
    let tasks = plan(json!({"target_users": ["nasa"], "target_user": "bbc,cnn"})).unwrap();
    assert_eq!(targets(&tasks), ["nasa"]);
    // An all-empty list does not count as a choice.
    let tasks = plan(json!({"target_users": [" "], "target_user": "bbc"})).unwrap();
    assert_eq!(targets(&tasks), ["bbc"]);
}

#[test]
fn target_username_is_an_alias_of_target_user() {
    let config = json!({"target_username": "@nasa\nbbc"});
    assert!(
        validator().is_valid(&config),
        "the schema must accept the alias"
    );
    let tasks = plan(config).unwrap();
    assert_eq!(targets(&tasks), ["@nasa", "bbc"]);
    // The alias is folded away in per-task configs.
    assert!(
        tasks.iter().all(|t| t.get("target_username").is_none()),
        "{tasks:?}"
    );
}

#[test]
fn plan_rejects_a_missing_target() {
    for config in [
        json!({}),
        json!({"target_users": []}),
        json!({"target_user": " ,\n, "}),
        json!({"target_users": ["", " "], "target_user": ""}),
    ] {
        assert_eq!(plan(config.clone()), Err(NO_TARGET.to_string()), "{config}");
    }
    assert_eq!(
        NO_TARGET,
        "at least one target user is required: set target_users or target_user"
    );
}

#[test]
fn plan_rejects_names_that_cannot_be_usernames() {
    let err = plan(json!({"target_users": ["nasa", "a b"]})).unwrap_err();
    assert_eq!(
        err,
        "target user 'a b' is not a TikTok or Instagram username (letters, digits, '_', '.' and '-')"
    );
    assert!(plan(json!({"target_users": ["@"]})).is_err());
    assert!(plan(json!({"target_users": ["nasa/../x"]})).is_err());
}

#[test]
fn plan_reports_parse_errors() {
    let err = phonefleet_sdk::__private::plan::<Follow>(r#"{"target_users": "nasa"}"#).unwrap_err();
    assert!(err.starts_with("invalid config: "), "{err}");
    let err = phonefleet_sdk::__private::plan::<Follow>(r#"{"surprise": 1}"#).unwrap_err();
    assert!(err.contains("surprise"), "{err}");
}

#[test]
fn run_rejects_configs_that_are_not_one_task() {
    use phonefleet_sdk::bindings::ScriptError;
    match phonefleet_sdk::__private::run::<Follow>(r#"{"bogus": 1}"#) {
        Err(ScriptError::InvalidConfig(m)) => assert!(m.contains("bogus"), "{m}"),
        other => panic!("{other:?}"),
    }
    match phonefleet_sdk::__private::run::<Follow>(r#"{"target_users": ["a", "b"]}"#) {
        Err(ScriptError::InvalidConfig(m)) => assert!(m.contains("exactly one target"), "{m}"),
        other => panic!("{other:?}"),
    }
    match phonefleet_sdk::__private::run::<Follow>(r#"{}"#) {
        Err(ScriptError::InvalidConfig(m)) => assert_eq!(m, NO_TARGET),
        other => panic!("{other:?}"),
    }
    // Direct calls of the trait agree.
    assert!(Follow::run(FollowConfig::default()).is_err());
}
