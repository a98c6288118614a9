//! What real phones and adb servers do to a fleet (`../shared/field-cases/`), replayed end to end:
//! vphones that misbehave as the reports say, behind the real adb server, driven through the REST
//! API; each test checks what happened on the phone and what the task says.

use std::time::Duration;

use phonefleet_e2e::{Fleet, following, media_bytes, task_spans};
use serde_json::{Value, json};
use vphone::{DumpFault, Keyboard, Lock, PhoneConfig, Popups, Screen, System};

const TIKTOK: &str = "com.zhiliaoapp.musically";

fn with_system(system: System) -> PhoneConfig {
    PhoneConfig {
        system,
        ..PhoneConfig::default()
    }
}

fn with_popups(popups: Popups) -> PhoneConfig {
    PhoneConfig {
        popups,
        ..PhoneConfig::default()
    }
}

/// Runs one task of `script` on every phone of the fleet and returns them when finished.
async fn run(fleet: &Fleet, script: &str, config: Value) -> Vec<Value> {
    let ids = fleet
        .create(
            &json!({"serials": fleet.serials(), "script_name": script, "script_config": config}),
        )
        .await
        .unwrap();
    fleet.wait_finished(&ids).await.unwrap()
}

async fn follow_nasa(fleet: &Fleet, access_method: &str) -> Value {
    run(
        fleet,
        "follow",
        json!({"target_user": "@nasa", "access_method": access_method}),
    )
    .await
    .remove(0)
}

fn error_of(task: &Value) -> &str {
    task["error"].as_str().unwrap_or_default()
}

/// Asserts that `task` failed with an error saying `words`.
/// Asserts that the task failed with an error of `kind` saying `words`.
fn assert_failed_saying(task: &Value, kind: &str, words: &str) {
    assert_eq!(task["status"], 3, "{task}");
    assert_eq!(task["error_kind"], kind, "{task}");
    assert!(error_of(task).contains(words), "{task}");
}

/// Asserts that the fleet's first phone follows nobody.
async fn assert_followed_nobody(fleet: &Fleet) {
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert!(following(&state).is_empty(), "{state}");
}

/// Seconds between a task's start and finish.
fn duration_secs(task: &Value) -> i64 {
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(task[field].as_str().unwrap_or_default())
            .map(|t| t.timestamp())
            .unwrap_or_else(|e| panic!("{field} of {task}: {e}"))
    };
    at("finished_at") - at("started_at")
}

