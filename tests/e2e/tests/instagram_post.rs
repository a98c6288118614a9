//! The post script on Instagram through the REST API on vphones: a Reel with any Unicode caption
//! lands byte-identical with its file's sha256, a carousel keeps its order, a story lands, a retry
//! whose first run's post went out does not post twice, one request in username mode posts to a TikTok
//! and an Instagram account each, and IgMatrix's example request lands on Instagram.

use phonefleet::apps::App;
use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vphone::{InstagramConfig, PhoneConfig};

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A file of distinct bytes in `dir`: its path and sha256.
fn media(dir: &std::path::Path, name: &str) -> (String, String) {
    let bytes = phonefleet_e2e::media_bytes(name, 100_000);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path.display().to_string(), sha256(&bytes))
}

async fn fleet_with(default_app: App) -> Fleet {
    fleet_of(InstagramConfig::default(), default_app).await
}

/// One phone with Instagram set up as `instagram` says, the server's default app `default_app`.
async fn fleet_of(instagram: InstagramConfig, default_app: App) -> Fleet {
    Fleet::start_with(
        vec![PhoneConfig {
            instagram: Some(instagram),
            ..PhoneConfig::default()
        }],
        |c| c.default_app = default_app,
    )
    .await
    .unwrap()
}

/// Runs the post script on the phone as Instagram (`--default-app instagram`).
async fn post(fleet: &Fleet, config: Value) -> Value {
    let body = json!({"serials": fleet.serials(), "script_name": "post", "script_config": config});
    let ids = fleet.create(&body).await.unwrap();
    fleet.wait_finished(&ids).await.unwrap().remove(0)
}

async fn instagram(fleet: &Fleet) -> Value {
    fleet.adb.phone_state(&fleet.serials()[0]).await["instagram"].clone()
}

