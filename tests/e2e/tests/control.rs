//! Operators steering phones (`POST /api/v1/control`): each phone answers for itself, a phone
//! running a task refuses until taken over, and taking over stops the task and holds the queue.

use std::time::Duration;

use phonefleet_e2e::{Fleet, following, playing_phone};
use serde_json::{Value, json};
use vphone::PhoneConfig;

async fn control(fleet: &Fleet, body: Value) -> Vec<Value> {
    let reply = fleet.post("/control", &body).await.unwrap();
    assert_eq!(reply["code"], 0, "{reply}");
    reply["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_phone_answers_for_itself_with_a_shell_commands_output() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let outcomes = control(
        &fleet,
        json!({"serials": [serial, "no-such-phone"], "action": {"kind": "shell", "command": "echo hi; false"}}),
    )
    .await;
    assert_eq!(outcomes[0]["serial"], serial.as_str());
    assert_eq!(outcomes[0]["ok"], true, "{}", outcomes[0]);
    assert_eq!(outcomes[0]["output"], "hi\n\n[exit code 1]");
    assert_eq!(outcomes[1]["ok"], false);
    let error = outcomes[1]["error"].as_str().unwrap();
    assert!(error.contains("not connected"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_without_phones_or_with_an_unknown_group_is_refused() {
    let fleet = Fleet::start(vec![]).await.unwrap();
    for body in [
        json!({"action": {"kind": "wake"}}),
        json!({"groups": ["nope"], "action": {"kind": "wake"}}),
        json!({"serials": ["x"], "action": {"kind": "fly"}}),
    ] {
        let reply = fleet.post("/control", &body).await.unwrap();
        assert_eq!(reply["code"], 40001, "{body}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_phone_refuses_until_taken_over_which_stops_its_task_and_holds_the_queue() {
    let fleet = Fleet::start(vec![playing_phone()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let warmup = fleet
        .create(
            &json!({"serials": [serial], "script_name": "account_warmup",
            "script_config": {"task_duration": 300, "min_duration": 5, "max_duration": 10}}),
        )
        .await
        .unwrap()[0];
    fleet.wait_status(warmup, 1).await.unwrap();
    let back = json!({"kind": "key", "key": "back"});

    let refused = control(&fleet, json!({"serials": [serial], "action": back})).await;
    assert_eq!(refused[0]["ok"], false);
    let error = refused[0]["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("task {warmup} is running")),
        "{error}"
    );

    let taken = control(
        &fleet,
        json!({"serials": [serial], "action": back, "take_over": true}),
    )
    .await;
    assert_eq!(taken[0]["ok"], true, "{}", taken[0]);
    let stopped = fleet.wait_status(warmup, 3).await.unwrap();
    assert!(
        stopped["error"].as_str().unwrap().contains("stopped"),
        "{stopped}"
    );

    // The queue keeps off the phone while the operator holds it…
    let follow = fleet
        .create(&json!({"serials": [serial], "script_name": "follow",
            "script_config": {"target_user": "nasa"}}))
        .await
        .unwrap()[0];
    tokio::time::sleep(Duration::from_secs(2)).await; // an observation window, not a wait
    let task = fleet.get(&format!("/task/{follow}")).await.unwrap();
    assert_eq!(task["data"]["status"], 0, "held: {task}");
    // …and takes it back on release.
    let released = control(
        &fleet,
        json!({"serials": [serial], "action": {"kind": "release"}}),
    )
    .await;
    assert_eq!(released[0]["ok"], true);
    let done = fleet.wait_status(follow, 2).await.unwrap();
    assert_eq!(done["status"], 2, "{done}");
    assert!(following(&fleet.phones[0].state()).contains(&"nasa".to_string()));
}

/// An APK as far as the vphone's `pm install` looks: a zip with a manifest naming `package`.
fn apk(dir: &std::path::Path, package: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{package}.apk"));
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file(
        "AndroidManifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(
        &mut zip,
        format!(r#"<manifest package="{package}"/>"#).as_bytes(),
    )
    .unwrap();
    zip.start_file("classes.dex", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.finish().unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apk_from_a_host_file_installs_on_every_phone_of_a_group() {
    let fleet = Fleet::start(vec![PhoneConfig::default(); 2]).await.unwrap();
    let serials = fleet.serials();
    fleet.create_group("shelf A", &serials).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = apk(dir.path(), "com.example.keyboard");
    let outcomes = control(
        &fleet,
        json!({"groups": ["shelf A"], "action": {"kind": "install", "path": path}}),
    )
    .await;
    assert_eq!(outcomes.len(), 2);
    for outcome in &outcomes {
        assert_eq!(outcome["ok"], true, "{outcome}");
    }
    for phone in &fleet.phones {
        let listed = phone.run("pm list packages com.example").await;
        assert_eq!(
            String::from_utf8_lossy(&listed.stdout),
            "package:com.example.keyboard\n"
        );
        // The pushed copy is gone.
        let left = phone.run("ls /data/local/tmp").await;
        let left = String::from_utf8_lossy(&left.stdout);
        assert!(!left.contains(".apk"), "{left}");
    }
    // Not an APK: pm's own words come back.
    let bogus = dir.path().join("notes.apk");
    std::fs::write(&bogus, b"plain text").unwrap();
    let refused = control(
        &fleet,
        json!({"serials": [serials[0]], "action": {"kind": "install", "path": bogus}}),
    )
    .await;
    let error = refused[0]["error"].as_str().unwrap();
    assert!(error.contains("INSTALL_FAILED_INVALID_APK"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_outside_the_file_roots_is_refused_before_any_phone_is_asked() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let reply = fleet
        .post(
            "/control",
            &json!({"serials": fleet.serials(), "action": {"kind": "install", "path": "/etc/passwd"}}),
        )
        .await
        .unwrap();
    assert_eq!(reply["code"], 40001, "{reply}");
    assert!(
        reply["message"].as_str().unwrap().contains("--file-root"),
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebooted_phone_goes_away_and_comes_back_online() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let mut events = fleet.http.get(fleet.url("/events")).send().await.unwrap();
    let outcomes = control(
        &fleet,
        json!({"serials": [serial], "action": {"kind": "reboot"}}),
    )
    .await;
    assert_eq!(outcomes[0]["ok"], true, "{}", outcomes[0]);
    // The host saw it leave and come back.
    let mut seen = String::new();
    let back = tokio::time::timeout(phonefleet_e2e::WAIT, async {
        while let Some(chunk) = events.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(gone) = seen.find("event: device_offline")
                && seen[gone..].contains("event: device_online")
            {
                return;
            }
        }
    })
    .await;
    assert!(back.is_ok(), "events seen: {seen}");
    assert_eq!(fleet.phones[0].state()["boots"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changing_request_from_another_sites_page_is_refused_and_does_nothing() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let body =
        json!({"serials": [serial], "action": {"kind": "shell", "command": "touch /sdcard/csrf"}});
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let (status, reply) = fleet
            .send(
                fleet
                    .http
                    .post(fleet.url("/control"))
                    .header(name, value)
                    .json(&body),
            )
            .await
            .unwrap();
        assert_eq!(
            (status, reply["code"].clone()),
            (403, json!(40302)),
            "{name}: {value}"
        );
    }
    let listed = fleet.phones[0].run("ls /sdcard").await;
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("csrf"),
        "the phone ran nothing"
    );
    // The dashboard's own page, and clients that are not browsers, pass.
    let (status, _) = fleet
        .send(
            fleet
                .http
                .post(fleet.url("/control"))
                .header("sec-fetch-site", "same-origin")
                .json(&json!({"serials": [serial], "action": {"kind": "wake"}})),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_in_any_language_reaches_the_focused_field_and_the_keyboard_is_put_back() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let serial = fleet.serials()[0].clone();
    let ime_before = fleet.phones[0].state()["ime"].clone();
    let launch = json!({"kind": "shell",
        "command": "monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1"});
    control(&fleet, json!({"serials": [serial], "action": launch})).await;
    // The feed's Search icon, tapped where the phone shows it.
    let found = fleet
        .get(&format!(
            "/device/{serial}/find?description=Search&clickable=true"
        ))
        .await
        .unwrap();
    let bounds = &found["data"]["matches"][0]["bounds"];
    let mid = |a: &str, b: &str| (bounds[a].as_u64().unwrap() + bounds[b].as_u64().unwrap()) / 2;
    let tap = json!({"kind": "tap", "x": mid("left", "right"), "y": mid("top", "bottom")});
    let tapped = control(&fleet, json!({"serials": [serial], "action": tap})).await;
    assert_eq!(tapped[0]["ok"], true, "{}", tapped[0]);

    let text = "héllo 世界 👋";
    let typed = control(
        &fleet,
        json!({"serials": [serial], "action": {"kind": "text", "text": text}}),
    )
    .await;
    assert_eq!(typed[0]["ok"], true, "{}", typed[0]);
    let shown = fleet
        .http
        .get(fleet.url(&format!("/device/{serial}/find")))
        .query(&[("text_contains", text)])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        shown["data"]["count"], 1,
        "the search field shows it: {shown}"
    );
    assert_eq!(
        fleet.phones[0].state()["ime"],
        ime_before,
        "the keyboard is back"
    );
}
