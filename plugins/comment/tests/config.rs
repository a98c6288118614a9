//! Native tests of the comment script's config: TikMatrix's documented requests, one task per
//! post URL, `sequential` lines decided in the plan, and the refusals.

use phonefleet_comment::{Comment, CommentConfig, NO_POST};
use serde_json::{Value, json};

fn schema() -> Value {
    phonefleet_sdk::config_schema::<CommentConfig>()
}

fn plan(v: Value) -> Result<Vec<Value>, String> {
    phonefleet_sdk::plan_json::<Comment>(&v)
}

const VIDEO_1: &str = "https://www.tiktok.com/@nasa/video/7300000000000001001";
const VIDEO_2: &str = "https://vm.tiktok.com/ZMh02k/";
const VIDEO_3: &str = "https://www.tiktok.com/@natgeo/video/7300000000000001002?is_from_webapp=1";

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/comment.json");
    if let Err(stale) =
        phonefleet_sdk::check_schema_file(path.as_ref(), &schema(), "phonefleet-comment")
    {
        panic!("{stale}");
    }
}

#[test]
fn comment_content_is_required_and_the_image_is_a_host_file() {
    let s = schema();
    assert_eq!(s["required"], json!(["comment_content"]));
    assert_eq!(s["properties"]["comment_image_path"]["x-host-path"], "file");
    let validator = jsonschema::draft202012::new(&s).expect("the schema compiles");
    assert!(!validator.is_valid(&json!({"target_post_url": VIDEO_1})));
    assert!(!validator.is_valid(&json!({"target_post_url": VIDEO_1, "comment_content": ""})));
}

#[test]
fn each_post_url_is_one_task_with_its_own_link() {
    let tasks = plan(json!({
        "target_post_url": format!("{VIDEO_1}\n{VIDEO_2},{VIDEO_3}"),
        "comment_content": "Nice!"
    }))
    .expect("plans");
    let urls: Vec<&str> = tasks
        .iter()
        .map(|t| t["target_post_urls"][0].as_str().expect("one url"))
        .collect();
    assert_eq!(urls, [VIDEO_1, VIDEO_2, VIDEO_3]);
}

#[test]
fn target_post_urls_wins_over_target_post_url() {
    let tasks = plan(json!({
        "target_post_urls": [VIDEO_1],
        "target_post_url": VIDEO_2,
        "comment_content": "Nice!"
    }))
    .expect("plans");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["target_post_urls"], json!([VIDEO_1]));
}

#[test]
fn sequential_gives_the_kth_task_the_kth_line_cycling() {
    let tasks = plan(json!({
        "target_post_urls": [VIDEO_1, VIDEO_2, VIDEO_3],
        "comment_content": "first\nsecond",
        "comment_order": "sequential"
    }))
    .expect("plans");
    let lines: Vec<&str> = tasks
        .iter()
        .map(|t| t["comment_content"].as_str().expect("a line"))
        .collect();
    assert_eq!(lines, ["first", "second", "first"]);
}

#[test]
fn random_keeps_every_line_for_the_run_to_pick() {
    let tasks =
        plan(json!({"target_post_url": VIDEO_1, "comment_content": "a\nb"})).expect("plans");
    assert_eq!(tasks[0]["comment_content"], "a\nb");
}

#[test]
fn instagram_takes_post_and_reel_links_and_no_image() {
    let reel = "https://www.instagram.com/reel/Cv00Xqti/";
    let tasks = plan(json!({
        "target_post_urls": ["https://www.instagram.com/p/Cv01Xqna/", reel],
        "comment_content": "wow",
        "app": "instagram"
    }))
    .expect("plans");
    assert_eq!(tasks.len(), 2);
    let refused = plan(json!({
        "target_post_url": reel, "comment_content": "wow", "app": "instagram",
        "comment_image_path": "/tmp/a.png"
    }))
    .expect_err("refused");
    assert!(refused.contains("TikTok only"), "{refused}");
}

#[test]
fn a_link_of_the_other_app_or_no_link_is_refused() {
    let refused = plan(
        json!({"target_post_url": "https://www.instagram.com/p/Cv01Xqna/", "comment_content": "x"}),
    )
    .expect_err("refused");
    assert!(refused.contains("is not a TikTok post link"), "{refused}");
    assert_eq!(
        plan(json!({"comment_content": "x"})),
        Err(NO_POST.to_string())
    );
}
