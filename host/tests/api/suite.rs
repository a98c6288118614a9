// The API suite, run once per backend: included by api.rs into `mod sqlite` and `mod postgres`,
// each of which defines `store()`, the empty store a test starts from.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use phonefleet::config::{Config, Plan};
use phonefleet::events::Events;
use phonefleet::store::Store;
use phonefleet_device::adb::{AdbServer, DeviceInfo, DeviceState};
use serde_json::{Value, json};
use tokio::sync::watch;
use tower::ServiceExt;
use vphone::testing::media_bytes;

use super::registry;

const PHONE: &str = "R58M00000A";

fn phone(serial: &str, state: DeviceState) -> DeviceInfo {
    DeviceInfo {
        serial: serial.into(),
        state,
        model: Some("SM_G973F".into()),
        product: None,
        device: None,
        usb: None,
        transport_id: Some(1),
    }
}

/// The host's API over an in-memory store, with one phone online that no adb server answers for
/// (tasks due now would fail on it; these tests schedule later or never dispatch).
struct App {
    router: Router,
    store: Store,
    _devices: watch::Sender<Arc<Vec<DeviceInfo>>>,
    _data: tempfile::TempDir,
}

async fn app() -> App {
    app_with(|_| {}).await
}

async fn app_with(tweak: impl FnOnce(&mut Config)) -> App {
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = Config::for_data_dir(data.path().to_path_buf());
    tweak(&mut config);
    let store = store().await;
    let (devices, table) = watch::channel(Arc::new(vec![phone(PHONE, DeviceState::Device)]));
    let adb = AdbServer::new("127.0.0.1:9".parse().expect("addr"));
    let state = phonefleet::assemble(
        &config,
        store.clone(),
        registry().await,
        vec![(adb, table)],
        Events::default(),
    );
    App {
        router: phonefleet::api::router(state),
        store,
        _devices: devices,
        _data: data,
    }
}

impl App {
    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, body)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let builder = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("a request")).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call("GET", path, None).await.1
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(body)).await.1
    }

    /// Creates tasks that must be accepted; returns their ids.
    async fn create(&self, body: Value) -> Vec<i64> {
        let reply = self.post("/task", body).await;
        assert_eq!(reply["code"], 0, "{reply}");
        reply["data"]["task_ids"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(Value::as_i64)
            .collect()
    }

    async fn total(&self) -> i64 {
        self.store.stats().await.expect("stats").total
    }
}

/// A start time an hour from now: tasks created with it stay pending.
fn later() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()
}

fn follow(users: &[&str]) -> Value {
    json!({"serials": [PHONE], "script_name": "follow", "script_config": {"target_users": users},
           "start_time": later()})
}

