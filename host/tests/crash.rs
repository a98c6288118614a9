//! Crash safety of the real binary: `kill -9` mid-run and restart loses no accepted task, runs
//! none twice on a phone, and fails exactly the ones that were running with the restart reason.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::process::{Child, Command};
use vphone::testing::{AdbServer, free_port};
use vphone::{PhoneConfig, VPhone};

const PHONES: usize = 10;
const USERS: usize = 20;
const WAIT: Duration = Duration::from_secs(120);

fn serve(data_dir: &Path, port: u16, adb: &AdbServer, round: u32) -> Child {
    let log = std::fs::File::create(data_dir.join(format!("host-{round}.log"))).expect("log file");
    let err = log.try_clone().expect("log file");
    Command::new(env!("CARGO_BIN_EXE_phonefleet"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--adb-server", &adb.addr().to_string()])
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .expect("the phonefleet binary starts")
}

async fn get(http: &reqwest::Client, url: &str) -> Option<Value> {
    http.get(url).send().await.ok()?.json().await.ok()
}

/// Polls `url` until `check` holds for its envelope, or panics after `WAIT`.
async fn wait_for(http: &reqwest::Client, url: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(reply) = get(http, url).await.filter(|r| check(r)) {
            return reply;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many times the host marked each task's start in the phone's own logcat.
async fn starts_on_phone(adb: &AdbServer, serial: &str) -> BTreeMap<i64, usize> {
    let (logcat, _, _) = adb.shell(serial, "logcat -d -s phonefleet").await;
    let mut starts = BTreeMap::new();
    for line in logcat.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [.., "task", id, "start"] = words.as_slice() {
            if let Ok(id) = id.parse() {
                *starts.entry(id).or_default() += 1;
            }
        }
    }
    starts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_killed_mid_run_loses_no_task_and_runs_none_twice() {
    let adb = AdbServer::start().await;
    let mut phones = Vec::new();
    for _ in 0..PHONES {
        let phone = VPhone::start(PhoneConfig { dump_delay: Duration::from_millis(60), ..PhoneConfig::default() })
            .await
            .expect("phone");
        adb.connect(&phone).await;
        phones.push(phone);
    }
    let serials: Vec<String> = phones.iter().map(VPhone::serial).collect();
    let data = tempfile::tempdir().expect("data dir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::new();

    let mut host = serve(data.path(), port, &adb, 1);
    wait_for(&http, &format!("{base}/device"), "phones online", |r| {
        r["data"].as_array().is_some_and(|d| d.iter().filter(|d| d["online"] == true).count() == PHONES)
    })
    .await;
    let users: Vec<String> = (0..USERS).map(|i| format!("@crash{i}")).collect();
    let body = json!({"serials": serials, "script_name": "follow", "script_config": {"target_users": users}});
    let created: Value = http.post(format!("{base}/task")).json(&body).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = created["data"]["task_ids"].as_array().unwrap().iter().filter_map(Value::as_i64).collect();
    assert_eq!(ids.len(), PHONES * USERS);

    // Kill it hard while tasks are running and others are still queued.
    wait_for(&http, &format!("{base}/task/stats"), "a third done", |r| {
        r["data"]["completed"].as_i64().unwrap_or(0) >= (PHONES * USERS / 3) as i64 && r["data"]["running"].as_i64() > Some(0)
    })
    .await;
    host.start_kill().expect("SIGKILL");
    host.wait().await.expect("host reaped");

    let _host = serve(data.path(), port, &adb, 2);
    let stats = wait_for(&http, &format!("{base}/task/stats"), "every task finished", |r| {
        r["data"]["total"] == ids.len() && r["data"]["pending"] == 0 && r["data"]["running"] == 0
    })
    .await;
    assert_eq!(stats["data"]["completed"].as_i64().unwrap() + stats["data"]["failed"].as_i64().unwrap(), 200);

    let mut interrupted = 0;
    for id in &ids {
        let task = get(&http, &format!("{base}/task/{id}")).await.expect("task answers")["data"].clone();
        match task["status"].as_i64() {
            Some(2) => {}
            Some(3) => {
                assert_eq!(task["error"], "interrupted: host restarted", "{task}");
                interrupted += 1;
            }
            other => panic!("task {id} ended in {other:?}: {task}"),
        }
    }
    assert!((1..=PHONES).contains(&interrupted), "exactly the tasks running at the crash fail ({interrupted})");
    for serial in &serials {
        let starts = starts_on_phone(&adb, serial).await;
        assert!(starts.values().all(|&n| n == 1), "phone {serial} ran a task twice: {starts:?}");
        assert_eq!(starts.len(), USERS, "phone {serial} started each of its tasks once: {starts:?}");
    }
}
