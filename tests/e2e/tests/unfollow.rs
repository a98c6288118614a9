//! The `unfollow` script through the REST API on vphones, with TikMatrix's documented requests:
//! one task per user, by link or by search, on TikTok and on Instagram; the phone's own follow list
//! says who was unfollowed.

use phonefleet_e2e::{Fleet, following};
use serde_json::{Value, json};
use vphone::{InstagramConfig, PhoneConfig};

fn tiktok_phone_following(users: &[&str]) -> PhoneConfig {
    PhoneConfig {
        following: users.iter().map(|u| u.to_string()).collect(),
        ..PhoneConfig::default()
    }
}

async fn unfollow(fleet: &Fleet, targets: Value, config: Value) -> Vec<Value> {
    fleet.run("unfollow", targets, config).await.unwrap()
}

fn outcomes(tasks: &[Value]) -> Vec<(String, String)> {
    tasks
        .iter()
        .map(|t| {
            assert_eq!(t["status"], 2, "{t}");
            (
                t["result"]["target"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                t["result"]["outcome"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowing_a_list_of_users_by_link_makes_one_task_each_and_leaves_the_rest_followed() {
    let fleet = Fleet::start(vec![tiktok_phone_following(&["nasa", "bbcnews", "natgeo"])])
        .await
        .unwrap();
    let serials = fleet.serials();
    let tasks = unfollow(
        &fleet,
        json!({"serials": serials}),
        json!({"target_users": ["nasa", "@BBCNews"], "access_method": "direct"}),
    )
    .await;
    assert_eq!(
        outcomes(&tasks),
        [
            ("@nasa".to_string(), "unfollowed".to_string()),
            ("@bbcnews".to_string(), "unfollowed".to_string())
        ]
    );
    let state = fleet.adb.phone_state(&serials[0]).await;
    assert_eq!(following(&state), ["natgeo"], "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowing_through_search_splits_target_user_and_says_who_was_not_followed() {
    let fleet = Fleet::start(vec![tiktok_phone_following(&["natgeo"])])
        .await
        .unwrap();
    let serials = fleet.serials();
    let tasks = unfollow(
        &fleet,
        json!({"serials": serials}),
        json!({"target_user": "natgeo\nnasa", "access_method": "search"}),
    )
    .await;
    assert_eq!(
        outcomes(&tasks),
        [
            ("@natgeo".to_string(), "unfollowed".to_string()),
            ("@nasa".to_string(), "not_following".to_string())
        ]
    );
    let state = fleet.adb.phone_state(&serials[0]).await;
    assert!(following(&state).is_empty(), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_account_unfollows_with_the_same_request() {
    let fleet = Fleet::start(vec![PhoneConfig {
        instagram: Some(InstagramConfig {
            following: vec!["nasa".into(), "natgeo".into()],
            ..InstagramConfig::default()
        }),
        ..PhoneConfig::default()
    }])
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .register_account("vphone_ig", &serial, "instagram")
        .await
        .unwrap();
    let tasks = unfollow(
        &fleet,
        json!({"usernames": ["vphone_ig"]}),
        json!({"target_user": "nasa"}),
    )
    .await;
    assert_eq!(tasks[0]["app"], "instagram", "{}", tasks[0]);
    assert_eq!(
        outcomes(&tasks),
        [("@nasa".to_string(), "unfollowed".to_string())]
    );
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(
        state["instagram"]["following"]["vphone_ig"],
        json!(["natgeo"]),
        "{state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfollow_request_without_a_target_is_refused_and_creates_nothing() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let reply = fleet
        .post(
            "/task",
            &json!({"serials": fleet.serials(), "script_name": "unfollow", "script_config": {}}),
        )
        .await
        .unwrap();
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .unwrap_or_default()
            .contains("target"),
        "{reply}"
    );
    let list = fleet.get("/task").await.unwrap();
    assert_eq!(list["data"]["total"], 0, "{list}");
}
