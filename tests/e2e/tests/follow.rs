//! The walking skeleton end to end: REST → schema → queue → scheduler → follow plugin → ADB →
//! real adb server → virtual phones, with outcomes checked on the phones themselves.

use std::collections::BTreeMap;

use phonefleet_e2e::{Fleet, following};
use serde_json::{Value, json};
use vphone::PhoneConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_three_users_on_two_phones_follows_all_three_on_each_phone() {
    let fleet = Fleet::start(vec![PhoneConfig::default(), PhoneConfig::default()])
        .await
        .unwrap();
    let ids = fleet
        .create(&json!({
            "serials": fleet.serials(),
            "script_name": "follow",
            "script_config": {"target_users": ["@nasa", "@bbc", "@natgeo"], "access_method": "direct"}
        }))
        .await
        .unwrap();
    assert_eq!(ids.len(), 6, "3 users × 2 phones");

    let tasks = fleet.wait_finished(&ids).await.unwrap();
    for task in &tasks {
        assert_eq!(task["status"], 2, "task failed: {task}");
        assert_eq!(task["result"]["outcome"], "followed", "{task}");
    }
    for serial in fleet.serials() {
        let state = fleet.adb.phone_state(&serial).await;
        assert_eq!(
            following(&state),
            ["bbc", "nasa", "natgeo"],
            "phone {serial}: {state}"
        );
    }
    let stats = fleet.get("/task/stats").await.unwrap();
    assert_eq!(
        stats["data"],
        json!({"total": 6, "pending": 0, "running": 0, "completed": 6, "failed": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_through_search_follows_the_exact_user() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let ids = fleet
        .create(&json!({
            "serials": fleet.serials(),
            "script_name": "follow",
            "script_config": {"target_user": "nasa", "access_method": "search"}
        }))
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    assert_eq!(tasks[0]["status"], 2, "{}", tasks[0]);
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_a_user_that_does_not_exist_fails_naming_the_user() {
    let phone = PhoneConfig {
        missing_users: vec!["ghost_user_404".into()],
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![phone]).await.unwrap();
    let ids = fleet
        .create(&json!({
            "serials": fleet.serials(),
            "script_name": "follow",
            "script_config": {"target_users": ["@ghost_user_404", "@nasa"]}
        }))
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    let by_target: BTreeMap<String, &Value> = tasks
        .iter()
        .map(|t| (t["script_config"]["target_users"][0].to_string(), t))
        .collect();
    let ghost = by_target["\"@ghost_user_404\""];
    assert_eq!(ghost["status"], 3, "{ghost}");
    assert!(
        ghost["error"]
            .as_str()
            .unwrap_or_default()
            .contains("ghost_user_404"),
        "{ghost}"
    );
    assert_eq!(by_target["\"@nasa\""]["status"], 2);

    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"], "nothing else was followed");
    let stats = fleet.get("/task/stats").await.unwrap();
    assert_eq!(
        stats["data"],
        json!({"total": 2, "pending": 0, "running": 0, "completed": 1, "failed": 1})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowing_a_followed_user_leaves_the_phone_not_following_them() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serials = fleet.serials();
    let follow = fleet
        .create(&json!({"serials": serials, "script_name": "follow", "script_config": {"target_user": "@nasa"}}))
        .await
        .unwrap();
    fleet.wait_finished(&follow).await.unwrap();
    let unfollow = fleet
        .create(&json!({"serials": serials, "script_name": "follow",
                         "script_config": {"target_user": "@nasa", "action": "unfollow"}}))
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&unfollow).await.unwrap();
    assert_eq!(tasks[0]["result"]["outcome"], "unfollowed", "{}", tasks[0]);
    let state = fleet.adb.phone_state(&serials[0]).await;
    assert!(following(&state).is_empty(), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_for_a_device_group_follows_on_every_phone_of_the_group() {
    let fleet = Fleet::start(vec![PhoneConfig::default(), PhoneConfig::default()])
        .await
        .unwrap();
    let serials = fleet.serials();
    fleet.create_group("shelf A", &serials).await.unwrap();
    let tasks = fleet
        .run(
            "follow",
            json!({"groups": ["shelf A"]}),
            json!({"target_user": "@nasa"}),
        )
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2);
    for serial in &serials {
        let state = fleet.adb.phone_state(serial).await;
        assert_eq!(following(&state), ["nasa"], "{serial}: {state}");
    }
}
