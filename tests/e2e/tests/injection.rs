//! No field reaches a phone's shell as code. Shell metacharacters go into every text field that
//! reaches a phone — account usernames, target users, captions, material file names — and the
//! phone, whose shell runs command substitutions and `;` like a real one, runs nothing but the
//! commands phonefleet meant. Target users that are not usernames, and account packages that are
//! not Android package names (`host/tests/api.rs`), are refused at the door.

use phonefleet_e2e::Fleet;
use serde_json::{Value, json};
use vphone::PhoneConfig;

/// Each payload would run `log -t pwned …` if it reached `sh` unquoted.
const PAYLOADS: &[&str] = &[
    "a$(log -t pwned subst)",
    "b`log -t pwned backtick`",
    "c;log -t pwned semicolon",
    "d' ; log -t pwned quote '",
    "e\" && log -t pwned dquote \"",
    "f\nlog -t pwned newline",
    "g|log -t pwned pipe",
];

/// The commands phonefleet and its shipped scripts send to a phone.
const EXPECTED: &[&str] = &[
    "am",
    "cat",
    "content",
    "echo",
    "getprop",
    "ime",
    "input",
    "log",
    "monkey",
    "pm",
    "rm",
    "screencap",
    "settings",
    "true",
    "uiautomator",
    "wm",
    "dumpsys",
];

/// Every command the phone ran that phonefleet did not mean to run.
async fn unexpected(fleet: &Fleet) -> Vec<Value> {
    let state = fleet.adb.phone_state(&fleet.serials()[0]).await;
    state["ran"]
        .as_array()
        .expect("the phone's command log")
        .iter()
        .filter(|argv| {
            let name = argv[0].as_str().unwrap_or_default();
            let pwned = argv
                .as_array()
                .is_some_and(|a| a.iter().any(|w| w == "pwned"));
            pwned || !EXPECTED.contains(&name)
        })
        .cloned()
        .collect()
}

async fn run(fleet: &Fleet, body: Value) -> Vec<Value> {
    let ids = fleet.create(&body).await.expect("accepted");
    fleet.wait_finished(&ids).await.expect("finished")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_users_with_shell_syntax_are_refused_at_the_door() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    for method in ["direct", "search"] {
        for payload in PAYLOADS {
            let reply = fleet
                .post(
                    "/task",
                    &json!({"serials": fleet.serials(), "script_name": "follow",
                    "script_config": {"target_users": [payload], "access_method": method}}),
                )
                .await
                .unwrap();
            assert_eq!(reply["code"], 40001, "{payload:?}: {reply}");
            assert!(
                reply["message"]
                    .as_str()
                    .unwrap()
                    .contains("is not a TikTok or Instagram username")
            );
        }
    }
    assert_eq!(fleet.get("/task/stats").await.unwrap()["data"]["total"], 0);
    assert_eq!(unexpected(&fleet).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_usernames_run_nothing() {
    // One account whose name carries every payload: the switch to it is the slow part.
    let accounts = vec![PAYLOADS.concat().replace('\n', " ")];
    let fleet = Fleet::start(vec![PhoneConfig {
        accounts: accounts.clone(),
        ..PhoneConfig::default()
    }])
    .await
    .unwrap();
    for name in &accounts {
        let made = fleet
            .post(
                "/account",
                &json!({"username": name, "serial": fleet.serials()[0]}),
            )
            .await
            .unwrap();
        assert_eq!(made["code"], 0, "{made}");
    }
    let tasks = run(
        &fleet,
        json!({"usernames": accounts, "script_name": "follow",
                       "script_config": {"target_users": ["@nasa"]}}),
    )
    .await;
    assert_eq!(
        tasks[0]["status"], 2,
        "switched to the account and followed: {}",
        tasks[0]
    );
    assert_eq!(unexpected(&fleet).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captions_and_material_file_names_run_nothing() {
    let fleet = Fleet::start(vec![PhoneConfig::default()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // One file whose name carries every payload (a file name cannot hold '/'; a newline it can).
    let name = format!("{}.mp4", PAYLOADS.concat().replace('/', "_"));
    let file = dir.path().join(&name);
    std::fs::write(&file, phonefleet_e2e::media_bytes(&name, 5_000)).unwrap();
    let tasks = run(
        &fleet,
        json!({"serials": fleet.serials(), "script_name": "post",
               "script_config": {"material_list": [file], "captions": PAYLOADS.join(" ")}}),
    )
    .await;
    assert_eq!(tasks[0]["status"], 2, "{}", tasks[0]);
    assert_eq!(unexpected(&fleet).await, Vec::<Value>::new());
    let posts = fleet.adb.phone_state(&fleet.serials()[0]).await["posts"].clone();
    assert_eq!(
        posts[0]["caption"],
        PAYLOADS.join(" "),
        "typed byte-identical"
    );
}
