//! The task API's rules where the phone is the point, over real HTTP: stopping and deleting
//! running tasks, retries that run, the device limit, and the host refusing a public bind.
//! Everything the phone is not needed for is tested in-process (`host/tests/api.rs`).

use std::time::{Duration, Instant};

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::PhoneConfig;

/// A start time an hour from now: tasks created with it stay pending.
fn later() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()
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

phonefleet_e2e::both_backends! {
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
            .wait_until("all finished", async || {
                let stats = fleet.get("/task/stats").await?["data"].clone();
                most = most.max(stats["running"].as_i64().unwrap_or(0));
                let finished =
                    stats["completed"].as_i64().unwrap_or(0) + stats["failed"].as_i64().unwrap_or(0);
                Ok(finished == ids.len() as i64)
            })
            .await
            .unwrap();
        for task in fleet.wait_finished(&ids).await.unwrap() {
            assert_eq!(task["status"], 2, "{task}");
        }
        assert_eq!(most, 1);
    }
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
