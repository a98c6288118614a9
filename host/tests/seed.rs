//! The original TikMatrix document's examples, replayed against the real binary with only the
//! serials adapted: same paths, bodies, codes and response shapes, so existing clients keep working.

mod common;

use common::Host;
use serde_json::{Value, json};
use vphone::testing::{AdbServer, media_bytes};
use vphone::{PhoneConfig, VPhone};

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_of_the_seed_document_answers_as_documented() {
    let adb = AdbServer::start().await;
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    adb.connect(&phone).await;
    // The seed's material path, "C:/Videos/video1.mp4", is relative on this host: make it exist
    // under the host's working directory so the example runs word for word.
    let cwd = tempfile::tempdir().expect("cwd");
    std::fs::create_dir_all(cwd.path().join("C:/Videos")).expect("dir");
    std::fs::write(
        cwd.path().join("C:/Videos/video1.mp4"),
        media_bytes("video1.mp4", 64),
    )
    .expect("video");
    let data = tempfile::tempdir().expect("data");
    let host = Host::serve(data.path(), cwd.path(), &adb, None, 1);
    host.wait_online(1).await;
    let serial = phone.serial();
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = host.http.request(method, format!("{}{path}", host.base));
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        async move {
            req.send()
                .await
                .expect("answers")
                .json::<Value>()
                .await
                .expect("JSON envelope")
        }
    };

    // "Skapa uppgift": the post example, serial adapted.
    let created = send(
        reqwest::Method::POST,
        "/task",
        Some(json!({
            "serials": [serial],
            "script_name": "post",
            "script_config": {
                "content_type": 0,
                "captions": "Check out my new video! #viral #fyp",
                "material_list": ["C:/Videos/video1.mp4"],
                "upload_wait_time": 60
            }
        })),
    )
    .await;
    assert_eq!(
        (created["code"].clone(), created["message"].clone()),
        (json!(0), json!("success")),
        "{created}"
    );
    // The seed's two fields, and ours beside them: when each task starts.
    assert_eq!(
        keys(&created["data"]),
        ["created_count", "start_times", "task_ids"]
    );
    assert_eq!(created["data"]["created_count"], 1);
    let id = created["data"]["task_ids"][0].as_i64().expect("an id");

    // "Lista uppgifter" with every filter.
    let list = send(
        reqwest::Method::GET,
        &format!("/task?serial={serial}&script_name=post&source=api&page=1&page_size=20"),
        None,
    )
    .await;
    assert_eq!(keys(&list["data"]), ["page", "page_size", "tasks", "total"]);
    assert_eq!(list["data"]["total"], 1);

    // "Hämta uppgiftsdetaljer".
    let task = send(reqwest::Method::GET, &format!("/task/{id}"), None).await;
    for key in [
        "id",
        "serial",
        "script_name",
        "script_config",
        "status",
        "source",
        "start_time",
        "created_at",
    ] {
        assert!(task["data"].get(key).is_some(), "{key} missing: {task}");
    }

    // "Hämta uppgiftsstatistik".
    let stats = send(reqwest::Method::GET, "/task/stats", None).await;
    assert_eq!(
        keys(&stats["data"]),
        ["completed", "failed", "pending", "running", "total"]
    );
    assert_eq!(stats["data"]["total"], 1);

    // "Stoppa uppgift", "Försök igen", "Försök igen med alla".
    let stopped = send(reqwest::Method::POST, &format!("/task/{id}/stop"), None).await;
    assert!(
        stopped["code"] == 0 || stopped["code"] == 40001,
        "stop answers in the envelope: {stopped}"
    );
    host.wait_for(&format!("/task/{id}"), "the task to end", |t| {
        t["data"]["status"] == 2 || t["data"]["status"] == 3
    })
    .await;
    let retried = send(reqwest::Method::POST, &format!("/task/{id}/retry"), None).await;
    assert!(
        retried["code"] == 0 || retried["code"] == 40001,
        "{retried}"
    );
    let all = send(reqwest::Method::POST, "/task/retry-all", None).await;
    assert_eq!(keys(&all["data"]), ["retried_count"]);

    // "Ta bort uppgift" and "Batch-borttagning".
    let second = send(reqwest::Method::POST, "/task", Some(created_body(&serial))).await;
    let second_id = second["data"]["task_ids"][0].as_i64().expect("an id");
    assert_eq!(
        send(reqwest::Method::DELETE, &format!("/task/{second_id}"), None).await["code"],
        0
    );
    let batch = send(
        reqwest::Method::DELETE,
        "/task/batch",
        Some(json!({"task_ids": [id, 2, 3]})),
    )
    .await;
    assert_eq!(batch["code"], 0);
    assert_eq!(
        batch["data"]["deleted_count"], 1,
        "only task {id} was still there: {batch}"
    );

    // "Kontrollera API-licens".
    let license = send(reqwest::Method::GET, "/license/check", None).await;
    assert_eq!(
        keys(&license["data"]),
        ["api_enabled", "device_limit", "message", "plan_name"]
    );
    assert_eq!(license["data"]["api_enabled"], true);
}

fn created_body(serial: &str) -> Value {
    json!({"serials": [serial], "script_name": "follow", "script_config": {"target_username": "@nasa"}})
}