// ----- screen reads (cases 01–03) -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dump_that_fails_after_a_popup_closes_is_retried_and_never_read_stale() {
    let phone = PhoneConfig {
        popups: Popups {
            notifications_prompt: true,
            ..Popups::default()
        },
        system: System {
            dump_fault_after_tap: Some(DumpFault::NullRoot),
            ..System::default()
        },
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![phone]).await.unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_eq!(task["status"], 2, "{task}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"]);
    assert_eq!(
        state["taps"],
        json!(["Not now", "Follow"]),
        "one tap on the popup's button, one on Follow, nothing else"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_that_never_goes_idle_does_not_stall_a_search_follow() {
    let fleet = Fleet::start(vec![with_system(System {
        never_idle_feed: true,
        idle_wait: Duration::from_secs(2),
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "search").await;
    assert_eq!(task["status"], 2, "{task}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_uiautomation_client_fails_the_task_naming_it() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    fleet.phones[0].push_dump_faults(&[DumpFault::AlreadyRegistered; 200]);
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "device", "another UI automation tool");
    assert_followed_nobody(&fleet).await;
}

// ----- readiness (cases 10–14) -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_android_6_phone_without_shell_v2_follows() {
    let fleet = Fleet::start(vec![with_system(System {
        sdk: 23,
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "search").await;
    assert_eq!(task["status"], 2, "{task}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"]);
    let devices = fleet.get("/device").await.unwrap();
    assert_eq!(
        devices["data"][0]["readiness"]["android"]["sdk"], 23,
        "{devices}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_without_the_app_fails_the_task_at_once_naming_the_package() {
    let fleet = Fleet::start(vec![with_system(System {
        tiktok_installed: false,
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "device", TIKTOK);
    assert!(
        duration_secs(&task) <= 3,
        "failed within a few seconds: {task}"
    );
    let devices = fleet.get("/device").await.unwrap();
    assert_eq!(
        devices["data"][0]["readiness"]["app_installed"], false,
        "{devices}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_adbkeyboard_is_enabled_for_a_caption_and_the_phone_keyboard_put_back() {
    let fleet = Fleet::start(vec![with_system(System {
        keyboard: Keyboard::Disabled,
        ..System::default()
    })])
    .await
    .unwrap();
    let before = fleet.adb.phone_state(&fleet.serials()[0]).await["ime"].clone();
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    std::fs::write(&video, media_bytes("v.mp4", 50_000)).unwrap();
    let caption = "Café au lait ☕ #morning";
    let task = run(
        &fleet,
        "post",
        json!({"material_list": [video.display().to_string()], "captions": caption}),
    )
    .await
    .remove(0);
    assert_eq!(task["status"], 2, "{task}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(state["posts"][0]["caption"], caption, "{state}");
    assert_eq!(state["ime"], before, "the phone's own keyboard is back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_input_injection_fails_the_task_naming_the_setting() {
    let fleet = Fleet::start(vec![with_system(System {
        inject_refused: true,
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "device", "USB debugging (Security settings)");
    assert_followed_nobody(&fleet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_asleep_phone_behind_a_swipe_lock_is_woken_unlocked_and_follows() {
    let fleet = Fleet::start(vec![with_system(System {
        asleep: true,
        lock: Lock::Swipe,
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_eq!(task["status"], 2, "{task}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["nasa"]);
    let devices = fleet.get("/device").await.unwrap();
    let readiness = &devices["data"][0]["readiness"];
    assert_eq!(
        (&readiness["awake"], &readiness["keyguard"]),
        (&json!(true), &json!("none"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_whose_screen_went_off_between_tasks_is_woken_for_the_next() {
    let fleet = Fleet::start(vec![with_system(System {
        lock: Lock::Swipe,
        ..System::default()
    })])
    .await
    .unwrap();
    let first = follow_nasa(&fleet, "direct").await;
    assert_eq!(first["status"], 2, "{first}");
    fleet.phones[0].set_awake(false);
    let second = run(&fleet, "follow", json!({"target_user": "@bbc"}))
        .await
        .remove(0);
    assert_eq!(second["status"], 2, "{second}");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(following(&state), ["bbc", "nasa"]);
    assert_eq!(
        (&state["awake"], &state["keyguard"]),
        (&json!(true), &json!(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_locked_with_a_pin_fails_the_task_at_once_saying_so() {
    let fleet = Fleet::start(vec![with_system(System {
        asleep: true,
        lock: Lock::Pin,
        ..System::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "device", "locked with a PIN");
    assert!(duration_secs(&task) <= 3, "{task}");
    assert_followed_nobody(&fleet).await;
    let devices = fleet.get("/device").await.unwrap();
    assert_eq!(
        devices["data"][0]["readiness"]["keyguard"], "secure",
        "{devices}"
    );
}

// ----- the app's refusals (case 16) -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_the_app_turns_back_fails_saying_so() {
    let fleet = Fleet::start(vec![with_popups(Popups {
        follow_reverts_after: Some(0),
        ..Popups::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "protection", "turned the follow of @nasa back");
    assert_followed_nobody(&fleet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_notice_in_another_wording_stops_the_task_quoting_it() {
    let notice = "Too many attempts. Please try again later.";
    let fleet = Fleet::start(vec![with_popups(Popups {
        rate_limit_after: Some(0),
        rate_limit_text: Some(notice.to_string()),
        ..Popups::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "protection", notice);
    assert_followed_nobody(&fleet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captcha_in_another_wording_stops_the_task_and_stays_on_screen() {
    let fleet = Fleet::start(vec![with_popups(Popups {
        captcha_after: Some(0),
        captcha_text: Some("Verify to continue: select 2 objects that are the same shape".into()),
        ..Popups::default()
    })])
    .await
    .unwrap();
    let task = follow_nasa(&fleet, "direct").await;
    assert_failed_saying(&task, "protection", "Verify to continue");
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    assert_eq!(
        state["popup"], "captcha",
        "a protection is not a popup to close"
    );
}

// ----- one handset, one phone (case 07) -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_handset_listed_under_two_addresses_runs_one_task_at_a_time() {
    let phone = PhoneConfig {
        dump_delay: Duration::from_millis(200),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![phone]).await.unwrap();
    let second = format!("localhost:{}", fleet.phones[0].port());
    fleet.adb.connect_address(&second).await;
    let serials = vec![fleet.serials()[0].clone(), second.clone()];
    fleet
        .wait_until(
            "the second address is seen as the same handset",
            async || {
                let devices = fleet.get("/device").await?;
                let noted = |d: &&Value| {
                    d["note"]
                        .as_str()
                        .is_some_and(|n| n.contains("same handset"))
                };
                Ok(devices["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|d| noted(&d)))
            },
        )
        .await
        .unwrap();
    let ids = fleet
        .create(&json!({"serials": serials, "script_name": "follow",
                         "script_config": {"target_users": ["@nasa", "@bbc"]}}))
        .await
        .unwrap();
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    assert!(tasks.iter().all(|t| t["status"] == 2), "{tasks:?}");
    let (logcat, _, _) = fleet
        .adb
        .shell(&serials[0], "logcat -d -v epoch -s phonefleet")
        .await;
    let mut spans = task_spans(&logcat);
    assert_eq!(spans.len(), 4, "{logcat}");
    spans.sort_by_key(|s| s.1);
    for pair in spans.windows(2) {
        assert!(
            pair[0].2 <= pair[1].1,
            "the handset ran two tasks at once: {pair:?}"
        );
    }
}

// ----- outages (case 09) -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_running_when_the_adb_server_restarts_complete() {
    let phone = PhoneConfig {
        dump_delay: Duration::from_millis(300),
        ..PhoneConfig::default()
    };
    let fleet = Fleet::start(vec![phone.clone(), phone]).await.unwrap();
    let ids = fleet
        .create(&json!({"serials": fleet.serials(), "script_name": "follow",
                         "script_config": {"target_user": "@nasa", "access_method": "search"}}))
        .await
        .unwrap();
    for id in &ids {
        fleet.wait_status(*id, 1).await.unwrap();
    }
    fleet.adb.kill().await;
    fleet.adb.restart().await;
    let tasks = fleet.wait_finished(&ids).await.unwrap();
    for task in &tasks {
        assert_eq!(task["status"], 2, "{task}");
    }
    for serial in fleet.serials() {
        let state = fleet.adb.phone_state(&serial).await;
        assert_eq!(following(&state), ["nasa"], "{serial}");
    }
}

/// Waits until the running task `id` has reported progress (its script is past its first steps).
async fn wait_progress(fleet: &Fleet, id: i64) {
    fleet
        .wait_until("the task reports progress", async || {
            let task = fleet.get(&format!("/task/{id}")).await?;
            let progress = &task["data"]["progress"];
            Ok(task["data"]["status"] == 1 && !progress["message"].is_null())
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_task_whose_phone_blinks_offline_completes() {
    let phone = PhoneConfig {
        dump_delay: Duration::from_millis(300),
        ..PhoneConfig::default()
    };
    let mut fleet = Fleet::start(vec![phone]).await.unwrap();
    let ids = fleet
        .create(&json!({"serials": fleet.serials(), "script_name": "follow",
                         "script_config": {"target_user": "@nasa", "access_method": "search"}}))
        .await
        .unwrap();
    wait_progress(&fleet, ids[0]).await;
    let serial = fleet.serials()[0].clone();
    fleet.phones[0].go_offline().await;
    fleet
        .wait_until("adb sees the phone gone", async || {
            Ok(fleet.adb.device_state(&serial).await.as_deref() != Some("device"))
        })
        .await
        .unwrap();
    fleet.phones[0].come_back().await.unwrap();
    let task = fleet.wait_finished(&ids).await.unwrap().remove(0);
    assert_eq!(task["status"], 2, "the blink is within the grace: {task}");
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(following(&state), ["nasa"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_tasks_of_a_network_phone_that_went_away_run_when_it_comes_back() {
    // A post whose upload takes a minute is surely still running when the phone leaves.
    let phone = PhoneConfig {
        upload_duration: Duration::from_secs(60),
        ..PhoneConfig::default()
    };
    let mut fleet = Fleet::start_with(vec![phone], |config| config.offline_grace_secs = 2)
        .await
        .unwrap();
    let serial = fleet.serials()[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    std::fs::write(&video, media_bytes("v.mp4", 50_000)).unwrap();
    let post = fleet
        .create(&json!({"serials": [serial], "script_name": "post",
                         "script_config": {"material_list": [video.display().to_string()]}}))
        .await
        .unwrap()[0];
    let queued = fleet
        .create(&json!({"serials": [serial], "script_name": "follow",
                         "script_config": {"target_users": ["@bbc", "@natgeo", "@nba"]}}))
        .await
        .unwrap();
    fleet
        .wait_until("the post is uploading", async || {
            Ok(!fleet.adb.phone_state(&serial).await["uploading"].is_null())
        })
        .await
        .unwrap();
    fleet.phones[0].go_offline().await;
    let failed = fleet.wait_status(post, 3).await.unwrap();
    assert!(error_of(&failed).contains("device offline"), "{failed}");
    for id in &queued {
        let task = fleet.get(&format!("/task/{id}")).await.unwrap();
        assert_eq!(
            task["data"]["status"], 0,
            "waits while the phone is away: {task}"
        );
    }
    fleet.phones[0].come_back().await.unwrap();
    let tasks = fleet.wait_finished(&queued).await.unwrap();
    for task in &tasks {
        assert_eq!(task["status"], 2, "{task}");
    }
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(following(&state), ["bbc", "natgeo", "nba"], "{state}");
}

// ----- screen sizes -----

async fn follow_and_post_pass_on(screen: Screen) {
    let fleet = Fleet::start(vec![with_system(System {
        screen,
        ..System::default()
    })])
    .await
    .unwrap();
    let serial = fleet.serials()[0].clone();
    let direct = follow_nasa(&fleet, "direct").await;
    assert_eq!(direct["status"], 2, "{direct}");
    let search = run(
        &fleet,
        "follow",
        json!({"target_user": "@bbc", "access_method": "search"}),
    )
    .await
    .remove(0);
    assert_eq!(search["status"], 2, "{search}");
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    std::fs::write(&video, media_bytes("v.mp4", 50_000)).unwrap();
    let post = run(
        &fleet,
        "post",
        json!({"material_list": [video.display().to_string()], "captions": "sizes #test"}),
    )
    .await
    .remove(0);
    assert_eq!(post["status"], 2, "{post}");
    let state = fleet.adb.phone_state(&serial).await;
    assert_eq!(following(&state), ["bbc", "nasa"]);
    assert_eq!(state["posts"][0]["caption"], "sizes #test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_and_post_pass_on_a_720x1600_screen() {
    follow_and_post_pass_on(Screen::HD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_and_post_pass_on_a_1080x2400_screen() {
    follow_and_post_pass_on(Screen::FHD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_and_post_pass_on_a_1440x3200_screen() {
    follow_and_post_pass_on(Screen::QHD).await;
}

// ----- failure forensics -----

/// The `Description` text of a PNG's `tEXt` chunk (the vphone names its screen there).
fn png_description(png: &[u8]) -> Option<String> {
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let kind = &png[at + 4..at + 8];
        let data = png.get(at + 8..at + 8 + len)?;
        if kind == b"tEXt" {
            let (key, value) = data.split_at(data.iter().position(|b| *b == 0)?);
            if key == b"Description" {
                return Some(String::from_utf8_lossy(&value[1..]).into_owned());
            }
        }
        at += 12 + len;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_keeps_the_phones_last_screen_dump_and_commands() {
    let fleet = Fleet::start(vec![PhoneConfig {
        missing_users: vec!["ghost_user_404".into()],
        ..PhoneConfig::default()
    }])
    .await
    .unwrap();
    let task = run(&fleet, "follow", json!({"target_user": "@ghost_user_404"}))
        .await
        .remove(0);
    assert_eq!(task["status"], 3, "{task}");
    let listed = task["artifacts"]
        .as_str()
        .expect("the task links its artifacts");
    let base = format!("http://{}", fleet.host.addr());
    // The evidence is taken right after the failure is recorded.
    let mut list = Value::Null;
    fleet
        .wait_until("the evidence is kept", async || {
            list = fleet
                .http
                .get(format!("{base}{listed}"))
                .send()
                .await?
                .json()
                .await?;
            Ok(list["data"].as_array().is_some_and(|a| a.len() == 3))
        })
        .await
        .unwrap();
    let mut names: Vec<&str> = list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["commands.json", "screen.png", "ui.xml"], "{list}");
    let download = |name: &str| {
        let url = list["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["name"] == name)
            .and_then(|a| a["url"].as_str())
            .map(|u| format!("{base}{u}"))
            .unwrap_or_default();
        let http = fleet.http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    let screen = download("screen.png").await;
    assert_eq!(screen.headers()["content-type"], "image/png");
    let png = screen.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        png_description(&png).as_deref(),
        Some("missing_account @ghost_user_404"),
        "the screen the task failed on"
    );
    let ui = download("ui.xml").await.text().await.unwrap();
    assert!(ui.contains("Couldn't find this account"), "{ui}");
    let commands: Value = download("commands.json").await.json().await.unwrap();
    let ran = commands.as_array().expect("a list of commands");
    assert!(
        ran.iter().all(|c| c["at"]
            .as_str()
            .is_some_and(|at| chrono::DateTime::parse_from_rfc3339(at).is_ok())),
        "{commands}"
    );
    assert!(
        ran.iter().any(|c| c["command"]
            .as_str()
            .is_some_and(|c| c.contains("uiautomator dump"))),
        "{commands}"
    );
}
