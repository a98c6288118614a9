//! What the operator reads on the real binary's console: a start-up summary, phones coming and
//! going, and every task failure with its reason.

mod common;

use common::Host;
use serde_json::json;
use vphone::testing::AdbServer;
use vphone::{PhoneConfig, VPhone};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_says_what_started_which_phones_came_and_why_a_task_failed() {
    let adb = AdbServer::start().await;
    let phone = VPhone::start(PhoneConfig {
        missing_users: vec!["ghost_user_404".into()],
        ..PhoneConfig::default()
    })
    .await
    .expect("phone");
    adb.connect(&phone).await;
    let data = tempfile::tempdir().expect("data dir");
    let host = Host::serve(data.path(), data.path(), &adb, None, 1);
    host.wait_online(1).await;
    let id = host
        .create(
            &json!({"serials": [phone.serial()], "script_name": "follow",
                        "script_config": {"target_user": "@ghost_user_404"}}),
        )
        .await[0];
    host.wait_for(&format!("/task/{id}"), "the task failed", |r| {
        r["data"]["status"] == 3
    })
    .await;
    let console = std::fs::read_to_string(data.path().join("host-1.log")).expect("the log");
    let summary = console
        .lines()
        .find(|l| l.contains("phonefleet listening"))
        .unwrap_or_else(|| panic!("no start-up line:\n{console}"));
    for said in [
        "data_dir=",
        "adb_servers=",
        "node=",
        "scripts=",
        "follow 0.1.0",
        "unfollow 0.1.0",
        "post 0.1.0",
        "comment 0.1.0",
        "account_warmup 0.1.0",
    ] {
        assert!(summary.contains(said), "{said} missing from: {summary}");
    }
    let online = format!("phone={}", phone.serial());
    assert!(
        console
            .lines()
            .any(|l| l.contains("phone online") && l.contains(&online)),
        "{console}"
    );
    assert!(
        console.lines().any(|l| l.contains("WARN")
            && l.contains("task failed")
            && l.contains("ghost_user_404")),
        "{console}"
    );
}
