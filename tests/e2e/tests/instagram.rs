//! Instagram through the REST API on vphones: follow by link and by search, unfollow through the
//! sheet, a private account's request counting as following, a missing user failing by name, the
//! "Try Again Later" block as a protection, and IgMatrix clients (no app in the request) served by
//! `--default-app instagram`.

use phonefleet::apps::App;
use phonefleet_e2e::Fleet;
use phonefleet_test_artifacts::AUTHOR;
use serde_json::{Value, json};
use vphone::{InstagramConfig, PhoneConfig};

async fn fleet(config: InstagramConfig) -> Fleet {
    fleet_with(config, App::Tiktok).await
}

/// One phone with Instagram (signed in as `vphone_ig`, registered as an Instagram account).
async fn fleet_with(config: InstagramConfig, default_app: App) -> Fleet {
    let fleet = Fleet::start_with(
        vec![PhoneConfig {
            instagram: Some(config),
            missing_users: vec!["ghost".into()],
            ..PhoneConfig::default()
        }],
        |c| c.default_app = default_app,
    )
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    let account = fleet
        .post(
            "/account",
            &json!({"username": "@vphone_ig", "serial": serial, "app": "instagram"}),
        )
        .await
        .unwrap();
    assert_eq!(account["code"], 0, "{account}");
    fleet
}

/// Runs the follow script as the Instagram account and returns the finished task.
async fn follow(fleet: &Fleet, config: Value) -> Value {
    let body =
        json!({"usernames": ["@vphone_ig"], "script_name": "follow", "script_config": config});
    let ids = fleet.create(&body).await.unwrap();
    fleet.wait_finished(&ids).await.unwrap().remove(0)
}

