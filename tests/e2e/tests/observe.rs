//! What lets people watch the fleet: task logs, Server-Sent Events, and the device list —
//! including a phone added through `POST /device/connect`.

use std::time::Duration;

use phonefleet_e2e::Fleet;
use serde_json::json;
use vphone::{PhoneConfig, VPhone};

phonefleet_e2e::both_backends! {
    async fn a_finished_task_has_host_events_and_plugin_logs() {
        let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
        let ids = fleet
            .create(&json!({"serials": fleet.serials(), "script_name": "follow", "script_config": {"target_user": "@nasa"}}))
            .await
            .unwrap();
        fleet.wait_finished(&ids).await.unwrap();
        let logs = fleet.get(&format!("/task/{}/logs", ids[0])).await.unwrap();
        let lines: Vec<&str> = logs["data"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["message"].as_str())
            .collect();
        assert!(
            lines.first().is_some_and(|l| l.starts_with("started on")),
            "{lines:?}"
        );
        assert_eq!(lines.last(), Some(&"completed"), "{lines:?}");
        assert!(lines.len() > 2, "the plugin logged what it did: {lines:?}");
        assert_eq!(fleet.get("/task/999/logs").await.unwrap()["code"], 40401);
    }

    async fn events_stream_a_tasks_life_from_created_to_finished() {
        let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
        let mut stream = fleet.http.get(fleet.url("/events")).send().await.unwrap();
        assert_eq!(stream.headers()["content-type"], "text/event-stream");
        fleet
            .create(&json!({"serials": fleet.serials(), "script_name": "follow", "script_config": {"target_user": "@nasa"}}))
            .await
            .unwrap();
        let mut seen = String::new();
        let read = async {
            while !seen.contains("event: task_finished") {
                match stream.chunk().await.unwrap() {
                    Some(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                    None => break,
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), read)
            .await
            .expect("events in time");
        let order: Vec<usize> = [
            "event: task_created",
            "event: task_started",
            "event: task_progress",
            "event: task_finished",
        ]
        .iter()
        .map(|e| {
            seen.find(e)
                .unwrap_or_else(|| panic!("{e} missing from:\n{seen}"))
        })
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "in order:\n{seen}");
    }

    async fn a_phone_connected_through_the_api_appears_online() {
        let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
        let extra = VPhone::start(PhoneConfig::default()).await.unwrap();
        let reply = fleet
            .post("/device/connect", &json!({"address": extra.serial()}))
            .await
            .unwrap();
        assert_eq!(reply["code"], 0, "{reply}");
        fleet
            .wait_until("the new phone online", async || {
                let devices = fleet.get("/device").await?;
                Ok(devices["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|d| d["serial"] == extra.serial() && d["online"] == true))
            })
            .await
            .unwrap();
        let refused = fleet
            .post("/device/connect", &json!({"address": "not an address"}))
            .await
            .unwrap();
        assert_eq!(refused["code"], 40001);
    }
}
