//! The `comment` script through the REST API on vphones whose videos play (a playing screen never
//! goes idle): TikMatrix's documented requests, one task per post URL, the comment seen under the
//! right post on the phone, a photo attached, and the apps' refusals failing the task by name.

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::{PhoneConfig, SocialConfig, catalogue};

/// A phone whose videos play until tapped, its posts refusing what `social` says.
fn playing_phone(social: SocialConfig) -> PhoneConfig {
    PhoneConfig {
        social,
        ..phonefleet_e2e::playing_phone()
    }
}

fn video_url(i: usize) -> String {
    let post = &catalogue()[i];
    format!("https://www.tiktok.com/@{}/video/{}", post.author, post.id)
}

async fn run(fleet: &Fleet, targets: Value, config: Value) -> Vec<Value> {
    fleet.run("comment", targets, config).await.unwrap()
}

/// (post id or code, author, text) of every comment the phone's `app` holds.
async fn comments(fleet: &Fleet, app: &str) -> Vec<(String, String, String)> {
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    let social = if app == "instagram" {
        &state["instagram"]["social"]
    } else {
        &state["social"]
    };
    let key = if app == "instagram" { "code" } else { "id" };
    social["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s(key), s("author"), s("text"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_comments_go_one_per_post_under_the_right_video_byte_identical() {
    let fleet = Fleet::start(vec![playing_phone(SocialConfig::default())])
        .await
        .unwrap();
    let short = format!("https://vm.tiktok.com/{}/", catalogue()[2].short);
    let tasks = run(
        &fleet,
        json!({"serials": fleet.serials()}),
        json!({
            "target_post_url": format!("{}?is_from_webapp=1\n{short}", video_url(1)),
            "comment_content": "Great video! 🔥\n太棒了，继续加油",
            "comment_order": "sequential"
        }),
    )
    .await;
    for task in &tasks {
        assert_eq!(task["status"], 2, "{task}");
    }
    assert_eq!(
        comments(&fleet, "tiktok").await,
        [
            (
                catalogue()[1].id.clone(),
                "vphone_user".into(),
                "Great video! 🔥".into()
            ),
            (
                catalogue()[2].id.clone(),
                "vphone_user".into(),
                "太棒了，继续加油".into()
            ),
        ]
    );
    assert_eq!(
        tasks[0]["result"]["post_url"],
        video_url(1),
        "query stripped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_comment_pushes_the_image_and_attaches_it() {
    let fleet = Fleet::start(vec![playing_phone(SocialConfig::default())])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("reaction.png");
    std::fs::write(&image, phonefleet_e2e::media_bytes("reaction.png", 4_000)).unwrap();
    let tasks = run(
        &fleet,
        json!({"serials": fleet.serials()}),
        json!({"target_post_url": video_url(4), "comment_content": "look at this",
               "insert_emoji": true, "comment_image_path": image.display().to_string()}),
    )
    .await;
    assert_eq!(tasks[0]["status"], 2, "{}", tasks[0]);
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    let comment = &state["social"]["comments"][0];
    assert_eq!(comment["id"], catalogue()[4].id.as_str(), "{state}");
    assert_eq!(
        comment["image"], "/sdcard/DCIM/phonefleet/reaction.png",
        "{state}"
    );
    let text = comment["text"].as_str().unwrap_or_default();
    let emoji = text
        .strip_prefix("look at this ")
        .expect("the line, then an emoji");
    assert!(
        phonefleet_sdk::random::EMOJI.contains(&emoji),
        "{text:?} ends with one of the emoji"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_refusals_fail_the_task_saying_so_and_post_nothing() {
    let off = catalogue()[5].id.clone();
    let deleted = catalogue()[6].id.clone();
    let fleet = Fleet::start(vec![playing_phone(SocialConfig {
        comments_allowed: Some(0),
        comments_off: vec![off],
        deleted: vec![deleted],
        ..SocialConfig::default()
    })])
    .await
    .unwrap();
    let tasks = run(
        &fleet,
        json!({"serials": fleet.serials()}),
        json!({"target_post_urls": [video_url(5), video_url(6), video_url(7)], "comment_content": "hi"}),
    )
    .await;
    let failure = |i: usize| {
        assert_eq!(tasks[i]["status"], 3, "{}", tasks[i]);
        (
            tasks[i]["error_kind"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            tasks[i]["error"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (_, comments_off) = failure(0);
    assert!(
        comments_off.contains("Comments are turned off"),
        "{comments_off}"
    );
    let (_, unavailable) = failure(1);
    assert!(unavailable.contains("unavailable"), "{unavailable}");
    let (kind, too_fast) = failure(2);
    assert_eq!(kind, "protection");
    assert!(too_fast.contains("commenting too fast"), "{too_fast}");
    assert!(comments(&fleet, "tiktok").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instagram_account_comments_on_a_post_and_a_reel() {
    let fleet = Fleet::start(vec![playing_phone(SocialConfig::default())])
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .register_account("vphone_ig", &serial, "instagram")
        .await
        .unwrap();
    let photo = &catalogue()[2];
    let reel = &catalogue()[3];
    let tasks = run(
        &fleet,
        json!({"usernames": ["vphone_ig"]}),
        json!({
            "target_post_urls": [
                format!("https://www.instagram.com/p/{}/?igsh=abc", photo.code),
                format!("https://www.instagram.com/reel/{}/", reel.code)
            ],
            "comment_content": "So good 😍",
        }),
    )
    .await;
    for task in &tasks {
        assert_eq!(task["status"], 2, "{task}");
        assert_eq!(task["app"], "instagram", "{task}");
    }
    assert_eq!(
        comments(&fleet, "instagram").await,
        [
            (photo.code.clone(), "vphone_ig".into(), "So good 😍".into()),
            (reel.code.clone(), "vphone_ig".into(), "So good 😍".into()),
        ]
    );
    assert!(comments(&fleet, "tiktok").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_for_instagram_or_a_missing_comment_is_refused_at_creation() {
    let fleet = Fleet::start(vec![playing_phone(SocialConfig::default())])
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .post(
            "/account",
            &json!({"username": "vphone_ig", "serial": serial, "app": "instagram"}),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("a.png");
    std::fs::write(&image, phonefleet_e2e::media_bytes("a.png", 4_000)).unwrap();
    for (targets, config, says) in [
        (
            json!({"usernames": ["vphone_ig"]}),
            json!({"target_post_url": format!("https://www.instagram.com/p/{}/", catalogue()[0].code),
                   "comment_content": "x", "comment_image_path": image.display().to_string()}),
            "TikTok only",
        ),
        (
            json!({"serials": [serial]}),
            json!({"target_post_url": video_url(0)}),
            "comment_content",
        ),
    ] {
        let mut body = json!({"script_name": "comment", "script_config": config});
        body.as_object_mut()
            .unwrap()
            .extend(targets.as_object().unwrap().clone());
        let reply = fleet.post("/task", &body).await.unwrap();
        assert_eq!(reply["code"], 40001, "{reply}");
        assert!(
            reply["message"].as_str().unwrap_or_default().contains(says),
            "{reply}"
        );
    }
    assert_eq!(fleet.get("/task").await.unwrap()["data"]["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instagram_refusals_fail_the_task_saying_so() {
    let off = catalogue()[8].code.clone();
    let deleted = catalogue()[9].code.clone();
    let fleet = Fleet::start(vec![playing_phone(SocialConfig {
        comments_allowed: Some(0),
        comments_off: vec![off.clone()],
        deleted: vec![deleted.clone()],
        ..SocialConfig::default()
    })])
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .post(
            "/account",
            &json!({"username": "vphone_ig", "serial": serial, "app": "instagram"}),
        )
        .await
        .unwrap();
    let post = |code: &str| format!("https://www.instagram.com/p/{code}/");
    let tasks = run(
        &fleet,
        json!({"usernames": ["vphone_ig"]}),
        json!({"target_post_urls": [post(&off), post(&deleted), post(&catalogue()[10].code)],
               "comment_content": "hi"}),
    )
    .await;
    let said: Vec<(String, String)> = tasks
        .iter()
        .map(|t| {
            assert_eq!(t["status"], 3, "{t}");
            (
                t["error_kind"].as_str().unwrap_or_default().to_string(),
                t["error"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        said[0].1.contains("Commenting has been turned off"),
        "{said:?}"
    );
    assert!(said[1].1.contains("unavailable"), "{said:?}");
    assert_eq!(said[2].0, "protection", "{said:?}");
    assert!(said[2].1.contains("Try Again Later"), "{said:?}");
    assert!(comments(&fleet, "instagram").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_quoting_the_apps_warnings_is_posted_not_taken_for_one() {
    let fleet = Fleet::start(vec![playing_phone(SocialConfig::default())])
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    fleet
        .register_account("vphone_ig", &serial, "instagram")
        .await
        .unwrap();
    let tiktok = run(
        &fleet,
        json!({"serials": [serial]}),
        json!({"target_post_url": video_url(3), "comment_content": "Try again later? Never 😂"}),
    )
    .await;
    assert_eq!(tiktok[0]["status"], 2, "{}", tiktok[0]);
    let instagram = run(
        &fleet,
        json!({"usernames": ["vphone_ig"]}),
        json!({"target_post_url": format!("https://www.instagram.com/p/{}/", catalogue()[4].code),
               "comment_content": "Check your email, the giveaway is real"}),
    )
    .await;
    assert_eq!(instagram[0]["status"], 2, "{}", instagram[0]);
    assert_eq!(comments(&fleet, "tiktok").await.len(), 1);
    assert_eq!(comments(&fleet, "instagram").await.len(), 1);
}
