//! Account mode: a task for a username runs on that account's phone, as that account — the app
//! is switched first — and never as whoever happens to be signed in.

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::PhoneConfig;

fn phone_with(accounts: &[&str]) -> PhoneConfig {
    PhoneConfig {
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
        ..PhoneConfig::default()
    }
}

async fn register(fleet: &Fleet, username: &str, serial: &str) {
    let reply = fleet
        .post("/account", &json!({"username": username, "serial": serial}))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
}

fn followed_by(state: &Value, account: &str) -> Vec<String> {
    state["following"][account]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_task_switches_the_phone_to_that_account_and_follows_as_it() {
    let fleet = Fleet::start(vec![phone_with(&["shop_eu", "shop_us"])])
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    register(&fleet, "@shop_us", &serial).await;
    let ids = fleet
        .create(&json!({"usernames": ["@Shop_US"], "script_name": "follow",
                         "script_config": {"target_user": "@nasa"}}))
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    assert_eq!(tasks[0]["status"], 2, "{}", tasks[0]);
    assert_eq!(tasks[0]["username"], "@shop_us");
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(state["current_account"], "shop_us", "{state}");
    assert_eq!(followed_by(&state, "shop_us"), ["nasa"]);
    assert!(
        followed_by(&state, "shop_eu").is_empty(),
        "the other account followed nobody: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_task_whose_account_is_not_on_the_phone_fails_without_acting() {
    let fleet = Fleet::start(vec![phone_with(&["shop_eu"])]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    register(&fleet, "ghost_account", &serial).await;
    let ids = fleet
        .create(
            &json!({"usernames": ["ghost_account"], "script_name": "follow",
                         "script_config": {"target_user": "@nasa"}}),
        )
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    assert_eq!(tasks[0]["status"], 3, "{}", tasks[0]);
    assert!(
        tasks[0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("ghost_account"),
        "{}",
        tasks[0]
    );
    let state = fleet.adb.phone_state(&serial).await;
    assert!(
        followed_by(&state, "shop_eu").is_empty(),
        "nobody followed as the wrong account: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_account_mode_makes_one_task_per_account_on_each_phone() {
    let fleet = Fleet::start(vec![phone_with(&["a_one", "a_two"])])
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    register(&fleet, "a_one", &serial).await;
    register(&fleet, "a_two", &serial).await;
    let ids = fleet
        .create(
            &json!({"serials": [serial], "enable_multi_account": true, "script_name": "follow",
                         "script_config": {"target_users": ["@nasa", "@bbc"]}}),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 4, "2 accounts × 2 users");
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    assert!(tasks.iter().all(|t| t["status"] == 2), "{tasks:?}");
    let state = fleet.adb.phone_state(&serial).await;
    for account in ["a_one", "a_two"] {
        let mut users = followed_by(&state, account);
        users.sort();
        assert_eq!(users, ["bbc", "nasa"], "{account}: {state}");
    }
}
