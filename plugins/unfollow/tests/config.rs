//! Native tests of the unfollow script's config: TikMatrix's documented requests, the plan's
//! one task per user, and the checked-in JSON Schema.

use phonefleet_unfollow::{NO_TARGET, Unfollow, UnfollowConfig};
use serde_json::{Value, json};

fn schema() -> Value {
    phonefleet_sdk::config_schema::<UnfollowConfig>()
}

fn plan(v: Value) -> Result<Vec<Value>, String> {
    phonefleet_sdk::plan_json::<Unfollow>(&v)
}

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/unfollow.json");
    if let Err(stale) =
        phonefleet_sdk::check_schema_file(path.as_ref(), &schema(), "phonefleet-unfollow")
    {
        panic!("{stale}");
    }
}

#[test]
fn documented_requests_pass_the_schema() {
    let validator = jsonschema::draft202012::new(&schema()).expect("the schema compiles");
    for config in [
        json!({"target_users": ["user1", "user2"], "access_method": "direct"}),
        json!({"target_user": "user1\nuser2,user3", "access_method": "search"}),
        json!({"target_user": "tiktok"}),
    ] {
        assert!(validator.is_valid(&config), "{config}");
    }
    assert!(!validator.is_valid(&json!({"target_user": "a", "action": "follow"})));
}

#[test]
fn each_target_user_is_one_task() {
    let tasks = plan(json!({"target_user": "user1\nuser2,user3"})).expect("plans");
    let users: Vec<&str> = tasks
        .iter()
        .map(|t| t["target_users"][0].as_str().expect("one target"))
        .collect();
    assert_eq!(users, ["user1", "user2", "user3"]);
    assert!(tasks.iter().all(|t| t["target_user"] == ""));
}

#[test]
fn target_users_wins_over_target_user() {
    let tasks = plan(json!({"target_users": ["a"], "target_user": "b,c"})).expect("plans");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["target_users"], json!(["a"]));
}

#[test]
fn a_request_without_targets_is_refused() {
    assert!(plan(json!({})).expect_err("refused").contains(NO_TARGET));
}