fn paths(reply: &Value) -> Vec<String> {
    reply["data"]["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["path"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

// ---- Creating tasks ------------------------------------------------------------------------

#[tokio::test]
async fn create_answers_task_ids_and_count_in_the_envelope() {
    let app = app().await;
    let reply = app.post("/task", follow(&["@a", "@b"])).await;
    assert_eq!(reply["code"], 0);
    assert_eq!(reply["message"], "success");
    assert_eq!(reply["data"]["created_count"], 2);
    assert_eq!(reply["data"]["task_ids"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.total().await, 2);
}

#[tokio::test]
async fn missing_script_name_is_40002_and_writes_nothing() {
    let app = app().await;
    let (http, reply) = app
        .call(
            "POST",
            "/task",
            Some(json!({"serials": [PHONE], "script_config": {}})),
        )
        .await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40002)));
    assert_eq!(reply["message"], "script_name is required");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn unknown_script_is_40003_listing_the_loaded_ones() {
    let app = app().await;
    let body = json!({"serials": [PHONE], "script_name": "dance", "script_config": {}});
    let (http, reply) = app.call("POST", "/task", Some(body)).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40003)));
    let message = reply["message"].as_str().unwrap();
    assert!(
        message.contains("follow") && message.contains("post"),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn schema_violations_are_all_listed_as_json_pointers() {
    let app = app().await;
    let body = json!({"serials": [PHONE], "script_name": "follow",
                      "script_config": {"target_users": ["@a"], "access_method": "teleport", "colour": "red"}});
    let (http, reply) = app.call("POST", "/task", Some(body)).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    let paths = paths(&reply);
    assert!(
        paths.contains(&"/script_config/access_method".to_string()),
        "{reply}"
    );
    assert!(
        paths.contains(&"/script_config".to_string()),
        "unknown key reported too: {reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn malformed_json_is_40001_saying_so() {
    let app = app().await;
    let request = Request::post("/api/v1/task")
        .header("content-type", "application/json")
        .body(Body::from("{\"serials\": ["))
        .unwrap();
    let (http, reply) = app.send(request).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    assert!(says(&reply, "not valid JSON"), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_40001_naming_the_content_type() {
    let app = app().await;
    let request = Request::post("/api/v1/task")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let (http, reply) = app.send(request).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    assert!(says(&reply, "Content-Type: application/json"));
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_41301() {
    let app = app().await;
    let huge = json!({"serials": [PHONE], "script_name": "follow",
                      "script_config": {"target_user": "x".repeat(2 << 20)}});
    let (http, reply) = app.call("POST", "/task", Some(huge)).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (413, json!(41301)));
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn an_unknown_serial_is_40001_naming_it_by_pointer() {
    let app = app().await;
    let body = json!({"serials": [PHONE, "no-such-phone"], "script_name": "follow",
                      "script_config": {"target_users": ["@a"]}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert_eq!(paths(&reply), ["/serials/1"]);
    assert!(
        reply["data"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-phone")
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn serials_and_usernames_together_are_refused() {
    let app = app().await;
    let body = json!({"serials": [PHONE], "usernames": ["@x"], "script_name": "follow",
                      "script_config": {"target_user": "@a"}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert!(
        reply.to_string().contains("either serials or usernames"),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn max_interval_below_min_interval_is_refused_naming_max_interval() {
    let app = app().await;
    let mut body = follow(&["@a"]);
    body["min_interval"] = json!(5);
    body["max_interval"] = json!(2);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert_eq!(paths(&reply), ["/max_interval"]);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_phone_named_twice_is_refused_naming_the_second() {
    let app = app().await;
    let mut body = follow(&["@a"]);
    body["serials"] = json!([PHONE, PHONE]);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(paths(&reply), ["/serials/1"]);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn an_account_named_twice_is_refused_however_it_is_written() {
    let app = app().await;
    app.post("/account", json!({"username": "@alice", "serial": PHONE}))
        .await;
    let body = json!({"usernames": ["alice", " @ALICE"], "script_name": "follow",
                      "script_config": {"target_users": ["@a"]}, "start_time": later()});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(paths(&reply), ["/usernames/1"], "{reply}");
    let said = reply["data"]["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(said.contains("already at /usernames/0"), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn an_interval_beyond_a_week_is_refused() {
    let app = app().await;
    let mut body = follow(&["@a", "@b"]);
    body["min_interval"] = json!(4_000_000_000u64 / 1000);
    body["max_interval"] = json!(4_000_000_000u64);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(app.total().await, 0);
    let mut body = follow(&["@a", "@b"]);
    body["max_interval"] = json!(10_081);
    let reply = app.post("/task", body).await;
    assert_eq!(paths(&reply), ["/max_interval"], "{reply}");
}

/// Whether the envelope's `message` says `words`.
fn says(reply: &Value, words: &str) -> bool {
    reply["message"].as_str().is_some_and(|m| m.contains(words))
}

/// An app whose only file root is a fresh directory, with `files` (name, bytes) written into it;
/// returns the app, the directory (kept alive) and the files' paths.
async fn app_serving(files: &[(&str, &[u8])]) -> (App, tempfile::TempDir, Vec<String>) {
    let root = tempfile::tempdir().expect("root");
    let paths = files
        .iter()
        .map(|(name, bytes)| {
            let path = root.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            path.display().to_string()
        })
        .collect();
    let roots = vec![root.path().to_path_buf()];
    let app = app_with(|c| c.file_roots = roots).await;
    (app, root, paths)
}

/// A post of `material_list` on the test phone, an hour from now.
fn post_files(files: &[&str]) -> Value {
    json!({"serials": [PHONE], "script_name": "post", "start_time": later(),
           "script_config": {"material_list": files}})
}

#[tokio::test]
async fn host_files_outside_the_file_roots_are_refused_however_they_are_named() {
    let root = tempfile::tempdir().expect("root");
    let roots = vec![root.path().to_path_buf()];
    let app = app_with(|c| c.file_roots = roots).await;
    let escape = format!("{}/../../../../../../../etc/passwd", root.path().display());
    for path in [
        "/etc/passwd",
        "../../../../../../../../etc/passwd",
        escape.as_str(),
    ] {
        let reply = app.post("/task", post_files(&[path])).await;
        assert_eq!(reply["code"], 40001, "{path}: {reply}");
        assert_eq!(paths(&reply), ["/script_config/material_list/0"], "{reply}");
        assert!(says(&reply, "outside"), "{reply}");
    }
    let reply = app
        .post(
            "/task",
            json!({"serials": [PHONE], "script_name": "post", "start_time": later(),
                   "script_config": {"material_path": "/etc"}}),
        )
        .await;
    assert_eq!(paths(&reply), ["/script_config/material_path"], "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_host_file_inside_a_file_root_is_accepted() {
    let (app, _root, files) = app_serving(&[("v.mp4", &media_bytes("v.mp4", 64))]).await;
    let reply = app.post("/task", post_files(&[&files[0]])).await;
    assert_eq!(reply["code"], 0, "{reply}");
}

#[tokio::test]
async fn a_host_file_whose_bytes_are_not_what_its_name_says_is_refused() {
    let (app, _root, files) = app_serving(&[
        ("clip.mp4", &media_bytes("clip.png", 64)),
        ("notes.jpg", b"just some notes"),
    ])
    .await;
    for (file, said) in [(&files[0], "holds an image"), (&files[1], "holds text")] {
        let reply = app.post("/task", post_files(&[file])).await;
        assert_eq!(reply["code"], 40001, "{reply}");
        assert!(says(&reply, said), "{reply}");
    }
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_video_for_an_image_post_is_refused_at_creation() {
    let (app, _root, files) = app_serving(&[("v.mp4", &media_bytes("v.mp4", 64))]).await;
    let reply = app
        .post(
            "/task",
            json!({"serials": [PHONE], "script_name": "post", "start_time": later(),
                   "script_config": {"content_type": 1, "image_count": 1,
                                     "material_list": files}}),
        )
        .await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(says(&reply, "0 images, 1 needed"), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn every_duration_and_count_of_a_post_has_a_ceiling() {
    let app = app().await;
    for (field, value) in [
        ("upload_wait_time", 4_000_000_000u64),
        ("sound_wait_time", 4_000_000_000),
        ("image_count", 1_000),
    ] {
        let mut config = json!({"material_list": ["/tmp/v.mp4"]});
        config[field] = json!(value);
        let body = json!({"serials": [PHONE], "script_name": "post", "start_time": later(),
                          "script_config": config});
        let reply = app.post("/task", body).await;
        assert_eq!(reply["code"], 40001, "{field}: {reply}");
        let pointer = format!("/script_config/{field}");
        assert!(paths(&reply).contains(&pointer), "{field}: {reply}");
    }
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_caption_longer_than_the_schema_allows_is_refused_naming_it() {
    let app = app().await;
    let body = json!({"serials": [PHONE], "script_name": "post", "start_time": later(),
                      "script_config": {"captions": "a".repeat(100_000), "material_list": ["/tmp/v.mp4"]}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        paths(&reply).iter().any(|p| p == "/script_config/captions"),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn the_create_reply_says_when_each_task_starts() {
    let app = app().await;
    let mut body = follow(&["@a", "@b"]);
    body["min_interval"] = json!(10);
    body["max_interval"] = json!(10);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 0, "{reply}");
    let at = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(reply["data"]["start_times"][i].as_str().unwrap())
            .unwrap()
    };
    assert_eq!(at(1) - at(0), chrono::Duration::minutes(10), "{reply}");
    let stored = app
        .get(&format!("/task/{}", reply["data"]["task_ids"][0]))
        .await;
    assert_eq!(
        stored["data"]["start_time"],
        reply["data"]["start_times"][0]
    );
}

#[tokio::test]
async fn a_start_time_long_past_is_refused_naming_it() {
    let app = app().await;
    let mut body = follow(&["@a"]);
    body["start_time"] = json!("2020-01-01T00:00:00Z");
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(paths(&reply), ["/start_time"]);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_number_with_an_integral_value_is_an_integer() {
    let app = app().await;
    let mut body = follow(&["@a", "@b"]);
    body["min_interval"] = json!(10.0);
    body["max_interval"] = json!(1e1);
    let ids = app.create(body).await;
    let first = app.get(&format!("/task/{}", ids[0])).await;
    let second = app.get(&format!("/task/{}", ids[1])).await;
    let at = |t: &Value| {
        chrono::DateTime::parse_from_rfc3339(t["data"]["start_time"].as_str().unwrap()).unwrap()
    };
    assert_eq!(at(&second) - at(&first), chrono::Duration::minutes(10));
    let deleted = app
        .call(
            "DELETE",
            "/task/batch",
            Some(json!({"task_ids": [ids[0] as f64]})),
        )
        .await
        .1;
    assert_eq!(deleted["data"]["deleted_count"], 1, "{deleted}");
}

#[tokio::test]
async fn a_wrongly_typed_field_names_its_pointer_in_plain_words() {
    let app = app().await;
    let body = json!({"serials": "R58M00000A", "script_name": "follow", "script_config": {}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert_eq!(paths(&reply), ["/serials"]);
    let message = reply["data"]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("expected a list"), "{message}");
    let reply = app
        .post("/task", json!({"serials": [PHONE], "script_name": "follow", "script_config": {}, "min_interval": "abc"}))
        .await;
    assert_eq!(paths(&reply), ["/min_interval"]);
    assert!(
        !reply.to_string().contains("u32"),
        "no Rust types in the answer: {reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_start_time_in_hh_mm_schedules_the_next_occurrence_and_the_task_waits() {
    let app = app().await;
    let mut body = follow(&["@a"]);
    body["start_time"] = json!("00:00");
    let id = app.create(body).await[0];
    let task = app.get(&format!("/task/{id}")).await["data"].clone();
    assert_eq!(task["status"], 0, "not due before midnight: {task}");
    assert!(
        task["start_time"].as_str().unwrap().contains("T00:00:00"),
        "{task}"
    );
}

#[tokio::test]
async fn intervals_space_a_requests_tasks_on_the_same_phone() {
    let app = app().await;
    let mut body = follow(&["@a", "@b"]);
    body["min_interval"] = json!(10);
    body["max_interval"] = json!(10);
    let ids = app.create(body).await;
    let at = |t: &Value| {
        chrono::DateTime::parse_from_rfc3339(t["data"]["start_time"].as_str().unwrap()).unwrap()
    };
    let first = app.get(&format!("/task/{}", ids[0])).await;
    let second = app.get(&format!("/task/{}", ids[1])).await;
    assert_eq!(at(&second) - at(&first), chrono::Duration::minutes(10));
}

// ---- Listing, reading, stopping, deleting ---------------------------------------------------

#[tokio::test]
async fn a_list_page_size_over_100_is_refused_not_clamped() {
    let app = app().await;
    let (http, reply) = app.call("GET", "/task?page_size=101", None).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    assert_eq!(reply["message"], "page_size must be between 1 and 100");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_40001_in_plain_words() {
    let app = app().await;
    let reply = app.post("/task", json!(["not", "an", "object"])).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(reply["message"], "expected a JSON object", "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_wrongly_typed_query_parameter_is_40001() {
    let app = app().await;
    let (http, reply) = app.call("GET", "/task?page=abc", None).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    assert_eq!(paths(&reply), ["/page"], "{reply}");
    assert_eq!(
        reply["data"]["errors"][0]["message"], "expected a whole number",
        "{reply}"
    );
}

#[tokio::test]
async fn an_id_in_the_url_that_is_not_a_number_is_40001_in_plain_words() {
    let app = app().await;
    let (http, reply) = app.call("GET", "/task/abc", None).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (400, json!(40001)));
    assert_eq!(
        reply["message"], "the id in the URL must be a whole number, not \"abc\"",
        "{reply}"
    );
}

#[tokio::test]
async fn the_list_filters_and_pages_newest_first() {
    let app = app().await;
    let ids = app.create(follow(&["@a", "@b", "@c"])).await;
    let page = app
        .get("/task?status=0&script_name=follow&source=api&page=1&page_size=2")
        .await;
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(page["data"]["page_size"], 2);
    let listed: Vec<i64> = page["data"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(listed, vec![ids[2], ids[1]]);
    for filter in ["status=2", "serial=other", "source=ui"] {
        assert_eq!(
            app.get(&format!("/task?{filter}")).await["data"]["total"],
            0,
            "{filter}"
        );
    }
}

#[tokio::test]
async fn an_unknown_task_is_40401() {
    let app = app().await;
    let (http, reply) = app.call("GET", "/task/999", None).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (404, json!(40401)));
    assert_eq!(reply["message"], "task 999 not found");
}

#[tokio::test]
async fn a_method_an_endpoint_does_not_take_is_405_with_its_own_code() {
    let app = app().await;
    let (http, reply) = app.call("PUT", "/task/stats", None).await;
    assert_eq!((http.as_u16(), reply["code"].clone()), (405, json!(40501)));
}

#[tokio::test]
async fn stopping_a_pending_task_fails_it_as_stopped_by_user() {
    let app = app().await;
    let id = app.create(follow(&["@a"])).await[0];
    let reply = app.post(&format!("/task/{id}/stop"), json!({})).await;
    assert_eq!(reply["data"]["status"], 3, "{reply}");
    assert_eq!(reply["data"]["error"], "stopped by user");
    let again = app.post(&format!("/task/{id}/stop"), json!({})).await;
    assert_eq!(
        again["code"], 40001,
        "a failed task cannot be stopped again"
    );
    assert!(says(&again, "is failed"), "{again}");
}

#[tokio::test]
async fn retrying_a_task_that_has_not_failed_is_refused() {
    let app = app().await;
    let id = app.create(follow(&["@a"])).await[0];
    let reply = app.post(&format!("/task/{id}/retry"), json!({})).await;
    assert_eq!(reply["code"], 40001);
    assert!(says(&reply, "only failed tasks"), "{reply}");
    assert_eq!(
        app.get(&format!("/task/{id}")).await["data"]["retry_count"],
        0
    );
}

#[tokio::test]
async fn deleting_a_task_removes_it() {
    let app = app().await;
    let id = app.create(follow(&["@a"])).await[0];
    assert_eq!(
        app.call("DELETE", &format!("/task/{id}"), None).await.1["code"],
        0
    );
    assert_eq!(app.get(&format!("/task/{id}")).await["code"], 40401);
    assert_eq!(
        app.call("DELETE", &format!("/task/{id}"), None).await.1["code"],
        40401
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_tasks_log_comes_a_page_at_a_time() {
    let app = app().await;
    let id = app.create(follow(&["@a"])).await[0];
    let lines: Vec<phonefleet::store::NewLog> = (0..30)
        .map(|i| phonefleet::store::NewLog::info(i, format!("line {i}")))
        .collect();
    app.store.append_logs(id, &lines).await.unwrap();
    let page = app
        .get(&format!("/task/{id}/logs?page=2&page_size=25"))
        .await;
    assert_eq!(page["data"]["total"], 30);
    assert_eq!(page["data"]["lines"].as_array().map(Vec::len), Some(5));
    assert_eq!(page["data"]["lines"][0]["message"], "line 25");
    let (http, _) = app
        .call("GET", &format!("/task/{id}/logs?page_size=1001"), None)
        .await;
    assert_eq!(http, StatusCode::BAD_REQUEST);
}

// ---- License, token, internal errors ------------------------------------------------------

#[tokio::test]
async fn the_license_check_reports_the_plan() {
    let app = app().await;
    assert_eq!(
        app.get("/license/check").await["data"],
        json!({"plan_name": "Pro", "api_enabled": true, "device_limit": 0, "message": "API access enabled"})
    );
}

#[tokio::test]
async fn the_starter_plan_answers_40301_on_task_endpoints_and_the_license_check() {
    let app = app_with(|c| c.license_plan = Plan::Starter).await;
    for path in ["/task", "/license/check"] {
        let (http, reply) = app.call("GET", path, None).await;
        assert_eq!(
            (http.as_u16(), reply["code"].clone()),
            (403, json!(40301)),
            "{path}"
        );
        assert_eq!(reply["data"]["api_enabled"], false);
    }
    let (http, _) = app.call("POST", "/task", Some(follow(&["@a"]))).await;
    assert_eq!(http.as_u16(), 403);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn with_a_token_set_requests_without_it_get_40101() {
    let app = app_with(|c| c.api_token = Some("s3cret".into())).await;
    for auth in [None, Some("Bearer wrong")] {
        let mut request = Request::get("/api/v1/task");
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let (http, reply) = app.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(
            (http.as_u16(), reply["code"].clone()),
            (401, json!(40101)),
            "{auth:?}"
        );
    }
    let with = Request::get("/api/v1/task")
        .header("authorization", "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(with).await.1["code"],
        0,
        "with the token it answers"
    );
}


#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = app().await;
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/v1/task/stats")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

// ---- Accounts -------------------------------------------------------------------------------

#[tokio::test]
async fn an_unregistered_username_is_refused_naming_it() {
    let app = app().await;
    let body = json!({"usernames": ["@ghost"], "script_name": "follow",
                      "script_config": {"target_users": ["@a"]}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert_eq!(paths(&reply), ["/usernames/0"]);
    assert!(reply.to_string().contains("ghost"), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn multi_account_mode_on_a_phone_without_accounts_is_refused_naming_it() {
    let app = app().await;
    let mut body = follow(&["@a"]);
    body["enable_multi_account"] = json!(true);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001);
    assert!(reply.to_string().contains(PHONE), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn an_account_package_that_is_not_an_android_package_is_refused() {
    let app = app().await;
    for package in ["com.x;reboot", "com.x $(touch /sdcard/p)", "x"] {
        let reply = app
            .post(
                "/account",
                json!({"username": "@a", "serial": PHONE, "package": package}),
            )
            .await;
        assert_eq!(reply["code"], 40001, "{package}: {reply}");
        assert!(says(&reply, "Android package name"));
    }
    assert_eq!(app.get("/account").await["data"], json!([]));
}

#[tokio::test]
async fn an_account_registered_twice_is_refused_naming_its_phone() {
    let app = app().await;
    let first = app
        .post("/account", json!({"username": "@shop_eu", "serial": PHONE}))
        .await;
    assert_eq!(first["code"], 0, "{first}");
    let again = app
        .post(
            "/account",
            json!({"username": "shop_eu", "serial": "OTHER"}),
        )
        .await;
    assert_eq!(again["code"], 40001, "{again}");
    let said = again["message"].as_str().unwrap_or_default();
    assert!(
        said.contains(&format!("already registered on phone {PHONE}")),
        "{said}"
    );
    assert_eq!(
        app.get("/account").await["data"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn times_are_rfc_3339_everywhere() {
    let app = app().await;
    app.post("/account", json!({"username": "@shop_eu", "serial": PHONE}))
        .await;
    let ids = app.create(follow(&["@a"])).await;
    let account = app.get("/account").await["data"][0].clone();
    let task = app.get(&format!("/task/{}", ids[0])).await["data"].clone();
    for (what, value) in [
        ("account created_at", &account["created_at"]),
        ("task created_at", &task["created_at"]),
        ("task start_time", &task["start_time"]),
    ] {
        let text = value
            .as_str()
            .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
        assert!(
            chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "{what}: {text}"
        );
    }
}

#[tokio::test]
async fn an_account_on_a_phone_adb_does_not_list_is_registered_with_a_note() {
    let app = app().await;
    let made = app
        .post(
            "/account",
            json!({"username": "@far_away", "serial": "GHOST1"}),
        )
        .await;
    assert_eq!(made["code"], 0, "{made}");
    let note = made["data"]["note"].as_str().unwrap_or_default();
    assert!(note.contains("adb does not list phone GHOST1"), "{made}");
    let here = app
        .post(
            "/account",
            json!({"username": "@close_by", "serial": PHONE}),
        )
        .await;
    assert!(here["data"]["note"].is_null(), "{here}");
}

#[tokio::test]
async fn a_phone_known_only_from_accounts_and_waiting_tasks_is_listed_absent() {
    let app = app().await;
    app.post(
        "/account",
        json!({"username": "@far_away", "serial": "GHOST1"}),
    )
    .await;
    let created = app
        .post(
            "/task",
            json!({"usernames": ["@far_away"], "script_name": "follow",
                   "script_config": {"target_users": ["@a"]}, "start_time": later()}),
        )
        .await;
    assert_eq!(created["code"], 0, "{created}");
    let devices = app.get("/device").await["data"].clone();
    let ghost = devices
        .as_array()
        .and_then(|d| d.iter().find(|d| d["serial"] == "GHOST1"))
        .cloned()
        .unwrap_or_else(|| panic!("GHOST1 is not listed: {devices}"));
    assert_eq!(ghost["state"], "absent");
    assert_eq!(ghost["online"], false);
    assert_eq!(ghost["waiting_tasks"], 1);
    assert_eq!(ghost["accounts"], json!(["@far_away"]));
    assert!(
        ghost["note"]
            .as_str()
            .is_some_and(|n| n.contains("adb does not list"))
    );
}

#[tokio::test]
async fn accounts_are_listed_on_their_device_and_can_be_removed() {
    let app = app().await;
    let made = app
        .post("/account", json!({"username": "@shop_eu", "serial": PHONE}))
        .await;
    assert_eq!(made["code"], 0, "{made}");
    let devices = app.get("/device").await;
    assert_eq!(devices["data"][0]["accounts"], json!(["@shop_eu"]));
    let id = made["data"]["id"].as_i64().unwrap();
    assert_eq!(
        app.call("DELETE", &format!("/account/{id}"), None).await.1["code"],
        0
    );
    assert_eq!(app.get("/account").await["data"], json!([]));
}

/// Registers three accounts: two TikTok ones on PHONE (one tagged `eu`, one signed out), and an
/// Instagram one on a phone adb does not list; returns their ids.
async fn three_accounts(app: &App) -> Vec<i64> {
    let mut ids = Vec::new();
    for body in [
        json!({"username": "shop_eu", "serial": PHONE, "tags": ["eu", " retail ", "eu"]}),
        json!({"username": "shop_us", "serial": PHONE, "logined": false}),
        json!({"username": "shop_ig", "serial": "GONE01", "app": "instagram", "status": "disabled"}),
    ] {
        let made = app.post("/account", body).await;
        assert_eq!(made["code"], 0, "{made}");
        ids.push(made["data"]["id"].as_i64().expect("an id"));
    }
    ids
}

fn usernames(page: &Value) -> Vec<String> {
    page["data"]["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["username"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn accounts_carry_tags_login_state_and_status() {
    let app = app().await;
    three_accounts(&app).await;
    let page = app.get("/accounts").await;
    assert_eq!(page["data"]["total"], 3, "{page}");
    let eu = &page["data"]["accounts"][0];
    assert_eq!(
        eu["tags"],
        json!(["eu", "retail"]),
        "tags trimmed, each once"
    );
    assert_eq!(
        (
            &eu["logined"],
            &eu["status"],
            &eu["platform"],
            &eu["device"]
        ),
        (
            &json!(true),
            &json!("active"),
            &json!("tiktok"),
            &json!(PHONE)
        )
    );
    assert_eq!(eu["package_name"], "com.zhiliaoapp.musically");
    assert!(eu.get("password").is_none());
}

#[tokio::test]
async fn the_account_list_shows_whether_each_phone_is_online() {
    let app = app().await;
    three_accounts(&app).await;
    let page = app.get("/accounts").await;
    let online: Vec<(&str, bool, &Value)> = page["data"]["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["username"].as_str().unwrap_or_default(),
                a["online"].as_bool().unwrap_or_default(),
                &a["device_name"],
            )
        })
        .collect();
    assert_eq!(
        online,
        [
            ("shop_eu", true, &json!("SM_G973F")),
            ("shop_us", true, &json!("SM_G973F")),
            ("shop_ig", false, &Value::Null)
        ]
    );
}

#[tokio::test]
async fn the_account_list_filters_by_platform_device_login_status_and_tag() {
    let app = app().await;
    three_accounts(&app).await;
    for (query, expected) in [
        ("platform=instagram", vec!["shop_ig"]),
        ("platform=tiktok&logined=1", vec!["shop_eu"]),
        ("logined=false", vec!["shop_us"]),
        ("status=disabled", vec!["shop_ig"]),
        ("tag=eu", vec!["shop_eu"]),
        (&format!("device={PHONE}"), vec!["shop_eu", "shop_us"]),
        ("tag=nobody", vec![]),
        ("platform=&tag=", vec!["shop_eu", "shop_us", "shop_ig"]),
    ] {
        let page = app.get(&format!("/accounts?{query}")).await;
        assert_eq!(usernames(&page), expected, "{query}: {page}");
    }
}

#[tokio::test]
async fn the_account_list_is_paged() {
    let app = app().await;
    three_accounts(&app).await;
    let page = app.get("/accounts?page=2&page_size=2").await;
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(usernames(&page), ["shop_ig"]);
}

#[tokio::test]
async fn a_bad_account_filter_is_refused_naming_the_allowed_values() {
    let app = app().await;
    for (query, says) in [
        ("platform=facebook", "instagram"),
        ("logined=maybe", "1, 0, true, false"),
        ("status=banned", "active, disabled"),
        ("colour=red", "colour"),
    ] {
        let reply = app.get(&format!("/accounts?{query}")).await;
        assert_eq!(reply["code"], 40001, "{query}: {reply}");
        assert!(
            reply["message"].as_str().unwrap_or_default().contains(says),
            "{query}: {reply}"
        );
    }
}

#[tokio::test]
async fn an_account_update_replaces_tags_and_changes_status() {
    let app = app().await;
    let ids = three_accounts(&app).await;
    let (_, updated) = app
        .call(
            "PUT",
            &format!("/account/{}", ids[0]),
            Some(json!({"tags": ["vip"], "status": "disabled"})),
        )
        .await;
    assert_eq!(updated["code"], 0, "{updated}");
    assert_eq!(updated["data"]["tags"], json!(["vip"]));
    assert_eq!(updated["data"]["logined"], true, "absent fields stay");
    let (_, missing) = app
        .call("PUT", "/account/999", Some(json!({"tags": []})))
        .await;
    assert_eq!(missing["code"], 40401, "{missing}");
}

#[tokio::test]
async fn a_task_for_a_disabled_account_is_refused_and_writes_nothing() {
    let app = app().await;
    three_accounts(&app).await;
    let reply = app
        .post(
            "/task",
            json!({"usernames": ["shop_ig"], "script_name": "follow",
                              "script_config": {"target_user": "nasa"}}),
        )
        .await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .unwrap_or_default()
            .contains("disabled"),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

/// The configs of every task, in id order.
async fn configs(app: &App) -> Vec<Value> {
    let list = app.get("/task?page_size=100").await;
    let mut tasks: Vec<Value> = list["data"]["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    tasks.sort_by_key(|t| t["id"].as_i64());
    tasks
        .into_iter()
        .map(|t| t["script_config"].clone())
        .collect()
}

#[tokio::test]
async fn a_comment_request_is_one_task_per_post_with_its_line_fixed_when_sequential() {
    let app = app().await;
    let urls = [
        "https://www.tiktok.com/@nasa/video/7300000000000001001",
        "https://vm.tiktok.com/ZMh02k/",
        "https://www.tiktok.com/@natgeo/video/7300000000000001002",
    ];
    let ids = app
        .create(json!({"serials": [PHONE], "script_name": "comment", "start_time": "23:59",
                       "script_config": {"target_post_url": urls.join("\n"),
                                         "comment_content": "one\ntwo", "comment_order": "sequential"}}))
        .await;
    assert_eq!(ids.len(), 3);
    let made: Vec<(Value, Value)> = configs(&app)
        .await
        .into_iter()
        .map(|c| {
            (
                c["target_post_urls"][0].clone(),
                c["comment_content"].clone(),
            )
        })
        .collect();
    assert_eq!(
        made,
        [
            (json!(urls[0]), json!("one")),
            (json!(urls[1]), json!("two")),
            (json!(urls[2]), json!("one"))
        ]
    );
}

#[tokio::test]
async fn an_unfollow_request_is_one_task_per_user() {
    let app = app().await;
    app.create(
        json!({"serials": [PHONE], "script_name": "unfollow", "start_time": "23:59",
                      "script_config": {"target_user": "nasa,bbcnews\nnatgeo"}}),
    )
    .await;
    let users: Vec<Value> = configs(&app)
        .await
        .into_iter()
        .map(|c| c["target_users"].clone())
        .collect();
    assert_eq!(
        users,
        [json!(["nasa"]), json!(["bbcnews"]), json!(["natgeo"])]
    );
}

#[tokio::test]
async fn a_model_key_is_shown_redacted_and_stored_sealed() {
    let app = app().await;
    let key = "sk-test-0123456789abcdef";
    let ids = app
        .create(
            json!({"serials": [PHONE], "script_name": "account_warmup", "start_time": "23:59",
                       "script_config": {"generate_by_chatgpt": true, "comment_probable": 10,
                                         "chatgpt_settings": {"api_key": key}}}),
        )
        .await;
    let shown = configs(&app).await;
    assert_eq!(shown[0]["chatgpt_settings"]["api_key"], "[redacted]");
    let row = &app
        .store
        .task(ids[0])
        .await
        .expect("reads")
        .expect("stored");
    assert!(!row.script_config.contains(key));
    let sealed = row.secrets.as_deref().unwrap_or_default();
    assert!(!sealed.is_empty() && !sealed.contains(key), "{sealed}");
    assert_eq!(
        app.store.open_secrets(row).expect("opens"),
        [("/chatgpt_settings/api_key".to_string(), key.to_string())]
    );
}

#[tokio::test]
async fn a_model_endpoint_over_plain_http_elsewhere_is_refused() {
    let app = app().await;
    let reply = app
        .post("/task", json!({"serials": [PHONE], "script_name": "account_warmup",
                              "script_config": {"chatgpt_settings": {"base_url": "http://10.1.2.3/v1"}}}))
        .await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .unwrap_or_default()
            .contains("use https://"),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn groups_are_made_listed_changed_and_removed() {
    let app = app().await;
    let made = app
        .post(
            "/group",
            json!({"name": " Shelf A ", "serials": [PHONE, " R58M0000B ", PHONE]}),
        )
        .await;
    assert_eq!(made["code"], 0, "{made}");
    assert_eq!(made["data"]["name"], "Shelf A");
    assert_eq!(
        made["data"]["serials"],
        json!([PHONE, "R58M0000B"]),
        "trimmed, each once, in order"
    );
    let id = made["data"]["id"].as_i64().expect("an id");
    let (_, changed) = app
        .call(
            "PUT",
            &format!("/group/{id}"),
            Some(json!({"serials": ["R58M0000B", PHONE]})),
        )
        .await;
    assert_eq!(
        changed["data"]["serials"],
        json!(["R58M0000B", PHONE]),
        "{changed}"
    );
    assert_eq!(changed["data"]["name"], "Shelf A", "absent fields stay");
    let listed = app.get("/group").await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
    let (_, deleted) = app.call("DELETE", &format!("/group/{id}"), None).await;
    assert_eq!(deleted["code"], 0);
    assert_eq!(app.get("/group").await["data"], json!([]));
}

#[tokio::test]
async fn a_group_name_is_taken_once_in_any_case_and_a_phone_may_be_in_several() {
    let app = app().await;
    assert_eq!(
        app.post("/group", json!({"name": "eu", "serials": [PHONE]}))
            .await["code"],
        0
    );
    let twice = app.post("/group", json!({"name": "EU"})).await;
    assert_eq!(twice["code"], 40001, "{twice}");
    assert!(
        twice["message"]
            .as_str()
            .unwrap_or_default()
            .contains("exists already")
    );
    assert_eq!(
        app.post("/group", json!({"name": "us", "serials": [PHONE]}))
            .await["code"],
        0
    );
    let (_, missing) = app
        .call("PUT", "/group/99", Some(json!({"name": "x"})))
        .await;
    assert_eq!(missing["code"], 40401, "{missing}");
}

#[tokio::test]
async fn a_task_for_groups_runs_once_on_each_of_their_phones() {
    let app = app().await;
    app.post("/group", json!({"name": "eu", "serials": [PHONE]}))
        .await;
    app.post("/group", json!({"name": "all", "serials": [PHONE]}))
        .await;
    let ids = app
        .create(
            json!({"groups": ["eu", "ALL"], "script_name": "follow", "start_time": "23:59",
                       "script_config": {"target_user": "nasa"}}),
        )
        .await;
    assert_eq!(ids.len(), 1, "a phone in two groups gets one task");
    let task = app.get(&format!("/task/{}", ids[0])).await;
    assert_eq!(task["data"]["serial"], PHONE, "{task}");
}

#[tokio::test]
async fn a_task_for_an_unknown_group_or_an_unlisted_member_is_refused_naming_it() {
    let app = app().await;
    app.post(
        "/group",
        json!({"name": "shelf", "serials": [PHONE, "GONE01"]}),
    )
    .await;
    for (groups, path, says) in [
        (json!(["nobody"]), "/groups/0", "no group \"nobody\""),
        (json!(["shelf"]), "/groups/0", "GONE01"),
    ] {
        let reply = app
            .post(
                "/task",
                json!({"groups": groups, "script_name": "follow",
                                  "script_config": {"target_user": "nasa"}}),
            )
            .await;
        assert_eq!(reply["code"], 40001, "{reply}");
        let said = reply["data"].to_string() + reply["message"].as_str().unwrap_or_default();
        assert!(said.contains(path) && said.contains(says), "{reply}");
    }
    let both = app
        .post(
            "/task",
            json!({"groups": ["shelf"], "usernames": ["x"], "script_name": "follow",
                              "script_config": {"target_user": "nasa"}}),
        )
        .await;
    assert_eq!(both["code"], 40001, "{both}");
    assert_eq!(app.total().await, 0);
}

// ---- The OpenAPI document ------------------------------------------------------------------

#[tokio::test]
async fn the_api_guide_describes_every_operation_of_the_openapi_document() {
    let app = app().await;
    let (_, doc) = app.call("GET", "/openapi.json", None).await;
    let guide = include_str!("../../../docs/api.md");
    let paths = doc["paths"].as_object().expect("paths");
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let line = format!("`{} {path}`", method.to_uppercase());
            assert!(
                guide.contains(&line),
                "docs/api.md does not describe {line}"
            );
        }
    }
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route_of_the_router() {
    let app = app().await;
    let (_, doc) = app.call("GET", "/openapi.json", None).await;
    assert_eq!(doc["openapi"], "3.1.0");
    // Every `.route("PATH", ...)` of the router, read from its source.
    let router = include_str!("../../src/api/mod.rs");
    let routes: Vec<&str> = router
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(routes.len() >= 15, "{routes:?}");
    for route in routes {
        let path = format!("/api/v1{route}");
        assert!(
            doc["paths"].get(&path).is_some(),
            "{path} is missing from the document"
        );
    }
}

#[tokio::test]
async fn a_value_outside_an_enum_lists_the_allowed_values() {
    let app = app().await;
    let body = json!({"serials": [PHONE], "script_name": "follow",
                      "script_config": {"target_user": "@a", "access_method": "browse"}});
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(
        reply["data"]["errors"][0],
        json!({"path": "/script_config/access_method",
               "message": "\"browse\" is not one of \"direct\", \"search\""}),
        "{reply}"
    );
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn a_whole_float_for_an_integer_field_is_the_integer_as_the_schema_says() {
    let (app, _root, files) = app_serving(&[("v.mp4", &media_bytes("v.mp4", 64))]).await;
    let mut body = post_files(&[&files[0]]);
    body["script_config"]["upload_wait_time"] = json!(45.0);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 0, "{reply}");
    let mut body = post_files(&[&files[0]]);
    body["script_config"]["upload_wait_time"] = json!(45.5);
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn an_instagram_account_is_registered_and_an_unknown_app_refused_naming_the_supported() {
    let app = app().await;
    let reply = app
        .post(
            "/account",
            json!({"username": "@ig_shop", "serial": PHONE, "app": "instagram"}),
        )
        .await;
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["data"]["app"], "instagram", "{reply}");
    let refused = app
        .post(
            "/account",
            json!({"username": "@snap", "serial": PHONE, "app": "snapchat"}),
        )
        .await;
    assert_eq!(refused["code"], 40001, "{refused}");
    assert!(
        says(
            &refused,
            "app \"snapchat\" is not supported; use one of \"tiktok\", \"instagram\""
        ),
        "{refused}"
    );
    assert_eq!(
        app.get("/account").await["data"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_task_shows_its_app_and_its_config_says_it() {
    let app = app().await;
    let reply = app.post("/task", follow(&["nasa"])).await;
    assert_eq!(reply["code"], 0, "{reply}");
    let id = reply["data"]["task_ids"][0].as_i64().expect("an id");
    let task = app.get(&format!("/task/{id}")).await;
    assert_eq!(task["data"]["app"], "tiktok", "{task}");
    assert_eq!(task["data"]["script_config"]["app"], "tiktok", "{task}");
}

#[tokio::test]
async fn an_app_that_is_no_app_in_the_config_is_a_40001_naming_the_supported() {
    let app = app().await;
    let mut body = follow(&["nasa"]);
    body["script_config"]["app"] = json!("snapchat");
    let reply = app.post("/task", body).await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert_eq!(paths(&reply), ["/script_config/app"], "{reply}");
    assert!(says(&reply, "\"tiktok\", \"instagram\""), "{reply}");
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn the_default_app_names_the_app_of_tasks_without_an_account() {
    let app = app_with(|c| c.default_app = phonefleet::apps::App::Instagram).await;
    let reply = app.post("/task", follow(&["nasa"])).await;
    assert_eq!(reply["code"], 0, "{reply}");
    let id = reply["data"]["task_ids"][0].as_i64().expect("an id");
    let task = app.get(&format!("/task/{id}")).await;
    assert_eq!(task["data"]["app"], "instagram", "{task}");
    assert_eq!(task["data"]["script_config"]["app"], "instagram", "{task}");
}