async fn instagram(fleet: &Fleet) -> Value {
    fleet.adb.phone_state(&fleet.serials()[0]).await["instagram"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_account_follows_by_link() {
    let fleet = fleet(InstagramConfig::default()).await;
    let task = follow(&fleet, json!({"target_user": "@NASA"})).await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(task["app"], "instagram", "{task}");
    assert_eq!(
        task["result"],
        json!({"target": "@nasa", "outcome": "followed"})
    );
    let state = instagram(&fleet).await;
    assert_eq!(state["following"]["vphone_ig"], json!(["nasa"]), "{state}");
    let tiktok = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(
        tiktok["following"]["vphone_user"],
        json!([]),
        "TikTok untouched: {tiktok}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_account_follows_through_search_and_not_a_look_alike() {
    let fleet = fleet(InstagramConfig::default()).await;
    let task = follow(
        &fleet,
        json!({"target_user": "nasa", "access_method": "search"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["following"]["vphone_ig"], json!(["nasa"]), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollow_on_instagram_goes_through_the_sheet() {
    let fleet = fleet(InstagramConfig {
        following: vec!["nasa".into()],
        ..InstagramConfig::default()
    })
    .await;
    let task = follow(&fleet, json!({"target_user": "nasa", "action": "unfollow"})).await;
    assert_eq!(task["result"]["outcome"], "unfollowed", "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["following"]["vphone_ig"], json!([]), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowing_a_private_instagram_account_confirms_the_dialog() {
    let fleet = fleet(InstagramConfig {
        following: vec!["quiet".into()],
        private_users: vec!["quiet".into()],
        ..InstagramConfig::default()
    })
    .await;
    let task = follow(
        &fleet,
        json!({"target_user": "quiet", "action": "unfollow"}),
    )
    .await;
    assert_eq!(task["result"]["outcome"], "unfollowed", "{task}");
    assert_eq!(instagram(&fleet).await["following"]["vphone_ig"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_account_is_requested_then_already_followed() {
    let fleet = fleet(InstagramConfig {
        private_users: vec!["quiet".into()],
        review_users: vec!["quiet".into()],
        ..InstagramConfig::default()
    })
    .await;
    let first = follow(&fleet, json!({"target_user": "quiet"})).await;
    assert_eq!(first["result"]["outcome"], "followed", "{first}");
    let state = instagram(&fleet).await;
    assert_eq!(state["requested"]["vphone_ig"], json!(["quiet"]), "{state}");
    let again = follow(&fleet, json!({"target_user": "quiet"})).await;
    assert_eq!(again["result"]["outcome"], "already_following", "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_instagram_user_fails_naming_the_user() {
    let fleet = fleet(InstagramConfig::default()).await;
    let task = follow(&fleet, json!({"target_user": "ghost"})).await;
    assert_eq!(task["status"], 3, "{task}");
    assert!(
        task["error"]
            .as_str()
            .is_some_and(|e| e.contains("user @ghost does not exist")),
        "{task}"
    );
    assert_eq!(instagram(&fleet).await["following"]["vphone_ig"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_again_later_stops_the_task_as_a_protection() {
    let fleet = fleet(InstagramConfig {
        block_after: Some(0),
        ..InstagramConfig::default()
    })
    .await;
    let task = follow(&fleet, json!({"target_user": "nasa"})).await;
    assert_eq!(task["status"], 3, "{task}");
    assert_eq!(task["error_kind"], "protection", "{task}");
    assert!(
        task["error"]
            .as_str()
            .is_some_and(|e| e.contains("blocked by Instagram: 'Try Again Later'")),
        "{task}"
    );
    assert_eq!(instagram(&fleet).await["following"]["vphone_ig"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_igmatrix_request_without_an_app_lands_on_instagram_with_default_app_instagram() {
    let fleet = fleet_with(InstagramConfig::default(), App::Instagram).await;
    let body = json!({"serials": fleet.serials(), "script_name": "follow",
                      "script_config": {"target_username": "nasa"}});
    let ids = fleet.create(&body).await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(
        (&task["status"], &task["app"]),
        (&json!(2), &json!("instagram")),
        "{task}"
    );
    assert_eq!(
        instagram(&fleet).await["following"]["vphone_ig"],
        json!(["nasa"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_script_reads_an_instagram_follower_count_after_a_search() {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(AUTHOR, plugins.path().join("author.wasm")).unwrap();
    let dir = plugins.path().to_path_buf();
    let fleet = Fleet::start_with(
        vec![PhoneConfig {
            instagram: Some(InstagramConfig::default()),
            ..PhoneConfig::default()
        }],
        |c| {
            c.plugin_dir = Some(dir);
            c.default_app = App::Instagram;
        },
    )
    .await
    .unwrap();
    let body = json!({"serials": fleet.serials(), "script_name": "author",
                      "script_config": {"mode": "followers", "user": "nasa", "access": "search"}});
    let ids = fleet.create(&body).await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(
        task["result"]["followers"],
        vphone::profile_stats("nasa").followers,
        "{task}"
    );
    let state = instagram(&fleet).await;
    assert_eq!(
        (&state["screen"], &state["screen_user"]),
        (&json!("profile"), &json!("nasa"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_switches_instagram_to_its_account_first() {
    let fleet = fleet(InstagramConfig {
        accounts: vec!["vphone_ig".into(), "shop_ig".into()],
        ..InstagramConfig::default()
    })
    .await;
    let serial = fleet.serials()[0].clone();
    for name in ["@shop_ig", "@gone_ig"] {
        let account = fleet
            .post(
                "/account",
                &json!({"username": name, "serial": serial, "app": "instagram"}),
            )
            .await
            .unwrap();
        assert_eq!(account["code"], 0, "{account}");
    }
    let body = json!({"usernames": ["@shop_ig"], "script_name": "follow",
                      "script_config": {"target_user": "nasa"}});
    let ids = fleet.create(&body).await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["current_account"], "shop_ig", "{state}");
    assert_eq!(state["following"]["shop_ig"], json!(["nasa"]), "{state}");
    assert_eq!(state["following"]["vphone_ig"], json!([]), "{state}");

    // An account registered on the phone but not signed in there fails, naming what is.
    let body = json!({"usernames": ["@gone_ig"], "script_name": "follow",
                      "script_config": {"target_user": "bbc"}});
    let ids = fleet.create(&body).await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(task["status"], 3, "{task}");
    assert!(
        task["error"].as_str().is_some_and(|e| e.contains(
            "account @gone_ig is not signed in on this phone (Instagram lists @vphone_ig, @shop_ig)"
        )),
        "{task}"
    );
    let state = instagram(&fleet).await;
    assert_eq!(
        state["following"]["shop_ig"],
        json!(["nasa"]),
        "nobody followed bbc: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_your_login_info_is_closed_on_the_way_to_a_follow() {
    let fleet = fleet(InstagramConfig {
        login_info_prompt: true,
        ..InstagramConfig::default()
    })
    .await;
    let task = follow(
        &fleet,
        json!({"target_user": "nasa", "access_method": "search"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["popup"], Value::Null, "{state}");
    assert_eq!(state["following"]["vphone_ig"], json!(["nasa"]), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_apps_account_follows_through_search_as_clones_open_no_links() {
    let fleet = Fleet::start(vec![PhoneConfig {
        instagram: Some(InstagramConfig {
            clone_package: Some("com.instagram.androie".into()),
            ..InstagramConfig::default()
        }),
        ..PhoneConfig::default()
    }])
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    let account = fleet
        .post(
            "/account",
            &json!({"username": "@vphone_ig", "serial": serial, "app": "instagram",
                    "package": "com.instagram.androie"}),
        )
        .await
        .unwrap();
    assert_eq!(account["code"], 0, "{account}");
    let task = follow(
        &fleet,
        json!({"target_user": "nasa", "access_method": "direct"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["following"]["vphone_ig"], json!(["nasa"]), "{state}");
}
