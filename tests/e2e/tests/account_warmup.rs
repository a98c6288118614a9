//! The `account_warmup` script through the REST API on vphones whose feeds play (a playing screen
//! never goes idle): TikMatrix's documented requests and fan-out, a seed that replays the same
//! session, chances of 0 and 100 checked on the phone, a topic, Instagram, and comments written
//! by a model behind a granted origin whose key is stored nowhere in the clear.

use std::collections::BTreeSet;

use phonefleet_e2e::fake_model::FakeModel;
use phonefleet_e2e::{Fleet, playing_phone};
use serde_json::{Value, json};
use vphone::{PhoneConfig, catalogue};

/// A short session: 4 s of videos watched 1 to 2 s each.
fn short(extra: Value) -> Value {
    let mut config = json!({"task_duration": 4, "min_duration": 1, "max_duration": 2});
    config
        .as_object_mut()
        .expect("an object")
        .extend(extra.as_object().expect("an object").clone());
    config
}

async fn warm_up(fleet: &Fleet, targets: Value, config: Value) -> Vec<Value> {
    let tasks = fleet.run("account_warmup", targets, config).await.unwrap();
    for task in &tasks {
        assert_eq!(task["status"], 2, "{task}");
    }
    tasks
}

/// (video, creator, action) of a result's actions.
fn actions(task: &Value) -> Vec<(u64, String, String)> {
    task["result"]["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["video"].as_u64().unwrap_or_default(),
                a["creator"].as_str().unwrap_or_default().to_string(),
                a["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The authors of the posts a `social` section lists under `key` for `account`.
fn authors(social: &Value, key: &str, account: &str) -> BTreeSet<String> {
    social[key][account]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["author"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_requests_make_one_task_per_target() {
    let fleet = Fleet::start(vec![playing_phone(), playing_phone()])
        .await
        .unwrap();
    let serials = fleet.serials();
    fleet
        .post(
            "/account",
            &json!({"username": "vphone_user", "serial": serials[0]}),
        )
        .await
        .unwrap();
    let documented = [
        json!({"serials": serials, "script_name": "account_warmup",
               "script_config": {"task_duration": 600, "topic": "", "min_duration": 15, "max_duration": 30,
                                 "like_probable": 50, "floow_probable": 10, "collect_probable": 20,
                                 "comment_probable": 10, "comment": "Nice!\nLove it"}}),
        json!({"serials": [serials[0]], "enable_multi_account": true, "script_name": "account_warmup",
               "script_config": {"task_duration": 300}}),
        json!({"serials": serials, "start_time": "23:59", "script_name": "account_warmup",
               "script_config": {"task_duration": 300, "topic": "fitness\ncooking"}}),
        json!({"usernames": ["vphone_user"], "script_name": "account_warmup",
               "script_config": {"task_duration": 300, "like_probable": 30}}),
    ];
    let mut made = Vec::new();
    for request in &documented {
        let reply = fleet.post("/task", request).await.unwrap();
        assert_eq!(reply["code"], 0, "{request} → {reply}");
        made.push(
            reply["data"]["task_ids"]
                .as_array()
                .map(Vec::len)
                .unwrap_or_default(),
        );
    }
    assert_eq!(made, [2, 1, 2, 1]);
    let list = fleet.get("/task?page_size=100").await.unwrap();
    let seeds: Vec<&Value> = list["data"]["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["script_config"]["seed"])
        .collect();
    assert_eq!(seeds.len(), 6, "{list}");
    assert!(
        seeds.iter().all(|s| s.is_u64()),
        "every task records its seed: {list}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_seed_replays_the_same_actions_on_a_fresh_phone() {
    let config = short(
        json!({"seed": 1234, "like_probable": 50, "floow_probable": 50, "collect_probable": 50}),
    );
    let mut runs = Vec::new();
    for _ in 0..2 {
        let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
        let tasks = warm_up(&fleet, json!({"serials": fleet.serials()}), config.clone()).await;
        assert_eq!(tasks[0]["result"]["seed"], 1234);
        runs.push(actions(&tasks[0]));
    }
    assert!(
        !runs[0].is_empty(),
        "a 50% session of several videos acts: {runs:?}"
    );
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chances_of_zero_take_no_action() {
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"serials": fleet.serials()}),
        short(json!({})),
    )
    .await;
    assert_eq!(actions(&tasks[0]), []);
    assert!(
        tasks[0]["result"]["videos_watched"]
            .as_u64()
            .unwrap_or_default()
            >= 2
    );
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(state["social"]["liked"], json!({}), "{state}");
    assert_eq!(state["following"]["vphone_user"], json!([]), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chances_of_100_like_follow_collect_and_comment_every_video() {
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"serials": fleet.serials()}),
        short(json!({"like_probable": 100, "floow_probable": 100, "collect_probable": 100,
                     "comment_probable": 100, "comment": "first!\nsecond!", "comment_order": "sequential"})),
    )
    .await;
    let result = &tasks[0]["result"];
    let watched = result["videos_watched"].as_u64().unwrap_or_default() as usize;
    assert!(watched >= 2, "{result}");
    assert_eq!(
        result["counts"],
        json!({"like": watched, "follow": watched, "collect": watched, "comment": watched})
    );
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    let feed: BTreeSet<String> = catalogue()[..watched]
        .iter()
        .map(|p| p.author.to_string())
        .collect();
    assert_eq!(
        authors(&state["social"], "liked", "vphone_user"),
        feed,
        "{state}"
    );
    assert_eq!(
        authors(&state["social"], "bookmarked", "vphone_user"),
        feed,
        "{state}"
    );
    let followed: BTreeSet<String> = state["following"]["vphone_user"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(String::from))
        .collect();
    assert_eq!(followed, feed, "{state}");
    let comments: Vec<(&str, &str)> = state["social"]["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["author"].as_str().unwrap_or_default(),
                c["text"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(comments.len(), watched);
    assert_eq!(
        comments[..2],
        [("vphone_user", "first!"), ("vphone_user", "second!")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_refuses_an_action_is_passed_over_and_the_session_goes_on() {
    let off = catalogue()[1].id.clone();
    let fleet = Fleet::start(vec![PhoneConfig {
        social: vphone::SocialConfig {
            comments_off: vec![off],
            ..vphone::SocialConfig::default()
        },
        ..playing_phone()
    }])
    .await
    .unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"serials": fleet.serials()}),
        // One second per video, so the plan holds several videos whatever the seed draws.
        short(json!({"comment_probable": 100, "comment": "nice",
                     "task_duration": 8, "min_duration": 1, "max_duration": 1})),
    )
    .await;
    let watched = tasks[0]["result"]["videos_watched"]
        .as_u64()
        .unwrap_or_default();
    assert!(watched >= 3, "{}", tasks[0]);
    let commented: Vec<u64> = actions(&tasks[0])
        .iter()
        .map(|(video, _, _)| *video)
        .collect();
    let expected: Vec<u64> = (1..=watched).filter(|v| *v != 2).collect();
    assert_eq!(
        commented, expected,
        "every video but the one with comments off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_session_watches_that_topics_videos() {
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"serials": fleet.serials()}),
        short(json!({"topic": "space", "like_probable": 100})),
    )
    .await;
    assert_eq!(tasks[0]["result"]["topic"], "space");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    let liked = authors(&state["social"], "liked", "vphone_user");
    assert_eq!(liked, BTreeSet::from(["nasa".to_string()]), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_account_warms_up_on_its_feed() {
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .post(
            "/account",
            &json!({"username": "vphone_ig", "serial": serial, "app": "instagram"}),
        )
        .await
        .unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"usernames": ["vphone_ig"]}),
        short(
            json!({"like_probable": 100, "collect_probable": 100, "floow_probable": 100,
                     "comment_probable": 100, "comment": "😍 wow"}),
        ),
    )
    .await;
    let watched = tasks[0]["result"]["videos_watched"]
        .as_u64()
        .unwrap_or_default() as usize;
    let state = fleet.adb.phone_state(&serial).await;
    let ig = &state["instagram"];
    let feed: BTreeSet<String> = catalogue()[..watched]
        .iter()
        .map(|p| p.author.to_string())
        .collect();
    assert_eq!(authors(&ig["social"], "liked", "vphone_ig"), feed, "{ig}");
    assert_eq!(
        authors(&ig["social"], "bookmarked", "vphone_ig"),
        feed,
        "{ig}"
    );
    assert_eq!(
        ig["social"]["comments"].as_array().map(Vec::len),
        Some(watched),
        "{ig}"
    );
    assert_eq!(
        state["social"]["liked"],
        json!({}),
        "TikTok untouched: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_comments_reach_only_the_granted_origin_and_the_key_is_stored_nowhere() {
    const KEY: &str = "sk-test-7f3a9c1e55d04b2a";
    let model = FakeModel::start("Absolutely stunning shot 🚀")
        .await
        .unwrap();
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let tasks = warm_up(
        &fleet,
        json!({"serials": fleet.serials()}),
        json!({"task_duration": 1, "min_duration": 1, "max_duration": 1, "comment_probable": 100,
               "generate_by_chatgpt": true,
               "chatgpt_settings": {"api_key": KEY, "model": "gpt-4o-mini",
                                    "prompt": "Comment like a space fan", "base_url": model.base_url}}),
    )
    .await;
    let received = model.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let request = &received[0];
    assert!(
        request.head.starts_with("POST /v1/chat/completions "),
        "{}",
        request.head
    );
    assert!(
        request
            .head
            .to_lowercase()
            .contains(&format!("authorization: bearer {}", KEY.to_lowercase()))
    );
    assert_eq!(request.body["model"], "gpt-4o-mini");
    assert_eq!(
        request.body["messages"][0]["content"],
        "Comment like a space fan"
    );
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(
        state["social"]["comments"][0]["text"], "Absolutely stunning shot 🚀",
        "{state}"
    );

    let id = tasks[0]["id"].as_i64().unwrap_or_default();
    let task = fleet.get(&format!("/task/{id}")).await.unwrap();
    assert_eq!(
        task["data"]["script_config"]["chatgpt_settings"]["api_key"],
        "[redacted]"
    );
    let logs = fleet.get(&format!("/task/{id}/logs")).await.unwrap();
    for shown in [task.to_string(), logs.to_string()] {
        assert!(!shown.contains(KEY), "{shown}");
    }
    let mut dirs = vec![fleet.data_path()];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
                    "{} holds the key",
                    path.display()
                );
            }
        }
    }
    assert!(files > 1, "the data dir holds the database and more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_asking_for_any_other_host_is_refused() {
    let model = FakeModel::start("hi").await.unwrap();
    let other = FakeModel::start("hi").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        phonefleet_test_artifacts::MISBEHAVE,
        dir.path().join("misbehave.wasm"),
    )
    .unwrap();
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| {
        c.plugin_dir = Some(dir.path().to_path_buf())
    })
    .await
    .unwrap();
    let fetch_as = async |url: String, host: Option<&str>| {
        let mut config = json!({"mode": "fetch", "origin": model.base_url, "url": url});
        if let Some(host) = host {
            config["host_header"] = host.into();
        }
        let ids = fleet
            .create(
                &json!({"serials": fleet.serials(), "script_name": "misbehave",
                             "script_config": config}),
            )
            .await
            .unwrap();
        fleet.wait_finished(&ids).await.unwrap().remove(0)
    };
    let fetch = async |url: String| fetch_as(url, None).await;
    let granted = fetch(format!("{}/models", model.base_url)).await;
    assert_eq!(granted["status"], 2, "{granted}");
    for url in [
        format!("{}/models", other.base_url),
        "http://203.0.113.7/v1".to_string(),
        "https://example.com/".to_string(),
    ] {
        let refused = fetch(url.clone()).await;
        assert_eq!(refused["status"], 3, "{refused}");
        assert!(
            refused["error"]
                .as_str()
                .unwrap_or_default()
                .contains("Denied"),
            "{url}: {refused}"
        );
    }
    assert!(
        other.received().is_empty(),
        "nothing reached the other host"
    );
    let reply = fleet
        .post("/task", &json!({"serials": fleet.serials(), "script_name": "misbehave",
                               "script_config": {"mode": "fetch", "origin": "http://203.0.113.7/", "url": ""}}))
        .await
        .unwrap();
    assert_eq!(
        reply["code"], 40001,
        "plain HTTP elsewhere cannot be granted: {reply}"
    );
}
