//! Stopping the real binary mid-run. `kill -9` and restart loses no accepted task, runs none twice
//! on a phone, and fails exactly the ones that were running with the restart reason. SIGTERM lets
//! the running tasks finish first, so none is found interrupted at the next start.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Host, starts_on_phone};
use serde_json::{Value, json};
use vphone::testing::{AdbServer, media_bytes};
use vphone::{PhoneConfig, VPhone};

const PHONES: usize = 10;
/// Users each phone follows; each follow waits 2 s for the app to keep it (field case 16).
const USERS: usize = 6;

/// `count` vphones whose dumps take `dump_delay`, connected to `adb`.
async fn connected_phones(adb: &AdbServer, count: usize, dump_delay: Duration) -> Vec<VPhone> {
    let mut phones = Vec::new();
    for _ in 0..count {
        let phone = VPhone::start(PhoneConfig {
            dump_delay,
            ..PhoneConfig::default()
        })
        .await
        .expect("phone");
        adb.connect(&phone).await;
        phones.push(phone);
    }
    phones
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_killed_mid_run_loses_no_task_and_runs_none_twice() {
    let adb = AdbServer::start().await;
    let phones = connected_phones(&adb, PHONES, Duration::from_millis(60)).await;
    let serials: Vec<String> = phones.iter().map(VPhone::serial).collect();
    let data = tempfile::tempdir().expect("data dir");
    let mut host = Host::serve(data.path(), data.path(), &adb, None, 1);
    host.wait_online(PHONES).await;
    let users: Vec<String> = (0..USERS).map(|i| format!("@crash{i}")).collect();
    let body = json!({"serials": serials, "script_name": "follow", "script_config": {"target_users": users}});
    let ids = host.create(&body).await;
    assert_eq!(ids.len(), PHONES * USERS);

    // Kill it hard while tasks are running and others are still queued.
    host.wait_for("/task/stats", "a third done", |r| {
        r["data"]["completed"].as_i64().unwrap_or(0) >= (PHONES * USERS / 3) as i64
            && r["data"]["running"].as_i64() > Some(0)
    })
    .await;
    host.child.start_kill().expect("SIGKILL");
    host.child.wait().await.expect("host reaped");

    let host = Host::serve(data.path(), data.path(), &adb, Some(host.port()), 2);
    let stats = host
        .wait_for("/task/stats", "every task finished", |r| {
            r["data"]["total"] == ids.len()
                && r["data"]["pending"] == 0
                && r["data"]["running"] == 0
        })
        .await;
    assert_eq!(
        stats["data"]["completed"].as_i64().unwrap() + stats["data"]["failed"].as_i64().unwrap(),
        (PHONES * USERS) as i64
    );

    let mut completed = BTreeMap::new();
    for id in &ids {
        let task = host
            .get(&format!("/task/{id}"))
            .await
            .expect("task answers")["data"]
            .clone();
        match task["status"].as_i64() {
            Some(2) => completed.insert(*id, true),
            Some(3) => {
                assert_eq!(task["error"], "interrupted: host restarted", "{task}");
                completed.insert(*id, false)
            }
            other => panic!("task {id} ended in {other:?}: {task}"),
        };
    }
    let interrupted = completed.values().filter(|done| !**done).count();
    assert!(
        (1..=PHONES).contains(&interrupted),
        "exactly the tasks running at the crash fail ({interrupted})"
    );
    let mut started = BTreeMap::new();
    for serial in &serials {
        for (id, times) in starts_on_phone(&adb, serial).await {
            assert_eq!(times, 1, "phone {serial} ran task {id} {times} times");
            assert!(
                started.insert(id, serial.clone()).is_none(),
                "task {id} ran on two phones"
            );
        }
    }
    // An interrupted task may have been killed before it reached its phone; a completed one ran there.
    for (id, done) in &completed {
        assert!(
            !done || started.contains_key(id),
            "completed task {id} never started on a phone"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_running_tasks_finish_and_none_is_found_interrupted() {
    let adb = AdbServer::start().await;
    let phones = connected_phones(&adb, 2, Duration::from_millis(150)).await;
    let serials: Vec<String> = phones.iter().map(VPhone::serial).collect();
    let data = tempfile::tempdir().expect("data dir");
    let mut host = Host::serve(data.path(), data.path(), &adb, None, 1);
    host.wait_online(2).await;
    let body = json!({"serials": serials, "script_name": "follow",
                      "script_config": {"target_users": ["@a1", "@a2", "@a3"]}});
    let ids = host.create(&body).await;
    host.wait_for("/task/stats", "both phones busy", |r| {
        r["data"]["running"] == 2
    })
    .await;
    let pid = host.child.id().expect("a pid").to_string();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let exit = tokio::time::timeout(common::WAIT, host.child.wait())
        .await
        .expect("the host stops within the wait")
        .expect("host reaped");
    assert!(exit.success(), "a graceful stop exits 0: {exit:?}");
    let console = std::fs::read_to_string(data.path().join("host-1.log")).expect("log");
    assert!(
        console.contains("all 2 running task(s) finished"),
        "{console}"
    );

    let host = Host::serve(data.path(), data.path(), &adb, Some(host.port()), 2);
    host.wait_for("/task/stats", "every task finished", |r| {
        r["data"]["completed"] == ids.len()
    })
    .await;
    for id in &ids {
        let task = host.get(&format!("/task/{id}")).await.expect("task")["data"].clone();
        assert_eq!(task["status"], 2, "{task}");
    }
    for serial in &serials {
        let runs = starts_on_phone(&adb, serial).await;
        assert!(
            runs.values().all(|n| *n == 1),
            "{serial} ran a task twice: {runs:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_task_that_outlives_the_grace_as_host_shutting_down() {
    let adb = AdbServer::start().await;
    // An upload that takes a minute outlives a one-second grace.
    let phone = VPhone::start(PhoneConfig {
        upload_duration: Duration::from_secs(60),
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    adb.connect(&phone).await;
    let data = tempfile::tempdir().expect("data dir");
    let video = data.path().join("v.mp4");
    std::fs::write(&video, media_bytes("v.mp4", 64)).expect("video");
    let mut host = Host::serve_with(
        data.path(),
        data.path(),
        &adb,
        None,
        1,
        &["--shutdown-grace-secs", "1"],
    );
    host.wait_online(1).await;
    let id = host
        .create(&json!({"serials": [phone.serial()], "script_name": "post",
                        "script_config": {"material_list": [video.display().to_string()]}}))
        .await[0];
    let uploading = async {
        loop {
            let (state, _, _) = adb.shell(&phone.serial(), "dumpsys vphone").await;
            if !serde_json::from_str::<Value>(&state).expect("state")["uploading"].is_null() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(common::WAIT, uploading)
        .await
        .expect("the upload starts");
    let pid = host.child.id().expect("a pid").to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs")
            .success()
    );
    let exit = tokio::time::timeout(common::WAIT, host.child.wait())
        .await
        .expect("the host stops")
        .expect("host reaped");
    assert!(exit.success(), "{exit:?}");

    let host = Host::serve(data.path(), data.path(), &adb, Some(host.port()), 2);
    let task = host
        .wait_for(&format!("/task/{id}"), "the task is there", |r| {
            r["data"]["status"] == 3
        })
        .await;
    assert_eq!(task["data"]["error"], "host shutting down", "{task}");
}
