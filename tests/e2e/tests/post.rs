//! The post script end to end through the REST API on vphones: the phone records what was
//! posted — caption, flow, and the sha256 of every file's bytes as it received them over sync.

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vphone::PhoneConfig;

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A file of distinct bytes, so every hash is its own.
fn media(dir: &std::path::Path, name: &str) -> (String, String) {
    let bytes = phonefleet_e2e::media_bytes(name, 200_000);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path.display().to_string(), sha256(&bytes))
}

async fn post(fleet: &Fleet, config: Value) -> Value {
    let ids = fleet
        .create(
            &json!({"serials": fleet.serials(), "script_name": "post", "script_config": config}),
        )
        .await
        .unwrap();
    fleet.wait_finished(&ids).await.unwrap().remove(0)
}

async fn posts(fleet: &Fleet) -> Vec<Value> {
    fleet.adb.phone_state(&fleet.serials()[0]).await["posts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn hashes(post: &Value) -> Vec<String> {
    let mut h: Vec<String> = post["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["sha256"].as_str().map(String::from))
        .collect();
    h.sort();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_from_material_list_is_posted_with_its_bytes_and_exact_caption() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (video, hash) = media(dir.path(), "v1.mp4");
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": "Check out my new video! #viral #fyp"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(
        task["result"]["caption"],
        "Check out my new video! #viral #fyp"
    );
    let posted = posts(&fleet).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0]["caption"], "Check out my new video! #viral #fyp");
    assert_eq!(hashes(&posted[0]), vec![hash]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_image_carousel_from_a_local_folder_is_posted() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut expected: Vec<String> = ["a.jpg", "b.jpg", "c.jpg"]
        .iter()
        .map(|n| media(dir.path(), n).1)
        .collect();
    std::fs::write(dir.path().join("notes.txt"), b"not an image").unwrap();
    let task = post(
        &fleet,
        json!({"content_type": 1, "image_count": 3, "material_source": "localFolder",
               "material_path": dir.path(), "captions": "three"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    expected.sort();
    assert_eq!(hashes(&posts(&fleet).await[0]), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emoji_and_cjk_caption_arrives_byte_identical() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (video, _) = media(dir.path(), "v.mp4");
    let caption = "春天来了 🌸✨ 桜が咲いた café #旅行";
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": caption}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(posts(&fleet).await[0]["caption"], caption);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spintax_caption_posts_one_of_its_choices() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (video, _) = media(dir.path(), "v.mp4");
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": "{Hi|Hello} {there|{friends|folks}}"}),
    )
    .await;
    assert_eq!(task["status"], 2, "{task}");
    let caption = posts(&fleet).await[0]["caption"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let choices = [
        "Hi there",
        "Hi friends",
        "Hi folks",
        "Hello there",
        "Hello friends",
        "Hello folks",
    ];
    assert!(choices.contains(&caption.as_str()), "{caption:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_video_tagged_dance_is_picked_by_its_tag_and_then_marked_used() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let bytes: Vec<u8> = b"dance video "
        .iter()
        .copied()
        .cycle()
        .take(150_000)
        .collect();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("moves.mp4"),
        )
        .text("tags", "Dance, fyp");
    let (_, uploaded) = fleet
        .send(fleet.http.post(fleet.url("/material")).multipart(form))
        .await
        .unwrap();
    assert_eq!(uploaded["code"], 0, "{uploaded}");
    let other = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"cooking".repeat(1000)).file_name("soup.mp4"),
        )
        .text("tags", "food");
    fleet
        .send(fleet.http.post(fleet.url("/material")).multipart(other))
        .await
        .unwrap();

    let task = post(&fleet, json!({"material_source": "materialLibrary", "materials_tags": "dance", "captions": "moves"})).await;
    assert_eq!(task["status"], 2, "{task}");
    assert_eq!(hashes(&posts(&fleet).await[0]), vec![sha256(&bytes)]);
    let library = fleet.get("/material").await.unwrap();
    let used: Vec<(String, bool)> = library["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["original_name"].as_str().unwrap_or_default().to_string(),
                !m["used_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        used,
        vec![
            ("moves.mp4".to_string(), true),
            ("soup.mp4".to_string(), false)
        ]
    );

    let again = post(
        &fleet,
        json!({"material_source": "materialLibrary", "materials_tags": "dance"}),
    )
    .await;
    assert_eq!(
        again["status"], 3,
        "the only dance video is used now: {again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_post_way_leaves_the_phone_posted() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (i, way) in ["share", "addButton", "useSound"].iter().enumerate() {
        let (video, hash) = media(dir.path(), &format!("way{i}.mp4"));
        let mut config =
            json!({"material_list": [video], "captions": format!("via {way}"), "post_way": way});
        if *way == "useSound" {
            config["sound_name"] = json!("original sound - nasa");
        }
        let task = post(&fleet, config).await;
        assert_eq!(task["status"], 2, "{way}: {task}");
        let posted = posts(&fleet).await;
        let last = posted.last().unwrap();
        assert_eq!(
            (last["flow"].as_str(), last["caption"].as_str()),
            (Some(*way), Some(format!("via {way}").as_str()))
        );
        assert_eq!(hashes(last), vec![hash]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_naming_a_file_that_does_not_exist_is_refused_naming_it() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let reply = fleet
        .post(
            "/task",
            &json!({"serials": fleet.serials(), "script_name": "post",
                               "script_config": {"material_list": ["/no/such/video.mp4"]}}),
        )
        .await
        .unwrap();
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(
        reply["data"]["errors"][0]["path"],
        "/script_config/material_list/0"
    );
    assert!(
        reply["message"]
            .as_str()
            .unwrap_or_default()
            .contains("/no/such/video.mp4"),
        "{reply}"
    );
    assert_eq!(fleet.get("/task/stats").await.unwrap()["data"]["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_requirements_of_the_post_schema_are_enforced_at_creation() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    for config in [
        json!({"material_source": "localFolder"}),
        json!({"post_way": "useSound"}),
        json!({"add_sound": "custom"}),
    ] {
        let reply = fleet.post("/task", &json!({"serials": fleet.serials(), "script_name": "post", "script_config": config})).await.unwrap();
        assert_eq!(reply["code"], 40001, "{config}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caption_of_nine_thousand_characters_reaches_the_phone_intact() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (video, _) = media(dir.path(), "long.mp4");
    // Near the schema's 10,000 characters, emoji and accents included: typed in 4 KiB pieces.
    let caption = vec!["Café ☕ au lait, s'il vous plaît! 🎉"; 260].join(" ");
    assert!(caption.chars().count() > 9_000);
    let task = post(
        &fleet,
        json!({"material_list": [video], "captions": caption}),
    )
    .await;
    assert_eq!(task["status"], 2, "{}", task["error"]);
    let posted = posts(&fleet).await[0]["caption"].clone();
    let posted = posted.as_str().unwrap_or_default();
    assert!(
        posted == caption,
        "{} characters arrived of {}",
        posted.chars().count(),
        caption.chars().count()
    );
}
