//! The task API's rules over real HTTP, one behaviour per test: envelope and codes, validation,
//! list filters and bounds, stop / retry / delete, license, token, scheduling, account mode.

use std::time::{Duration, Instant};

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::PhoneConfig;

/// A start time an hour from now: tasks created with it stay pending.
fn later() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()
}

fn start_time(task: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(task["start_time"].as_str().unwrap_or_default()).unwrap()
}

async fn one_phone() -> Fleet {
    Fleet::start(vec![PhoneConfig::default()]).await.unwrap()
}

fn follow(serials: &[String], users: &[&str]) -> Value {
    json!({"serials": serials, "script_name": "follow", "script_config": {"target_users": users}})
}

async fn total(fleet: &Fleet) -> Value {
    fleet.get("/task/stats").await.unwrap()["data"]["total"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_answers_task_ids_and_count_in_the_envelope() {
    let fleet = one_phone().await;
    let reply = fleet
        .post("/task", &follow(&fleet.serials(), &["@a", "@b"]))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0);
    assert_eq!(reply["message"], "success");
    assert_eq!(reply["data"]["created_count"], 2);
    assert_eq!(reply["data"]["task_ids"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_script_name_is_40002_and_writes_nothing() {
    let fleet = one_phone().await;
    let (http, reply) = fleet
        .send(
            fleet
                .http
                .post(fleet.url("/task"))
                .json(&json!({"serials": fleet.serials(), "script_config": {}})),
        )
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40002)));
    assert_eq!(total(&fleet).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_script_is_40003_listing_the_loaded_ones() {
    let fleet = one_phone().await;
    let body = json!({"serials": fleet.serials(), "script_name": "dance", "script_config": {}});
    let (http, reply) = fleet
        .send(fleet.http.post(fleet.url("/task")).json(&body))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40003)));
    assert!(
        reply["message"].as_str().unwrap().contains("follow"),
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_violations_are_all_listed_as_json_pointers() {
    let fleet = one_phone().await;
    let body = json!({"serials": fleet.serials(), "script_name": "follow",
                      "script_config": {"target_users": ["@a"], "access_method": "teleport", "colour": "red"}});
    let (http, reply) = fleet
        .send(fleet.http.post(fleet.url("/task")).json(&body))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40001)));
    let paths: Vec<&str> = reply["data"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(paths.contains(&"/script_config/access_method"), "{reply}");
    assert!(
        paths.contains(&"/script_config"),
        "unknown key reported too: {reply}"
    );
    assert_eq!(total(&fleet).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_40001_in_the_envelope() {
    let fleet = one_phone().await;
    let req = fleet
        .http
        .post(fleet.url("/task"))
        .header("content-type", "application/json")
        .body("{\"serials\": [");
    let (http, reply) = fleet.send(req).await.unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40001)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_declared_json_is_40001_in_the_envelope() {
    let fleet = one_phone().await;
    let req = fleet
        .http
        .post(fleet.url("/task"))
        .header("content-type", "text/plain")
        .body("{}");
    let (http, reply) = fleet.send(req).await.unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40001)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_one_mebibyte_is_41301() {
    let fleet = one_phone().await;
    let huge = json!({"serials": fleet.serials(), "script_name": "follow",
                      "script_config": {"target_user": "x".repeat(2 << 20)}});
    let (http, reply) = fleet
        .send(fleet.http.post(fleet.url("/task")).json(&huge))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (413, json!(41301)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_serial_is_40001_naming_it() {
    let fleet = one_phone().await;
    let reply = fleet
        .post("/task", &follow(&["no-such-phone".into()], &["@a"]))
        .await
        .unwrap();
    assert_eq!(reply["code"], 40001);
    assert!(reply.to_string().contains("no-such-phone"), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serials_and_usernames_together_are_refused() {
    let fleet = one_phone().await;
    let body = json!({"serials": fleet.serials(), "usernames": ["@x"], "script_name": "follow",
                      "script_config": {"target_user": "@a"}});
    assert_eq!(fleet.post("/task", &body).await.unwrap()["code"], 40001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_interval_below_min_interval_is_refused() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["min_interval"] = json!(5);
    body["max_interval"] = json!(2);
    assert_eq!(fleet.post("/task", &body).await.unwrap()["code"], 40001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_page_size_over_100_is_refused_not_clamped() {
    let fleet = one_phone().await;
    let (http, reply) = fleet
        .send(fleet.http.get(fleet.url("/task?page_size=101")))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40001)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrongly_typed_query_parameter_is_40001() {
    let fleet = one_phone().await;
    let (http, reply) = fleet
        .send(fleet.http.get(fleet.url("/task?page=abc")))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (400, json!(40001)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_and_pages_newest_first() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a", "@b", "@c"]);
    body["start_time"] = json!(later());
    let ids = fleet.create(&body).await.unwrap();
    let page = fleet
        .get("/task?status=0&script_name=follow&source=api&page=1&page_size=2")
        .await
        .unwrap();
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(page["data"]["page_size"], 2);
    let listed: Vec<i64> = page["data"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(listed, vec![ids[2], ids[1]]);
    assert_eq!(
        fleet.get("/task?status=2").await.unwrap()["data"]["total"],
        0
    );
    assert_eq!(
        fleet.get("/task?serial=other").await.unwrap()["data"]["total"],
        0
    );
    assert_eq!(
        fleet.get("/task?source=ui").await.unwrap()["data"]["total"],
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_task_is_40401() {
    let fleet = one_phone().await;
    let (http, reply) = fleet
        .send(fleet.http.get(fleet.url("/task/999")))
        .await
        .unwrap();
    assert_eq!((http, reply["code"].clone()), (404, json!(40401)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_time_in_hh_mm_schedules_the_next_occurrence_and_the_task_waits() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["start_time"] = json!("00:00");
    let id = fleet.create(&body).await.unwrap()[0];
    let task = fleet.get(&format!("/task/{id}")).await.unwrap()["data"].clone();
    assert_eq!(task["status"], 0, "not due before midnight: {task}");
    assert!(
        task["start_time"].as_str().unwrap().contains("T00:00:00"),
        "{task}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intervals_space_a_requests_tasks_on_the_same_phone() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a", "@b"]);
    body["start_time"] = json!(later());
    body["min_interval"] = json!(10);
    body["max_interval"] = json!(10);
    let ids = fleet.create(&body).await.unwrap();
    let first = fleet.get(&format!("/task/{}", ids[0])).await.unwrap()["data"].clone();
    let second = fleet.get(&format!("/task/{}", ids[1])).await.unwrap()["data"].clone();
    assert_eq!(
        start_time(&second) - start_time(&first),
        chrono::Duration::minutes(10)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_pending_task_fails_it_as_stopped_by_user() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["start_time"] = json!(later());
    let id = fleet.create(&body).await.unwrap()[0];
    let reply = fleet
        .post(&format!("/task/{id}/stop"), &json!({}))
        .await
        .unwrap();
    assert_eq!(reply["data"]["status"], 3, "{reply}");
    assert_eq!(reply["data"]["error"], "stopped by user");
    let again = fleet
        .post(&format!("/task/{id}/stop"), &json!({}))
        .await
        .unwrap();
    assert_eq!(
        again["code"], 40001,
        "a failed task cannot be stopped again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_running_task_fails_it_within_a_second_and_the_phone_runs_its_next_task() {
    let slow = PhoneConfig {
        dump_delay: Duration::from_millis(1500),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![slow]).await.unwrap();
    let ids = fleet
        .create(&follow(&fleet.serials(), &["@first", "@second"]))
        .await
        .unwrap();
    fleet.wait_status(ids[0], 1).await.unwrap();
    let asked = Instant::now();
    let reply = fleet
        .post(&format!("/task/{}/stop", ids[0]), &json!({}))
        .await
        .unwrap();
    assert_eq!(reply["data"]["status"], 3, "{reply}");
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "stop took {:?}",
        asked.elapsed()
    );
    assert_eq!(reply["data"]["error"], "stopped by user");
    fleet.wait_status(ids[1], 1).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_a_failed_task_makes_it_pending_again_with_retry_count_one() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["start_time"] = json!(later());
    let id = fleet.create(&body).await.unwrap()[0];
    fleet
        .post(&format!("/task/{id}/stop"), &json!({}))
        .await
        .unwrap();
    let reply = fleet
        .post(&format!("/task/{id}/retry"), &json!({}))
        .await
        .unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["data"]["retry_count"], 1);
    assert_eq!(reply["data"]["error"], Value::Null);
    let done = fleet.wait_status(id, 2).await.unwrap();
    assert_eq!(
        done["result"]["outcome"], "followed",
        "retried tasks are due now and run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_a_task_that_has_not_failed_is_refused() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["start_time"] = json!(later());
    let id = fleet.create(&body).await.unwrap()[0];
    assert_eq!(
        fleet
            .post(&format!("/task/{id}/retry"), &json!({}))
            .await
            .unwrap()["code"],
        40001
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_all_makes_every_failed_task_pending() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a", "@b"]);
    body["start_time"] = json!(later());
    let ids = fleet.create(&body).await.unwrap();
    for id in &ids {
        fleet
            .post(&format!("/task/{id}/stop"), &json!({}))
            .await
            .unwrap();
    }
    let reply = fleet.post("/task/retry-all", &json!({})).await.unwrap();
    assert_eq!(reply["data"]["retried_count"], 2);
    fleet.wait_finished(&ids).await.unwrap();
    assert_eq!(
        fleet.get("/task/stats").await.unwrap()["data"]["completed"],
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_task_removes_it() {
    let fleet = one_phone().await;
    let mut body = follow(&fleet.serials(), &["@a"]);
    body["start_time"] = json!(later());
    let id = fleet.create(&body).await.unwrap()[0];
    assert_eq!(
        fleet.delete(&format!("/task/{id}"), None).await.unwrap()["code"],
        0
    );
    assert_eq!(
        fleet.get(&format!("/task/{id}")).await.unwrap()["code"],
        40401
    );
    assert_eq!(
        fleet.delete(&format!("/task/{id}"), None).await.unwrap()["code"],
        40401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_batch_counts_what_existed_and_stops_running_ones() {
    let slow = PhoneConfig {
        dump_delay: Duration::from_millis(1500),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![slow]).await.unwrap();
    let ids = fleet
        .create(&follow(&fleet.serials(), &["@a", "@b"]))
        .await
        .unwrap();
    fleet.wait_status(ids[0], 1).await.unwrap();
    let reply = fleet
        .delete(
            "/task/batch",
            Some(&json!({"task_ids": [ids[0], ids[1], 424242]})),
        )
        .await
        .unwrap();
    assert_eq!(reply["data"]["deleted_count"], 2, "{reply}");
    let devices = fleet.get("/device").await.unwrap();
    assert_eq!(
        devices["data"][0]["busy"], false,
        "the running plugin is gone: {devices}"
    );
    assert_eq!(total(&fleet).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_license_check_reports_the_plan() {
    let fleet = one_phone().await;
    let reply = fleet.get("/license/check").await.unwrap();
    assert_eq!(
        reply["data"],
        json!({"plan_name": "Pro", "api_enabled": true, "device_limit": 0, "message": "API access enabled"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_starter_plan_answers_40301_on_task_endpoints_and_the_license_check() {
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| {
        c.license_plan = phonefleet::config::Plan::Starter
    })
    .await
    .unwrap();
    for req in [
        fleet.http.get(fleet.url("/task")),
        fleet.http.get(fleet.url("/license/check")),
    ] {
        let (http, reply) = fleet.send(req).await.unwrap();
        assert_eq!((http, reply["code"].clone()), (403, json!(40301)));
        assert_eq!(reply["data"]["api_enabled"], false);
    }
    let (http, _) = fleet
        .send(
            fleet
                .http
                .post(fleet.url("/task"))
                .json(&follow(&fleet.serials(), &["@a"])),
        )
        .await
        .unwrap();
    assert_eq!(http, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_set_requests_without_it_get_40101() {
    let fleet = Fleet::start_with(vec![PhoneConfig::default()], |c| {
        c.api_token = Some("s3cret".into())
    })
    .await
    .unwrap();
    for auth in [None, Some("Bearer wrong")] {
        let mut req = fleet.http.get(fleet.url("/task"));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let reply = req.send().await.unwrap();
        assert_eq!(reply.status().as_u16(), 401);
        assert_eq!(reply.json::<Value>().await.unwrap()["code"], 40101);
    }
    assert_eq!(
        fleet.get("/task").await.unwrap()["code"],
        0,
        "with the token it answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_a_public_address_without_a_token_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = phonefleet::Config::for_data_dir(dir.path().to_path_buf());
    config.bind = "0.0.0.0:0".parse().unwrap();
    let refused = phonefleet::start(config)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("api-token"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_limit_caps_how_many_phones_run_at_once() {
    let slow = PhoneConfig {
        dump_delay: Duration::from_millis(400),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start_with(vec![slow.clone(), slow.clone(), slow], |c| {
        c.device_limit = 1
    })
    .await
    .unwrap();
    let ids = fleet
        .create(&follow(&fleet.serials(), &["@a"]))
        .await
        .unwrap();
    let mut most = 0;
    fleet
        .wait_until("all done", async || {
            let stats = fleet.get("/task/stats").await?["data"].clone();
            most = most.max(stats["running"].as_i64().unwrap_or(0));
            Ok(stats["completed"] == ids.len())
        })
        .await
        .unwrap();
    assert_eq!(most, 1);
}
