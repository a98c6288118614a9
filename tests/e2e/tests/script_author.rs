//! A third party's script, written with the SDK's public helpers only (`tests/plugins/author`),
//! runs through the REST API on a vphone: it opens a TikTok profile by search and by link and
//! reads its follower count; a selector that matches nothing fails the task saying so first.

use phonefleet::apps::App;
use phonefleet_e2e::Fleet;
use phonefleet_test_artifacts::AUTHOR;
use serde_json::{Value, json};
use vphone::PhoneConfig;

struct Setup {
    fleet: Fleet,
    _plugins: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_with(App::Tiktok).await
}

/// A fleet of one phone serving the author plugin, with `default_app` as `--default-app`.
async fn setup_with(default_app: App) -> Setup {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(AUTHOR, plugins.path().join("author.wasm")).unwrap();
    let dir = plugins.path().to_path_buf();
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| {
        c.plugin_dir = Some(dir);
        c.default_app = default_app;
    })
    .await
    .unwrap();
    Setup {
        fleet,
        _plugins: plugins,
    }
}

async fn run(s: &Setup, config: Value) -> Value {
    let body =
        json!({"serials": s.fleet.serials(), "script_name": "author", "script_config": config});
    let ids = s.fleet.create(&body).await.unwrap();
    s.fleet.wait_finished(&ids).await.unwrap().remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_script_reads_a_follower_count_after_a_search() {
    let s = setup().await;
    let task = run(
        &s,
        json!({"mode": "followers", "user": "@nasa", "access": "search"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(
        task["result"]["followers"],
        vphone::profile_stats("nasa").followers,
        "{task}"
    );
    let state = s.fleet.adb.phone_state(&s.fleet.serials()[0]).await;
    assert_eq!(
        (&state["screen"], &state["screen_user"]),
        (&json!("profile"), &json!("nasa")),
        "{state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_script_reads_a_follower_count_by_link() {
    let s = setup().await;
    let task = run(
        &s,
        json!({"mode": "followers", "user": "tiktok", "access": "direct"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(
        task["result"]["followers"],
        vphone::profile_stats("tiktok").followers,
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_that_matches_nothing_fails_naming_it_and_the_screen_first() {
    let s = setup().await;
    let task = run(&s, json!({"mode": "click-missing"})).await;
    assert_eq!(task["status"], 3, "{task}");
    assert_eq!(task["error_kind"], "script", "{task}");
    let first = task["error"]
        .as_str()
        .and_then(|e| e.lines().next())
        .unwrap_or_default();
    assert!(
        first.starts_with("nothing matches text=\"No such button\" after 1 s; the screen shows '"),
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_button_nearest_below_followers_is_the_profiles_own() {
    let s = setup().await;
    let task = run(
        &s,
        json!({"mode": "follow-near", "user": "nasa", "access": "direct"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = s.fleet.adb.phone_state(&s.fleet.serials()[0]).await;
    assert_eq!(phonefleet_e2e::following(&state), ["nasa"], "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_without_an_app_field_asks_the_host_for_the_tasks_app() {
    let s = setup_with(App::Instagram).await;
    let task = run(&s, json!({"mode": "whoami"})).await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(task["app"], "instagram", "{task}");
    assert_eq!(
        task["result"],
        json!({"app": "instagram", "package": "com.instagram.android"}),
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_accounts_task_on_a_phone_without_instagram_fails_naming_the_package() {
    let s = setup().await;
    let serial = &s.fleet.serials()[0];
    let account = s
        .fleet
        .post(
            "/account",
            &json!({"username": "@ig_shop", "serial": serial, "app": "instagram"}),
        )
        .await
        .unwrap();
    assert_eq!(account["code"], 0, "{account}");
    let body = json!({"usernames": ["@ig_shop"], "script_name": "author",
                      "script_config": {"mode": "whoami"}});
    let ids = s.fleet.create(&body).await.unwrap();
    let task = s.fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(task["app"], "instagram", "{task}");
    assert_eq!(task["status"], 3, "{task}");
    assert_eq!(task["error_kind"], "device", "{task}");
    assert!(
        task["error"]
            .as_str()
            .is_some_and(|e| e.contains("com.instagram.android")),
        "{task}"
    );
}
