//! A fleet of three hosts on one PostgreSQL server: each node is the real binary in a process of its
//! own, with its own adb server and virtual phones. Tasks created on one node run on the nodes whose
//! phones they name; a stop through one node reaches a run on another; a node killed with `kill -9`
//! is declared lost once its lease runs out, its running tasks fail saying so, and its queued tasks
//! run when its phones are plugged into another node. What ran is read from the phones' own logs.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Host, marks_on_phone, starts_on_phone};
use serde_json::{Value, json};
use vphone::testing::AdbServer;
use vphone::{PhoneConfig, VPhone};

/// The lease the test's nodes keep: a killed node is declared lost within it and one renewal.
const LEASE_SECS: u64 = 3;

/// One node: its host process, adb server, phones and data directory.
struct Node {
    name: String,
    host: Host,
    adb: AdbServer,
    phones: Vec<VPhone>,
    _data: tempfile::TempDir,
}

impl Node {
    fn serials(&self) -> Vec<String> {
        self.phones.iter().map(VPhone::serial).collect()
    }
}

/// Starts node `name` on `database` with `phones` phones whose UI dumps take `dump_delay`. With
/// `first`, the data directory of a node already in the fleet, the new node gets its `secret.key`
/// (as docs/fleet.md says to do) and its compiled scripts (so it does not compile them again).
async fn start_node(
    name: &str,
    database: &str,
    phones: usize,
    dump_delay: Duration,
    first: Option<&std::path::Path>,
) -> Node {
    let adb = AdbServer::start().await;
    let mut started = Vec::new();
    for _ in 0..phones {
        let phone = VPhone::start(PhoneConfig {
            dump_delay,
            ..PhoneConfig::default()
        })
        .await
        .expect("a vphone");
        adb.connect(&phone).await;
        started.push(phone);
    }
    let data = tempfile::tempdir().expect("data dir");
    if let Some(first) = first {
        copy_dir(&first.join("compiled"), &data.path().join("compiled"));
        std::fs::copy(first.join("secret.key"), data.path().join("secret.key"))
            .expect("the fleet's secret.key");
    }
    let lease = LEASE_SECS.to_string();
    let host = Host::serve_with(
        data.path(),
        data.path(),
        &adb,
        None,
        1,
        &[
            "--database-url",
            database,
            "--node-name",
            name,
            "--node-lease-secs",
            &lease,
        ],
    );
    host.wait_for("/device", "the node's own phones online", |r| {
        r["data"].as_array().is_some_and(|d| {
            d.iter()
                .filter(|d| d["online"] == true && d["node"] == name)
                .count()
                == phones
        })
    })
    .await;
    Node {
        name: name.to_owned(),
        host,
        adb,
        phones: started,
        _data: data,
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Three nodes on a fresh database: node-1 with one phone, node-2 and node-3 with two each.
async fn three_nodes(dump_delay: Duration) -> [Node; 3] {
    let database = phonefleet_pgtest::Cluster::shared().fresh_database().await;
    let first = start_node("node-1", &database, 1, dump_delay, None).await;
    let second = start_node("node-2", &database, 2, dump_delay, Some(first._data.path())).await;
    let third = start_node("node-3", &database, 2, dump_delay, Some(first._data.path())).await;
    [first, second, third]
}

/// Waits until `host` lists every phone of the fleet online, each on its node.
async fn wait_fleet_seen(host: &Host, nodes: &[&Node]) {
    let expected: BTreeMap<String, String> = nodes
        .iter()
        .flat_map(|n| n.serials().into_iter().map(|s| (s, n.name.clone())))
        .collect();
    host.wait_for("/device", "every node's phones", |r| {
        let seen: BTreeMap<String, String> = r["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["online"] == true)
            .filter_map(|d| {
                Some((
                    d["serial"].as_str()?.to_owned(),
                    d["node"].as_str()?.to_owned(),
                ))
            })
            .collect();
        expected.iter().all(|(s, n)| seen.get(s) == Some(n))
    })
    .await;
}

async fn task(host: &Host, id: i64) -> Value {
    host.get(&format!("/task/{id}"))
        .await
        .expect("the task answers")["data"]
        .clone()
}

async fn wait_task(host: &Host, id: i64, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    host.wait_for(&format!("/task/{id}"), what, |r| check(&r["data"]))
        .await["data"]
        .clone()
}

fn follow(serials: &[String], users: &[&str]) -> Value {
    json!({"serials": serials, "script_name": "follow", "script_config": {"target_users": users}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_created_on_one_node_run_on_the_nodes_whose_phones_they_name() {
    let [one, two, three] = three_nodes(Duration::from_millis(20)).await;
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let remote: Vec<String> = two.serials().into_iter().chain(three.serials()).collect();
    let mut events = one
        .host
        .http
        .get(format!("{}/events", one.host.base))
        .send()
        .await
        .expect("GET /events");
    let ids = one.host.create(&follow(&remote, &["@nasa"])).await;
    assert_eq!(ids.len(), remote.len());
    // Node 1's stream carries the other nodes' events: each remote phone's start and end.
    let mut seen = String::new();
    let read = async {
        while remote
            .iter()
            .any(|serial| !seen.contains(&format!("\"serial\":\"{serial}\"")))
            || seen.matches("event: task_finished").count() < ids.len()
        {
            match events.chunk().await.expect("the event stream") {
                Some(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                None => break,
            }
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(60), read)
            .await
            .is_ok(),
        "node 1 did not stream the other nodes' task events:\n{seen}"
    );
    for id in &ids {
        let done = wait_task(&one.host, *id, "the task ends", |t| {
            t["status"].as_i64() >= Some(2)
        })
        .await;
        assert_eq!(done["status"], 2, "{done}");
    }
    for (node, serial) in [
        (&two, &two.serials()[0]),
        (&two, &two.serials()[1]),
        (&three, &three.serials()[0]),
        (&three, &three.serials()[1]),
    ] {
        let state = node.adb.phone_state(serial).await;
        assert!(
            state["following"]
                .as_object()
                .into_iter()
                .flat_map(|by_account| by_account.values())
                .filter_map(Value::as_array)
                .flatten()
                .any(|user| user == "nasa"),
            "{serial} on {} does not follow nasa: {}",
            node.name,
            state["following"],
        );
        let starts = starts_on_phone(&node.adb, serial).await;
        assert_eq!(starts.values().sum::<usize>(), 1, "{serial}: {starts:?}");
    }
    // Node 1's own phone ran nothing.
    assert!(
        starts_on_phone(&one.adb, &one.serials()[0])
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_through_one_node_ends_a_run_on_another_within_a_second() {
    // Slow screens: a follow runs for seconds.
    let [one, two, three] = three_nodes(Duration::from_millis(400)).await;
    wait_fleet_seen(&three.host, &[&one, &two, &three]).await;
    let ids = one
        .host
        .create(&follow(&two.serials()[..1], &["@nasa"]))
        .await;
    wait_task(&three.host, ids[0], "the task runs", |t| t["status"] == 1).await;
    let asked = Instant::now();
    let reply = three
        .host
        .send(
            reqwest::Method::POST,
            &format!("/task/{}/stop", ids[0]),
            None,
        )
        .await;
    assert_eq!(reply["code"], 0, "{reply}");
    let stopped = task(&three.host, ids[0]).await;
    let took = asked.elapsed();
    assert_eq!(
        (stopped["status"].as_i64(), stopped["error"].as_str()),
        (Some(3), Some("stopped by user")),
        "{stopped}"
    );
    assert!(
        took < Duration::from_secs(1),
        "the run on node-2 ended {took:?} after the stop"
    );

    // A retry through node 3 wakes node 2, which runs the task again to its end.
    let retried = three
        .host
        .send(
            reqwest::Method::POST,
            &format!("/task/{}/retry", ids[0]),
            None,
        )
        .await;
    assert_eq!(retried["code"], 0, "{retried}");
    let again = wait_task(&one.host, ids[0], "the retried task ends", |t| {
        t["status"].as_i64() >= Some(2)
    })
    .await;
    assert_eq!(again["status"], 2, "{again}");

    // A delete through node 3 of a run on node 2 ends that run before it answers.
    let doomed = one
        .host
        .create(&follow(&two.serials()[..1], &["@natgeo"]))
        .await[0];
    wait_task(&three.host, doomed, "the task runs", |t| t["status"] == 1).await;
    let deleted = three
        .host
        .send(reqwest::Method::DELETE, &format!("/task/{doomed}"), None)
        .await;
    assert_eq!(deleted["code"], 0, "{deleted}");
    let gone = one
        .host
        .send(reqwest::Method::GET, &format!("/task/{doomed}"), None)
        .await;
    assert_eq!(gone["code"], 40401, "{gone}");
    let ended = marks_on_phone(&two.adb, &two.serials()[0], "end").await;
    assert_eq!(
        ended.get(&doomed),
        Some(&1),
        "the deleted run did not end on its phone: {ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_frozen_past_its_lease_does_not_finish_the_runs_it_lost_and_serves_again() {
    let [one, two, three] = three_nodes(Duration::from_millis(400)).await;
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let phone = two.serials()[0].clone();
    let ids = one
        .host
        .create(&follow(std::slice::from_ref(&phone), &["@nasa"]))
        .await;
    wait_task(&one.host, ids[0], "the task runs", |t| t["status"] == 1).await;

    let pid = two.host.child.id().expect("node-2's pid").to_string();
    signal("-STOP", &pid).await;
    let lost = "interrupted: host node-2 lost";
    wait_task(&one.host, ids[0], "node-2 declared lost", |t| {
        t["error"] == lost
    })
    .await;
    signal("-CONT", &pid).await;

    // Woken, node 2 finds itself declared lost and ends the run it no longer owns; the task keeps
    // the survivor's verdict.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !marks_on_phone(&two.adb, &phone, "end")
        .await
        .contains_key(&ids[0])
    {
        assert!(
            Instant::now() < deadline,
            "node 2 did not end the run it lost"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept = task(&one.host, ids[0]).await;
    assert_eq!(
        (kept["status"].as_i64(), kept["error"].as_str()),
        (Some(3), Some(lost)),
        "{kept}"
    );

    // And it serves again: its phone is back in the device table and runs a new task.
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let next = one
        .host
        .create(&follow(std::slice::from_ref(&phone), &["@natgeo"]))
        .await;
    let done = wait_task(&one.host, next[0], "the next task ends", |t| {
        t["status"].as_i64() >= Some(2)
    })
    .await;
    assert_eq!(done["status"], 2, "{done}");
}

async fn signal(which: &str, pid: &str) {
    let status = tokio::process::Command::new("kill")
        .args([which, pid])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success(), "kill {which} {pid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_is_declared_lost_and_its_queued_tasks_run_on_the_node_its_phones_move_to() {
    let [one, mut two, three] = three_nodes(Duration::from_millis(300)).await;
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let phones_of_two = two.serials();
    let ids = one
        .host
        .create(&follow(&phones_of_two, &["@kill1", "@kill2", "@kill3"]))
        .await;
    assert_eq!(ids.len(), 6);
    one.host
        .wait_for("/task/stats", "both phones of node-2 busy", |r| {
            r["data"]["running"] == 2
        })
        .await;

    two.host.child.start_kill().expect("SIGKILL");
    two.host.child.wait().await.expect("node-2 reaped");
    let killed = Instant::now();
    two.adb.kill().await;

    // Its running tasks fail saying the host was lost, within the lease and one renewal.
    let lost = "interrupted: host node-2 lost";
    one.host
        .wait_for("/task?status=3", "node-2's runs failed", |r| {
            r["data"]["tasks"]
                .as_array()
                .is_some_and(|t| t.iter().filter(|t| t["error"] == lost).count() == 2)
        })
        .await;
    let detected = killed.elapsed();
    assert!(
        detected < Duration::from_secs(LEASE_SECS + 5),
        "node-2's runs were failed {detected:?} after it died"
    );

    // Its phones, plugged into node-3, run the rest of their queue there.
    for phone in &two.phones {
        three.adb.connect(phone).await;
    }
    let mut outcome = BTreeMap::new();
    for id in &ids {
        let done = wait_task(&one.host, *id, "the task ends", |t| {
            t["status"].as_i64() >= Some(2)
        })
        .await;
        outcome.insert(
            *id,
            (
                done["status"].as_i64(),
                done["error"].as_str().map(str::to_owned),
            ),
        );
    }
    let interrupted: Vec<i64> = outcome
        .iter()
        .filter(|(_, (status, error))| *status == Some(3) && error.as_deref() == Some(lost))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(interrupted.len(), 2, "{outcome:?}");
    assert!(
        outcome
            .iter()
            .all(|(id, (status, _))| interrupted.contains(id) || *status == Some(2)),
        "every task not interrupted completed: {outcome:?}"
    );
    // Each task started once, on one phone: none was lost, none ran twice.
    let mut started = BTreeMap::new();
    for serial in &phones_of_two {
        for (id, times) in starts_on_phone(&three.adb, serial).await {
            assert_eq!(times, 1, "phone {serial} ran task {id} {times} times");
            assert!(
                started.insert(id, serial.clone()).is_none(),
                "task {id} ran on two phones"
            );
        }
    }
    // An interrupted task may have been killed before its start mark reached the phone; every
    // completed one ran there.
    for id in ids.iter().filter(|id| !interrupted.contains(id)) {
        assert!(
            started.contains_key(id),
            "task {id} never started on a phone: {started:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_file_uploaded_to_one_node_is_posted_by_a_phone_of_another() {
    let [one, two, three] = three_nodes(Duration::from_millis(20)).await;
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let bytes = vphone::testing::media_bytes("fleet.mp4", 120_000);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("fleet.mp4"),
        )
        .text("tags", "fleet");
    let uploaded: Value = one
        .host
        .http
        .post(format!("{}/material", one.host.base))
        .multipart(form)
        .send()
        .await
        .expect("POST /material")
        .json()
        .await
        .expect("a JSON reply");
    assert_eq!(uploaded["code"], 0, "{uploaded}");

    let phone = &two.serials()[0];
    let config = json!({"material_source": "materialLibrary", "materials_tags": "fleet", "captions": "from the library"});
    let ids = one
        .host
        .create(&json!({"serials": [phone], "script_name": "post", "script_config": config}))
        .await;
    let done = wait_task(&one.host, ids[0], "the post ends", |t| {
        t["status"].as_i64() >= Some(2)
    })
    .await;
    assert_eq!(done["status"], 2, "{done}");
    let posts = two.adb.phone_state(phone).await["posts"].clone();
    let posted = &posts[0]["files"][0];
    assert_eq!(posted["sha256"], sha256(&bytes), "{posts}");
    let library = one.host.get("/material").await.expect("the library");
    assert!(!library["data"][0]["used_at"].is_null(), "{library}");
    // Node 2 posted its own copy, fetched from the database, not node 1's file.
    let copies: Vec<String> = std::fs::read_dir(two._data.path().join("materials"))
        .expect("node 2's library copies")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        copies.iter().any(|name| name.starts_with("copy-")),
        "{copies:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_naming_this_hosts_files_for_a_phone_of_another_node_is_refused() {
    let [one, two, three] = three_nodes(Duration::from_millis(20)).await;
    wait_fleet_seen(&one.host, &[&one, &two, &three]).await;
    let video = one._data.path().join("here.mp4");
    std::fs::write(&video, vphone::testing::media_bytes("here.mp4", 50_000)).expect("a video");
    let body = json!({"serials": [two.serials()[0]], "script_name": "post",
                      "script_config": {"material_list": [video]}});
    let reply = one
        .host
        .send(reqwest::Method::POST, "/task", Some(&body))
        .await;
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["data"]["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("node-2") && m.contains("material library")),
        "{reply}"
    );
    let stats = one.host.get("/task/stats").await.expect("stats");
    assert_eq!(stats["data"]["total"], 0, "{stats}");
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}