fn hashes(post: &Value) -> Vec<String> {
    post["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["sha256"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reel_with_an_emoji_and_cjk_caption_lands_byte_identical() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "reel.mp4");
    let caption = "夏の海 🌊✨\nnew line — \"quoted\" & more #travel";
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": caption}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    let posts = state["posts"].as_array().cloned().unwrap_or_default();
    assert_eq!(posts.len(), 1, "{state}");
    assert_eq!(posts[0]["kind"], "reel");
    assert_eq!(posts[0]["caption"], caption);
    assert_eq!(hashes(&posts[0]), [hash]);
    let tiktok = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(tiktok["posts"], json!([]), "nothing posted on TikTok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_image_carousel_lands_in_order() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, String)> = ["c.jpg", "a.jpg", "b.jpg"]
        .iter()
        .map(|n| media(dir.path(), n))
        .collect();
    let list: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let task = post(
        &fleet,
        json!({"content_type": 1, "image_count": 3, "material_list": list, "captions": "three"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    let post = &state["posts"][0];
    assert_eq!(post["kind"], "carousel", "{state}");
    let expected: Vec<String> = files.into_iter().map(|(_, h)| h).collect();
    assert_eq!(hashes(post), expected, "in the given order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_lands() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (image, hash) = media(dir.path(), "story.jpg");
    let task = post(
        &fleet,
        json!({"content_type": 1, "image_count": 1, "material_list": [image], "placement": "story"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["stories"][0]["kind"], "story", "{state}");
    assert_eq!(hashes(&state["stories"][0]), [hash]);
    assert_eq!(state["posts"], json!([]), "a story is not a post: {state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_whose_first_attempt_went_out_is_not_posted_twice() {
    let fleet = fleet_of(
        InstagramConfig {
            share_stalls: true,
            ..InstagramConfig::default()
        },
        App::Instagram,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (video, _) = media(dir.path(), "once.mp4");
    // The share goes out but the composer never leaves: the first run fails.
    let first = post(
        &fleet,
        json!({"material_list": [video], "captions": "only once"}),
    )
    .await;
    assert_eq!(first["status"], 3, "{first}");
    let id = first["id"].as_i64().unwrap();
    let retried = fleet
        .post(&format!("/task/{id}/retry"), &json!({}))
        .await
        .unwrap();
    assert_eq!(retried["code"], 0, "{retried}");
    let again = fleet.wait_finished(&[id]).await.unwrap().remove(0);
    assert_eq!(again["status"], 2, "{again}");
    assert_eq!(again["result"]["already_posted"], true, "{again}");
    let state = instagram(&fleet).await;
    assert_eq!(state["posts"].as_array().map(Vec::len), Some(1), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_caption_in_a_new_task_is_posted_again() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = media(dir.path(), "one.mp4");
    let (second, _) = media(dir.path(), "two.mp4");
    for video in [first, second] {
        let task = post(
            &fleet,
            json!({"material_list": [video], "captions": "daily"}),
        )
        .await;
        assert_eq!(task["result"]["already_posted"], false, "{task}");
    }
    let state = instagram(&fleet).await;
    assert_eq!(state["posts"].as_array().map(Vec::len), Some(2), "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_posts_to_a_tiktok_and_an_instagram_account_on_one_phone() {
    let fleet = fleet_with(App::Tiktok).await;
    let serial = fleet.serials()[0].clone();
    for (name, app) in [("@vphone_user", "tiktok"), ("@vphone_ig", "instagram")] {
        let account = fleet
            .post(
                "/account",
                &json!({"username": name, "serial": serial, "app": app}),
            )
            .await
            .unwrap();
        assert_eq!(account["code"], 0, "{account}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "both.mp4");
    let body = json!({"usernames": ["@vphone_user", "@vphone_ig"], "script_name": "post",
                      "script_config": {"material_list": [video], "captions": "everywhere"}});
    let ids = fleet.create(&body).await.unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    let apps: Vec<&Value> = tasks.iter().map(|t| &t["app"]).collect();
    assert_eq!(apps, [&json!("tiktok"), &json!("instagram")]);
    assert!(tasks.iter().all(|t| t["status"] == 2), "{tasks:?}");
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(
        state["posts"][0]["caption"], "everywhere",
        "TikTok: {state}"
    );
    assert_eq!(
        state["instagram"]["posts"][0]["caption"], "everywhere",
        "{state}"
    );
    assert_eq!(hashes(&state["instagram"]["posts"][0]), [hash]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn igmatrixs_post_example_lands_on_instagram() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "video1.mp4");
    // TikMatrix's (and so IgMatrix's) documented example request: no app anywhere.
    let body = json!({
        "serials": fleet.serials(),
        "script_name": "post",
        "script_config": {
            "content_type": 0,
            "captions": "Check out my new video! #viral #fyp",
            "material_list": [video],
            "upload_wait_time": 30
        },
        "enable_multi_account": false,
        "min_interval": 1,
        "max_interval": 5
    });
    let ids = fleet.create(&body).await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(
        (&task["status"], &task["app"]),
        (&json!(2), &json!("instagram")),
        "{task}"
    );
    let state = instagram(&fleet).await;
    assert_eq!(hashes(&state["posts"][0]), [hash], "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_way_in_instagram_lacks_is_a_40001_naming_it() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (video, _) = media(dir.path(), "v.mp4");
    let body = json!({"serials": fleet.serials(), "script_name": "post",
                      "script_config": {"material_list": [video], "post_way": "useSound",
                                        "sound_name": "Summer vibes"}});
    let reply = fleet.post("/task", &body).await.unwrap();
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .is_some_and(|m| m.contains("post_way useSound is not available on Instagram")),
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reel_is_posted_past_save_your_login_info() {
    let fleet = fleet_of(
        InstagramConfig {
            login_info_prompt: true,
            ..InstagramConfig::default()
        },
        App::Instagram,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "prompted.mp4");
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": "past the prompt"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(state["posts"][0]["caption"], "past the prompt", "{state}");
    assert_eq!(hashes(&state["posts"][0]), [hash]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carousel_made_in_create_and_the_gallery_keeps_its_order() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, String)> = ["z.jpg", "x.jpg", "y.jpg"]
        .iter()
        .map(|n| media(dir.path(), n))
        .collect();
    let list: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let task = post(
        &fleet,
        json!({"content_type": 1, "image_count": 3, "material_list": list,
               "post_way": "addButton", "captions": "from the gallery"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    let post = &state["posts"][0];
    assert_eq!(
        (&post["kind"], &post["caption"]),
        (&json!("carousel"), &json!("from the gallery")),
        "{state}"
    );
    let expected: Vec<String> = files.into_iter().map(|(_, h)| h).collect();
    assert_eq!(hashes(post), expected, "in the given order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reel_and_a_story_made_in_create_land() {
    let fleet = fleet_with(App::Instagram).await;
    let dir = tempfile::tempdir().unwrap();
    let (video, video_hash) = media(dir.path(), "made.mp4");
    let reel = post(
        &fleet,
        json!({"material_list": [video], "post_way": "addButton", "captions": "made here"}),
    )
    .await;
    assert_eq!(reel["status"], 2, "{reel}");
    let (image, image_hash) = media(dir.path(), "story.jpg");
    let story = post(
        &fleet,
        json!({"content_type": 1, "image_count": 1, "material_list": [image],
               "post_way": "addButton", "placement": "story"}),
    )
    .await;
    assert_eq!(story["status"], 2, "{story}");
    let state = instagram(&fleet).await;
    assert_eq!(state["posts"][0]["kind"], "reel", "{state}");
    assert_eq!(hashes(&state["posts"][0]), [video_hash]);
    assert_eq!(hashes(&state["stories"][0]), [image_hash], "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_draft_question_camera_permission_and_edits_promo_are_answered_in_the_app() {
    let fleet = fleet_of(
        InstagramConfig {
            draft_kept: true,
            create_prompts: true,
            ..InstagramConfig::default()
        },
        App::Instagram,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "prompted.mp4");
    let task = post(
        &fleet,
        json!({"material_list": [video], "post_way": "addButton", "captions": "no Play Store"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let state = instagram(&fleet).await;
    assert_eq!(hashes(&state["posts"][0]), [hash], "{state}");
}
