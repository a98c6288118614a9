//! `phonefleet script try`: a script runs once on one phone from the command line, without a
//! server, its log printed as it runs, then its result; a failure exits non-zero saying why.

use std::process::Output;

use tokio::process::Command;
use vphone::testing::AdbServer;
use vphone::{PhoneConfig, VPhone};

/// A vphone connected to a private adb server.
async fn phone() -> (AdbServer, VPhone) {
    let adb = AdbServer::start().await;
    let phone = VPhone::start(PhoneConfig::default()).await.expect("phone");
    adb.connect(&phone).await;
    (adb, phone)
}

async fn try_script(adb: &AdbServer, phone: &VPhone, script: &str, config: &str) -> Output {
    try_script_with(adb, phone, script, config, &[]).await
}

async fn try_script_with(
    adb: &AdbServer,
    phone: &VPhone,
    script: &str,
    config: &str,
    options: &[&str],
) -> Output {
    let run = Command::new(env!("CARGO_BIN_EXE_phonefleet"))
        .args(["script", "try", script, "--serial", &phone.serial()])
        .args(["--config", config])
        .args(options)
        .args(["--adb-server", &adb.addr().to_string()])
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(std::time::Duration::from_secs(120), run)
        .await
        .expect("script try ends in time")
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_file_runs_once_printing_its_log_and_result() {
    let (adb, phone) = phone().await;
    let out = try_script(
        &adb,
        &phone,
        phonefleet_test_artifacts::AUTHOR,
        r#"{"mode": "followers", "user": "@nasa", "access": "search"}"#,
    )
    .await;
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let followers = vphone::profile_stats("nasa").followers;
    assert!(said.contains(" info searching for @nasa"), "{said}");
    assert!(
        said.contains(&format!(" info @nasa has {followers} followers")),
        "{said}"
    );
    assert!(
        said.contains(&format!("result: {{\"followers\":\"{followers}\"")),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_built_in_script_runs_by_name_and_the_phone_shows_it() {
    let (adb, phone) = phone().await;
    let out = try_script(&adb, &phone, "follow", r#"{"target_username": "nasa"}"#).await;
    assert!(out.status.success(), "{}", text(&out));
    let state = adb.phone_state(&phone.serial()).await;
    assert_eq!(state["following"]["vphone_user"][0], "nasa", "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_run_exits_non_zero_with_the_cause() {
    let (adb, phone) = phone().await;
    let out = try_script(
        &adb,
        &phone,
        phonefleet_test_artifacts::AUTHOR,
        r#"{"mode": "click-missing"}"#,
    )
    .await;
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("phonefleet script try: nothing matches text=\"No such button\""),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_the_schema_refuses_changes_nothing_on_the_phone() {
    let (adb, phone) = phone().await;
    let out = try_script(&adb, &phone, "follow", r#"{"target_username": 7}"#).await;
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("invalid config: /target_username"), "{said}");
    let state = adb.phone_state(&phone.serial()).await;
    assert_eq!(
        state["following"]["vphone_user"],
        serde_json::json!([]),
        "{state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_tried_on_instagram_opens_the_profile_by_search_and_reads_its_count() {
    let adb = AdbServer::start().await;
    let phone = VPhone::start(PhoneConfig {
        instagram: Some(vphone::InstagramConfig::default()),
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    adb.connect(&phone).await;
    let out = try_script_with(
        &adb,
        &phone,
        phonefleet_test_artifacts::AUTHOR,
        r#"{"mode": "followers", "user": "nasa", "access": "search"}"#,
        &["--app", "instagram"],
    )
    .await;
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let followers = vphone::profile_stats("nasa").followers;
    assert!(
        said.contains(&format!(
            " info @nasa has {followers} followers on Instagram"
        )),
        "{said}"
    );
}
